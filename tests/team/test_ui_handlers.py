"""Every UI event handler checks ownership on the server, even with a forged session.

The browser keeps the current project in a per-session ``gr.State``, which a client cannot normally set. This test
assumes the worst: it calls every handler of the studio's UI (``demo.fns``) as bob with the project state forced to
alice's private project. A positive control first runs the same sweep on bob's own project, to prove the handlers
really run and show project data; then, on alice's project, no handler may show her data, and nothing of hers may
change.
"""
from __future__ import annotations

import copy
import inspect
from typing import Any

import gradio as gr
import pytest
from sqlalchemy import func, select

from pipeline.access import acting_as
from storage.models import GenerationGroup, HeroFrame, Job, Project, TimelineVersion, VideoAttempt
from tests.team.test_ownership_core import _alice_project, _services

# Handlers tell the user what is missing with gr.Warning; outside a browser session that is a Python warning.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
ALICE_SECRET = "black sand"  # from her private prompt
BOB_MARK = "teapot"


def _call(block_fn, args: list[Any], username: str) -> Any:
    from gradio.helpers import special_args

    request = gr.Request(username=username, session_hash=f"session-{username}")
    values, *_indices = special_args(block_fn.fn, list(args), request, None)
    result = block_fn.fn(*values)
    if inspect.isgenerator(result):
        result = list(result)
    return result


def _text(value: Any, depth: int = 0) -> str:
    """Everything an output carries, as text: component updates (gr.Dropdown(choices=...)) included."""
    if depth > 6:
        return ""
    if isinstance(value, (list, tuple, set)):
        return " ".join(_text(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}={_text(v, depth + 1)}" for k, v in value.items())
    if isinstance(value, gr.components.Component) or isinstance(value, gr.blocks.BlockContext):
        return _text({k: v for k, v in vars(value).items() if not k.startswith("_") and k not in ("parent",)},
                     depth + 1)
    return repr(value)


def _sweep(demo, state, project_id: int, username: str) -> dict[str, str]:
    """Every handler, called with the project state set to ``project_id``: {handler: repr of output or error}."""
    outputs = {}
    for fn_id, block_fn in demo.fns.items():
        if block_fn.fn is None:
            continue
        args = []
        for component in block_fn.inputs:
            if component is state:
                args.append(project_id)
            elif isinstance(component, gr.State):
                args.append(copy.deepcopy(component.value))
            else:
                args.append(copy.deepcopy(getattr(component, "value", None)))
        key = f"{fn_id}:{block_fn.name}"
        try:
            outputs[key] = _text(_call(block_fn, args, username))
        except Exception as exc:  # noqa: BLE001 - a refusal (or bad default input) is an acceptable outcome
            outputs[key] = f"ERROR {type(exc).__name__}: {exc}"
    return outputs


def _counts(services, project_id: int) -> dict[str, Any]:
    with services.db.session() as session:
        project = session.get(Project, project_id)
        return {
            "name": project.name, "sharing": project.team_access, "selected": project.selected_hero_frame_id,
            "final": project.final_attempt_id,
            "frames": session.scalar(select(func.count()).select_from(HeroFrame)
                                     .where(HeroFrame.project_id == project_id)),
            "favourites": session.scalar(select(func.count()).select_from(HeroFrame)
                                         .where(HeroFrame.project_id == project_id, HeroFrame.is_favourite)),
            "groups": session.scalar(select(func.count()).select_from(GenerationGroup)
                                     .where(GenerationGroup.project_id == project_id)),
            "picks": session.scalar(select(func.count()).select_from(VideoAttempt).join(GenerationGroup)
                                    .where(GenerationGroup.project_id == project_id,
                                           VideoAttempt.is_user_selected_best)),
            "versions": session.scalar(select(func.count()).select_from(TimelineVersion)
                                       .where(TimelineVersion.project_id == project_id)),
            "jobs": session.scalar(select(func.count()).select_from(Job).where(Job.project_id == project_id)),
        }


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    from studio import ui

    folder = tmp_path_factory.mktemp("ui-handlers")
    services = _services(folder / "d", generations_per_hour=1000, user_monthly_cap_usd=None)
    work = _alice_project(services)
    with acting_as(services.access.user_actor("bob")):
        bob_project = services.projects.create("Bob's teapot", "16:9").id
        services.hero_frames.generate(bob_project, "a ceramic teapot on linen", 4, "16:9", 5)
    captured = {}
    original_state = gr.State

    def capture_state(*args, **kwargs):
        state = original_state(*args, **kwargs)
        captured.setdefault("project_id", state)  # build_demo creates the project state first
        return state

    gr.State = capture_state
    try:
        demo = ui.build_demo(services)
    finally:
        gr.State = original_state
    yield services, demo, captured["project_id"], work, bob_project
    services.close()


def test_no_ui_handler_shows_or_changes_alices_private_project(studio):
    services, demo, state, work, bob_project = studio
    current = {"username": "bob"}
    services.access.identity_source = lambda: {"username": current["username"], "oauth": None}
    alice_project = work["project_id"]
    before = _counts(services, alice_project)

    control = _sweep(demo, state, bob_project, "bob")
    showing_bob = [name for name, out in control.items() if BOB_MARK in out]
    assert len(showing_bob) >= 10, f"the positive control found too few handlers showing project data: {showing_bob}"

    attack = _sweep(demo, state, alice_project, "bob")
    leaks = {name: out[:300] for name, out in attack.items() if ALICE_SECRET in out or "Alice's secret" in out}
    assert not leaks, f"handlers showed alice's private data to bob: {leaks}"
    assert _counts(services, alice_project) == before
