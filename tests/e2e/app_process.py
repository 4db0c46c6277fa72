"""Start `python app.py` in a subprocess on a free port, the way a user does, and wait until it answers."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pipeline.worker import die_with_parent

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppProcess:
    def __init__(self, data_dir: Path, port: int | None = None, cwd: Path | None = None, **env: str) -> None:
        self.data_dir = data_dir
        self.cwd = cwd or ROOT  # another folder: started as `python /abs/path/app.py`, like systemd or Docker
        self.port = port or free_port()
        self.env = {**os.environ, "HFS_DATA_DIR": str(data_dir), "HFS_PORT": str(self.port),
                    "HFS_HOST": "127.0.0.1", "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                    "GRADIO_TEMP_DIR": str(data_dir.parent / "gradio-tmp"), **env}
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir.parent / f"app-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 90.0) -> "AppProcess":
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=self.cwd, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=die_with_parent)  # no app outlives a killed test run
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The app exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"The app did not answer within {timeout} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL the app only (its worker child must die with it, as after a crash)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Clean up any worker left in the process group.
        if self.process:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""
