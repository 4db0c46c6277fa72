"""What the browser remembers across a reload: the project and the tab it had open (localStorage, per browser).

Only ids live there, and an id read back is a hint: the project is reopened through the access check
(ProjectService.open_or_latest), so another account signed in on the same browser never sees it.
"""
from __future__ import annotations

from typing import Any

import gradio as gr

STORAGE_KEY = "hero-frame-studio-last"
DEFAULT = {"project_id": None, "tab": None}


def browser_memory() -> gr.BrowserState:
    return gr.BrowserState(dict(DEFAULT), storage_key=STORAGE_KEY)


def remember_project(project_id: Any, memory: dict | None) -> dict:
    return {**DEFAULT, **(memory or {}), "project_id": project_id}


def remember_tab(tab_id: str, memory: dict | None) -> dict:
    return {**DEFAULT, **(memory or {}), "tab": tab_id}


def restore_tab(memory: dict | None, known: tuple[str, ...]) -> Any:
    tab = (memory or {}).get("tab")
    # Only a tab the person chose elsewhere than the first: an update to the first would only race a quick click.
    return gr.Tabs(selected=tab) if tab in known and tab != known[0] else gr.skip()


def wire(demo: gr.Blocks, memory: gr.BrowserState, project_id: gr.State, tabs: gr.Tabs,
         tab_list: list[gr.Tab]) -> None:
    """Save the project and the tab as they change; bring the tab back on load (the project bar brings the
    project back itself)."""
    from functools import partial

    from studio.components import private

    known = tuple(tab.id for tab in tab_list)
    project_id.change(remember_project, [project_id, memory], memory, **private)
    for tab in tab_list:
        tab.select(partial(remember_tab, tab.id), memory, memory, **private)
    demo.load(partial(restore_tab, known=known), memory, tabs, **private)
