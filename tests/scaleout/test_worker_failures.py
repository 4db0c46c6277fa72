"""Workers die: a SIGKILLed worker's job is taken over by another worker once its heartbeat goes stale (re-queued
while tries are left, failed with a reason when not) — never left running; a frozen worker that wakes up after its
job was taken over is fenced out and writes nothing."""
from __future__ import annotations

import signal
import time

from sqlalchemy import update

from storage.models import Job
from tests.scaleout.conftest import wait_group, wait_job, wait_until

# Workers named like separate machines: a dead one can only be noticed through its silent heartbeat (the same-host
# pid check does not apply), exactly as across a network.
NAMES = ["box-a", "box-b", "box-c"]


def _prepared_group(services, attempts=3, duration=3.0):
    project = services.projects.create("Crash test", "16:9")
    started = services.hero_frames.generate(project.id, "a brass desk lamp, studio light", 4, "16:9", 5)
    assert wait_job(services, started["job_id"]).status == "succeeded"
    frame = services.hero_frames.list(project.id)[0]
    services.projects.select_hero_frame(project.id, frame.id)
    group = services.attempts.start_group(project.id, "slow orbit right", "", attempts, duration=duration, seed=1)
    return project, group


def _running_attempts(services, job_ids, count):
    def found():
        views = [services.jobs.get(j) for j in job_ids]
        running = [v for v in views if v.status == "running" and v.worker and v.progress < 60]
        return running[:count] if len(running) >= count else None

    return wait_until(found, 60, f"{count} attempt jobs never ran at the same time", interval=0.05)


def test_sigkilled_workers_jobs_are_requeued_or_failed_never_stuck(team_services, workers):
    services = team_services
    pool = workers.start(services.settings, count=3, threads=1, names=NAMES)
    project, group = _prepared_group(services)
    retried, exhausted = _running_attempts(services, group.job_ids, 2)
    # The second victim's job has no tries left: it must end failed with a reason, not be re-run.
    with services.db.session() as session:
        session.execute(update(Job).where(Job.id == exhausted.id).values(max_tries=1))
    killed_at = time.monotonic()
    victims = {workers.by_worker_id(retried.worker), workers.by_worker_id(exhausted.worker)}
    for victim in victims:
        workers.kill(victim)
    survivor = next(w for w in pool if w not in victims)

    def left_running():
        view = services.jobs.get(retried.id)
        return view if view.status != "running" else None

    requeued = wait_until(left_running, 30, "the killed worker's job stayed running")
    recovery_seconds = time.monotonic() - killed_at
    assert recovery_seconds < services.settings.job_stale_seconds + 10, recovery_seconds
    assert requeued.status in ("queued", "running", "succeeded"), requeued

    group = wait_group(services, group.id, timeout=150)
    retried_view, exhausted_view = services.jobs.get(retried.id), services.jobs.get(exhausted.id)
    # Re-queued, then finished by the surviving worker in its second try.
    assert retried_view.status == "succeeded" and retried_view.tries == 2, retried_view
    assert retried_view.worker.startswith(f"{survivor.name}:")
    # No tries left: failed, with the reason, and the attempt shows it.
    assert exhausted_view.status == "failed", exhausted_view
    assert "worker stopped" in exhausted_view.error and exhausted.worker in exhausted_view.error
    attempts = {a.job.id if a.job else None: a for a in group.attempts}
    failed_attempt = next(a for a in group.attempts if a.status == "failed")
    assert "worker stopped" in (failed_attempt.error or ""), failed_attempt
    assert sorted(a.status for a in group.attempts) == ["done", "done", "failed"], attempts

    claims = {job_id: sorted(found, key=lambda claim: claim[1]) for job_id, found in workers.claims().items()}
    assert claims[retried.id] == [(retried.worker, 1), (retried_view.worker, 2)], claims[retried.id]
    assert claims[exhausted.id] == [(exhausted.worker, 1)]
    for view in services.jobs.active(project.id, limit=200):
        assert view.status in ("succeeded", "failed"), view  # nothing stuck running or queued
        assert len(claims.get(view.id, [])) == view.tries, (view, claims.get(view.id))
    assert survivor.process.poll() is None and "Traceback" not in survivor.log(), survivor.log()


def test_a_frozen_worker_is_fenced_out_after_its_job_is_taken_over(team_services, workers):
    services = team_services
    workers.start(services.settings, count=2, threads=1, names=NAMES[:2])
    _project, group = _prepared_group(services, attempts=1, duration=4.0)
    (frozen_job,) = _running_attempts(services, group.job_ids, 1)
    frozen = workers.by_worker_id(frozen_job.worker)
    frozen.process.send_signal(signal.SIGSTOP)  # alive, but silent: no heartbeats, no progress
    try:
        wait_until(lambda: services.jobs.get(frozen_job.id).worker not in (None, frozen_job.worker), 30,
                   "the frozen worker's job was not taken over")
    finally:
        frozen.process.send_signal(signal.SIGCONT)
    # The frozen worker wakes up while another worker runs (or has finished) the job: its next progress report
    # finds the job is no longer its own, it stops, and nothing it does is stored.
    wait_until(lambda: "was taken over by another worker" in frozen.log() or "no longer this worker's" in frozen.log(),
               60, "the woken worker did not notice it lost its job")
    group = wait_group(services, group.id, timeout=120)
    view = services.jobs.get(frozen_job.id)
    assert view.status == "succeeded" and view.tries == 2 and view.worker != frozen_job.worker, view
    assert group.attempts[0].status == "done"
    outcomes = workers.outcomes()[frozen_job.id]
    assert [o[1] for o in outcomes] == [view.worker], outcomes  # only the new owner stored an outcome
    assert frozen.process.poll() is None  # the woken worker carries on consuming
