"""Load: simulated users drive the whole loop through the public API (gradio_client) against a real `python app.py`.

    .venv/bin/python benchmarks/load.py                         # 10 users, 2 minutes, SQLite + embedded worker
    .venv/bin/python benchmarks/load.py --seconds 30            # a short run
    .venv/bin/python benchmarks/load.py --services --workers 3  # Redis + PostgreSQL from scripts/services.sh, 3 workers
    .venv/bin/python benchmarks/load.py --team                  # logins (HFS_AUTH=local), one account per user
    .venv/bin/python benchmarks/load.py --status-via client     # polls through gradio_client too (the old way)
    .venv/bin/python benchmarks/load.py --redis redis://127.0.0.1:6379/0 \\
        --database postgresql+psycopg://user:pw@127.0.0.1:5432/db --workers 3 --json load.json

Each user first connects (with --team: logs in) and makes one call (/list_projects), on which Gradio builds its
per-session state; that session start is timed and reported on a line of its own, and the clock starts once every
user is connected. Then each user, until the time is up, repeats: create a project, generate 4 hero frames (poll
/job until done), list and select a frame, image_to_video with 3 attempts of 2 s clips (poll /job for each attempt,
then the project's /jobs until the scoring jobs are done too), read the group with its pick (/generation_group),
select an attempt, read the dashboard. Every call is timed from the client.

How calls are made: the enqueue and write calls go through gradio_client (Gradio's queue: POST /queue/join, then
the result over the session's event stream). The polls — /job, /jobs, /generation_group, registered with
queue=False (studio/api.py DIRECT) — are one direct POST /gradio_api/run/<name> each on a kept-alive HTTP connection,
with the user's session hash (and, with --team, its login cookie). That is how a poller should call them:
gradio_client 2.7 calls every endpoint, non-queued ones too, through the queue, and waits for the answer in a loop
that sleeps 50 ms whenever no message is there yet (gradio_client/utils.py stream_sse_v1plus), so no call made with
Client.predict takes less than ~50 ms however fast the server is. `--status-via client` polls with gradio_client
instead, to compare. The direct path does not download result files (it gets their URLs); gradio_client downloads
every file of an answer. After the time is up the users stop starting work; the run waits up to --grace seconds for
every job to finish, then reads the Job rows directly: a job still queued or running then is a lost job.

--team runs the studio with logins (HFS_AUTH=local, HFS_GENERATIONS_PER_HOUR=0 so the hourly limit does not
throttle the run): one account per simulated user, made with `python -m storage.users add NAME --password-stdin`
before the app starts; each user logs in (gradio_client Client(url, auth=...); the direct polls reuse its cookie),
so every call pays the ownership checks a hosted team pays.

Reported: p50/p95/max latency of enqueue calls (/generate_hero_frames, /image_to_video), status calls (/job) and
the other calls, API errors, failed jobs, lost jobs, jobs finished per minute, and — to see where status time
goes — the same status read timed in-process against the database (no HTTP, no Gradio).
Targets: p95 enqueue <= 150 ms, p95 status <= 50 ms, 0 errors, 0 lost jobs.

The engines are the local ones (no keys, no network). The app runs with small renders (240 p clips, 640 px
frames) so that the worker keeps up well enough for the loop to turn; latency of the API is what is measured.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TARGETS = {"enqueue_p95_ms": 150.0, "status_p95_ms": 50.0, "errors": 0, "lost_jobs": 0}
ENQUEUE = ("/generate_hero_frames", "/image_to_video")
STATUS = ("/job",)
# The non-queued polls (studio/api.py DIRECT), called as one direct POST each unless --status-via client.
DIRECT = ("/job", "/jobs", "/generation_group")
FINISHED = ("succeeded", "failed", "cancelled")
PROMPTS = ["a ceramic teapot on linen, morning light", "a red sneaker on a concrete plinth, neon rim light",
           "a glass perfume bottle on black sand", "a brass desk lamp, studio light", "a wooden chair by a window"]
MOVES = ["slow push in", "slow orbit right", "pan left", "gentle tilt up", "dolly out"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------- the system under test
@dataclass
class Stack:
    """The app (and, with Redis, N external workers) in subprocesses on a temporary data folder."""

    data_dir: Path
    env: dict[str, str]
    workers: int
    nice: int = 10
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 120.0) -> "Stack":
        env = {**os.environ, **self.env, "HFS_PORT": str(self.port), "HFS_HOST": "127.0.0.1"}
        logs = self.data_dir.parent
        with open(logs / "app.log", "ab") as log:
            self.processes.append(subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=log,
                                                   stderr=subprocess.STDOUT, start_new_session=True))
        for index in range(self.workers):
            with open(logs / f"worker-{index + 1}.log", "ab") as log:
                command = [sys.executable, "-m", "pipeline.worker", "--nice", str(self.nice)]
                self.processes.append(subprocess.Popen(command, cwd=REPO, env=env, stdout=log,
                                                       stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[0].poll() is not None:
                raise RuntimeError("the app exited early:\n" + self.log("app.log"))
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise TimeoutError("the app did not answer:\n" + self.log("app.log"))

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) used so far by the app (with its embedded worker and their ffmpeg children)
        and by the external workers; {} without psutil."""
        try:
            import psutil
        except ImportError:
            return {}
        used: dict[str, float] = {}
        for index, process in enumerate(self.processes):
            try:
                root = psutil.Process(process.pid)
                total = 0.0
                for p in [root, *root.children(recursive=True)]:
                    try:
                        times = p.cpu_times()
                        total += times.user + times.system
                    except psutil.Error:
                        pass
                used["app" if index == 0 else f"worker-{index}"] = total
            except psutil.Error:
                pass
        return used

    def log(self, name: str) -> str:
        path = self.data_dir.parent / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


