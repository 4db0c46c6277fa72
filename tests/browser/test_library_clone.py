"""Library → Clone settings → "Edit in the Attempts tab": the Attempts form opens filled with the attempt's settings
and its hero frame, ready to edit and generate."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("HFS_SCREENSHOT_DIR", "/tmp/hfs-screenshots"))
MOTION = "slow orbit right around the lamp"


@pytest.fixture(scope="module")
def finished_attempt(app):
    from gradio_client import Client

    client = Client(app.url, verbose=False)
    project = client.predict("Clone source", "16:9", api_name="/create_project")
    job = client.predict(project["id"], "a brass desk lamp, studio light", 4, "", 9, "", "",
                         api_name="/generate_hero_frames")
    _wait(client, job["job_id"])
    frames, _ = client.predict(project["id"], api_name="/hero_frames")
    client.predict(project["id"], frames[0]["id"], api_name="/select_hero_frame")
    group = client.predict(project["id"], MOTION, "blurry", 1, 2.0, -1, 4, "", api_name="/image_to_video")
    _wait(client, group["job_ids"][0])
    client.predict("Clone target", "16:9", api_name="/create_project")  # the project the browser opens last
    return group


def _wait(client, job_id: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view, _ = client.predict(job_id, api_name="/job")
        if view["status"] in ("succeeded", "failed", "cancelled"):
            assert view["status"] == "succeeded", view
            return
        time.sleep(0.5)
    raise TimeoutError(f"job {job_id} did not finish")


def test_clone_settings_fill_the_attempts_form(page, app, finished_attempt):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    page.get_by_role("tab", name="6 · Library").click()
    page.get_by_label("Search prompts and names").fill("orbit right")
    page.get_by_role("button", name="Search", exact=True).click()
    cell = page.locator("#library-results").get_by_text(MOTION).filter(visible=True).first
    cell.wait_for(timeout=30000)
    cell.click()
    page.get_by_role("button", name="Clone settings").click()
    page.get_by_role("button", name="Edit in the Attempts tab →").click()
    attempts_tab = page.get_by_role("tab", name="2 · Attempts")
    page.wait_for_function("() => [...document.querySelectorAll('[role=tab]')].some("
                           "t => t.textContent.includes('2 · Attempts') && t.getAttribute('aria-selected') === 'true')",
                           timeout=30000)
    assert attempts_tab.get_attribute("aria-selected") == "true"
    motion = page.get_by_label("Motion prompt (the camera move)")
    page.wait_for_function(f"() => [...document.querySelectorAll('textarea')].some(t => t.value === {MOTION!r})",
                           timeout=30000)
    assert motion.input_value() == MOTION
    assert page.get_by_label("Negative prompt").first.input_value() == "blurry"
    page.get_by_text("Frame #").first.wait_for(timeout=30000)  # the hero frame came with the settings
    page.screenshot(path=str(SHOTS / "library-clone-to-attempts.png"), full_page=True)
    assert not [e for e in page.errors if "favicon" not in e]
    assert "Traceback" not in app.log()
