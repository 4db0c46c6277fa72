"""The studio's one error tree.

``StudioError`` is the root of every error whose message is meant for the user as is, in the UI and the API
(``studio/errors.py`` is the one place that turns them into messages and HTTP statuses). Its branches say what
kind of refusal it is, so the API can answer 404, 403, 409 or 400 without reading the words.

Job control (``JobCancelled``, ``TransientEngineError``) is not shown to anyone: it steers the runner. This module
imports nothing from the rest of the studio, so every layer (engines, timeline, services) can raise from it.
"""


class StudioError(ValueError):
    """Something the user asked for cannot be done; the message says why and what to do instead."""


class NotFound(StudioError):
    """The id names nothing the actor may see (a missing row and someone else's private row read the same)."""


class InvalidInput(StudioError):
    """An argument is malformed or out of range (checked at the door, before anything is read or saved)."""


class Conflict(StudioError):
    """The thing changed while the request was made (e.g. a concurrent edit); trying again will work."""


class Forbidden(StudioError):
    """The actor is known but may not do this (not logged in, read-only share, admin only)."""


class EngineInputError(StudioError):
    """Bad input a user can fix (wrong file, bad size); its message is shown to the user as is."""


class ProviderError(EngineInputError):
    """A generation provider refused or failed the work (failed prediction, rejected key, unusable output).

    The message comes from the provider (secrets redacted) and is shown to the user as is; it is not retried.
    """


class JobControl(Exception):
    """Raised inside running work to steer the runner; never shown as an error of the user's."""


class JobCancelled(JobControl):
    """Raised inside running work when its job was cancelled; the work stops cleanly."""


class TransientEngineError(JobControl):
    """A failure worth retrying (network blip, rate limit, busy GPU). Other exceptions fail the job at once."""


__all__ = ["StudioError", "NotFound", "InvalidInput", "Conflict", "Forbidden", "EngineInputError",
           "ProviderError", "JobControl", "JobCancelled", "TransientEngineError"]
