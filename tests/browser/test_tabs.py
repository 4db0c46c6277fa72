"""The page loads, every tab opens, and nothing errors in the browser or the server."""
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

TABS = ["1 · Hero frames", "2 · Attempts", "3 · Workspace", "4 · Timeline", "5 · Dashboard", "6 · Library"]
SHOTS = Path(os.environ.get("HFS_SCREENSHOT_DIR", "/tmp/hfs-screenshots"))


def test_every_tab_opens_without_errors(page, app):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    for number, name in enumerate(TABS, 1):
        page.get_by_role("tab", name=name).click()
        page.wait_for_timeout(800)
        assert page.get_by_role("tab", name=name).get_attribute("aria-selected") == "true"
        page.screenshot(path=str(SHOTS / f"tab-{number}.png"), full_page=True)
    assert page.errors == []
    assert "Traceback" not in app.log()
