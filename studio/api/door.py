"""The API's door: every named endpoint's arguments are checked against its type hints before the service runs,
and every user-facing error leaves as one clear message (studio/errors.py).

Gradio passes a client's JSON through as it came: "12abc", 1.5, 10**30, NaN or a list where an id belongs would
otherwise reach a query or an ``int()`` and come back as Python's or SQLite's own words.
"""
from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

import gradio as gr
from gradio.data_classes import FileData

from pipeline.errors import InvalidInput, NotFound
from pipeline.services.views import View
from pipeline.validation import MAX_ID, require_finite_tree, require_number, require_whole, shown, whole_number
from studio.errors import describe

#: Longest text argument accepted (prompts are far shorter; this only stops abuse).
MAX_TEXT = 20_000
#: What an id parameter names, for "… does not exist." (the same words as a missing row).
ID_LABELS = {"project_id": "Project", "frame_id": "Hero frame", "hero_frame_id": "Hero frame",
             "group_id": "Generation group", "attempt_id": "Attempt", "plan_id": "Ad plan", "job_id": "Job",
             "item_id": "Item"}
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off", ""}


def is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def check_id(name: str, value: Any, default: Any = inspect.Parameter.empty) -> int:
    """An id argument: the parameter's own sentinel (e.g. 0 = all, -1 = the hero) passes as is; otherwise a whole
    number naming a row, or the same "does not exist" a missing row gets."""
    number = whole_number(value)
    # 0 and -1 both mean "none / the default" where the parameter's default is one of them; other negatives name
    # nothing and are refused like any id that does not exist.
    sentinel = isinstance(default, int) and default in (0, -1)
    if sentinel and (value is None or value == "" or number in (0, -1)):
        return default
    if number is None:
        raise InvalidInput(f"{ID_LABELS.get(name, 'The')} id must be a whole number; got '{shown(value)}'.")
    if not 1 <= number <= MAX_ID:
        raise NotFound(f"{ID_LABELS.get(name, 'Item')} {shown(value)} does not exist.")
    return number


def _check_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidInput(f"{name.replace('_', ' ').capitalize()} must be true or false; got '{shown(value)}'.")


def _check_text(name: str, value: Any, default: Any) -> str:
    if value is None:
        return default if isinstance(default, str) else ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name.replace('_', ' ').capitalize()} must be text; got '{shown(value)}'.")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{name.replace('_', ' ').capitalize()} is too long ({len(value)} characters; at most "
                           f"{MAX_TEXT}).")
    if "\x00" in value:
        raise InvalidInput(f"{name.replace('_', ' ').capitalize()} contains a NUL character.")
    return value


def _check_list(name: str, value: Any, item_type: Any) -> list[Any] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise InvalidInput(f"{name.replace('_', ' ').capitalize()} must be a list; got '{shown(value)}'.")
    if item_type is int:
        singular = name[:-1] if name.endswith("s") else name
        return [check_id(singular, v) if is_id(singular) else require_whole(v, singular) for v in value]
    if item_type is str:
        return [_check_text(name, v, "") for v in value]
    return list(value)


def check_argument(name: str, annotation: Any, value: Any, default: Any = inspect.Parameter.empty) -> Any:
    """``value`` checked (and normalised) for a parameter ``name: annotation``; InvalidInput/NotFound if bad."""
    optional = type(None) in typing.get_args(annotation)
    if optional:
        if value is None:
            return None
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if annotation is bool:
        return _check_bool(name, value)
    if annotation is int:
        if is_id(name):
            return check_id(name, value, default)
        if value is None and isinstance(default, int):
            return default
        return require_whole(value, name)
    if annotation is float:
        if value is None and isinstance(default, (int, float)):
            return default
        return require_number(value, name)
    if annotation is str:
        return _check_text(name, value, default)
    if typing.get_origin(annotation) is list:
        return _check_list(name, value, (typing.get_args(annotation) or (Any,))[0])
    if annotation is dict or typing.get_origin(annotation) is dict:
        if not isinstance(value, dict):
            raise InvalidInput(f"{name.replace('_', ' ').capitalize()} must be a JSON object.")
        require_finite_tree(value, name)
    return value


def _checker(fn: Callable[..., Any]) -> Callable[[tuple, dict], inspect.BoundArguments]:
    signature = inspect.signature(fn)
    # The annotations are strings (postponed evaluation): resolve them in the module that wrote them.
    home = inspect.unwrap(fn)
    home = getattr(home, "__func__", home)
    hints = typing.get_type_hints(home, globalns={**home.__globals__, "FileData": FileData})

    def check(args: tuple, kwargs: dict) -> inspect.BoundArguments:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            names = ", ".join(signature.parameters) or "nothing"
            raise InvalidInput(f"Wrong number of arguments: this endpoint takes {names}.") from exc
        for name, value in list(bound.arguments.items()):
            default = signature.parameters[name].default
            bound.arguments[name] = check_argument(name, hints.get(name, Any), value, default)
        return bound

    return check


def api_endpoint(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an endpoint: arguments checked at the door, user-facing errors turned into gr.Error with a title that
    says the kind (Not found, Not allowed, Invalid input, …) and no traceback in the log."""
    check = _checker(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = check(args, kwargs)
            return to_wire(fn(*bound.args, **bound.kwargs))
        except Exception as exc:
            shown_error = describe(exc)
            if shown_error is None:
                raise
            raise gr.Error(shown_error.message, title=shown_error.title, print_exception=False) from exc

    return wrapper


def to_wire(value: Any) -> Any:
    """An endpoint's answer as Gradio sends it: the services' views (pydantic models) as their JSON objects, also
    inside tuples, lists and dicts; Gradio's own FileData passes as is (Gradio serves the files it names)."""
    if isinstance(value, View):
        return value.to_json()
    if isinstance(value, tuple):
        return tuple(to_wire(v) for v in value)
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    return value


def json_object(text: str, name: str = "arguments") -> dict[str, Any]:
    """A JSON object argument; NaN/Infinity and anything that is not an object are refused in plain words."""
    import json

    def refuse_constant(constant: str) -> Any:
        raise InvalidInput(f"{name.capitalize()} must not contain {constant}: numbers must be finite.")

    try:
        parsed = json.loads(text or "{}", parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{name.capitalize()} must be a JSON object such as {{\"clip_id\": \"ab12cd34\"}}; this "
                           f"is not valid JSON (line {exc.lineno}, column {exc.colno}).") from None
    if not isinstance(parsed, dict):
        raise InvalidInput(f"{name.capitalize()} must be a JSON object ({{…}}), not '{shown(text)}'.")
    require_finite_tree(parsed, "")
    return parsed
