"""A creative uploads a small 3:2 product photo into a 16:9 project: the studio says what the photo is (3:2, not
"16:9"), warns that a 1080p export will look soft, and lets them choose how attempts fit it to 16:9."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("HFS_SCREENSHOT_DIR", "/tmp/hfs-screenshots"))


def test_a_small_photo_is_labelled_warned_about_and_fitted_by_choice(page, app, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "bottle.jpg"
    pixels = np.full((400, 600, 3), 170, np.uint8)
    pixels[90:330, 250:350] = (200, 40, 30)
    Image.fromarray(pixels).save(photo, quality=92)
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    page.get_by_text("Upload a photo (JPEG, PNG or WebP)").click()
    page.get_by_label("Enhance it").uncheck()
    page.locator("input[type=file]").first.set_input_files(str(photo))
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Add to hero frames").click()
    toast = page.get_by_text("will look soft", exact=False).first
    toast.wait_for(timeout=30000)
    assert "600×400 (3:2)" in toast.inner_text()
    details = page.locator("table.details-table").first
    details.wait_for(timeout=15000)
    text = details.inner_text()
    assert "600×400 (3:2)" in text and "crop around the subject" in text and "16:9" in text
    page.locator("#fit-mode").get_by_text("extend it with a soft backdrop").click()
    page.get_by_text("extend with a soft backdrop (nothing cut off)").first.wait_for(timeout=15000)
    page.screenshot(path=str(SHOTS / "photo-warning.png"), full_page=True)
    assert page.errors == []
    assert "Traceback" not in app.log()
