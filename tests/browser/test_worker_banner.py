"""A person sees it when the worker stops: a banner at the top says why and that it is restarting, and it clears."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("HFS_SCREENSHOT_DIR", "/tmp/hfs-screenshots"))


def test_killing_the_worker_shows_a_banner_and_it_comes_back(page, app):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    banner = page.locator("#health-banner .health-banner")
    assert banner.count() == 0  # all is well: no banner
    pid = httpx.get(app.url + "health", timeout=30).json()["worker"]["pid"]
    os.kill(pid, signal.SIGKILL)
    banner.first.wait_for(timeout=20000)  # polled every 5 s
    text = banner.first.inner_text()
    assert "worker stopped" in text and "SIGKILL" in text, text
    page.screenshot(path=str(SHOTS / "worker-banner.png"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        health = httpx.get(app.url + "health", timeout=30).json()
        if health["worker"]["state"] == "running" and health["worker"]["pid"] != pid:
            break
        time.sleep(0.5)
    assert health["worker"]["restarts"] >= 1 and health["status"] == "ok"
    assert page.errors == []
