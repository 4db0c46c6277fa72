"""The Redis queue outlives the web process: work queued through the API before an app crash is still there after
the restart and a worker runs it; a queue message that got lost is re-sent; duplicate messages run a job once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from pipeline.queue import make_huey
from pipeline.worker import settings_env
from storage.models import Job, utcnow
from tests.e2e.app_process import AppProcess
from tests.scaleout.conftest import wait_job, wait_until


def _app_env(settings) -> dict[str, str]:
    env = settings_env(settings)
    for own in ("HFS_PORT", "HFS_HOST", "HFS_DATA_DIR"):  # AppProcess sets these itself
        env.pop(own, None)
    return env


def test_queued_work_survives_an_app_restart(team_settings, workers):
    from gradio_client import Client

    env = _app_env(team_settings)
    app = AppProcess(team_settings.data_dir, **env).start()
    try:
        client = Client(app.url, verbose=False)
        project = client.predict("Restart", "16:9", api_name="/create_project")
        started = client.predict(project["id"], "a glass perfume bottle on black sand", 4, "16:9", 8,
                                 api_name="/generate_hero_frames")
        view, _ = client.predict(started["job_id"], api_name="/job")
        assert view["status"] == "queued"  # external mode: the web process only enqueues
    finally:
        app.kill()
        app.stop()
    assert make_huey(team_settings).pending_count() == 1  # the message waits in Redis while no web process runs

    restarted = AppProcess(team_settings.data_dir, port=app.port, **env).start()
    try:
        client = Client(restarted.url, verbose=False)
        view, _ = client.predict(started["job_id"], api_name="/job")
        assert view["status"] == "queued"
        (worker,) = workers.start(team_settings, count=1)

        def finished():
            current, files = client.predict(started["job_id"], api_name="/job")
            return (current, files) if current["status"] in ("succeeded", "failed", "cancelled") else None

        view, _ = wait_until(finished, 90, "the queued job did not finish after the restart", interval=0.5)
        assert view["status"] == "succeeded", view
        assert view["worker"].endswith(f":{worker.pid}") and view["tries"] == 1
        frames, images = client.predict(project["id"], api_name="/hero_frames")
        assert len(frames) == 4 and len(images) == 4
    finally:
        restarted.stop()


def test_lost_messages_are_resent_and_duplicates_run_once(team_services, workers):
    services = team_services
    project = services.projects.create("Lost message")
    started = services.hero_frames.generate(project.id, "a wooden chair, soft window light", 4, "1:1", 2)
    job_id = started["job_id"]
    huey = services.queue.huey
    assert huey.pending_count() == 1
    huey.flush()  # Redis restarted without persistence: the message is gone, the Job row still says queued
    assert huey.pending_count() == 0 and services.jobs.get(job_id).status == "queued"

    assert services.runner.resend_lost(30) == []  # only just queued: not lost yet
    with services.db.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow() - timedelta(seconds=60)))
    assert services.runner.resend_lost(30) == [job_id]
    assert services.runner.resend_lost(30) == []  # re-sent at most once per period
    services.jobs.enqueue(job_id)  # and a duplicate on top
    assert huey.pending_count() == 2

    workers.start(services.settings, count=1)
    view = wait_job(services, job_id, timeout=90)
    assert view.status == "succeeded" and view.tries == 1
    wait_until(lambda: huey.pending_count() == 0, 30, "the duplicate message was not consumed")
    assert workers.claims() == {job_id: [(view.worker, 1)]}
    assert len(services.hero_frames.list(project.id)) == 4