# --------------------------------------------------------------------------------------------- measurements
@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    session_starts: list[float] = field(default_factory=list)
    server_times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    timeline: list[tuple[float, str, float]] = field(default_factory=list)  # (monotonic start, api_name, ms)
    errors: list[str] = field(default_factory=list)
    job_ids: set[int] = field(default_factory=set)
    loops: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, client, api_name: str, *args):
        started = time.perf_counter()
        try:
            result = client.predict(*args, api_name=api_name)
        except Exception as exc:  # noqa: BLE001 - every failure of the API counts as an error
            with self.lock:
                self.errors.append(f"{api_name}: {type(exc).__name__}: {str(exc)[:200]}")
            raise
        elapsed = (time.perf_counter() - started) * 1000.0
        with self.lock:
            self.latencies[api_name].append(elapsed)
            self.timeline.append((time.monotonic() - elapsed / 1000.0, api_name, elapsed))
        return result


class DirectCallError(RuntimeError):
    """A direct call answered with an error (the message is the studio's, as gradio_client would raise it)."""


class DirectClient:
    """One POST /gradio_api/run/<name> per call on a kept-alive connection: the non-queued endpoints' direct path.

    It sends a session hash: without one Gradio builds a fresh per-session state for every request, which for the
    studio's UI (hundreds of components) costs ~100 ms of server CPU per call; with one the state is built once."""

    def __init__(self, url: str, cookies: dict | None = None, session_hash: str | None = None,
                 recorder: "Recorder | None" = None) -> None:
        import httpx

        self.http = httpx.Client(base_url=url, cookies=cookies or {}, timeout=120.0)
        self.session_hash = session_hash or uuid.uuid4().hex
        self.recorder = recorder

    def predict(self, *args, api_name: str):
        response = self.http.post(f"gradio_api/run/{api_name.lstrip('/')}",
                                  json={"data": list(args), "session_hash": self.session_hash})
        if response.status_code != 200:
            try:
                message = response.json().get("error") or response.text
            except ValueError:
                message = response.text
            raise DirectCallError(f"HTTP {response.status_code}: {message}")
        body = response.json()
        if self.recorder is not None and body.get("duration") is not None:
            with self.recorder.lock:  # the handler's own time in the server, as Gradio reports it
                self.recorder.server_times[api_name].append(float(body["duration"]) * 1000.0)
        data = body["data"]
        return data[0] if len(data) == 1 else tuple(data)

    def close(self) -> None:
        self.http.close()


