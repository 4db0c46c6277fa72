"""Send the browser only what changed. A tab that refreshes on every visit would otherwise re-send the same charts and
tables, and the browser redraws each one it gets (a blank chart for a moment; on a loaded 2-core machine, seconds of
drawing). `skipping(handler)` wraps a refresh handler: it takes one extra input and output, a gr.State holding the
fingerprints of what was sent last, and answers gr.skip() for every output whose fingerprint is unchanged.
A reload starts with an empty state, so a fresh page always gets everything."""
from __future__ import annotations

import hashlib
import inspect
import json
from functools import wraps
from typing import Any, Callable

import gradio as gr


def canonical(value: Any) -> Any:
    """A JSON-able form of an output: a component update by its arguments, a DataFrame by its content."""
    args = getattr(value, "constructor_args", None)
    if isinstance(args, dict):
        return {"component": type(value).__name__, **{k: canonical(v) for k, v in sorted(args.items())}}
    if hasattr(value, "to_json") and hasattr(value, "columns"):  # a pandas DataFrame
        return {"frame": value.to_json(orient="split", date_format="iso")}
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def fingerprint(value: Any) -> str:
    return hashlib.sha1(json.dumps(canonical(value), default=repr).encode()).hexdigest()


def skip_same(values: tuple, shown: list[str] | None) -> tuple[list[Any], list[str]]:
    """The values with gr.skip() in place of those sent unchanged last time, and the new fingerprints."""
    prints = [fingerprint(v) for v in values]
    before = shown if isinstance(shown, list) and len(shown) == len(values) else [None] * len(values)
    return [gr.skip() if p == b else v for v, p, b in zip(values, prints, before)], prints


def skipping(handler: Callable[..., Any]) -> Callable[..., Any]:
    """handler(*inputs) → tuple of outputs becomes (*inputs, shown) → (*outputs, unchanged ones skipped, shown)."""
    @wraps(handler)
    def wrapped(*args: Any) -> Any:
        *inputs, shown = args
        values = handler(*inputs)
        if not isinstance(values, tuple):  # gr.skip() for all, or an error already reported
            return values
        sent, prints = skip_same(values, shown)
        return (*sent, prints)

    # Gradio reads the signature (endpoint name, injected parameters): the handler's own plus the state.
    signature = inspect.signature(handler)
    shown_param = inspect.Parameter("shown", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)
    wrapped.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), shown_param])
    return wrapped
