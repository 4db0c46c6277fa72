"""Declaring an endpoint once: ``@endpoint`` on a method of a resource class is the whole registration.

A resource (``studio/api/<resource>.py``) is a class over the services whose decorated methods are the named API
endpoints. ``register_resource`` hands each to ``gr.api`` through the one door (studio/api/door.py: arguments
checked by type hint, one error mapping), with the concurrency settings every endpoint shares and the sentinel
mapping it declares (``blank=``: the parameter's "not given" value — "", 0 or -1 — reaches the service as None).
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.data_classes import FileData

from pipeline.errors import InvalidInput
from pipeline.services import Services
from studio.api.door import api_endpoint

_MARK = "__studio_endpoint__"


@dataclass(frozen=True)
class EndpointSpec:
    #: Also answers one plain round trip, POST /gradio_api/run/<name> (queue=False): cheap read-only polls only.
    direct: bool = False
    #: Parameters whose "not given" value (their default, or any negative number where the default is negative)
    #: reaches the service as None.
    blank: tuple[str, ...] = ()


def endpoint(fn: Callable | None = None, *, direct: bool = False, blank: tuple[str, ...] = ()) -> Any:
    """Mark a resource method as a named endpoint (its name is the api_name; its docstring the description)."""

    def mark(method: Callable) -> Callable:
        setattr(method, _MARK, EndpointSpec(direct, tuple(blank)))
        return method

    return mark(fn) if fn is not None else mark


class Resource:
    """Base of the API's resources: holds the services; subclasses declare endpoints with ``@endpoint``."""

    def __init__(self, services: Services) -> None:
        self.s = services

    @property
    def team(self) -> bool:
        return self.s.settings.team_mode

    @classmethod
    def declared(cls) -> list[tuple[str, EndpointSpec]]:
        """(name, spec) of every endpoint the class declares, in declaration order."""
        return [(name, getattr(member, _MARK)) for name, member in vars(cls).items() if hasattr(member, _MARK)]

    # ------------------------------------------------------------ helpers the endpoints share
    def files(self, *paths: str | None) -> list[Any]:
        """Files to return. In team mode as FileData dicts, which Gradio copies into its cache and hands out by the
        copy's URL (a list of FileData objects would go out by media path, which the media gate refuses)."""
        from studio.media_gate import serving_copies

        if serving_copies():
            return [FileData(path=p).model_dump() for p in paths if p]
        return [FileData(path=p) for p in paths if p]

    def upload_path(self, upload: Any) -> str:
        """The local path of an uploaded file (FileData, its dict, or a path). In team mode it must lie in Gradio's
        upload folder — where the client's upload put it — or anyone could pass another user's media path as an
        "upload"."""
        path = (upload.get("path") or "") if isinstance(upload, dict) else \
            (getattr(upload, "path", None) or str(upload or ""))
        if self.team and path:
            from gradio.utils import get_upload_folder, is_in_or_equal

            if "://" in path or not is_in_or_equal(path, get_upload_folder()):
                raise InvalidInput("Upload the file with the request (gradio_client: handle_file(...)); a path on "
                                   "the server is not accepted as an upload.")
        return path


def with_blanks(method: Callable, blank: tuple[str, ...]) -> Callable:
    """``method`` with its declared sentinel parameters mapped to None (after the door has checked them)."""
    if not blank:
        return method
    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        for name in blank:
            value, default = bound.arguments[name], signature.parameters[name].default
            negative = isinstance(default, (int, float)) and default < 0
            if value is None or value == default or (negative and isinstance(value, (int, float)) and value < 0):
                bound.arguments[name] = None
        return method(*bound.args, **bound.kwargs)

    return call


def register_resource(resource: Resource) -> list[str]:
    """Hand every declared endpoint of ``resource`` to gr.api; returns their names."""
    names = []
    for name, spec in type(resource).declared():
        method = with_blanks(getattr(resource, name), spec.blank)
        # Polls and reads must never wait behind each other: no per-endpoint concurrency limit.
        dependency = gr.api(api_endpoint(method), api_name=name, concurrency_limit=None, queue=not spec.direct)
        declare_answer(dependency, getattr(resource, name))
        names.append(name)
    return names


def answer_schema(method: Callable) -> dict[str, Any] | None:
    """The JSON schema of what ``method`` answers, from its return hint (the views' real fields); None where the
    hint says no more than ``dict``/``list``. A tuple stays one array, as Gradio sends it (one output)."""
    import typing

    from pydantic import TypeAdapter

    home = getattr(method, "__func__", method)
    hint = typing.get_type_hints(home, globalns={**home.__globals__, "FileData": FileData}).get("return")
    if hint in (None, dict, list, Any):
        return None
    try:
        schema = TypeAdapter(hint).json_schema(mode="validation")  # the fields (the serializer only drops unset ones)
    except Exception:  # noqa: BLE001 - a hint pydantic cannot describe keeps Gradio's own (untyped) schema
        return None
    return _open_objects(schema)


def _open_objects(schema: Any, properties: bool = False) -> Any:
    """The schema as Gradio's type printer takes it, and lean (every page's config carries it): ``additionalProperties:
    true`` (a dict[str, Any]) as ``{}``, ``false`` (the views forbid extras on input) and pydantic's titles and
    defaults left out. ``properties`` marks a map of field names, whose keys are kept whatever they are called."""
    if isinstance(schema, list):
        return [_open_objects(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    lean = {}
    for key, value in schema.items():
        if not properties and (key in ("title", "default") or (key == "additionalProperties" and value is False)):
            continue
        lean[key] = {} if key == "additionalProperties" and value is True else \
            _open_objects(value, properties=key in ("properties", "$defs") and not properties)
    return lean


def declare_answer(dependency: Any, method: Callable) -> None:
    """Give the endpoint's one output the answer's schema, so /info and the API page show the views' fields.
    gr.api reads the return hint itself, but the wrapped hint is a string (postponed annotations) and pydantic
    models are outside what it converts, so it would list the answer as Any."""
    from gradio.context import get_blocks_context

    schema = answer_schema(method)
    blocks = get_blocks_context()
    if schema is None or blocks is None:
        return
    for output in blocks.fns[dependency["id"]].outputs:
        output._api_info = schema
