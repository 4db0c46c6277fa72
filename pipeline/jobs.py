"""Runs jobs: claims a Job row once, calls its handler, records progress, retries, cancel and the outcome.

Handlers live with their services (hero frames, attempts, scoring, export). Progress, heartbeats and the cancel
flag all go through the Job row, so any process — the web app, a worker, a restarted worker — sees the same state.

Several workers (on several machines) may consume one queue. The queue only carries job ids; the Job row decides
who runs what: a claim is one conditional UPDATE (queued → running), and every later write of the running worker
(progress, retry, outcome) is fenced on (status running, this worker, this try). A worker whose job was taken
away — recovered by another worker after its heartbeats stopped — notices at its next progress report, stops the
work and writes nothing.
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

from sqlalchemy import func, select, update

from pipeline.engines.interfaces import EngineCheckpoint, MemoryCheckpoint
from pipeline.errors import EngineInputError, JobCancelled, StudioError, TransientEngineError
from storage.db import Database
from storage.models import Job, JobStatus, utcnow

log = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL = 0.5  # seconds between progress writes: keeps SQLite contention low
HEARTBEAT_INTERVAL = 5.0


def this_worker_id(name: str | None = None) -> str:
    """hostname:pid (or name:pid). Give every worker machine (or container) its own hostname or name: it is how the
    studio shows who ran a job, and how a worker on the same host recognises a dead one at once (by its pid)."""
    return f"{name or socket.gethostname()}:{os.getpid()}"


class JobLost(Exception):
    """Raised inside running work when this worker no longer owns its job (another worker recovered it after the
    heartbeats stopped, e.g. this process was frozen or cut off from the database). The work stops; nothing of
    its outcome is written, since the job's new owner writes that."""


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
        # Work was authorised when it was queued; a worker acts for the studio, not for a logged-in user.
        from pipeline.access import SYSTEM, acting_as

        with acting_as(SYSTEM):
            self._run(job_id)

    def _run(self, job_id: int) -> None:
        job = self._claim(job_id)
        if job is None:
            return
        handler = self.handlers.get(job.kind)
        ctx = JobContext(job.id, job.kind, dict(job.payload or {}), job.tries, self._progress_fn(job.id, job.tries),
                         checkpoint=JobCheckpoint(self.db, job.id))
        if handler is None:
            self._finish(ctx, None, JobStatus.failed, f"No handler for jobs of kind '{job.kind}'.")
            return
        with self._lock:
            self._running.add(job.id)
        try:
            result = handler.run(ctx) or {}
            self._finish(ctx, handler, JobStatus.succeeded, None, result)
        except JobLost:
            log.warning("Job %s (%s, try %s) was taken over by another worker; %s stops it.", job_id, job.kind,
                        ctx.tries, self.worker_id)
        except JobCancelled:
            self._finish(ctx, handler, JobStatus.cancelled, "Cancelled by the user.")
        except TransientEngineError as exc:
            if ctx.tries < self._max_tries(job_id):
                delay = self.retry_base_delay * (2 ** (ctx.tries - 1))
                self._requeue(ctx, f"Retrying in {delay:.0f} s after a temporary problem: {exc}", delay)
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
                self._finish(ctx, self.handlers.get(job.kind), JobStatus.cancelled, "Cancelled before it started.",
                             expect=JobStatus.queued)
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
            log.info("Job %s (%s) claimed by %s, try %s", job.id, job.kind, self.worker_id, job.tries)
            return job

    def _owned(self, job_id: int, tries: int):
        """WHERE clause of every write a running worker makes: the job is still running, here, in this try."""
        return (Job.id == job_id, Job.status == JobStatus.running.value, Job.worker_id == self.worker_id,
                Job.tries == tries)

    def _progress_fn(self, job_id: int, tries: int) -> Callable[[float, str], None]:
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
                if (job.status, job.worker_id, job.tries) != (JobStatus.running.value, self.worker_id, tries):
                    raise JobLost()
                job.progress = max(0.0, min(100.0, float(percent)))
                job.step = step[:300]
                job.heartbeat_at = utcnow()

        return progress

    def _finish(self, ctx: JobContext, handler: JobHandler | None, status: JobStatus, error: str | None,
                result: dict[str, Any] | None = None, *, expect: JobStatus = JobStatus.running) -> None:
        """Store the outcome — only if the job is still this worker's (running here in this try), or still queued
        for a cancel before the start; otherwise somebody else owns the outcome and nothing is written."""
        values: dict[str, Any] = dict(status=status.value, error=error, finished_at=utcnow(), result=result)
        if status is JobStatus.succeeded:
            values.update(progress=100.0, step="Done")
        else:
            values["step"] = {"failed": "Failed", "cancelled": "Cancelled"}[status.value]
        if expect is JobStatus.running:
            where = self._owned(ctx.job_id, ctx.tries)
        else:
            where = (Job.id == ctx.job_id, Job.status == expect.value)
        with self.db.session() as session:
            written = session.execute(update(Job).where(*where).values(**values)).rowcount
        if written != 1:
            log.warning("Job %s: outcome %s of try %s not stored by %s: the job is no longer this worker's.",
                        ctx.job_id, status.value, ctx.tries, self.worker_id)
            return
        log.info("Job %s (%s) %s on %s, try %s", ctx.job_id, ctx.kind, status.value, self.worker_id, ctx.tries)
        if handler is not None:
            try:
                handler.on_end(ctx, status, error)
            except Exception:  # noqa: BLE001 - the job outcome is already stored; log and carry on
                log.error("on_end of job %s failed:\n%s", ctx.job_id, traceback.format_exc())

    def _requeue(self, ctx: JobContext, step: str, delay: float) -> None:
        # heartbeat_at of a queued job = when it is due (see resend_lost).
        with self.db.session() as session:
            written = session.execute(
                update(Job).where(*self._owned(ctx.job_id, ctx.tries))
                .values(status=JobStatus.queued.value, step=step[:300], worker_id=None,
                        heartbeat_at=utcnow() + timedelta(seconds=delay))
            ).rowcount
        if written == 1:
            self.enqueue(ctx.job_id, delay)

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
            session.execute(update(Job).where(Job.id.in_(ids), Job.status == JobStatus.running.value,
                                              Job.worker_id == self.worker_id)
                            .values(heartbeat_at=utcnow()))

    def release_running(self, reason: str = "the worker shut down") -> list[int]:
        """Hand this worker's running jobs back to the queue at once (a worker stopping on SIGTERM): other workers
        take them without waiting for the heartbeat to go stale. The interrupted try does not count. Work still
        going on in this process is fenced out: its next progress report stops it, its outcome is not stored."""
        with self._lock:
            ids = sorted(self._running)
        released: list[int] = []
        if not ids:
            return released
        with self.db.session() as session:
            for job_id in ids:
                taken = session.execute(
                    update(Job).where(Job.id == job_id, Job.status == JobStatus.running.value,
                                      Job.worker_id == self.worker_id, Job.cancel_requested.is_(False))
                    .values(status=JobStatus.queued.value, worker_id=None, heartbeat_at=utcnow(),
                            tries=func.max(Job.tries - 1, 0) if self.db.is_sqlite else func.greatest(Job.tries - 1, 0),
                            step=f"Re-queued: {reason} ({self.worker_id})"[:300])
                    .execution_options(synchronize_session=False)
                ).rowcount
                if taken == 1:
                    released.append(job_id)
        for job_id in released:
            self.enqueue(job_id, 0.0)
        if released:
            log.warning("Released running jobs %s back to the queue: %s", released, reason)
        return released

    def recover_orphans(self, stale_seconds: float) -> list[int]:
        """Running jobs whose worker died (dead local pid, or no heartbeat for a while): retry them or fail them.

        Never leaves a job stuck as running after a crash or a SIGKILL. Every worker sweeps; each orphan is taken
        by one sweeper only (a conditional UPDATE on the state it saw), so it is re-queued or ended exactly once.
        """
        recovered: list[int] = []
        ended: list[tuple[int, str, dict[str, Any], int, JobStatus, str]] = []
        now = utcnow()
        cutoff = now - timedelta(seconds=stale_seconds)
        with self.db.session() as session:
            rows = session.scalars(select(Job).where(Job.status == JobStatus.running.value)).all()
            orphans = [job for job in rows if job.id not in self._running and
                       (_worker_is_dead(job.worker_id) or (job.heartbeat_at or job.created_at) < cutoff)]
            for job in orphans:
                stopped = job.worker_id or "unknown"
                if job.cancel_requested:
                    status, error = JobStatus.cancelled, "Cancelled by the user."
                    values = dict(status=status.value, step="Cancelled", error=error, finished_at=now)
                elif job.tries < job.max_tries:
                    status, error = JobStatus.queued, None
                    values = dict(status=status.value, step=f"Re-queued: the worker running it stopped ({stopped})",
                                  worker_id=None, heartbeat_at=now)
                else:
                    status = JobStatus.failed
                    error = (f"Interrupted: the worker stopped while running it ({stopped}; "
                             f"{job.tries} of {job.max_tries} tries used).")
                    values = dict(status=status.value, step="Failed", error=error, finished_at=now)
                taken = session.execute(
                    update(Job).where(Job.id == job.id, Job.status == JobStatus.running.value,
                                      Job.worker_id.is_not_distinct_from(job.worker_id), Job.tries == job.tries)
                    .values(**values).execution_options(synchronize_session=False)
                ).rowcount
                if taken != 1:
                    continue  # another worker's sweep (or the owner itself) got there first
                if status is JobStatus.queued:
                    recovered.append(job.id)
                else:
                    ended.append((job.id, job.kind, dict(job.payload or {}), job.tries, status, error))
        for job_id in recovered:
            self.enqueue(job_id, 0.0)
        for job_id, kind, payload, tries, status, error in ended:
            handler = self.handlers.get(kind)
            if handler is not None:
                handler.on_end(JobContext(job_id, kind, payload, tries, lambda p, s: None), status, error)
        if recovered or ended:
            log.warning("Recovered orphaned jobs (%s): re-queued %s, ended %s", self.worker_id, recovered,
                        [e[0] for e in ended])
        return recovered

    def resend_lost(self, older_than: float) -> list[int]:
        """Put queued jobs on the queue again when they have waited `older_than` seconds past their due time.

        A queue message can be lost without the Job row knowing: the app died between committing a job and
        enqueueing it, the queue was flushed or restarted without persistence, or a worker was killed right after
        taking a message. A second message for a job is harmless — only one claim can win — so re-sending is
        safe; each job is re-sent at most once per `older_than` seconds.
        """
        now = utcnow()
        cutoff = now - timedelta(seconds=older_than)
        resent: list[int] = []
        with self.db.session() as session:
            rows = session.execute(
                select(Job.id, Job.heartbeat_at).where(Job.status == JobStatus.queued.value,
                                                       func.coalesce(Job.heartbeat_at, Job.created_at) < cutoff)
                .order_by(Job.id).limit(500)
            ).all()
            for job_id, due in rows:
                taken = session.execute(
                    update(Job).where(Job.id == job_id, Job.status == JobStatus.queued.value,
                                      Job.heartbeat_at.is_not_distinct_from(due))
                    .values(heartbeat_at=now).execution_options(synchronize_session=False)
                ).rowcount
                if taken == 1:
                    resent.append(job_id)
        for job_id in resent:
            self.enqueue(job_id, 0.0)
        if resent:
            log.warning("Re-sent queued jobs whose queue message seems lost: %s", resent)
        return resent


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
