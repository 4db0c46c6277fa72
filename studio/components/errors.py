"""Show the studio's user-facing errors as a warning toast instead of a traceback."""
from __future__ import annotations

import functools
import html
from collections.abc import Callable
from typing import Any

import gradio as gr

from pipeline.engines.base import EngineInputError
from pipeline.errors import StudioError

USER_ERRORS = (StudioError, EngineInputError)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a listener: a StudioError (or an engine's input error) becomes gr.Warning(message) and the
    outputs stay as they were (gr.skip()). Anything else is a bug and propagates."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            gr.Warning(html.escape(str(exc)))
            return gr.skip()

    return wrapper