class Caller:
    """A user's connection to the studio: gradio_client for every call, the direct path for the polls."""

    def __init__(self, url: str, auth: tuple[str, str] | None, status_via: str,
                 recorder: "Recorder | None" = None) -> None:
        from gradio_client import Client

        # gradio_client makes a new httpx client for every call; with certificate verification on, each builds an
        # SSL context from the CA bundle (~50 ms CPU per call measured here) even for a plain-HTTP URL. The app is
        # on http://127.0.0.1, so verification has nothing to verify: switching it off leaves only real work.
        self.client = Client(url, auth=auth, verbose=False, ssl_verify=False)
        # The same login and the same session as the client: one session state on the server per user.
        self.direct = (DirectClient(url, self.client.cookies, self.client.session_hash, recorder)
                       if status_via == "direct" else None)

    def predict(self, *args, api_name: str):
        if self.direct is not None and api_name in DIRECT:
            return self.direct.predict(*args, api_name=api_name)
        return self.client.predict(*args, api_name=api_name)

    def close(self) -> None:
        if self.direct is not None:
            self.direct.close()
        self.client.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100.0 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {"count": len(values), "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
            "max_ms": max(values) if values else float("nan"),
            "mean_ms": statistics.fmean(values) if values else float("nan")}


# --------------------------------------------------------------------------------------------- one simulated user
class Clock:
    """The measured period starts once every user has connected (see User.run); users stop starting work after."""

    def __init__(self, users: int, seconds: float) -> None:
        self.seconds = seconds
        self.started = self.stop_at = float("inf")
        self.barrier = threading.Barrier(users + 1, action=self._start)

    def _start(self) -> None:
        self.started = time.monotonic()
        self.stop_at = self.started + self.seconds


class User(threading.Thread):
    def __init__(self, index: int, url: str, recorder: Recorder, clock: Clock, poll: float,
                 auth: tuple[str, str] | None = None, status_via: str = "direct") -> None:
        super().__init__(name=f"user-{index}", daemon=True)
        self.index, self.url, self.recorder, self.clock, self.poll = index, url, recorder, clock, poll
        self.auth, self.status_via = auth, status_via
        self.rng = random.Random(1000 + index)
        self.job_ids: set[int] = set()  # this user's (with --team, the only ones it may read)

    def run(self) -> None:
        # Session start, timed but reported apart from the loop's calls: log in (--team), read the app's config and
        # API info, and make a first call, on which Gradio builds its state for this session (~100 ms of server CPU
        # for the studio's UI, once per session). Then wait until every user has connected, and start together.
        client = None
        try:
            started = time.perf_counter()
            client = Caller(self.url, self.auth, self.status_via, self.recorder)
            client.predict(api_name="/list_projects")
            with self.recorder.lock:
                self.recorder.session_starts.append((time.perf_counter() - started) * 1000.0)
        except Exception as exc:  # noqa: BLE001 - a user who cannot connect or log in is an error of the run
            with self.recorder.lock:
                self.recorder.errors.append(f"session start: {type(exc).__name__}: {str(exc)[:200]}")
        try:
            self.clock.barrier.wait(timeout=600)
        except threading.BrokenBarrierError:
            pass
        if client is None:
            return
        try:
            self.work(client)
        finally:
            client.close()

    def work(self, client: Caller) -> None:
        while time.monotonic() < self.clock.stop_at:
            try:
                self.loop(client)
                with self.recorder.lock:
                    self.recorder.loops += 1
            except Exception:  # noqa: BLE001 - recorded by the recorder; start over after a pause
                time.sleep(1.0)

    def wait_job(self, client, job_id: int) -> dict:
        while True:
            view, _files = self.recorder.call(client, "/job", job_id)
            if view["status"] in FINISHED:
                return view
            time.sleep(self.poll)

    def loop(self, client) -> None:
        call, rng = self.recorder.call, self.rng
        project = call(client, "/create_project", f"Load user {self.index} #{uuid.uuid4().hex[:6]}", "16:9")
        started = call(client, "/generate_hero_frames", project["id"], rng.choice(PROMPTS), 4, "16:9",
                       rng.randrange(1, 10_000))
        self.job_ids.add(started["job_id"])
        self.recorder.job_ids.add(started["job_id"])
        if self.wait_job(client, started["job_id"])["status"] != "succeeded":
            return
        frames, _images = call(client, "/hero_frames", project["id"])
        call(client, "/select_hero_frame", project["id"], frames[0]["id"])
        group = call(client, "/image_to_video", project["id"], rng.choice(MOVES), "", 3, 2.0, -1,
                     rng.randrange(1, 10_000))
        self.job_ids.update(group["job_ids"])
        self.recorder.job_ids.update(group["job_ids"])
        for job_id in group["job_ids"]:
            self.wait_job(client, job_id)
        # Scoring runs as further jobs (made by the attempt jobs): wait on the project's queue, which is plain
        # JSON, rather than re-reading the group, whose answer carries every finished video as a file.
        while any(j["status"] not in FINISHED for j in call(client, "/jobs", project["id"])):
            time.sleep(self.poll)
        group, _videos = call(client, "/generation_group", group["id"])
        done = [a for a in group["attempts"] if a["status"] == "done"]
        if done:
            call(client, "/select_attempt", rng.choice(done)["id"], "load test", [])
        call(client, "/dashboard", project["id"])


