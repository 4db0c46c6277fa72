"""Team mode: nobody fetches the studio's media (or anything in its data folder) by path.

Media files live flat under the media root (``frames/x-<random>.png``). A handler that returns one hands Gradio the
path; Gradio copies it into its cache (a content-hashed folder under the upload folder) and gives the browser that
copy's URL. ``allowed_paths`` must include the media root so handlers may return those files — but it also lets any
logged-in user ask ``/gradio_api/file=<media root>/frames/…`` directly, bypassing every ownership check. This ASGI
middleware answers 403 to such requests, so only the cache copies handed to a user who may see them are served.
Music assets (and the upload folder, should it lie inside the data folder) stay served.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

# Gradio's file routes: /gradio_api/file=<path>, /gradio_api/file/<path> (deprecated) and the legacy /file=<path>.
_FILE_ROUTE = re.compile(r"^/+(?:gradio_api/+)?file(?:=|/)(?P<path>.*)$", re.DOTALL)
MESSAGE = "Studio media are not served by path; open them through the studio."
SIGN_IN = "Sign in with Hugging Face to open studio files."


def file_route_target(path: str) -> str | None:
    """The file path a Gradio file-route request asks for (None when ``path`` is not a file route)."""
    match = _FILE_ROUTE.match(path or "")
    return match.group("path") if match else None


def _forms(path: str | Path) -> list[str]:
    """A path as written (made absolute, like Gradio does) and with symlinks resolved; compared case-folded too."""
    absolute = Path(os.path.abspath(str(path)))
    try:
        resolved = absolute.resolve()
    except (OSError, RuntimeError):
        resolved = absolute
    return list({str(absolute), str(resolved)})


def _inside(path: str, folder: str) -> bool:
    for a, b in ((path, folder), (path.casefold(), folder.casefold())):
        if a == b or a.startswith(b.rstrip(os.sep) + os.sep):
            return True
    return False


class MediaGate:
    """Pure ASGI middleware (streams untouched): 403 for file-route requests into a protected folder."""

    def __init__(self, app: ASGIApp, protected: Iterable[str | Path], exempt: Iterable[str | Path] = (),
                 signed_in: Callable[[Scope], bool] | None = None) -> None:
        self.app = app
        # With Hugging Face sign-in, Gradio checks no login on its file routes: ``signed_in`` does it here.
        self.signed_in = signed_in
        exempt_forms = [f for e in exempt for f in _forms(e)]
        # An exempt folder only carves a hole into a protected folder that contains it (e.g. music assets kept in
        # the data folder); it never re-opens a protected folder that lies inside it (media inside the upload folder).
        self.rules = [(p, [e for e in exempt_forms if e != p and _inside(e, p)])
                      for p in dict.fromkeys(f for folder in protected for f in _forms(folder))]

    def blocked(self, requested: str) -> bool:
        if "://" in requested:  # a URL, not a local path (Gradio streams those through its own checks)
            return False
        return any(_inside(f, folder) and not any(_inside(f, e) for e in holes)
                   for f in _forms(requested) for folder, holes in self.rules)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("path") or ""
            root = (scope.get("root_path") or "").rstrip("/")
            if root and path.startswith(root + "/"):
                path = path[len(root):]
            target = file_route_target(path)
            if target is not None and target and self.blocked(target):
                await PlainTextResponse(MESSAGE, status_code=403)(scope, receive, send)
                return
            if target is not None and self.signed_in is not None and not self.signed_in(scope):
                await PlainTextResponse(SIGN_IN, status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def media_gate(services) -> Middleware:
    """The middleware for ``launch(app_kwargs={"middleware": [...]})``: guards the media root and the data folder,
    keeps the music folder and Gradio's upload/cache folder served."""
    from gradio.utils import get_upload_folder

    settings = services.settings
    signed_in = _hf_session_check(services.access) if settings.auth == "hf" else None
    return Middleware(MediaGate, protected=[services.media.root, settings.data_dir],
                      exempt=[settings.music_dir, get_upload_folder()], signed_in=signed_in)


def _hf_session_check(access) -> Callable[[Scope], bool]:
    """True when the request carries a valid Hugging Face sign-in of an allowed user (Gradio's session cookie,
    decoded by its SessionMiddleware, which wraps this gate)."""
    from pipeline.access import NotAuthorized

    def signed_in(scope: Scope) -> bool:
        session = scope.get("session") if "session" in scope else None
        oauth = session.get("oauth_info") if session else None
        try:
            username = access.hf_username(oauth)
        except NotAuthorized:
            return False
        return bool(username) and access.user_actor(username, create_hf=True) is not None

    return signed_in


# --- handing media out: cache copies in team mode ---------------------------------------------------------------------
SERVE_COPIES = "hfs_serve_copies"  # attribute build_demo sets on the gr.Blocks (True in team mode)


def serving_copies() -> bool:
    """True while serving a request of a studio in team mode: media leave only as Gradio cache copies."""
    from gradio.context import LocalContext

    return bool(getattr(LocalContext.blocks.get(None), SERVE_COPIES, False))


def cache_copy(path: str) -> str:
    """A copy of a media file in Gradio's cache (a folder named by a salted content hash), which the gate lets
    through; the same file maps to the same copy, so repeated renders cost a hash, not a copy."""
    from gradio.processing_utils import save_file_to_cache
    from gradio.utils import get_upload_folder

    return save_file_to_cache(path, cache_dir=get_upload_folder())
