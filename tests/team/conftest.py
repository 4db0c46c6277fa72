"""Team mode as deployed: `python app.py` with logins, two accounts, and the work done by real workers.

``team_app`` is parametrised over two back ends: SQLite with the app's own worker (always runs), and Redis +
PostgreSQL with two external `python -m pipeline.worker` processes (needs scripts/services.sh; skipped without it
unless HFS_REQUIRE_SERVICES=1, as in .ci/run, where a missing service fails).
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.e2e.app_process import AppProcess
from tests.scaleout.conftest import Workers, _unavailable, wait_until

PASSWORDS = {"alice": "alice-password-1", "bob": "bob-password-22", "boss": "boss-password-333"}
ROLES = {"alice": "member", "bob": "member", "boss": "admin"}
FINISHED = ("succeeded", "failed", "cancelled")
SMALL = {"HFS_VIDEO_MIN_SHORT_SIDE": "240", "HFS_FRAME_LONG_SIDE": "640", "HFS_EXPORT_LONG_SIDE": "640",
         "HFS_SCORING_ENABLE_PYIQA": "false", "HFS_RETRY_BASE_DELAY": "0", "HFS_AUTH": "local",
         "HFS_GENERATIONS_PER_HOUR": "1000"}


@dataclass
class TeamApp:
    backend: str
    url: str
    data_dir: Path
    media_dir: Path
    database_url: str
    app: AppProcess
    workers: Workers | None = None
    clients: dict = field(default_factory=dict)

    def client(self, username: str):
        """A gradio_client logged in as ``username`` (one per user, reused)."""
        from gradio_client import Client

        if username not in self.clients:
            self.clients[username] = Client(self.url, auth=(username, PASSWORDS[username]), verbose=False)
        return self.clients[username]

    @contextmanager
    def http(self, username: str | None) -> Iterator[httpx.Client]:
        """A plain HTTP session, logged in through the login form like a browser (None = anonymous)."""
        with httpx.Client(base_url=self.url, timeout=60, follow_redirects=False) as http:
            if username is not None:
                response = http.post("login", data={"username": username, "password": PASSWORDS[username]})
                assert response.status_code == 200, response.text
            yield http

    def wait_job(self, username: str, job_id: int, timeout: float = 180) -> dict:
        client = self.client(username)

        def finished():
            view, _files = client.predict(job_id, api_name="/job")
            return view if view["status"] in FINISHED else None

        return wait_until(finished, timeout, f"job {job_id} did not finish", interval=0.5)


def _services_urls(tmp: Path):
    redis_url = os.environ.get("HFS_TEST_REDIS_URL")
    database_url = os.environ.get("HFS_TEST_DATABASE_URL")
    if not redis_url or not database_url:
        _unavailable("Redis/PostgreSQL not configured: HFS_TEST_REDIS_URL / HFS_TEST_DATABASE_URL are not set")
    import redis
    from sqlalchemy import create_engine, text

    from storage.db import normalize_url

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        _unavailable(f"Redis at {redis_url} does not answer ({type(exc).__name__})")
    engine = create_engine(normalize_url(database_url), pool_size=1, connect_args={"connect_timeout": 3})
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001
        engine.dispose()
        _unavailable(f"PostgreSQL does not answer ({type(exc).__name__})")
    sep = "&" if "?" in database_url else "?"
    return redis_url, f"{database_url}{sep}options=-csearch_path%3D{schema}", engine, schema


@pytest.fixture(scope="module", params=["sqlite", "services"])
def team_app(request, tmp_path_factory):
    from storage.db import Database
    from storage.users import UserStore

    backend = request.param
    tmp = tmp_path_factory.mktemp(f"team-{backend}")
    data_dir = tmp / "studio-data"
    media_dir = tmp / "shared-media"
    env = dict(SMALL, HFS_MEDIA_DIR=str(media_dir))
    cleanup = []
    if backend == "services":
        redis_url, database_url, engine, schema = _services_urls(tmp)
        queue_name = f"hfs-iso-{uuid.uuid4().hex[:10]}"
        env.update(HFS_REDIS_URL=redis_url, HFS_DATABASE_URL=database_url, HFS_QUEUE_NAME=queue_name,
                   HFS_QUEUE_MODE="external")

        def drop_schema():
            from sqlalchemy import text

            with engine.begin() as conn:
                conn.execute(text("SET lock_timeout = '20s'"))
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()

        cleanup.append(drop_schema)
    else:
        database_url = f"sqlite:///{data_dir / 'studio.db'}"
        env["HFS_QUEUE_MODE"] = "embedded"
    data_dir.mkdir(parents=True)
    db = Database(database_url)
    db.upgrade()
    users = UserStore(db, rounds=4)
    for name, password in PASSWORDS.items():
        users.add(name, password, ROLES[name])
    db.dispose()

    app = AppProcess(data_dir, **env).start(timeout=120)
    team = TeamApp(backend, app.url, data_dir, media_dir, database_url, app)
    if backend == "services":
        from tests.conftest import make_settings

        settings = make_settings(data_dir, queue_mode="external", redis_url=env["HFS_REDIS_URL"],
                                 database_url=database_url, queue_name=env["HFS_QUEUE_NAME"], media_dir=media_dir,
                                 video_min_short_side=240, frame_long_side=640, auth="local")
        team.workers = Workers(tmp)
        team.workers.start(settings, count=2, threads=2)
    try:
        yield team
    finally:
        for client in team.clients.values():
            try:
                client.close()
            except Exception:  # noqa: BLE001 - best effort
                pass
        app.stop()
        if team.workers is not None:
            team.workers.stop_all()
        for step in cleanup:
            step()


@dataclass
class AliceWork:
    """Everything alice made, by id: what bob must not reach."""
    project_id: int
    frame_ids: list[int]
    group_id: int
    attempt_ids: list[int]
    export_job_id: int
    frames_job_id: int
    plan_id: int
    timeline_version: int
    project_name: str
    media_paths: list[str]


def make_alice_work(team: TeamApp) -> AliceWork:
    alice = team.client("alice")
    project = alice.predict("Alice's secret launch", "16:9", api_name="/create_project")
    pid = project["id"]
    job = alice.predict(pid, "a glass perfume bottle on black sand, rim light", 4, "", 7, "", "",
                        api_name="/generate_hero_frames")
    assert team.wait_job("alice", job["job_id"])["status"] == "succeeded"
    frames, _frame_files = alice.predict(pid, api_name="/hero_frames")
    frame_ids = [f["id"] for f in frames]
    alice.predict(pid, frame_ids[0], api_name="/select_hero_frame")
    group = alice.predict(pid, "slow push in", "", 2, 2.0, -1, 11, "", api_name="/image_to_video")
    for job_id in group["job_ids"]:
        assert team.wait_job("alice", job_id)["status"] == "succeeded"

    def picked():
        view, _ = alice.predict(group["id"], api_name="/generation_group")
        return view if view.get("selection_reason") else None

    group_view = wait_until(picked, 120, "alice's group was not scored", interval=0.5)
    attempt_ids = [a["id"] for a in group_view["attempts"]]
    timeline = alice.predict(pid, api_name="/rebuild_timeline")
    export = alice.predict(pid, "crop", 0, "", 0, api_name="/export_timeline")
    assert team.wait_job("alice", export["job_id"])["status"] == "succeeded"
    plan = alice.predict("Create a luxury watch ad for Alice's brand", 15, "9:16", "", "rules", api_name="/plan_ad")
    media = [f["image"] for f in frames] + [a["video"] for a in group_view["attempts"] if a.get("video")]
    return AliceWork(pid, frame_ids, group["id"], attempt_ids, export["job_id"], job["job_id"], plan["id"],
                     int(timeline.get("version") or 0), project["name"], media)
