"""Team mode against real services: Redis (queue) and PostgreSQL (database), from scripts/services.sh.

The URLs come from HFS_TEST_REDIS_URL and HFS_TEST_DATABASE_URL (`eval "$(bash scripts/services.sh)"` sets them).
Without them these tests skip — unless HFS_REQUIRE_SERVICES=1 (as in .ci/run), where a missing service fails.
Every test gets its own PostgreSQL schema (dropped afterwards) and its own Huey queue name (keys deleted afterwards),
so runs never see each other's rows or messages.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
HINT = 'start them with: eval "$(bash scripts/services.sh)"'
CLAIM = re.compile(r"Job (\d+) \((\w+)\) claimed by (\S+), try (\d+)")
OUTCOME = re.compile(r"Job (\d+) \((\w+)\) (succeeded|failed|cancelled) on (\S+), try (\d+)")


def pytest_configure(config):
    config.addinivalue_line("markers", "services: needs Redis and PostgreSQL (scripts/services.sh)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/scaleout" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.services)


def _unavailable(reason: str):
    if os.environ.get("HFS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (HFS_REQUIRE_SERVICES=1: team-mode tests must run here)", pytrace=False)
    pytest.skip(f"{reason}; {HINT}")


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("HFS_TEST_REDIS_URL")
    if not url:
        _unavailable("Redis not configured: HFS_TEST_REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        _unavailable(f"Redis at {url} does not answer ({type(exc).__name__}: {exc})")
    return url


@pytest.fixture(scope="session")
def pg_admin(request):
    url = os.environ.get("HFS_TEST_DATABASE_URL")
    if not url:
        _unavailable("PostgreSQL not configured: HFS_TEST_DATABASE_URL is not set")
    from sqlalchemy import create_engine, text

    from storage.db import normalize_url

    engine = create_engine(normalize_url(url), pool_size=1, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        engine.dispose()
        _unavailable(f"PostgreSQL at {url.split('@')[-1]} does not answer ({type(exc).__name__})")
    yield url, engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin) -> str:
    """A fresh, empty schema for this test (search_path set in the URL); dropped with everything in it after."""
    from sqlalchemy import text

    base, engine = pg_admin
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text("SET lock_timeout = '20s'"))
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture
def queue_name(redis_url) -> str:
    import redis

    name = f"hfs-test-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = [k for k in client.scan_iter(match=f"huey.*.{name.replace('-', '')}*")]
    keys += [k for k in client.scan_iter(match=f"huey.*.{name}*")]
    if keys:
        client.delete(*keys)


@pytest.fixture
def team_settings(tmp_path, pg_url, redis_url, queue_name):
    """Team mode: external workers, Redis queue, PostgreSQL, media in a (shared) folder of its own."""
    return make_settings(tmp_path / "studio-data", queue_mode="external", redis_url=redis_url, database_url=pg_url,
                         queue_name=queue_name, media_dir=tmp_path / "shared-media", worker_threads=1,
                         job_stale_seconds=4.0, frame_long_side=640, video_min_short_side=240)


@pytest.fixture
def team_services(team_settings):
    from pipeline.services import build_services

    services = build_services(team_settings)
    yield services
    services.close()


@dataclass(eq=False)
class Worker:
    process: subprocess.Popen
    log_path: Path
    name: str | None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def worker_id_suffix(self) -> str:
        return f":{self.pid}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class Workers:
    tmp_path: Path
    started: list[Worker] = field(default_factory=list)

    def start(self, settings, count: int = 3, threads: int = 1, names: list[str] | None = None) -> list[Worker]:
        from pipeline.worker import settings_env

        new = []
        for index in range(count):
            name = names[index] if names else None
            env = {**os.environ, **settings_env(settings), "HF_HUB_OFFLINE": "1"}
            if name:
                env["HFS_WORKER_NAME"] = name
            log_path = self.tmp_path / f"worker-{len(self.started) + 1}.log"
            with open(log_path, "ab") as log:
                process = subprocess.Popen([sys.executable, "-m", "pipeline.worker", "--threads", str(threads)],
                                           cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            worker = Worker(process, log_path, name)
            self.started.append(worker)
            new.append(worker)
        wait_until(lambda: all("consuming" in w.log() or w.process.poll() is not None for w in new), 60,
                   "workers did not start")
        for worker in new:
            assert worker.process.poll() is None, f"worker exited early:\n{worker.log()[-3000:]}"
        return new

    def by_worker_id(self, worker_id: str) -> Worker:
        return next(w for w in self.started if worker_id.endswith(w.worker_id_suffix))

    def kill(self, worker: Worker) -> None:
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(timeout=10)

    def claims(self) -> dict[int, list[tuple[str, int]]]:
        """Every claim any worker logged: job id → [(worker id, try)], in log order per worker."""
        found: dict[int, list[tuple[str, int]]] = {}
        for worker in self.started:
            for job_id, _kind, worker_id, tries in CLAIM.findall(worker.log()):
                found.setdefault(int(job_id), []).append((worker_id, int(tries)))
        return found

    def outcomes(self) -> dict[int, list[tuple[str, str, int]]]:
        found: dict[int, list[tuple[str, str, int]]] = {}
        for worker in self.started:
            for job_id, _kind, status, worker_id, tries in OUTCOME.findall(worker.log()):
                found.setdefault(int(job_id), []).append((status, worker_id, int(tries)))
        return found

    def logs(self) -> str:
        return "\n".join(f"--- worker pid {w.pid} ({w.name or 'hostname'}) ---\n{w.log()[-4000:]}"
                         for w in self.started)

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGCONT)
                worker.process.terminate()
        for worker in self.started:
            try:
                worker.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path, team_settings):  # after team_settings: stopped before the schema and queue are dropped
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def wait_until(condition: Callable[[], object], timeout: float, message: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{message} (after {timeout:g} s)")


FINISHED = ("succeeded", "failed", "cancelled")


def wait_job(services, job_id: int, timeout: float = 120) -> dict:
    def finished():
        view = services.jobs.get(job_id)
        return view if view.status in FINISHED else None

    return wait_until(finished, timeout, f"job {job_id} did not finish")


def wait_group(services, group_id: int, timeout: float = 150) -> dict:
    def done():
        group = services.attempts.group(group_id)
        attempts = group.attempts
        if all(a.status in ("done", "failed", "cancelled") for a in attempts) and group.selection_reason:
            return group
        return None

    return wait_until(done, timeout, f"group {group_id} did not finish", interval=0.3)
