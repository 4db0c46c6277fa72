"""Screenshots of every tab for the docs (docs/TOUR.md): headless Chromium at 1440×900 over the benchmark's demo data
(benchmarks/demo_data.py: 100 projects, 1,000 attempts, real small media), one PNG per tab in docs/screenshots/.

    .venv/bin/python scripts/screenshots.py            # about a minute; rewrites docs/screenshots/*.png
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.demo_data import build as build_demo_data  # noqa: E402
from benchmarks.tab_switch import CHROMIUM_FLAGS, PROJECT_OPEN, SWITCH, TABS  # noqa: E402
from tests.e2e.app_process import AppProcess  # noqa: E402

OUT = REPO / "docs" / "screenshots"
SCROLL = {"1 · Hero frames": 330}  # px down, so that the picture shows the tab's main content (the frames)
FILES = dict(zip(TABS, ["hero-frames", "ad-composer", "attempts", "workspace", "timeline", "dashboard", "library"]))


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="hfs-shots-"))
    try:
        build_demo_data(tmp / "studio-data", 100, 1000)
        app = AppProcess(tmp / "studio-data").start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                                     args=CHROMIUM_FLAGS)
                page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                page.goto(app.url, wait_until="load")
                page.wait_for_function(PROJECT_OPEN, timeout=60000)
                page.wait_for_timeout(3000)
                for name, selector in TABS.items():
                    if page.evaluate(SWITCH, [name, *selector, 30000]) is None:
                        print(f"{name}: content did not appear within 30 s", file=sys.stderr)
                    page.wait_for_timeout(2500)  # videos show their first frame, charts finish drawing
                    page.evaluate(f"window.scrollTo(0, {SCROLL.get(name, 0)})")
                    page.mouse.move(0, 0)  # no hover state in the picture
                    page.wait_for_timeout(300)
                    path = OUT / f"{FILES[name]}.png"
                    page.screenshot(path=str(path))
                    print(f"{path.relative_to(REPO)}: {path.stat().st_size // 1024} KB")
                browser.close()
        finally:
            app.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
