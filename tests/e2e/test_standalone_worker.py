"""`python -m pipeline.worker` consumes the same SQLite queue the app writes to."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from pipeline.queue import make_huey
from pipeline.worker import settings_env
from tests.conftest import make_settings
from tests.e2e.app_process import ROOT

pytestmark = pytest.mark.e2e


def test_standalone_worker_runs_queued_jobs(tmp_path):
    from pipeline.services import build_services

    settings = make_settings(tmp_path / "studio-data", queue_mode="external")
    services = build_services(settings)
    project = services.projects.create("Queue test")
    started = services.hero_frames.generate(project.id, "a teapot, top light", 4, "1:1", 3)
    assert services.jobs.get(started["job_id"]).status == "queued"  # nobody consumes yet

    worker = subprocess.Popen([sys.executable, "-m", "pipeline.worker", "--threads", "1"], cwd=ROOT,
                              env={**os.environ, **settings_env(settings)}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = services.jobs.get(started["job_id"])
            if job.status in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.3)
        assert job.status == "succeeded", job
        assert job.worker and job.worker.endswith(f":{worker.pid}")
        assert len(services.hero_frames.list(project.id)) == 4
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode(errors="replace")
    assert "Traceback" not in output, output


def test_redis_url_selects_the_redis_queue(tmp_path):
    from huey import RedisHuey, SqliteHuey

    assert isinstance(make_huey(make_settings(tmp_path, queue_mode="external")), SqliteHuey)
    redis = make_huey(make_settings(tmp_path, queue_mode="external", redis_url="redis://127.0.0.1:6399/0"))
    assert isinstance(redis, RedisHuey)  # connects lazily: no server needed to choose it