# --------------------------------------------------------------------------------------------- reading the outcome
def job_counts(database_url: str) -> tuple[dict[str, int], list[dict]]:
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import Job

    db = Database(database_url)
    try:
        with db.session() as session:
            counts = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
            unfinished = [{"id": j.id, "kind": j.kind, "status": j.status, "worker": j.worker_id, "step": j.step}
                          for j in session.scalars(select(Job).where(Job.status.in_(["queued", "running"])))]
        return counts, unfinished
    finally:
        db.dispose()


def direct_status_reads(database_url: str, job_ids: list[int], reads: int = 300) -> dict[str, float]:
    """The status call without HTTP and Gradio: JobService.get's query and view, timed in this process."""
    from pipeline.services.views import job_view
    from storage.db import Database
    from storage.models import Job

    db = Database(database_url)
    times = []
    try:
        for index in range(reads):
            job_id = job_ids[index % len(job_ids)]
            started = time.perf_counter()
            with db.session() as session:
                job_view(session.get(Job, job_id))
            times.append((time.perf_counter() - started) * 1000.0)
    finally:
        db.dispose()
    return summary(times)


def idle_status_calls(url: str, job_ids: list[int], auth: tuple[str, str] | None,
                      calls: int = 60) -> dict[str, dict[str, float]]:
    """/job from one client on the idle app (the users have stopped), both ways: the floor of one status call.
    ``job_ids`` are the first user's, who is the one logged in with --team."""
    floors = {}
    for via in ("direct", "client"):
        caller = Caller(url, auth, via)
        try:
            caller.predict(job_ids[0], api_name="/job")
            times = []
            for index in range(calls):
                started = time.perf_counter()
                caller.predict(job_ids[index % len(job_ids)], api_name="/job")
                times.append((time.perf_counter() - started) * 1000.0)
        finally:
            caller.close()
        floors[via] = summary(times)
    return floors


def add_accounts(env: dict[str, str], count: int) -> list[tuple[str, str]]:
    """One studio account per simulated user, made with the users CLI against the benchmark's database."""
    accounts = [(f"load{index + 1}", f"load-pw-{uuid.uuid4().hex[:12]}") for index in range(count)]
    for username, password in accounts:
        subprocess.run([sys.executable, "-m", "storage.users", "add", username, "--password-stdin"], cwd=REPO,
                       env={**os.environ, **env}, input=password + "\n", text=True, check=True,
                       capture_output=True)
    return accounts


