"""Runs jobs: claims a Job row once, calls its handler, records progress, retries, cancel and the outcome.

Handlers live with their services (hero frames, attempts, scoring, export). Progress, heartbeats and the cancel
flag all go through the Job row, so any process — the web app, a worker, a restarted worker — sees the same state.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable, Protocol

from sqlalchemy import select, update

from pipeline.engines.base import (
    EngineCheckpoint,
    EngineInputError,
    JobCancelled,
    MemoryCheckpoint,
    TransientEngineError,
)
from pipeline.errors import StudioError
from storage.db import Database
from storage.models import Job, JobStatus, utcnow

log = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL = 0.5  # seconds between progress writes: keeps SQLite contention low
HEARTBEAT_INTERVAL = 5.0


def this_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class JobContext:
    job_id: int
    kind: str
    payload: dict[str, Any]
    tries: int
    progress: Callable[[float, str], None]
    result: dict[str, Any] = field(default_factory=dict)
    # Resumable engine state (a provider's prediction id, what it charged), stored on the Job row.
    checkpoint: EngineCheckpoint = field(default_factory=MemoryCheckpoint)


class JobCheckpoint:
    """An engine checkpoint backed by Job.engine_state: written at once, so a restarted worker sees it."""

    def __init__(self, db: Database, job_id: int) -> None:
        self.db, self.job_id = db, job_id

    def load(self) -> dict[str, Any]:
        with self.db.session() as session:
            job = session.get(Job, self.job_id)
            return dict(job.engine_state or {}) if job is not None else {}

    def save(self, state: dict[str, Any]) -> None:
        with self.db.session() as session:
            job = session.get(Job, self.job_id)
            if job is not None:
                job.engine_state = dict(state)


class JobHandler(Protocol):
    def run(self, ctx: JobContext) -> dict[str, Any] | None: ...

    def on_end(self, ctx: JobContext, status: JobStatus, error: str | None) -> None: ...


class JobRunner:
    def __init__(self, db: Database, enqueue: Callable[[int, float], None], *, retry_base_delay: float = 2.0) -> None:
        self.db = db
        self.enqueue = enqueue
        self.retry_base_delay = retry_base_delay
        self.handlers: dict[str, JobHandler] = {}
        self.worker_id = this_worker_id()
        self._running: set[int] = set()
        self._lock = threading.Lock()

    def register(self, kind: str, handler: JobHandler) -> None:
        self.handlers[kind] = handler

    # ------------------------------------------------------------ running
    def run(self, job_id: int) -> None:
        job = self._claim(job_id)
        if job is None:
            return
        handler = self.handlers.get(job.kind)
        ctx = JobContext(job.id, job.kind, dict(job.payload or {}), job.tries, self._progress_fn(job.id),
                         checkpoint=JobCheckpoint(self.db, job.id))
        if handler is None:
            self._finish(ctx, None, JobStatus.failed, f"No handler for jobs of kind '{job.kind}'.")
            return
        with self._lock:
            self._running.add(job.id)
        try:
            result = handler.run(ctx) or {}
            self._finish(ctx, handler, JobStatus.succeeded, None, result)
        except JobCancelled:
            self._finish(ctx, handler, JobStatus.cancelled, "Cancelled by the user.")
        except TransientEngineError as exc:
            if ctx.tries < self._max_tries(job_id):
                delay = self.retry_base_delay * (2 ** (ctx.tries - 1))
                self._requeue(job_id, f"Retrying in {delay:.0f} s after a temporary problem: {exc}", delay)
            else:
                self._finish(ctx, handler, JobStatus.failed, f"Gave up after {ctx.tries} tries: {exc}")
        except (EngineInputError, StudioError) as exc:
            self._finish(ctx, handler, JobStatus.failed, str(exc))
        except Exception as exc:  # noqa: BLE001 - any bug must end the job, never leave it running
            log.error("Job %s (%s) crashed:\n%s", job_id, job.kind, traceback.format_exc())
            self._finish(ctx, handler, JobStatus.failed, f"Internal error ({type(exc).__name__}): {exc}")
        finally:
            with self._lock:
                self._running.discard(job_id)

    def _claim(self, job_id: int) -> Job | None:
        """Move queued → running exactly once, even with several workers racing for the same id."""
        now = utcnow()
        with self.db.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                log.warning("Job %s vanished before it ran.", job_id)
                return None
            if job.status != JobStatus.queued.value:
                return None
            if job.cancel_requested:
                session.commit()
                ctx = JobContext(job.id, job.kind, dict(job.payload or {}), job.tries, lambda p, s: None)
                self._finish(ctx, self.handlers.get(job.kind), JobStatus.cancelled, "Cancelled before it started.")
                return None
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.queued.value)
                .values(status=JobStatus.running.value, tries=Job.tries + 1, worker_id=self.worker_id,
                        heartbeat_at=now, started_at=now, step="Starting", error=None)
            ).rowcount
            if claimed != 1:
                return None
            session.flush()
            session.refresh(job)
            return job

    def _progress_fn(self, job_id: int) -> Callable[[float, str], None]:
        last_write = 0.0

        def progress(percent: float, step: str) -> None:
            nonlocal last_write
            now = time.monotonic()
            if now - last_write < PROGRESS_WRITE_INTERVAL and percent < 100:
                return
            last_write = now
            with self.db.session() as session:
                job = session.get(Job, job_id)
                if job is None or job.cancel_requested:
                    raise JobCancelled()
                job.progress = max(0.0, min(100.0, float(percent)))
                job.step = step[:300]
                job.heartbeat_at = utcnow()

        return progress

    def _finish(self, ctx: JobContext, handler: JobHandler | None, status: JobStatus, error: str | None,
                result: dict[str, Any] | None = None) -> None:
        with self.db.session() as session:
            job = session.get(Job, ctx.job_id)
            if job is None:
                return
            job.status = status.value
            job.error = error
            job.finished_at = utcnow()
            job.result = result
            if status is JobStatus.succeeded:
                job.progress = 100.0
                job.step = "Done"
            else:
                job.step = {"failed": "Failed", "cancelled": "Cancelled"}[status.value]
        if handler is not None:
            try:
                handler.on_end(ctx, status, error)
            except Exception:  # noqa: BLE001 - the job outcome is already stored; log and carry on
                log.error("on_end of job %s failed:\n%s", ctx.job_id, traceback.format_exc())

    def _requeue(self, job_id: int, step: str, delay: float) -> None:
        with self.db.session() as session:
            job = session.get(Job, job_id)
            job.status = JobStatus.queued.value
            job.step = step[:300]
            job.worker_id = None
        self.enqueue(job_id, delay)

    def _max_tries(self, job_id: int) -> int:
        with self.db.session() as session:
            return session.get(Job, job_id).max_tries

    # ------------------------------------------------------------ liveness
    def beat(self) -> None:
        """Refresh the heartbeat of every job this process is running."""
        with self._lock:
            ids = list(self._running)
        if not ids:
            return
        with self.db.session() as session:
            session.execute(update(Job).where(Job.id.in_(ids), Job.status == JobStatus.running.value)
                            .values(heartbeat_at=utcnow()))

    def recover_orphans(self, stale_seconds: float) -> list[int]:
        """Running jobs whose worker died (dead local pid, or no heartbeat for a while): retry them or fail them.

        Never leaves a job stuck as running after a crash or a SIGKILL.
        """
        recovered: list[int] = []
        cutoff = utcnow() - timedelta(seconds=stale_seconds)
        with self.db.session() as session:
            rows = session.scalars(select(Job).where(Job.status == JobStatus.running.value)).all()
            orphans = [job for job in rows if job.id not in self._running and
                       (_worker_is_dead(job.worker_id) or (job.heartbeat_at or job.created_at) < cutoff)]
            for job in orphans:
                if job.cancel_requested:
                    job.status, job.step, job.error = JobStatus.cancelled.value, "Cancelled", "Cancelled by the user."
                    job.finished_at = utcnow()
                elif job.tries < job.max_tries:
                    job.status = JobStatus.queued.value
                    job.step = "Re-queued: the worker running it stopped"
                    job.worker_id = None
                    recovered.append(job.id)
                else:
                    job.status = JobStatus.failed.value
                    job.step = "Failed"
                    job.error = f"Interrupted: the worker stopped while running it ({job.tries} tries used)."
                    job.finished_at = utcnow()
            ended = [(job.id, job.kind, dict(job.payload or {}), job.tries, JobStatus(job.status), job.error)
                     for job in orphans if job.id not in recovered]
        for job_id in recovered:
            self.enqueue(job_id, 0.0)
        for job_id, kind, payload, tries, status, error in ended:
            handler = self.handlers.get(kind)
            if handler is not None:
                handler.on_end(JobContext(job_id, kind, payload, tries, lambda p, s: None), status, error)
        if recovered or ended:
            log.warning("Recovered orphaned jobs: re-queued %s, ended %s", recovered, [e[0] for e in ended])
        return recovered


def _worker_is_dead(worker_id: str | None) -> bool:
    if not worker_id or ":" not in worker_id:
        return False
    host, _, pid_text = worker_id.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False
