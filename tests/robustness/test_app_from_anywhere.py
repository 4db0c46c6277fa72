"""`python /abs/path/app.py` started from `/` (systemd, Docker CMD, Spaces) runs jobs; a killed worker comes back
and /health says so; refused direct calls answer with their real HTTP status and the studio's words."""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import httpx
import pytest

from tests.e2e.app_process import AppProcess
from tests.scaleout.conftest import wait_until

pytestmark = pytest.mark.e2e
SMALL = {"HFS_VIDEO_MIN_SHORT_SIDE": "240", "HFS_FRAME_LONG_SIDE": "512", "HFS_SCORING_ENABLE_PYIQA": "false",
         "HFS_RETRY_BASE_DELAY": "0"}


@pytest.fixture(scope="module")
def app_from_root(tmp_path_factory):
    data = tmp_path_factory.mktemp("anywhere") / "studio-data"
    process = AppProcess(data, cwd=Path("/"), **SMALL).start(timeout=120)
    yield process
    process.stop()


def frames_job_succeeds(client, project_id: int) -> dict:
    started = client.predict(project_id, "a perfume bottle on wet slate", 4, "16:9", 7, "", "",
                             api_name="/generate_hero_frames")

    def finished():
        view, _files = client.predict(started["job_id"], api_name="/job")
        return view if view["status"] in ("succeeded", "failed", "cancelled") else None

    view = wait_until(finished, 180, "the frames job never finished: the worker is not taking work")
    assert view["status"] == "succeeded", view
    return view


def test_started_from_root_runs_jobs_and_a_killed_worker_comes_back(app_from_root):
    from gradio_client import Client

    health = httpx.get(app_from_root.url + "health", timeout=30).json()
    assert health["status"] == "ok" and health["worker"]["state"] == "running", health
    client = Client(app_from_root.url, verbose=False)
    project = client.predict("Anywhere", "16:9", api_name="/create_project")
    frames_job_succeeds(client, project["id"])

    os.kill(health["worker"]["pid"], signal.SIGKILL)
    back = wait_until(lambda: (h := httpx.get(app_from_root.url + "health", timeout=30).json())["worker"]["restarts"]
                      >= 1 and h["worker"]["state"] == "running" and h, 60, "the worker did not come back")
    assert back["worker"]["reason"] == "killed by SIGKILL"
    assert "was restarted" in back["worker"]["message"]
    frames_job_succeeds(client, project["id"])
    client.close()


@pytest.mark.parametrize("endpoint, data, status, words", [
    ("generation_group", [999999], 404, "Generation group 999999 does not exist."),
    ("generation_group", [10**30], 404, "does not exist"),
    ("generation_group", ["12abc"], 400, "must be a whole number; got '12abc'"),
    ("job", [2**63], 404, "does not exist"),
    ("jobs", [1.5], 400, "must be a whole number"),
])
def test_refused_direct_calls_answer_with_their_status(app_from_root, endpoint, data, status, words):
    response = httpx.post(f"{app_from_root.url}gradio_api/run/{endpoint}", json={"data": data}, timeout=30)
    assert response.status_code == status, response.text
    body = response.json()
    assert words in body["error"]
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()


def test_health_is_json_without_secrets_or_paths(app_from_root):
    response = httpx.get(app_from_root.url + "health", timeout=30)
    text = response.text
    assert response.headers["content-type"].startswith("application/json")
    assert str(app_from_root.data_dir) not in text and "password" not in text.lower()
    assert set(json.loads(text)) >= {"status", "web", "worker", "queue", "database"}