def services_urls() -> tuple[str, str]:
    output = subprocess.run(["bash", str(REPO / "scripts" / "services.sh")], check=True, capture_output=True,
                            text=True).stdout
    values = dict(part.split("=", 1) for part in output.replace("export ", "").split())
    return values["HFS_TEST_REDIS_URL"], values["HFS_TEST_DATABASE_URL"]


def fresh_schema(database_url: str) -> tuple[str, str]:
    """A schema of its own on PostgreSQL (dropped after the run): the benchmark never touches other data."""
    from sqlalchemy import create_engine, text

    from storage.db import normalize_url

    schema = f"load_{uuid.uuid4().hex[:10]}"
    engine = create_engine(normalize_url(database_url))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    sep = "&" if "?" in database_url else "?"
    return f"{database_url}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(database_url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    from storage.db import normalize_url

    engine = create_engine(normalize_url(database_url))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


# --------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120.0, help="how long users start new work")
    parser.add_argument("--grace", type=float, default=240.0, help="longest wait for the last jobs to finish")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between status polls of one user")
    parser.add_argument("--redis", help="Redis URL (scale-out: the app only enqueues, --workers consume)")
    parser.add_argument("--database", help="SQLAlchemy URL (PostgreSQL: a fresh schema is used and dropped)")
    parser.add_argument("--services", action="store_true", help="use Redis + PostgreSQL from scripts/services.sh")
    parser.add_argument("--workers", type=int, default=None,
                        help="external worker processes "
                             "(default: 0 = the app's embedded worker; 2 with --redis/--services)")
    parser.add_argument("--worker-threads", type=int, default=2)
    parser.add_argument("--worker-nice", type=int, default=10,
                        help="CPU niceness of external workers (they share this machine with the app here)")
    parser.add_argument("--team", action="store_true",
                        help="logins (HFS_AUTH=local) with one account per user, so every call pays ownership checks")
    parser.add_argument("--status-via", choices=("direct", "client"), default="direct",
                        help="how the polls (/job, /jobs, /generation_group) are called: one direct POST "
                             "/gradio_api/run/<name> (default) or gradio_client's queue protocol")
    parser.add_argument("--fail-on", choices=("targets", "correctness"), default="targets",
                        help="exit 1 when any target is missed (default), or only on errors and lost jobs (CI: "
                        "latency on a shared CI machine is reported, not gated)")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder and logs")
    args = parser.parse_args(argv)

    redis_url, database_url = args.redis, args.database
    if args.services:
        redis_url, database_url = services_urls()
    scaled = bool(redis_url)
    workers = args.workers if args.workers is not None else (2 if scaled else 0)
    if workers and not scaled:
        parser.error("--workers needs --redis (or --services): external workers share the queue through Redis")

    tmp = Path(tempfile.mkdtemp(prefix="hfs-load-"))
    data_dir = tmp / "studio-data"
    data_dir.mkdir()
    env = {"HFS_DATA_DIR": str(data_dir), "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "GRADIO_TEMP_DIR": str(tmp / "gradio-tmp"), "HFS_VIDEO_MIN_SHORT_SIDE": "240",
           "HFS_FRAME_LONG_SIDE": "640", "HFS_SCORING_ENABLE_PYIQA": "false",
           "HFS_WORKER_THREADS": str(args.worker_threads), "HFS_QUEUE_NAME": f"load-{uuid.uuid4().hex[:8]}"}
    schema = None
    if database_url and database_url.split(":", 1)[0].startswith("postgres"):
        base_database_url = database_url
        database_url, schema = fresh_schema(base_database_url)
    if database_url:
        env["HFS_DATABASE_URL"] = database_url
    if scaled:
        env.update(HFS_REDIS_URL=redis_url, HFS_QUEUE_MODE="external" if workers else "embedded")
    if args.team:
        env.update(HFS_AUTH="local", HFS_GENERATIONS_PER_HOUR="0")
    resolved_db = database_url or f"sqlite:///{data_dir / 'studio.db'}"
    mode = (f"Redis + {'PostgreSQL' if schema else 'SQLite'}, {workers} external worker(s)" if scaled and workers
            else f"{'Redis' if scaled else 'SQLite'} queue, "
                 f"{'PostgreSQL' if schema else 'SQLite'} database, embedded worker")
    mode += (", team mode (logins, one account per user)" if args.team else ", single user (no logins)")
    mode += f", polls {'direct (POST /gradio_api/run)' if args.status_via == 'direct' else 'via gradio_client'}"
    print(f"Load: {args.users} users for {args.seconds:g} s against `python app.py` ({mode}, "
          f"{args.worker_threads} job threads per worker); data in {tmp}{' (kept)' if args.keep else ''}", flush=True)

    stack = Stack(data_dir, env, workers, nice=args.worker_nice)
    load_before = os.getloadavg()
    recorder = Recorder()
    try:
        accounts = add_accounts(env, args.users) if args.team else [None] * args.users
        stack.start()
        clock = Clock(args.users, args.seconds)
        users = [User(i, stack.url, recorder, clock, args.poll, accounts[i], args.status_via)
                 for i in range(args.users)]
        for user in users:
            user.start()
        clock.barrier.wait(timeout=600)
        started, stop_at = clock.started, clock.stop_at
        cpu_start, own_start = stack.cpu_seconds(), os.times()
        for user in users:
            user.join(timeout=max(0.0, stop_at - time.monotonic()) + args.grace)
        still_running = [u.name for u in users if u.is_alive()]
        # Users stopped starting work; wait for every job in the database to finish (or the grace to run out).
        grace_end = stop_at + args.grace
        counts, unfinished = job_counts(resolved_db)
        while unfinished and time.monotonic() < grace_end:
            time.sleep(2.0)
            counts, unfinished = job_counts(resolved_db)
        elapsed = time.monotonic() - started
        cpu_end, own_end = stack.cpu_seconds(), os.times()
        cpu = {name: round(cpu_end[name] - cpu_start.get(name, 0.0), 1) for name in cpu_end}
        cpu["benchmark clients"] = round((own_end.user + own_end.system) - (own_start.user + own_start.system), 1)
        profile = direct_status_reads(resolved_db, sorted(recorder.job_ids) or [1])
        idle = idle_status_calls(stack.url, sorted(users[0].job_ids) or [1], accounts[0])
        load_after = os.getloadavg()
    finally:
        stack.stop()
        if schema:
            drop_schema(base_database_url, schema)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    enqueue = [v for name in ENQUEUE for v in recorder.latencies.get(name, [])]
    status = [v for name in STATUS for v in recorder.latencies.get(name, [])]
    other = [v for name, values in recorder.latencies.items() if name not in ENQUEUE + STATUS for v in values]
    finished = sum(counts.get(s, 0) for s in FINISHED)
    results = {
        "users": args.users, "seconds": args.seconds, "mode": mode, "worker_threads": args.worker_threads,
        "team": args.team, "status_via": args.status_via,
        "loops_completed": recorder.loops,
        "enqueue": summary(enqueue), "status": summary(status), "other": summary(other),
        "per_endpoint": {name: summary(values) for name, values in sorted(recorder.latencies.items())},
        "session_start": summary(recorder.session_starts),
        "slowest_calls": [{"at_s": round(at - started, 2), "api_name": name, "ms": round(ms, 1)}
                          for at, name, ms in sorted(recorder.timeline, key=lambda c: -c[2])[:25]],
        "enqueue_calls": [{"at_s": round(at - started, 2), "api_name": name, "ms": round(ms, 1)}
                          for at, name, ms in sorted(recorder.timeline) if name in ENQUEUE],
        "server_handler_time": {name: summary(values) for name, values in sorted(recorder.server_times.items())},
        "cpu_seconds_during_run": cpu, "elapsed_s": elapsed,
        "errors": len(recorder.errors), "error_samples": recorder.errors[:10],
        "jobs": counts, "failed_jobs": counts.get("failed", 0), "lost_jobs": len(unfinished),
        "lost_samples": unfinished[:10], "jobs_finished_per_minute": finished / (elapsed / 60.0),
        "status_read_in_process": profile, "status_call_one_idle_client": idle["direct"],
        "status_call_one_idle_client_gradio_client": idle["client"],
        "users_still_running_after_grace": still_running,
        "cpu_count": os.cpu_count(), "load_average_before": load_before, "load_average_after": load_after,
    }
    results["targets"] = {
        "enqueue_p95_ms": results["enqueue"]["p95_ms"] <= TARGETS["enqueue_p95_ms"],
        "status_p95_ms": results["status"]["p95_ms"] <= TARGETS["status_p95_ms"],
        "errors": results["errors"] <= TARGETS["errors"],
        "lost_jobs": results["lost_jobs"] <= TARGETS["lost_jobs"],
    }
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    gated = results["targets"] if args.fail_on == "targets" else \
        {k: results["targets"][k] for k in ("errors", "lost_jobs")}
    return 0 if all(gated.values()) else 1


