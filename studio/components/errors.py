"""Show the studio's user-facing errors as a warning toast instead of a traceback (studio/errors.py decides)."""
from __future__ import annotations

import functools
import html
from collections.abc import Callable
from typing import Any

import gradio as gr

from studio.errors import describe


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a listener: a user-facing error becomes gr.Warning(message) and the outputs stay as they were
    (gr.skip()). Anything else is a bug and propagates."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            shown = describe(exc)
            if shown is None:
                raise
            gr.Warning(html.escape(shown.message))
            return gr.skip()

    return wrapper
