"""Loopback HTTP servers that speak the documented Replicate and OpenAI protocols, with fault injection.

The real SDKs talk to them over real sockets (base_url), so every SDK code path runs. Each server records what it
was sent: method, path, headers, body (JSON or multipart parts).
"""
from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    parts: dict[str, tuple[str | None, bytes]] = field(default_factory=dict)  # multipart: name -> (filename, data)


class Loopback:
    """A threaded HTTP server on 127.0.0.1; `route(seen) -> (status, headers, body)` answers each request."""

    def __init__(self, route: Callable[[Seen], tuple[int, dict[str, str], bytes]]) -> None:
        self.route = route
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                ctype = seen.headers.get("content-type", "")
                if "json" in ctype and body:
                    seen.json = json.loads(body)
                elif "multipart/form-data" in ctype:
                    seen.parts = parse_multipart(body, ctype)
                outer.seen.append(seen)
                status, headers, payload = outer.route(seen)
                try:
                    self.send_response(status)
                    for key, value in {"Content-Length": str(len(payload)), **headers}.items():
                        self.send_header(key, value)
                    self.end_headers()
                    if self.command != "HEAD":  # HEAD: the headers (Content-Length included) without the body
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = _handle

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests(self, method: str, path_part: str = "") -> list[Seen]:
        return [s for s in self.seen if s.method == method and path_part in s.path]


def parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    boundary = content_type.split("boundary=")[1].strip('"').encode()
    parts: dict[str, tuple[str | None, bytes]] = {}
    for chunk in body.split(b"--" + boundary)[1:-1]:
        head, _, data = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        disposition = next(line for line in head.decode().split("\r\n") if line.lower().startswith("content-disp"))
        attrs = dict(p.strip().split("=", 1) for p in disposition.split(";")[1:])
        name = attrs["name"].strip('"')
        parts[name] = (attrs["filename"].strip('"') if "filename" in attrs else None, data)
    return parts