def print_table(r: dict) -> None:
    print()
    print(r["mode"])
    print(f"{'calls':<28}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for label, key in (("enqueue (frames, i2v)", "enqueue"), ("status (/job)", "status"), ("other calls", "other")):
        s = r[key]
        print(f"{label:<28}{s['count']:>7}{s['p50_ms']:>10.1f}{s['p95_ms']:>10.1f}{s['max_ms']:>10.1f}")
    for name, s in r["per_endpoint"].items():
        print(f"  {name:<26}{s['count']:>7}{s['p50_ms']:>10.1f}{s['p95_ms']:>10.1f}{s['max_ms']:>10.1f}")
    for label, key in (("session start (not in loop)", "session_start"),
                       ("/job idle, direct POST", "status_call_one_idle_client"),
                       ("/job idle, gradio_client", "status_call_one_idle_client_gradio_client"),
                       ("status read, in-process DB", "status_read_in_process")):
        p = r[key]
        print(f"{label:<28}{p['count']:>7}{p['p50_ms']:>10.1f}{p['p95_ms']:>10.1f}{p['max_ms']:>10.1f}")
    print()
    for name, s in r["server_handler_time"].items():
        label = f"{name} in server (Gradio)"
        print(f"{label:<28}{s['count']:>7}{s['p50_ms']:>10.1f}{s['p95_ms']:>10.1f}{s['max_ms']:>10.1f}")
    print()
    print(f"machine: {r['cpu_count']} CPUs, load average {r['load_average_before'][0]:.1f} before, "
          f"{r['load_average_after'][0]:.1f} after")
    if r["cpu_seconds_during_run"]:
        print(f"CPU seconds over the {r['elapsed_s']:.0f} s until the last job ended: " + ", ".join(
            f"{name} {seconds:g}" for name, seconds in r["cpu_seconds_during_run"].items()))
    print(f"loops completed: {r['loops_completed']}   jobs: {r['jobs']}   "
          f"finished/min: {r['jobs_finished_per_minute']:.1f}")
    print(f"API errors: {r['errors']}   failed jobs: {r['failed_jobs']}   lost jobs: {r['lost_jobs']}")
    for sample in r["error_samples"]:
        print(f"  error: {sample}")
    for sample in r["lost_samples"]:
        print(f"  lost: {sample}")
    t = r["targets"]
    print()
    print(f"target p95 enqueue <= {TARGETS['enqueue_p95_ms']:g} ms: {'met' if t['enqueue_p95_ms'] else 'MISSED'}  |  "
          f"p95 status <= {TARGETS['status_p95_ms']:g} ms: {'met' if t['status_p95_ms'] else 'MISSED'}  |  "
          f"0 errors: {'met' if t['errors'] else 'MISSED'}  |  0 lost jobs: {'met' if t['lost_jobs'] else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
