"""Worker process: `python -m pipeline.worker` consumes the studio's queue (SQLite or Redis).

Huey's consumer must run on the main thread (it installs signal handlers), so the app never runs it in a thread:
in embedded mode the app starts this module as a child process that dies with its parent.
"""
from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipeline.jobs import HEARTBEAT_INTERVAL, this_worker_id
from pipeline.settings import Settings

log = logging.getLogger("pipeline.worker")
PR_SET_PDEATHSIG = 1
EMBEDDED_NICE = 10


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as HFS_* variables, so a child process sees exactly the parent's configuration."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        env[f"HFS_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    env["HFS_DATABASE_URL"] = settings.resolved_database_url
    env["HFS_QUEUE_MODE"] = "external"
    return env


def start_worker_process(settings: Settings, log_file: Path | None = None) -> subprocess.Popen:
    """Start a worker as a child process bound to this one (it exits when the app exits or is killed). Its output
    is appended to ``log_file`` when given (the supervisor reads the reason of an exit from there)."""
    from pipeline.supervisor import REPOSITORY, worker_environment

    # Lower priority than the web process: renders and scoring must not make the UI and the API slow to answer.
    command = [sys.executable, "-m", "pipeline.worker", "--parent-pid", str(os.getpid()),
               "--nice", str(EMBEDDED_NICE)]
    output = open(log_file, "ab") if log_file is not None else None  # noqa: SIM115 - the child keeps it open
    try:
        return subprocess.Popen(command, env=worker_environment(settings), preexec_fn=die_with_parent,
                                stdout=output, stderr=subprocess.STDOUT if output else None,
                                cwd=os.getcwd() if os.path.isdir(os.getcwd()) else str(REPOSITORY))
    finally:
        if output is not None:
            output.close()


def die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass  # not Linux: the parent watcher thread below still ends the worker


def _housekeeping(runner, stale_seconds: float, parent_pid: int | None) -> None:
    """Heartbeats every second; every few seconds, recover jobs of dead or silent workers (any worker's sweep
    may take them, once); now and then, re-send queued jobs whose queue message was lost."""
    last_sweep = last_resend = time.monotonic()
    resend_after = max(4 * stale_seconds, 60.0)
    while True:
        time.sleep(1.0)
        if parent_pid is not None and os.getppid() != parent_pid:
            log.warning("The studio process is gone; the worker stops.")
            os.kill(os.getpid(), signal.SIGTERM)
            return
        try:
            now = time.monotonic()
            runner.beat()
            if now - last_sweep >= HEARTBEAT_INTERVAL:
                last_sweep = now
                runner.recover_orphans(stale_seconds)
            if now - last_resend >= resend_after / 2:
                last_resend = now
                runner.resend_lost(resend_after)
        except Exception:  # noqa: BLE001 - a locked database now and then must not kill housekeeping
            log.exception("Worker housekeeping failed; retrying")


def _warm_scoring(settings: Settings) -> None:
    try:
        import scoring

        log.info("Scoring ready: %s", scoring.warmup(enable_pyiqa=settings.scoring_enable_pyiqa))
    except Exception:  # noqa: BLE001 - the first score will load (or report) the same thing itself
        log.exception("Scoring warm-up failed; the first score loads it instead")


def describe_queue(settings: Settings) -> str:
    """Where this worker takes work from, without credentials."""
    from sqlalchemy.engine import make_url

    from storage.db import normalize_url

    url = make_url(normalize_url(settings.resolved_database_url))
    if url.get_backend_name() == "sqlite":
        database = f"SQLite {url.database}"
    else:
        database = f"{url.get_backend_name()} {url.host or ''}:{url.port or ''}/{url.database or ''}"
    if settings.redis_url:
        redis = make_url(settings.redis_url.replace("rediss://", "redis://", 1))
        queue = f"Redis {redis.host}:{redis.port or 6379}/{redis.database or 0} queue '{settings.queue_name}'"
    else:
        queue = f"SQLite queue {settings.queue_path}"
    return f"{queue}; database {database}; media {settings.media_dir}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.worker", description=__doc__,
                                     epilog="SIGINT: finish the running jobs, then exit. SIGTERM: exit now; the "
                                     "running jobs go back to the queue for other workers.")
    parser.add_argument("--threads", type=int, default=None, help="jobs run at once (default: settings)")
    parser.add_argument("--nice", type=int, default=0,
                        help="lower this worker's CPU priority by N (0-19), e.g. on a machine that also serves the UI")
    parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.nice > 0:
        try:
            os.nice(min(args.nice, 19))  # inherited by the ffmpeg processes it starts
        except OSError:
            pass
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")

    from pipeline.services import build_services

    settings = Settings(queue_mode="external")
    services = build_services(settings)
    if settings.worker_name:
        services.runner.worker_id = this_worker_id(settings.worker_name)
    services.runner.recover_orphans(settings.job_stale_seconds)
    # Scoring's imports (torch, pyiqa) take seconds: pay them beside the first jobs, not inside the first score.
    threading.Thread(target=_warm_scoring, args=(settings,), daemon=True, name="scoring-warmup").start()
    threading.Thread(target=_housekeeping, daemon=True, name="worker-housekeeping",
                     args=(services.runner, settings.job_stale_seconds, args.parent_pid)).start()
    consumer = services.queue.huey.create_consumer(workers=args.threads or settings.worker_threads,
                                                   worker_type="thread", periodic=False,
                                                   max_delay=settings.worker_poll_max_seconds)
    log.info("Worker %s consuming %s", services.runner.worker_id, describe_queue(settings))
    try:
        consumer.run()
    finally:
        # After SIGTERM (or a consumer error) the job threads are abandoned at exit: give their jobs back now.
        try:
            services.runner.release_running()
        except Exception:  # noqa: BLE001 - the other workers' sweeps recover them later anyway
            log.exception("Could not release the running jobs; other workers will recover them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
