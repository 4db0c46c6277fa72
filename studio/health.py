"""``GET /health`` and the worker banner: is the studio able to do work right now?

Reports the web process (answering, so fine), the worker (the embedded one's supervisor; with external workers,
whether queued work is being taken), the queue and the database. Also corrects Gradio's status for the direct
``/gradio_api/run/<name>`` routes: a refused request answers 404/403/409/429/400 with the studio's message
(studio/errors.py titles each refusal), not 500.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.services import Services
from pipeline.supervisor import WorkerStatus
from studio.errors import STATUS_BY_TITLE

#: With external workers, queued work older than this while nothing runs means no worker is taking it.
STUCK_QUEUE_SECONDS = 120.0


def worker_status(services: Services) -> WorkerStatus:
    if services.worker is not None:
        return services.worker.status()
    mode = services.settings.queue_mode
    return WorkerStatus("inline" if mode == "immediate" else "external")


def health_report(services: Services) -> dict[str, Any]:
    """The health document (no secrets, no paths): status ok | degraded | down and one part per component."""
    worker = worker_status(services)
    queue = services.jobs.queue_health()
    problems = []
    if not worker.healthy:
        problems.append(worker.sentence())
    if not queue.database_ok:
        problems.append(f"The database does not answer ({queue.database_error}).")
    if not queue.queue_ok:
        problems.append("The queue does not answer.")
    stuck = (worker.state == "external" and queue.queued_jobs and not queue.running_jobs
             and queue.oldest_queued_seconds > STUCK_QUEUE_SECONDS)
    if stuck:
        problems.append(f"{queue.queued_jobs} job(s) have waited {queue.oldest_queued_seconds:.0f} s and no worker "
                        "is taking them: start `python -m pipeline.worker`.")
    status = "down" if not queue.database_ok else ("degraded" if problems else "ok")
    return {"status": status, "problems": problems, "web": {"ok": True},
            "worker": {"ok": worker.healthy, "state": worker.state, "pid": worker.pid, "restarts": worker.restarts,
                       "reason": worker.reason, "message": worker.sentence()},
            "queue": {"ok": queue.queue_ok and not stuck, **asdict(queue)},
            "database": {"ok": queue.database_ok, "ms": queue.database_ms}}


def banner_html(services: Services) -> str:
    """The project bar's banner: empty while all is well, else what is wrong and what happens next."""
    from studio.components.html import esc

    report = health_report(services)
    if report["status"] == "ok":
        worker = worker_status(services)
        if worker.recently_restarted():
            return f"<div class='health-banner notice' role='status'>↻ {esc(worker.sentence())}</div>"
        return ""
    lines = "".join(f"<div>{esc(p)}</div>" for p in report["problems"])
    return f"<div class='health-banner' role='alert'>⚠ {lines}</div>"


def status_summary(services: Services) -> dict[str, str]:
    """Web, worker, queue and database in three short lines (the project bar's settings panel)."""
    report = health_report(services)
    queue, database = report["queue"], report["database"]
    return {"Worker": report["worker"]["message"],
            "Queue": (f"{queue['queued_jobs']} queued, {queue['running_jobs']} running"
                      if queue["queue_ok"] else "does not answer"),
            "Database": f"answers in {database['ms']:.0f} ms" if database["ok"] else "does not answer"}


class StudioRoutes:
    """Pure ASGI middleware: answers ``GET /health``; gives refused direct calls their real status."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app, self.services = app, services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "").rstrip("/")
        if path.endswith("/health") and scope.get("method") in ("GET", "HEAD") and path.count("/") == 1:
            await self._health(send)
            return
        if "/gradio_api/run/" in scope.get("path", "") or scope.get("path", "").startswith("/run/"):
            await self.app(scope, receive, _StatusFixer(send))
            return
        await self.app(scope, receive, send)

    async def _health(self, send: Send) -> None:
        import anyio

        report = await anyio.to_thread.run_sync(health_report, self.services)
        body = json.dumps(report).encode()
        code = 200 if report["status"] == "ok" else 503
        await send({"type": "http.response.start", "status": code,
                    "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})


class _StatusFixer:
    """Holds back a 500 answer of a direct route, reads the error's title, and sends the status it stands for."""

    def __init__(self, send: Send) -> None:
        self.send, self.start, self.body = send, None, b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start" and message.get("status") == 500:
            self.start = message
            return
        if self.start is None:
            await self.send(message)
            return
        self.body += message.get("body", b"")
        if message.get("more_body"):
            return
        status = 500
        try:
            status = STATUS_BY_TITLE.get(json.loads(self.body).get("title"), 500)
        except (ValueError, AttributeError):
            pass
        await self.send({**self.start, "status": status})
        await self.send({"type": "http.response.body", "body": self.body})


def studio_middleware(services: Services) -> Middleware:
    return Middleware(StudioRoutes, services=services)