def reply(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


# ---------------------------------------------------------------- media the fakes return
def make_mp4(seconds: float = 2.0, fps: int = 12, size: tuple[int, int] = (320, 180),
             image: bytes | None = None) -> bytes:
    """A real H.264 clip with a slow push-in: over `image` (what an image-to-video model animates) or a test scene."""
    width, height = size
    if image is not None:
        base = np.asarray(Image.open(io.BytesIO(image)).convert("RGB").resize((width * 2, height * 2)))
    else:
        yy, xx = np.mgrid[0:height * 2, 0:width * 2]
        base = np.stack([(xx * 255 // (width * 2)), (yy * 255 // (height * 2)), (xx + yy) % 256], -1).astype(np.uint8)
        base[height - 40:height + 40, width - 30:width + 30] = (220, 40, 40)
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        frames = int(seconds * fps)
        for i in range(frames):
            zoom = 1 + 0.15 * i / frames
            cw, ch = int(width * 2 / zoom), int(height * 2 / zoom)
            x0, y0 = (width * 2 - cw) // 2, (height * 2 - ch) // 2
            crop = Image.fromarray(base[y0:y0 + ch, x0:x0 + cw]).resize((width, height))
            frame = av.VideoFrame.from_ndarray(np.asarray(crop), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def make_png(size: tuple[int, int] = (96, 64), colour=(30, 120, 200)) -> bytes:
    image = Image.new("RGB", size, colour)
    image.paste((240, 200, 40), (size[0] // 3, size[1] // 3, size[0] // 2, size[1] // 2))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- Replicate
class FakeReplicate:
    """Replicate's HTTP API: predictions (create, get, cancel), files, models; outputs served from /output/<id>.

    Knobs: `create_faults` (statuses returned by the next creates), `polls` (GETs before a prediction finishes),
    `outcome` (succeeded | failed | never | malformed), `error` (a failed prediction's message), `output`
    (bytes served), `as_list` (output as a list of URLs), `metrics` (function of the prediction's input),
    `on_poll` (called with (prediction id, poll count) before answering a GET).
    """

    def __init__(self, token: str, output: bytes, *, polls: int = 2) -> None:
        self.token, self.output, self.polls = token, output, polls
        self.create_faults: list[int] = []
        self.create_garbage = False  # the next create answers 201 with a body that is not JSON (a broken proxy)
        self.poll_faults: list[int] = []  # statuses returned by the next prediction GETs
        self.outcome, self.error, self.as_list = "succeeded", "CUDA out of memory", False
        self.outcomes: dict[str, str] = {}  # per prediction id, overrides `outcome`
        self.animate_input = True  # video outputs animate the uploaded start image, as a real model would
        self.rendered: dict[str, bytes] = {}
        self.metrics: Callable[[dict], dict] = lambda inp: {"predict_time": 3.5,
                                                             "video_output_duration_seconds": inp.get("duration", 5)}
        self.on_poll: Callable[[str, int], None] | None = None
        self.predictions: dict[str, dict[str, Any]] = {}
        self.poll_counts: dict[str, int] = {}
        self.files: dict[str, bytes] = {}
        self.lock = threading.Lock()
        self.server = Loopback(self._route)
        self.url = self.server.url

    @property
    def creates(self) -> list[Seen]:
        return [s for s in self.server.requests("POST", "/predictions") if not s.path.endswith("/cancel")]

    def _route(self, seen: Seen):
        if seen.path.startswith("/output/"):
            return 200, {"Content-Type": "application/octet-stream"}, self._output(seen.path.split("/")[-1])
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return reply(401, {"title": "Unauthenticated", "status": 401,
                               "detail": f"Invalid token {seen.headers.get('authorization', '')}"})
        parts = seen.path.strip("/").split("/")
        with self.lock:
            if seen.method == "POST" and parts == ["v1", "files"]:
                file_id = f"file{len(self.files) + 1}"
                self.files[file_id] = seen.parts["content"][1]
                return reply(201, {"id": file_id, "name": seen.parts["content"][0], "content_type": "image/png",
                                   "size": len(self.files[file_id]), "etag": "x", "checksums": {}, "metadata": {},
                                   "created_at": "2026-11-01T00:00:00Z", "expires_at": None,
                                   "urls": {"get": f"{self.url}/v1/files/{file_id}"}})
            if seen.method == "GET" and parts[:2] == ["v1", "models"] and len(parts) == 4:
                return reply(200, {"url": "", "owner": parts[2], "name": parts[3], "description": None,
                                   "visibility": "public", "github_url": None, "paper_url": None, "license_url": None,
                                   "run_count": 1, "cover_image_url": None, "default_example": None,
                                   "latest_version": {"id": "v" * 64, "created_at": "2026-11-01T00:00:00Z",
                                                      "cog_version": "0.9", "openapi_schema": {}}})
            if seen.method == "POST" and (parts == ["v1", "predictions"] or parts[-1] == "predictions"):
                if self.create_garbage:
                    self.create_garbage = False
                    return 201, {"Content-Type": "application/json"}, b"<html>502 Bad Gateway</html>"
                if self.create_faults:
                    status = self.create_faults.pop(0)
                    return reply(status, {"title": "Too many requests" if status == 429 else "Server error",
                                          "status": status, "detail": "try again"})
                model = "/".join(parts[2:4]) if parts[1] == "models" else "community/model"
                pid = f"pred{len(self.predictions) + 1}"
                self.predictions[pid] = {"id": pid, "model": model, "version": (seen.json or {}).get("version", ""),
                                         "status": "starting", "input": seen.json["input"], "output": None,
                                         "logs": "", "error": None, "metrics": {}, "created_at": "2026-11-01T00:00:00Z",
                                         "started_at": None, "completed_at": None,
                                         "urls": {"get": f"{self.url}/v1/predictions/{pid}",
                                                  "cancel": f"{self.url}/v1/predictions/{pid}/cancel"}}
                return reply(201, self.predictions[pid])
            if parts[:2] == ["v1", "predictions"] and len(parts) >= 3:
                pid = parts[2]
                if pid not in self.predictions:
                    return reply(404, {"title": "Not found", "status": 404, "detail": "Prediction not found"})
                if seen.method == "POST" and parts[-1] == "cancel":
                    prediction = self.predictions[pid]
                    if prediction["status"] not in ("succeeded", "failed", "canceled"):
                        prediction.update(status="canceled", metrics={"predict_time": 1.25})
                    return reply(200, prediction)
                if self.poll_faults:
                    status = self.poll_faults.pop(0)
                    return reply(status, {"title": "Server error", "status": status, "detail": "poll failed"})
                count = self.poll_counts[pid] = self.poll_counts.get(pid, 0) + 1
            else:
                return reply(404, {"title": "Not found", "status": 404, "detail": seen.path})
        if self.on_poll is not None:
            self.on_poll(pid, count)
        with self.lock:
            prediction = self.predictions[pid]
            if prediction["status"] in ("starting", "processing"):
                self._advance(prediction, count)
            return reply(200, prediction)

    def _output(self, pid: str) -> bytes:
        """The prediction's output file: the start image animated (once per upload), or the fixed `output`."""
        uploads = [v.rsplit("/", 1)[-1] for v in self.predictions[pid]["input"].values()
                   if isinstance(v, str) and "/v1/files/" in v]
        if not (self.animate_input and uploads and self.output[4:8] == b"ftyp"):
            return self.output
        with self.lock:
            if uploads[0] not in self.rendered:
                self.rendered[uploads[0]] = make_mp4(image=self.files[uploads[0]])
            return self.rendered[uploads[0]]

    def _advance(self, prediction: dict[str, Any], count: int) -> None:
        outcome = self.outcomes.get(prediction["id"], self.outcome)
        if outcome == "never" or count < self.polls:
            prediction["status"] = "processing"
            prediction["logs"] = f" {min(99, count * 30)}%|###   | {count}/{self.polls}"
            return
        url = f"{self.url}/output/{prediction['id']}"
        if outcome == "failed":
            prediction.update(status="failed", error=self.error, metrics={"predict_time": 2.0})
        elif outcome == "malformed":
            prediction.update(status="succeeded", output={"weird": 42}, metrics=self.metrics(prediction["input"]))
        else:
            prediction.update(status="succeeded", output=[url] if self.as_list else url,
                              metrics=self.metrics(prediction["input"]))


# ---------------------------------------------------------------- OpenAI
class FakeOpenAI:
    """OpenAI's HTTP API: chat completions (structured output as JSON content), images generations and edits.

    Knobs: `faults` (per request: an HTTP status, "timeout" to stall, or "malformed" content), `answers`
    (JSON objects returned as message content, in order; the last one repeats), `image` (PNG bytes returned).
    """

    def __init__(self, key: str, image: bytes) -> None:
        self.key, self.image = key, image
        self.faults: list[Any] = []
        self.answers: list[dict[str, Any]] = []
        self.stall_seconds = 1.5
        self.fault_message = "fault {status}"  # may echo the key, as some servers do
        self.server = Loopback(self._route)
        self.url = self.server.url + "/v1"

    def _route(self, seen: Seen):
        if seen.headers.get("authorization") != f"Bearer {self.key}":
            return reply(401, {"error": {"message": f"Incorrect API key provided: {seen.headers.get('authorization')}",
                                         "type": "invalid_request_error", "code": "invalid_api_key"}})
        fault = self.faults.pop(0) if self.faults else None
        if fault == "timeout":
            time.sleep(self.stall_seconds)
        elif isinstance(fault, int):
            message = self.fault_message.format(status=fault, key=self.key)
            return reply(fault, {"error": {"message": message, "type": "server_error"}})
        if seen.path.endswith("/chat/completions"):
            answer = self.answers.pop(0) if len(self.answers) > 1 else (self.answers[0] if self.answers else {})
            content = "this is { not json" if fault == "malformed" else json.dumps(answer)
            return reply(200, {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": content}}],
                               "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}})
        if seen.path.endswith("/images/generations") or seen.path.endswith("/images/edits"):
            fields = seen.json or {k: v[1].decode() for k, v in seen.parts.items() if v[0] is None}
            data = "###" if fault == "malformed" else base64.b64encode(self.image).decode()
            return reply(200, {"created": 1, "data": [{"b64_json": data}], "quality": fields.get("quality"),
                               "size": fields.get("size"), "output_format": "png",
                               "usage": {"input_tokens": 50, "output_tokens": 1056, "total_tokens": 1106,
                                         "input_tokens_details": {"image_tokens": 0, "text_tokens": 50}}})
        return reply(404, {"error": {"message": "unknown path"}})


def write_hero(path: Path, size: tuple[int, int] = (320, 180)) -> Path:
    Image.open(io.BytesIO(make_png(size))).save(path)
    return path
