"""Job ownership rules of the runner, on SQLite (no services needed): a worker that lost its job is fenced out, a
stopping worker hands its jobs back, an orphan is taken by one sweeper only, lost queue messages are re-sent."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from pipeline.jobs import JobRunner
from storage.models import Job, JobStatus, utcnow


class Recording:
    def __init__(self, body=None):
        self.body = body
        self.calls = 0
        self.ended = []

    def run(self, ctx):
        self.calls += 1
        return self.body(ctx) if self.body else {}

    def on_end(self, ctx, status, error):
        self.ended.append((status, error))


def _job(services, kind="k", **fields):
    with services.db.session() as session:
        job = services.jobs.create(session, kind, {}, None)
        for key, value in fields.items():
            setattr(job, key, value)
        return job.id


def _runner(services, name):
    sent = []
    runner = JobRunner(services.db, lambda job_id, delay: sent.append((job_id, delay)))
    runner.worker_id = f"{name}:1"
    return runner, sent


def test_a_worker_whose_job_was_taken_over_stops_and_stores_nothing(services):
    def taken_over(ctx):
        # Meanwhile another worker recovered the job (our heartbeat looked stale) and claimed it for try 2.
        with services.db.session() as session:
            session.execute(update(Job).where(Job.id == ctx.job_id).values(worker_id="elsewhere:7", tries=2))
        ctx.progress(100.0, "still rendering")  # the next progress report notices
        raise AssertionError("progress must stop work that is no longer ours")

    handler = Recording(taken_over)
    services.runner.register("fenced", handler)
    job_id = _job(services, "fenced")
    services.jobs.enqueue(job_id)
    view = services.jobs.get(job_id)
    assert view.status == "running" and view.worker == "elsewhere:7" and view.tries == 2
    assert handler.ended == []  # the new owner reports the outcome, not us


def test_an_outcome_is_not_stored_when_the_job_changed_hands_after_the_last_progress(services):
    def finish_late(ctx):
        with services.db.session() as session:
            session.execute(update(Job).where(Job.id == ctx.job_id).values(status="queued", worker_id=None))
        return {"late": True}

    handler = Recording(finish_late)
    services.runner.register("late", handler)
    job_id = _job(services, "late")
    services.jobs.enqueue(job_id)
    view = services.jobs.get(job_id)
    assert view.status == "queued" and view.result is None and handler.ended == []


def test_a_stopping_worker_hands_its_running_jobs_back(services):
    runner, sent = _runner(services, "stopping")
    job_id = _job(services)
    claimed = runner._claim(job_id)  # noqa: SLF001 - what run() does first
    assert claimed is not None and claimed.tries == 1
    runner._running.add(job_id)  # noqa: SLF001 - as while the handler runs
    assert runner.release_running("the worker shut down") == [job_id]
    view = services.jobs.get(job_id)
    assert view.status == "queued" and view.worker is None and view.tries == 0
    assert "shut down" in view.step and sent == [(job_id, 0.0)]
    assert runner.release_running() == []  # nothing left that is ours


def test_an_orphan_is_taken_by_one_sweeper_only(services):
    first, first_sent = _runner(services, "box-a")
    second, second_sent = _runner(services, "box-b")
    stale = utcnow() - timedelta(minutes=2)
    job_id = _job(services, status="running", tries=1, worker_id="gone:1", heartbeat_at=stale)
    assert first.recover_orphans(30) == [job_id]
    assert second.recover_orphans(30) == []
    assert first_sent == [(job_id, 0.0)] and second_sent == []
    view = services.jobs.get(job_id)
    assert view.status == "queued" and "gone:1" in view.step


def test_queued_jobs_whose_message_was_lost_are_resent_once_per_period(services):
    runner, sent = _runner(services, "sweeper")
    fresh = _job(services)
    lost = _job(services, created_at=utcnow() - timedelta(minutes=5))
    retry_later = _job(services, heartbeat_at=utcnow() + timedelta(minutes=1))  # a scheduled retry, not lost
    assert runner.resend_lost(60) == [lost]
    assert runner.resend_lost(60) == []
    assert sent == [(lost, 0.0)]
    assert {services.jobs.get(j).status for j in (fresh, lost, retry_later)} == {JobStatus.queued.value}
