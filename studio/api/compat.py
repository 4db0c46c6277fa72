"""Raw HTTP callers may leave out trailing optional arguments.

gradio_client fills in an endpoint's defaults itself, but Gradio's HTTP routes (``POST /gradio_api/call/<name>``
and ``/gradio_api/run/<name>``) refuse a request with fewer values than the endpoint has parameters. So adding an
optional parameter at the end of an endpoint (a new ``quality`` for ``/export_timeline``) would break every script
written against the documented API. This ASGI middleware appends the declared defaults of the missing trailing
parameters before Gradio reads the body; everything else passes through untouched.
"""
from __future__ import annotations

import json
import re
from typing import Any

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ROUTE = re.compile(r"^/+(?:gradio_api/+)?(?:call|run)/+(?P<name>\w+)/*$")
#: Bodies above this are not call arguments (files go through /upload); they pass through untouched.
MAX_BODY = 1_000_000


class TrailingDefaults:
    def __init__(self, app: ASGIApp, defaults: dict[str, list[tuple[bool, Any]]]) -> None:
        # endpoint name -> per parameter (has a default, the default)
        self.app, self.defaults = app, defaults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _ROUTE.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope.get("method") != "POST" or match.group("name") not in self.defaults:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        body = self._padded(match.group("name"), body)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(_without_length(scope, len(body)), replay, send)

    def _padded(self, name: str, body: bytes) -> bytes:
        if len(body) > MAX_BODY:
            return body
        try:
            payload = json.loads(body)
        except ValueError:
            return body
        data = payload.get("data") if isinstance(payload, dict) else None
        params = self.defaults[name]
        if not isinstance(data, list) or len(data) >= len(params):
            return body
        missing = params[len(data):]
        if not all(has_default for has_default, _value in missing):
            return body  # a required argument is missing: Gradio says so
        payload["data"] = data + [value for _has, value in missing]
        return json.dumps(payload).encode()


def _without_length(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
    return {**scope, "headers": headers + [(b"content-length", str(length).encode())]}


def endpoint_defaults() -> dict[str, list[tuple[bool, Any]]]:
    """Per declared endpoint, its parameters' defaults (JSON-able: text, numbers, booleans, None)."""
    import inspect

    from studio.api import RESOURCES

    table: dict[str, list[tuple[bool, Any]]] = {}
    for resource in RESOURCES:
        for name, _spec in resource.declared():
            parameters = list(inspect.signature(getattr(resource, name)).parameters.values())[1:]  # skip self
            table[name] = [(p.default is not p.empty, None if p.default is p.empty else p.default)
                           for p in parameters]
    return table


def trailing_defaults_middleware() -> Middleware:
    return Middleware(TrailingDefaults, defaults=endpoint_defaults())
