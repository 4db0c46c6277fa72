"""The web process's watch over its embedded worker: start it from the repository whatever the current folder is,
notice when it exits, say why, and start it again with a growing pause.

A worker that dies silently is the worst failure a studio can have: the UI keeps answering while every job stays
"queued" for ever. So the worker's own error output goes to a log file in the data folder, its last line becomes
the reason shown in the UI and on ``/health``, and the restarts back off (1 s, 2 s, 4 s … 60 s) so a worker that
cannot start does not spin.
"""
from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline.settings import Settings

log = logging.getLogger("pipeline.supervisor")

#: The repository root: the folder that holds the ``pipeline`` package (what the worker must be able to import).
REPOSITORY = Path(__file__).resolve().parent.parent
FIRST_BACKOFF, MAX_BACKOFF = 1.0, 60.0
#: A worker that ran this long before it exited is treated as healthy: the next restart waits FIRST_BACKOFF again.
HEALTHY_RUN_SECONDS = 60.0
#: For this long after a restart the UI still says that the worker stopped and came back.
RECENT_RESTART_SECONDS = 120.0


@dataclass
class WorkerStatus:
    """What the UI banner and /health say about the worker."""

    state: str  # running | restarting | stopped | external | inline
    pid: int | None = None
    restarts: int = 0
    reason: str = ""  # why it last exited, in the worker's own last words (no paths)
    next_try_in: float | None = None
    restarted_at: float | None = None  # time.time() of the last restart, so the UI can say it for a while
    log_file: str = field(default="", repr=False)

    @property
    def healthy(self) -> bool:
        return self.state in ("running", "external", "inline")

    def recently_restarted(self, within: float = RECENT_RESTART_SECONDS) -> bool:
        return self.state == "running" and self.restarted_at is not None and time.time() - self.restarted_at < within

    def sentence(self) -> str:
        if self.state == "running" and self.recently_restarted():
            ago = time.time() - (self.restarted_at or time.time())
            return (f"The worker stopped ({self.reason or 'no reason given'}) and was restarted {ago:.0f} s ago; "
                    "work that was running is taken up again.")
        if self.state == "running":
            return "The worker is running." + (f" It was restarted {self.restarts}×." if self.restarts else "")
        if self.state == "restarting":
            wait = f" in {self.next_try_in:.0f} s" if self.next_try_in else ""
            return f"The worker stopped: {self.reason or 'no reason given'}; restarting{wait}."
        if self.state == "stopped":
            return "The worker is stopped."
        if self.state == "external":
            return "Work runs on separate worker processes (python -m pipeline.worker)."
        return "Work runs inline (no queue)."


def worker_environment(settings: Settings) -> dict[str, str]:
    """The environment of a worker child: this process's, the settings as HFS_* variables, and the repository on
    PYTHONPATH (started as ``python /abs/path/app.py`` from another folder, ``-m pipeline.worker`` finds nothing
    otherwise)."""
    from pipeline.worker import settings_env

    env = {**os.environ, **settings_env(settings)}
    paths = [str(REPOSITORY), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


class WorkerSupervisor:
    """Starts the embedded worker and keeps it running; ``status()`` for the UI and /health."""

    def __init__(self, settings: Settings, start: Callable[[Settings, Path], subprocess.Popen] | None = None,
                 poll_seconds: float = 0.5) -> None:
        from pipeline.worker import start_worker_process

        self.settings = settings
        self._start = start or start_worker_process
        self.poll_seconds = poll_seconds
        self.log_file = Path(settings.data_dir) / "logs" / "worker.log"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._process: subprocess.Popen | None = None
        self._status = WorkerStatus("stopped", log_file=str(self.log_file))
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ control
    def start(self) -> "WorkerSupervisor":
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._launch()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="worker-supervisor")
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with self._lock:
            process = self._process
            self._status.state = "stopped"
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()

    def status(self) -> WorkerStatus:
        with self._lock:
            return WorkerStatus(**{**self._status.__dict__})

    @property
    def process(self) -> subprocess.Popen | None:
        return self._process

    # ------------------------------------------------------------ internals
    def _launch(self) -> None:
        process = self._start(self.settings, self.log_file)
        with self._lock:
            self._process = process
            self._status.state, self._status.pid, self._status.next_try_in = "running", process.pid, None
        self._started_at = time.monotonic()
        log.info("Worker started (pid %s)", process.pid)

    def _watch(self) -> None:
        backoff = FIRST_BACKOFF
        while not self._stop.wait(self.poll_seconds):
            process = self._process
            if process is None or process.poll() is None:
                continue
            ran = time.monotonic() - self._started_at
            backoff = FIRST_BACKOFF if ran >= HEALTHY_RUN_SECONDS else backoff
            reason = exit_reason(process.returncode, self.log_file)
            log.error("The worker stopped (%s); restarting in %.0f s", reason, backoff)
            with self._lock:
                self._status.state, self._status.reason = "restarting", reason
                self._status.pid, self._status.next_try_in = None, backoff
            if self._stop.wait(backoff):
                return
            with self._lock:
                self._status.restarts += 1
                self._status.restarted_at = time.time()
            try:
                self._launch()
            except OSError as exc:
                with self._lock:
                    self._status.reason = f"could not start it ({exc.strerror or exc})"
                    self._started_at = time.monotonic()
            backoff = min(MAX_BACKOFF, backoff * 2)


def exit_reason(returncode: int | None, log_file: Path) -> str:
    """Why a worker exited, in one line: its last error line from the log (server paths scrubbed), or the signal
    or exit code."""
    import signal

    line = last_error_line(log_file)
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}" + (f" ({line})" if line else "")
    return line or f"exit code {returncode}"


def last_error_line(log_file: Path, tail_bytes: int = 8192) -> str:
    """The last line of the worker's log that looks like an error (a Python exception line or an ERROR record)."""
    try:
        with open(log_file, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - tail_bytes))
            lines = handle.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    from pipeline.text import strip_paths

    for line in reversed(lines):
        text = line.strip()
        if not text or text.startswith(("File ", "Traceback", "^", "~")):
            continue
        if "Error" in text or "Exception" in text or " ERROR " in text or text.startswith("No module"):
            return strip_paths(text)[:200]
    return ""
