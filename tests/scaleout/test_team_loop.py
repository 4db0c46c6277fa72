"""Team mode end to end: the services enqueue on Redis, three `python -m pipeline.worker` processes share the work
through PostgreSQL, every job is claimed exactly once and shows which worker ran it."""
from __future__ import annotations

from pipeline.timeline.export import probe
from studio.components.html import jobs_table_html
from tests.scaleout.conftest import wait_group, wait_job


def _all_jobs(services, project_id):
    return services.jobs.active(project_id, limit=200)


def test_full_loop_with_three_workers_claims_every_job_once(team_services, workers):
    services = team_services
    pool = workers.start(services.settings, count=3, threads=1)
    worker_pids = {w.pid for w in pool}

    project = services.projects.create("Team ad", "16:9")
    started = services.hero_frames.generate(project.id, "a ceramic teapot on linen, morning light", 4, "16:9", 17)
    job = wait_job(services, started["job_id"])
    assert job.status == "succeeded", job
    frames = services.hero_frames.list(project.id)
    assert len(frames) == 4

    services.projects.select_hero_frame(project.id, frames[0].id)
    group = services.attempts.start_group(project.id, "slow push in", "shaky", 3, duration=2.0, seed=3)
    assert len(group.job_ids) == 3
    group = wait_group(services, group.id)
    done = [a for a in group.attempts if a.status == "done"]
    assert len(done) == 3, group.attempts
    assert all(a.overall_score is not None for a in done)
    picks = [a for a in done if a.is_system_selected_best]
    assert len(picks) == 1 and group.selection_reason

    other = next(a for a in done if not a.is_system_selected_best)
    assert services.selection.select_attempt(other.id, "calmer", [])["agrees_with_system"] is False
    timeline = services.timeline.rebuild_from_picks(project.id)
    assert [c.attempt_id for c in timeline.clips] == [other.id]
    export = services.timeline.export(project.id, "crop")
    job = wait_job(services, export["job_id"])
    assert job.status == "succeeded", job
    info = probe(job.result["file"])
    assert info.video_codec == "h264" and abs(info.duration - timeline.duration) <= 1 / 24 + 1e-6
    assert services.dashboard.summary(project.id)["agreement"]["decided_groups"] == 1

    jobs = _all_jobs(services, project.id)
    kinds = sorted(j.kind for j in jobs)
    assert kinds.count("attempt") == 3 and kinds.count("hero_frames") == 1 and kinds.count("export") == 1
    claims = workers.claims()
    outcomes = workers.outcomes()
    for view in jobs:
        # Claimed exactly once, by one of our workers, and the job row says which.
        assert view.status == "succeeded" and view.tries == 1, view
        assert claims.get(view.id) == [(view.worker, 1)], (view, claims.get(view.id), workers.logs())
        assert outcomes.get(view.id) == [("succeeded", view.worker, 1)], (view, outcomes.get(view.id))
        assert int(view.worker.rsplit(":", 1)[1]) in worker_pids
    # Three attempts queued at once on three single-thread workers: the work is spread.
    attempt_workers = {j.worker for j in jobs if j.kind == "attempt"}
    assert len(attempt_workers) >= 2, attempt_workers
    # The attempts tab's queue table shows the worker of each job.
    table = jobs_table_html(jobs, limit=50)
    assert "<th>worker</th>" in table and all(w in table for w in attempt_workers)
    assert services.queue.pending_count() == 0
    for worker in pool:
        assert worker.process.poll() is None and "Traceback" not in worker.log(), worker.log()
