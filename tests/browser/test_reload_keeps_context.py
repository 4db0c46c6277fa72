"""A reload brings back the project and the tab the person had open, not the newest project and the first tab."""
from __future__ import annotations

import pytest

from tests.browser.conftest import errors_besides_reload

pytestmark = pytest.mark.browser


def _project_shown(page) -> str:
    return page.get_by_label("Project", exact=True).input_value()


def test_reload_keeps_the_project_and_the_tab(page, app):
    from gradio_client import Client

    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    # The first load opens (here: creates) a project; on a busy machine it can answer after a quick click and
    # would switch back to it, so wait for it before creating the one to keep.
    page.wait_for_function("() => document.querySelector('input[aria-label=\"Project\"]')?.value.length > 0",
                           timeout=60000)
    page.wait_for_timeout(2000)
    page.get_by_text("Projects & settings").click()
    page.get_by_label("New project name").fill("Kept across reloads")
    page.get_by_role("button", name="New project").click()
    page.wait_for_function("() => document.querySelector('input[aria-label=\"Project\"]')?.value"
                           ".startsWith('Kept across reloads')", timeout=30000)
    page.wait_for_timeout(4000)  # the project id reaches localStorage in a second event after the create
    page.get_by_role("tab", name="4 · Timeline").click()
    page.wait_for_timeout(4000)  # the tab choice too (generous: CI shares 2 cores)
    Client(app.url, verbose=False).predict("Made later elsewhere", "1:1", api_name="/create_project")

    page.reload()
    page.get_by_text("Hero Frame Studio").first.wait_for(timeout=30000)
    page.wait_for_function("() => document.querySelector('input[aria-label=\"Project\"]')?.value.length > 0",
                           timeout=30000)
    page.wait_for_timeout(1000)
    assert _project_shown(page).startswith("Kept across reloads"), _project_shown(page)
    assert page.get_by_role("tab", name="4 · Timeline").get_attribute("aria-selected") == "true"
    assert errors_besides_reload(page) == []
