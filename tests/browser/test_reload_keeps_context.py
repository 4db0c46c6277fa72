"""A reload brings back the project and the tab the person had open, not the newest project and the first tab."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _project_shown(page) -> str:
    return page.get_by_label("Project", exact=True).input_value()


def test_reload_keeps_the_project_and_the_tab(page, app):
    from gradio_client import Client

    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    page.get_by_text("Projects & settings").click()
    page.get_by_label("New project name").fill("Kept across reloads")
    page.get_by_role("button", name="New project").click()
    page.wait_for_function("() => document.querySelector('input[aria-label=\"Project\"]')?.value"
                           ".startsWith('Kept across reloads')", timeout=30000)
    page.get_by_role("tab", name="4 · Timeline").click()
    page.wait_for_timeout(1500)  # the tab choice is saved to localStorage
    Client(app.url, verbose=False).predict("Made later elsewhere", "1:1", api_name="/create_project")

    page.reload()
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    page.wait_for_function("() => document.querySelector('input[aria-label=\"Project\"]')?.value.length > 0",
                           timeout=30000)
    page.wait_for_timeout(1000)
    assert _project_shown(page).startswith("Kept across reloads")
    assert page.get_by_role("tab", name="4 · Timeline").get_attribute("aria-selected") == "true"
    assert page.errors == []
