"""The embedded worker never dies silently: its supervisor says why it stopped, restarts it with backoff, and
/health and the project bar's banner say so."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.supervisor import WorkerStatus, WorkerSupervisor, exit_reason, worker_environment
from tests.scaleout.conftest import wait_until

FAILING = ("import sys; print('Traceback (most recent call last):'); "
           "print('  File \"/srv/studio/pipeline/worker.py\", line 1'); "
           "print(\"ModuleNotFoundError: No module named 'pipeline'\"); sys.exit(1)")


def failing_worker(settings: Settings, log_file: Path) -> subprocess.Popen:
    with open(log_file, "ab") as log:
        return subprocess.Popen([sys.executable, "-c", FAILING], stdout=log, stderr=subprocess.STDOUT)


def wait_for(condition, timeout: float = 20.0):
    return wait_until(condition, timeout, "condition not met in time", interval=0.05)


def test_a_worker_that_cannot_start_is_reported_and_retried_with_backoff(services):
    from studio.health import banner_html, health_report

    supervisor = WorkerSupervisor(services.settings, start=failing_worker, poll_seconds=0.02)
    services.worker = supervisor.start()
    try:
        status = wait_for(lambda: (s := supervisor.status()).state == "restarting" and s)
        assert status.reason == "ModuleNotFoundError: No module named 'pipeline'"
        report = health_report(services)
        assert report["status"] == "degraded" and not report["worker"]["ok"]
        assert "The worker stopped: ModuleNotFoundError: No module named 'pipeline'; restarting" in \
            report["problems"][0]
        banner = banner_html(services)
        assert "health-banner" in banner and "No module named" in banner and "/srv/studio" not in banner
        first_wait = status.next_try_in
        wait_for(lambda: supervisor.status().restarts >= 1 and supervisor.status().state == "restarting"
                 and supervisor.status().next_try_in > first_wait, timeout=10)
        later = supervisor.status()
        assert later.next_try_in == first_wait * 2 ** later.restarts  # backoff doubles with every failed start
    finally:
        supervisor.stop()
    assert supervisor.status().state == "stopped"


def test_a_killed_worker_comes_back_and_the_banner_says_so(services):
    from studio.health import banner_html

    def sleeper(settings: Settings, log_file: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])

    supervisor = WorkerSupervisor(services.settings, start=sleeper, poll_seconds=0.02)
    services.worker = supervisor.start()
    try:
        first = supervisor.status().pid
        assert banner_html(services) == ""
        supervisor.process.kill()
        status = wait_for(lambda: (s := supervisor.status()).state == "running" and s.pid != first and s)
        assert status.restarts == 1 and status.reason == "killed by SIGKILL"
        assert "was restarted" in banner_html(services) and "SIGKILL" in banner_html(services)
    finally:
        supervisor.stop()


def test_exit_reason_without_a_log_names_the_exit_code(tmp_path):
    assert exit_reason(3, tmp_path / "missing.log") == "exit code 3"
    assert exit_reason(-9, tmp_path / "missing.log") == "killed by SIGKILL"


def test_the_worker_can_import_the_studio_from_any_folder(settings, tmp_path):
    env = worker_environment(settings)
    result = subprocess.run([sys.executable, "-c", "import pipeline.worker, storage.db, scoring"], cwd="/",
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_status_sentences():
    assert WorkerStatus("external").healthy and "python -m pipeline.worker" in WorkerStatus("external").sentence()
    assert not WorkerStatus("restarting", reason="x").healthy


@pytest.mark.parametrize("env, host, port", [
    ({}, "127.0.0.1", 7860),
    ({"GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_SERVER_PORT": "7999"}, "0.0.0.0", 7999),
    ({"SPACE_ID": "team/studio"}, "0.0.0.0", 7860),
    ({"SPACE_ID": "team/studio", "HFS_HOST": "127.0.0.2"}, "127.0.0.2", 7860),
    ({"HFS_HOST": "10.0.0.5", "GRADIO_SERVER_NAME": "0.0.0.0", "HFS_PORT": "8000"}, "10.0.0.5", 8000),
])
def test_host_and_port_follow_gradio_and_spaces_conventions(monkeypatch, env, host, port):
    for name in ("HFS_HOST", "HFS_PORT", "GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT", "SPACE_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert (settings.host, settings.port) == (host, port)


def test_settings_given_by_field_name_still_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7999")
    monkeypatch.setenv("HOST", "evil.example")  # a generic HOST variable is not ours
    settings = Settings(_env_file=None, port=7001, host="127.0.0.3")
    assert (settings.host, settings.port) == ("127.0.0.3", 7001)
    assert Settings(_env_file=None).host == "127.0.0.1"
