"""Jobs as the UI and API see them: create + enqueue, status, cancel, the live queue."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from pipeline.access import Access
from pipeline.jobs import JobContext, JobRunner
from pipeline.queue import JobQueue
from pipeline.services.lookups import get_row
from pipeline.services.views import JobView, job_view
from storage.db import Database
from storage.models import Job, JobStatus, Project, utcnow


class JobService:
    def __init__(self, db: Database, queue: JobQueue, runner: JobRunner, max_tries: int,
                 access: Access | None = None) -> None:
        self.db = db
        self.access = access
        self.queue = queue
        self.runner = runner
        self.max_tries = max_tries

    def create(self, session, kind: str, payload: dict[str, Any], project_id: int | None) -> Job:
        """Add a Job row inside the caller's transaction; call `enqueue` after that transaction commits."""
        user_id = self.access.user_id() if self.access is not None else None
        job = Job(kind=kind, payload=payload, project_id=project_id, max_tries=self.max_tries, user_id=user_id)
        session.add(job)
        session.flush()
        return job

    def enqueue(self, *job_ids: int) -> None:
        for job_id in job_ids:
            self.queue.enqueue(job_id)

    def get(self, job_id: int) -> JobView:
        with self.db.session() as session:
            return job_view(self._job(session, job_id, "view"))

    def active(self, project_id: int | None = None, limit: int = 50) -> list[JobView]:
        """Queued and running jobs first, then the most recent finished ones (of the projects the actor may see
        and the actor's own jobs without a project)."""
        with self.db.session() as session:
            query = select(Job).order_by(Job.id.desc()).limit(limit)
            query = self._scoped(session, query, project_id)
            jobs = session.scalars(query).all()
            order = {JobStatus.running.value: 0, JobStatus.queued.value: 1}
            return [job_view(j) for j in sorted(jobs, key=lambda j: (order.get(j.status, 2), -j.id))]

    def unfinished(self, project_id: int | None = None, kind: str | None = None) -> list[JobView]:
        """Queued and running jobs (optionally of one project and one kind), newest first: what a poll waits on."""
        with self.db.session() as session:
            query = select(Job).where(Job.status.in_([JobStatus.queued.value, JobStatus.running.value]))
            query = self._scoped(session, query, project_id)
            if kind is not None:
                query = query.where(Job.kind == kind)
            return [job_view(j) for j in session.scalars(query.order_by(Job.id.desc())).all()]

    def cancel(self, job_id: int) -> JobView:
        """Queued work is cancelled at once; running work stops at its next progress check."""
        ended = None
        with self.db.session() as session:
            job = self._job(session, job_id, "edit")
            if JobStatus(job.status).finished:
                return job_view(job)
            job.cancel_requested = True
            if job.status == JobStatus.queued.value:
                job.status = JobStatus.cancelled.value
                job.step = "Cancelled"
                job.error = "Cancelled before it started."
                job.finished_at = utcnow()
                ended = JobContext(job.id, job.kind, dict(job.payload or {}), job.tries, lambda p, s: None)
            else:
                job.step = "Cancelling…"
            view = job_view(job)
        if ended is not None and ended.kind in self.runner.handlers:
            self.runner.handlers[ended.kind].on_end(ended, JobStatus.cancelled, "Cancelled before it started.")
        return view

    # ------------------------------------------------------------ access
    def _job(self, session, job_id: Any, need: str) -> Job:
        return get_row(session, Job, job_id, "Job", self.access, need)

    def _scoped(self, session, query, project_id: int | None):
        """``query`` limited to one project (which the actor must be able to see), else to every project the actor
        may see plus the actor's own jobs that belong to no project."""
        if project_id is not None:
            if self.access is not None:
                self.access.get(session, Project, project_id, "view")
            return query.where(Job.project_id == int(project_id))
        if self.access is None:
            return query
        actor = self.access.actor()
        clause = self.access.visible_projects(actor)
        if clause is None:
            return query
        return query.where(or_(Job.project_id.in_(select(Project.id).where(clause)),
                               and_(Job.project_id.is_(None), Job.user_id == actor.user_id)))

    def queue_health(self) -> "QueueHealth":
        """How the queue and the database look right now, for /health and the project bar (no user data)."""
        import time as _time

        from sqlalchemy import func, text

        started = _time.perf_counter()
        try:
            with self.db.session() as session:
                session.execute(text("SELECT 1"))
                queued, oldest = session.execute(select(func.count(Job.id), func.min(Job.created_at))
                                                 .where(Job.status == JobStatus.queued.value)).one()
                running = session.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.running.value))
        except Exception as exc:  # noqa: BLE001 - any database failure is reported, never raised at a probe
            return QueueHealth(database_ok=False, database_error=type(exc).__name__)
        database_ms = (_time.perf_counter() - started) * 1000
        waited = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        try:
            messages, queue_ok = self.queue.pending_count(), True
        except Exception:  # noqa: BLE001 - Redis down: reported as such
            messages, queue_ok = None, False
        return QueueHealth(database_ok=True, database_ms=round(database_ms, 1), queue_ok=queue_ok,
                           queued_jobs=int(queued or 0), running_jobs=int(running or 0),
                           oldest_queued_seconds=round(max(0.0, waited), 1), queue_messages=messages)


@dataclass
class QueueHealth:
    database_ok: bool
    database_error: str = ""
    database_ms: float = 0.0
    queue_ok: bool = True
    queued_jobs: int = 0
    running_jobs: int = 0
    oldest_queued_seconds: float = 0.0
    queue_messages: int | None = None
