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

from pipeline.jobs import HEARTBEAT_INTERVAL
from pipeline.settings import Settings

log = logging.getLogger("pipeline.worker")
PR_SET_PDEATHSIG = 1


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


def start_worker_process(settings: Settings) -> subprocess.Popen:
    """Start a worker as a child process bound to this one (it exits when the app exits or is killed)."""
    env = {**os.environ, **settings_env(settings)}
    command = [sys.executable, "-m", "pipeline.worker", "--parent-pid", str(os.getpid())]
    return subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass  # not Linux: the parent watcher thread below still ends the worker


def _housekeeping(runner, stale_seconds: float, parent_pid: int | None) -> None:
    last_sweep = 0.0
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
        except Exception:  # noqa: BLE001 - a locked database now and then must not kill housekeeping
            log.exception("Worker housekeeping failed; retrying")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.worker", description=__doc__)
    parser.add_argument("--threads", type=int, default=None, help="jobs run at once (default: settings)")
    parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")

    from pipeline.services import build_services

    settings = Settings(queue_mode="external")
    services = build_services(settings)
    services.runner.recover_orphans(settings.job_stale_seconds)
    threading.Thread(target=_housekeeping, daemon=True, name="worker-housekeeping",
                     args=(services.runner, settings.job_stale_seconds, args.parent_pid)).start()
    consumer = services.queue.huey.create_consumer(workers=args.threads or settings.worker_threads,
                                                   worker_type="thread", periodic=False)
    log.info("Worker %s consuming %s", services.runner.worker_id, settings.redis_url and "Redis" or settings.queue_path)
    consumer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
