"""The workspace's synced player keeps 3 attempts within one frame of each other after play, seek and step,
in Debian's Chromium against the real app (videos served by Gradio from the media root)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.e2e.app_process import AppProcess

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("HFS_SCREENSHOT_DIR", "/tmp/hfs-screenshots"))
TIMES = "() => Array.from(document.querySelectorAll('#workspace-player video')).map(v => v.currentTime)"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A project with one group of 3 finished, scored attempts, seeded through the services, then the app."""
    from pipeline.services import build_services

    data = tmp_path_factory.mktemp("synced") / "studio-data"
    services = build_services(make_settings(data))
    try:
        project = services.projects.create("Synced player", "16:9")
        services.hero_frames.generate(project.id, "a perfume bottle on glass, soft light", 4, "16:9", 11)
        frame = services.hero_frames.list(project.id)[0]
        services.projects.select_hero_frame(project.id, frame.id)
        group = services.attempts.start_group(project.id, "slow push in", "", 3, duration=2.0, seed=3)
        assert [a.status for a in services.attempts.group(group.id).attempts] == ["done"] * 3
    finally:
        services.close()
    process = AppProcess(data).start()
    yield process
    process.stop()


def _spread(page) -> tuple[float, list[float]]:
    times = page.evaluate(TIMES)
    return max(times) - min(times), times


def test_three_attempts_stay_in_sync(page, app):
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    page.get_by_role("tab", name="3 · Workspace").click()
    videos = page.locator("#workspace-player video.sp-video")
    videos.nth(2).wait_for(timeout=30000)
    assert videos.count() == 3
    page.wait_for_function("() => Array.from(document.querySelectorAll('#workspace-player video'))"
                           ".every(v => v.readyState >= 2)", timeout=30000)
    fps = float(page.locator("#workspace-player .sp-root").get_attribute("data-fps"))
    frame = 1.0 / fps
    # score badges and the system pick are shown
    assert page.locator("#workspace-player .sp-score").count() == 3
    assert page.locator("#workspace-player .pick-badge").count() == 1

    toggle = page.locator("#workspace-player [data-act='toggle']")
    toggle.click()
    during = []
    for _ in range(12):  # while playing: the followers track the master clock
        page.wait_for_timeout(100)
        during.append(_spread(page)[0])
    assert max(during[2:]) <= frame, f"spread while playing: {during}"
    playing = page.evaluate("() => Array.from(document.querySelectorAll('#workspace-player video'))"
                            ".map(v => !v.paused)")
    toggle.click()
    page.wait_for_timeout(300)
    spread, times = _spread(page)
    assert all(playing), "every video plays (H.264 in Chromium)"
    assert min(times) > 0.2, f"the clips played: {times}"
    assert spread <= frame, f"after play/pause: {times}"

    seek = page.locator("#workspace-player .sp-seek")
    seek.fill("30")  # frame 30
    page.wait_for_timeout(400)
    spread, times = _spread(page)
    assert spread <= frame and abs(times[0] - 30.5 * frame) < frame, f"after seek: {times}"

    forward = page.locator("#workspace-player [data-act='step'][data-n='1']")
    for _ in range(3):
        forward.click()
        page.wait_for_timeout(150)
    page.wait_for_timeout(300)
    spread, times = _spread(page)
    assert spread <= frame and abs(times[0] - 33.5 * frame) < frame, f"after 3 steps: {times}"
    assert "frame 33" in page.locator("#workspace-player .sp-time").inner_text()

    # the A/B wipe: two videos stacked under one control bar, a wipe slider moves the divider
    page.get_by_label("A/B wipe").first.check()
    page.locator("#workspace-player .sp-wipe").wait_for(timeout=10000)
    assert page.locator("#workspace-player video.sp-video").count() == 2
    page.locator("#workspace-player .sp-wipe").fill("25")
    assert "25%" in page.locator("#workspace-player .sp-wipe-top").get_attribute("style")
    page.locator("#workspace-player [data-act='toggle']").click()
    page.wait_for_timeout(800)
    page.locator("#workspace-player [data-act='toggle']").click()
    page.wait_for_timeout(300)
    spread, times = _spread(page)
    assert spread <= frame, f"wipe after play/pause: {times}"

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "synced-player.png"), full_page=True)
    assert page.errors == []
    assert "Traceback" not in app.log()
