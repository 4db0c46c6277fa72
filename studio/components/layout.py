"""Layout helpers shared by the tabs."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import gradio as gr
from gradio.context import Context

# Keyword arguments for every internal listener: not part of the public API (that lives in studio/api.py).
private: dict[str, Any] = {"api_visibility": "private"}

# Polls (gr.Timer ticks) and quick actions (cancel): through the queue, so their toasts show, but in their own
# unlimited lane, so they never wait behind heavy work; a tick that is still running swallows the next one.
quick: dict[str, Any] = {"concurrency_id": "studio-quick", "concurrency_limit": None, "show_progress": "hidden",
                         **private}
poll: dict[str, Any] = {**quick, "trigger_mode": "once"}


def current_tab() -> gr.Tab | None:
    """The gr.Tab whose `with` block is open (tabs use its select event to refresh from the database)."""
    block = Context.block
    return block if isinstance(block, gr.Tab) else None


def bind(handler: Callable[..., Any], *first: Any) -> Callable[..., Any]:
    """``handler`` with its first arguments bound (usually the services), as a plain function under the handler's
    own name, signature and annotations: Gradio names each listener's endpoint after its function and finds
    gr.SelectData/gr.Request parameters by annotation (a functools.partial hides both). Bind once per listener that
    should share a queue (Gradio's default concurrency id is the function object)."""

    @functools.wraps(handler)
    def bound(*args: Any, **kwargs: Any) -> Any:
        return handler(*first, *args, **kwargs)

    signature = inspect.signature(handler)
    bound.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=list(signature.parameters.values())[len(first):])
    return bound
