"""The one mapping from the studio's errors to what a person (UI toast) or a client (API error, HTTP status) sees.

Every user-facing error is a ``pipeline.errors.StudioError`` (plus the standalone scoring package's input error
and the account tool's). Its branch decides the title and the HTTP status of a direct call; its words are shown
as they are, minus anything that would reveal the server (absolute paths become file names). Anything else is a
bug: it keeps its traceback in the server log and reaches the user as Gradio's generic error.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import Conflict, Forbidden, InvalidInput, NotFound, StudioError
from pipeline.services.limits import LimitExceeded
from pipeline.text import strip_paths

#: (error class, title, HTTP status), most specific first.
_KINDS: tuple[tuple[type[BaseException], str, int], ...] = (
    (NotFound, "Not found", 404),
    (Forbidden, "Not allowed", 403),
    (LimitExceeded, "Limit reached", 429),
    (Conflict, "Changed meanwhile", 409),
    (InvalidInput, "Invalid input", 400),
    (StudioError, "Cannot do that", 400),
)
#: Titles → status, for the middleware that corrects Gradio's 500 on direct routes (studio/health.py).
STATUS_BY_TITLE = {title: status for _cls, title, status in _KINDS}

@dataclass(frozen=True)
class UserMessage:
    title: str
    message: str
    status: int


def user_error_types() -> tuple[type[BaseException], ...]:
    """The exception types whose message is for the user (imported lazily: scoring and storage stay optional)."""
    from scoring.errors import ScoringInputError
    from storage.users import UserError

    return (StudioError, ScoringInputError, UserError)


def describe(exc: BaseException) -> UserMessage | None:
    """What the user sees for ``exc``; None when it is not a user-facing error (a bug)."""
    if not isinstance(exc, user_error_types()):
        return None
    title, status = next(((t, s) for cls, t, s in _KINDS if isinstance(exc, cls)), ("Cannot do that", 400))
    return UserMessage(title, scrub(str(exc)) or "That cannot be done.", status)


def scrub(message: str) -> str:
    """The message without server paths (the file name stays, so the user still knows which file)."""
    return strip_paths(message)


__all__ = ["STATUS_BY_TITLE", "UserMessage", "describe", "scrub", "user_error_types"]
