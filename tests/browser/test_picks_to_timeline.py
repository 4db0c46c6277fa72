"""Pick → timeline: a finished group's pick is on the Timeline tab without looking for a button; after the user
edits the timeline, a new pick is offered ("1 new pick … Add them to the timeline") instead of changing it silently."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.browser.conftest import errors_besides_reload, reload_on_latest_project

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("HFS_SCREENSHOT_DIR", "/tmp/hfs-screenshots"))


def _wait_group(client, group_id: int, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        group, _ = client.predict(group_id, api_name="/generation_group")
        if group.get("selection_reason") and all(a["status"] in ("done", "failed") for a in group["attempts"]):
            return group
        time.sleep(0.5)
    raise TimeoutError(f"group {group_id} did not finish")


def _open_timeline(page):
    reload_on_latest_project(page)
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    page.get_by_role("tab", name="4 · Timeline").click()


def test_picks_reach_the_timeline_and_new_ones_are_offered(page, app):
    from gradio_client import Client

    SHOTS.mkdir(parents=True, exist_ok=True)
    client = Client(app.url, verbose=False)
    project = client.predict("Picks flow", "16:9", api_name="/create_project")
    job = client.predict(project["id"], "a ceramic teapot on linen, window light", 4, "", 5, "", "",
                         api_name="/generate_hero_frames")
    deadline = time.monotonic() + 120
    while client.predict(job["job_id"], api_name="/job")[0]["status"] != "succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    frames, _ = client.predict(project["id"], api_name="/hero_frames")
    client.predict(project["id"], frames[0]["id"], api_name="/select_hero_frame")
    first = client.predict(project["id"], "slow push in", "", 2, 2.0, -1, 3, "", api_name="/image_to_video")
    _wait_group(client, first["id"])

    _open_timeline(page)
    header = page.locator("#timeline-header")
    page.wait_for_function("() => document.querySelector('#timeline-header')?.textContent.includes('1 clip(s)')",
                           timeout=30000)
    assert not page.locator("#timeline-new-picks").is_visible()

    client.predict(project["id"], "set_fades", '{"fade_in": 0.5}', api_name="/timeline_edit")  # the user's edit
    second = client.predict(project["id"], "slow pan left", "", 2, 2.0, -1, 8, "", api_name="/image_to_video")
    _wait_group(client, second["id"])
    _open_timeline(page)
    offer = page.locator("#timeline-new-picks")
    offer.wait_for(state="visible", timeout=30000)
    assert "1 new pick" in offer.inner_text() and "1 clip(s)" in header.inner_text()
    page.screenshot(path=str(SHOTS / "timeline-new-picks.png"))
    offer.get_by_role("button", name="Add them to the timeline").click()
    page.wait_for_function("() => document.querySelector('#timeline-header')?.textContent.includes('2 clip(s)')",
                           timeout=30000)
    assert not offer.is_visible()
    assert "fades 0.5" in header.inner_text()  # the edit is kept
    assert errors_besides_reload(page) == []
