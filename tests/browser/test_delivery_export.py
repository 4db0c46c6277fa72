"""Delivery export from the Timeline tab: choose Delivery and 4:5, export, and the file is offered under the
project's name and version (the stored file keeps its id-based name)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import reload_on_latest_project
from tests.timeline.conftest import make_clip

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("HFS_SCREENSHOT_DIR", "/tmp/hfs-screenshots"))


def test_delivery_export_is_offered_under_a_readable_name(page, app, tmp_path):
    from gradio_client import Client, handle_file

    SHOTS.mkdir(parents=True, exist_ok=True)
    client = Client(app.url, verbose=False)
    project = client.predict("Perfume launch", "16:9", api_name="/create_project")
    clip = make_clip(tmp_path / "bottle.mp4", (180, 120, 200), seconds=1.0, size=(320, 180))
    client.predict(project["id"], handle_file(str(clip)), "bottle", -1, api_name="/upload_clip")

    reload_on_latest_project(page)  # the project was made after the page opened; the reload opens it
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    page.errors.clear()  # the first page's connections, cut by the reload, log "Connection errored out"
    page.get_by_role("tab", name="4 · Timeline").click()
    page.wait_for_function("() => document.querySelector('#timeline-header')?.textContent.includes('1 clip(s)')",
                           timeout=30000)
    page.locator("#export-aspect").get_by_label("4:5").check()
    page.locator("#export-quality").get_by_label("Delivery").check()
    page.get_by_role("button", name="Export 1080p MP4").click()

    link = page.locator("#export-file a[download]").first
    link.wait_for(state="visible", timeout=120000)
    versions = client.predict(project["id"], False, api_name="/timeline_versions")
    exported = next(v for v in versions if v["exported_file"])
    assert link.get_attribute("download") == f"Perfume launch – v{exported['version']}.mp4"
    assert Path(exported["exported_file"]).name.startswith(f"p{project['id']}-v{exported['version']}-")
    assert exported["edit_list"]["aspect_ratio"] == "4:5"
    page.screenshot(path=str(SHOTS / "timeline-delivery-export.png"))
    assert page.errors == [], "\n".join(page.errors)
