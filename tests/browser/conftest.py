"""Headless Debian Chromium driven by Playwright against the real app (Playwright cannot download a browser here)."""
from __future__ import annotations

import shutil

import pytest

from tests.e2e.app_process import AppProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    process = AppProcess(tmp_path_factory.mktemp("browser") / "studio-data").start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is required for the browser tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app, tmp_path):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(f"page error: {error}"))
    page.on("console", lambda msg: page.errors.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.goto(app.url, wait_until="load")
    yield page
    context.close()


def errors_besides_reload(page) -> list[str]:
    """The page's errors, less the ones a reload causes by cutting the old page's open connections."""
    cut = ("AbortError", "Connection errored out")
    return [error for error in page.errors if not any(mark in error for mark in cut)]


def reload_on_latest_project(page) -> None:
    """Reload the page onto the most recently changed project: the remembered one is forgotten first. Whether the
    page's first load (before the test made its project) created and remembered a "My first project" is a race."""
    page.evaluate("() => localStorage.removeItem('hero-frame-studio-last')")
    page.reload()
