"""The job runner: claim once, progress, cancel, transient retries with backoff, orphan recovery."""
from datetime import timedelta

import pytest

from pipeline.errors import TransientEngineError
from storage.models import JobStatus, utcnow


class RecordingHandler:
    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.calls = 0
        self.ended = []

    def run(self, ctx):
        self.calls += 1
        return self.behaviour(self, ctx)

    def on_end(self, ctx, status, error):
        self.ended.append((status, error))


def _job(services, kind, payload=None, **fields):
    with services.db.session() as session:
        job = services.jobs.create(session, kind, payload or {}, None)
        for key, value in fields.items():
            setattr(job, key, value)
        return job.id


def test_success_records_progress_and_result(services):
    def work(handler, ctx):
        ctx.progress(50, "half way")
        return {"answer": 42}

    services.runner.register("test", RecordingHandler(work))
    job_id = _job(services, "test")
    services.jobs.enqueue(job_id)
    view = services.jobs.get(job_id)
    assert view.status == "succeeded" and view.progress == 100 and view.result == {"answer": 42}
    assert view.tries == 1 and view.worker


def test_transient_errors_retry_then_succeed(services):
    def flaky(handler, ctx):
        if handler.calls < 3:
            raise TransientEngineError("rate limited")
        return {"ok": True}

    handler = RecordingHandler(flaky)
    services.runner.register("flaky", handler)
    job_id = _job(services, "flaky")
    services.jobs.enqueue(job_id)
    view = services.jobs.get(job_id)
    assert handler.calls == 3
    assert view.status == "succeeded" and view.tries == 3


def test_transient_errors_give_up_after_max_tries(services):
    def always(handler, ctx):
        raise TransientEngineError("service unavailable")

    handler = RecordingHandler(always)
    services.runner.register("down", handler)
    job_id = _job(services, "down")
    services.jobs.enqueue(job_id)
    view = services.jobs.get(job_id)
    assert handler.calls == 3
    assert view.status == "failed" and "Gave up after 3 tries" in view.error
    assert handler.ended == [(JobStatus.failed, view.error)]


def test_crash_fails_the_job_with_a_reason(services):
    def crash(handler, ctx):
        raise KeyError("boom")

    services.runner.register("crash", RecordingHandler(crash))
    job_id = _job(services, "crash")
    services.jobs.enqueue(job_id)
    view = services.jobs.get(job_id)
    assert view.status == "failed" and "KeyError" in view.error


def test_cancel_queued_job_never_runs(services):
    handler = RecordingHandler(lambda h, ctx: {})
    services.runner.register("later", handler)
    job_id = _job(services, "later")
    assert services.jobs.cancel(job_id).status == "cancelled"
    services.jobs.enqueue(job_id)  # a stale queue message must not resurrect it
    assert handler.calls == 0
    assert handler.ended[0][0] is JobStatus.cancelled
    assert services.jobs.get(job_id).status == "cancelled"


def test_cancel_running_job_is_cooperative(services):
    def long_work(handler, ctx):
        services.jobs.cancel(ctx.job_id)  # the user presses cancel while it runs
        for step in range(100):
            ctx.progress(100.0, f"step {step}")  # 100 % bypasses throttling so the flag is seen at once
        return {}

    handler = RecordingHandler(long_work)
    services.runner.register("long", handler)
    job_id = _job(services, "long")
    services.jobs.enqueue(job_id)
    view = services.jobs.get(job_id)
    assert view.status == "cancelled"
    assert handler.ended == [(JobStatus.cancelled, "Cancelled by the user.")]


def test_claim_happens_once(services):
    handler = RecordingHandler(lambda h, ctx: {})
    services.runner.register("once", handler)
    job_id = _job(services, "once")
    services.runner.run(job_id)
    services.runner.run(job_id)
    assert handler.calls == 1


@pytest.mark.parametrize("tries,expected", [(1, "queued_then_succeeded"), (3, "failed")])
def test_orphaned_running_jobs_are_recovered(services, tries, expected):
    handler = RecordingHandler(lambda h, ctx: {"recovered": True})
    services.runner.register("orphan", handler)
    # A job that a now-dead worker process was running (pid 999999 does not exist) ...
    dead = _job(services, "orphan", status="running", tries=tries, worker_id=f"{_host()}:999999",
                heartbeat_at=utcnow())
    # ... and one on another machine whose heartbeat went silent.
    silent = _job(services, "orphan", status="running", tries=tries, worker_id="elsewhere:1",
                  heartbeat_at=utcnow() - timedelta(minutes=5))
    alive = _job(services, "orphan", status="running", tries=1, worker_id="elsewhere:2", heartbeat_at=utcnow())
    services.runner.recover_orphans(stale_seconds=30)
    for job_id in (dead, silent):
        view = services.jobs.get(job_id)
        if expected == "failed":
            assert view.status == "failed" and "worker stopped" in view.error
        else:
            assert view.status == "succeeded" and view.result == {"recovered": True}
    assert services.jobs.get(alive).status == "running"


def _host():
    import socket

    return socket.gethostname()


def test_active_lists_running_first(services):
    done = _job(services, "x", status="succeeded")
    queued = _job(services, "x")
    running = _job(services, "x", status="running")
    assert [j.id for j in services.jobs.active()][:3] == [running, queued, done]
