"""Each tab's handlers, called directly with real services (no sweep of ``demo.fns``, no browser).

A handler is a module-level function ``(services, …) -> updates``; these tests call at least one of every tab and
check what it returns against what the services say (the database is the truth), so a handler that shows the
wrong thing — or nothing — fails here.
"""
from __future__ import annotations

import gradio as gr
import pytest

from studio.components.timeline_layout import layout as timeline_layout
from studio.tabs import (
    ad_composer,
    attempts,
    dashboard,
    hero_frames,
    library,
    models_panel,
    project_bar,
    timeline,
    workspace,
    workspace_history,
)
from tests.services import seed

# Handlers toast with gr.Info / gr.Warning; outside a browser session those are Python warnings.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
SKIP = gr.skip()


def _visible(update) -> bool:
    return getattr(update, "visible", None) is True


@pytest.fixture
def with_group(services, project):
    """A project with a hero frame and one finished, scored group of two short attempts."""
    seed.hero(services, project)
    return project, seed.group(services, project, "slow push in", count=2)


# ------------------------------------------------------------ project bar
def test_project_bar_create_lists_the_new_project_and_rename_follows(services, project):
    new_id, switcher, cleared, name = project_bar.on_create(services, "Perfume launch", "9:16")
    created = services.projects.get(new_id)
    assert (created.name, created.aspect_ratio, name, cleared) == ("Perfume launch", "9:16", "Perfume launch", "")
    assert switcher.value == new_id
    assert {value for _label, value in switcher.choices} == {p.id for p in services.projects.list()} == {
        project.id, new_id}

    switcher, name = project_bar.on_rename(services, new_id, "Perfume relaunch")
    assert name == "Perfume relaunch" == services.projects.get(new_id).name
    assert any("Perfume relaunch" in label for label, value in switcher.choices if value == new_id)

    # A blank name is refused with a message: the outputs stay as they were.
    assert project_bar.on_create(services, "   ", "16:9") == SKIP
    assert len(services.projects.list()) == 2


# ------------------------------------------------------------ hero frames
def test_hero_frames_generate_returns_the_gallery_of_the_new_frames(services, project):
    job_id, card, gallery, ids, timer, cancel = hero_frames.on_generate(
        services, project.id, "a glass perfume bottle on black rocks", False, "", 4, "16:9", "7", None, [])
    frames = services.hero_frames.list(project.id)
    assert services.jobs.get(job_id).status == "succeeded"
    assert ids == [f.id for f in frames] and len(ids) == 4
    assert [image for image, _caption in gallery] == [f.image for f in frames]
    assert timer.active is False and cancel.visible is False

    # The same frames again (nothing new): the gallery is not re-sent.
    assert hero_frames.on_poll(services, project.id, job_id, ids)[1] == SKIP

    # Use as hero: the caption marks it, the project records it, and the studio moves on to the attempts.
    tabs, gallery, _ = hero_frames.on_use_as_hero(services, project.id, ids[1])
    assert tabs.selected == "attempts"
    assert services.projects.get(project.id).selected_hero_frame_id == ids[1]
    assert gallery[1][1] != gallery[0][1]


def test_hero_frames_refuse_a_bad_seed_with_a_message(services, project):
    with pytest.warns(UserWarning, match="whole number"):
        result = hero_frames.on_generate(services, project.id, "a teapot", False, "", 4, "16:9", "abc", None, [])
    assert result == SKIP
    assert services.hero_frames.list(project.id) == []


# ------------------------------------------------------------ attempts
def test_attempts_generate_shows_the_new_group_and_its_attempts(services, project):
    seed.hero(services, project)
    out = attempts.on_generate(services, project.id, "slow orbit to the left", "", 2, 2.0, None,
                               attempts.RESET_SHOWN)
    queue, header, *slots = out[:2 + 4 * attempts.MAX_ATTEMPTS]
    shown, group_id, timer = out[2 + 4 * attempts.MAX_ATTEMPTS:]
    group = services.attempts.group(group_id)
    assert group_id == services.attempts.latest_group_id(project.id)
    assert group.motion_prompt == "slow orbit to the left" and len(group.attempts) == 2
    assert f"{group_id}" in header
    columns = slots[0::4]
    assert [_visible(c) for c in columns[:2]] == [True, True]
    assert all(not _visible(c) for c in columns[2:])
    # Finished attempts are sent as videos, and the shown state remembers them (a poll does not reload them).
    assert [s[0] for s in shown[:2]] == [a.video for a in group.attempts]
    assert timer.active is False
    again = attempts.on_poll(services, project.id, shown)
    assert again[2 + 2] == SKIP  # slot 1's video: unchanged, not re-sent


def test_attempts_cancel_job_wants_a_number(services, project):
    with pytest.warns(UserWarning, match="id of the job"):
        assert attempts.on_cancel_job(services, project.id, "twelve", attempts.RESET_SHOWN) == SKIP


# ------------------------------------------------------------ workspace
def test_workspace_refresh_and_choosing_an_attempt(services, with_group):
    project, group = with_group
    out = workspace.refresh(services, project.id, None, "grid")
    groups, header, compare = out[:3]
    assert groups.value == group.id and [v for _l, v in groups.choices] == [group.id]
    assert {v for _l, v in compare.choices} == {a.id for a in group.attempts}
    ids = out[4 + 2 * attempts.MAX_ATTEMPTS]
    assert ids[:2] == [a.id for a in group.attempts] and ids[2:] == [None] * (attempts.MAX_ATTEMPTS - 2)
    motion, negative, hero_prompt = out[-3:]  # the prompts to iterate on
    frame = services.hero_frames.get(group.hero_frame_id)
    assert (motion, negative, hero_prompt) == ("slow push in", group.negative_prompt,
                                               frame.enhanced_prompt or frame.prompt)

    other = next(a for a in group.attempts if not a.is_system_selected_best)
    slot = ids.index(other.id)
    workspace.make_choose(services, slot)(group.id, project.id, "grid", ids, "steadier", [])
    chosen = {a.id: a.is_user_selected_best for a in services.attempts.group(group.id).attempts}
    assert chosen[other.id] is True and sum(chosen.values()) == 1

    history = workspace_history.refresh(services, project.id)
    assert other.id in [v for _l, v in history[3].choices]

    # "Mark this group's pick as FINAL" takes the user's pick over the system's.
    out = workspace.on_final(services, project.id, group.id, "grid")
    assert services.history.final(project.id).attempt_id == other.id
    assert "FINAL" in out[-4]  # the final banner


# ------------------------------------------------------------ timeline
def test_timeline_refresh_and_trim_make_a_new_version(services, with_group):
    project, _group = with_group
    with gr.Blocks():
        ui = timeline_layout()
    view = services.timeline.rebuild_from_picks(project.id)
    assert view.clips, "the pick is on the timeline"
    shown = timeline.refresh(services, ui, project.id, None)
    clip = view.clips[0]
    assert shown[ui.view_state].version == view.version
    assert shown[ui.clip_dd].value == clip.id
    assert [v for _l, v in shown[ui.clip_dd].choices] == [c.id for c in view.clips]

    out = timeline.apply(services, ui, project.id, clip.id, "trim", clip_id=clip.id, in_point=0.25,
                         out_point=1.5)
    after = services.timeline.get(project.id)
    assert after.version > view.version and out[ui.view_state].version == after.version
    assert (after.clips[0].in_point, after.clips[0].out_point) == (0.25, 1.5)
    assert out[ui.undo_btn].interactive is True

    # Refused input comes back as a message; the outputs and the timeline stay as they were.
    with pytest.warns(UserWarning, match="Choose a video"):
        assert timeline.on_upload_clip(services, ui, project.id, None) == SKIP
    with pytest.warns(UserWarning, match="two versions"):
        assert timeline.on_compare(services, project.id, after.version, None) == SKIP
    assert services.timeline.get(project.id).version == after.version


# ------------------------------------------------------------ dashboard
def test_dashboard_refresh_counts_the_projects_attempts(services, with_group):
    project, group = with_group
    out = dashboard.refresh(services, project.id, False, None, None, dashboard.ALL, dashboard.ALL, dashboard.ALL)
    engines, _models, _tags, cards = out[:4]
    table = out[-1]
    assert sorted(table["attempt_id"]) == sorted(a.id for a in group.attempts)
    assert [v for _l, v in engines.choices] == [dashboard.ALL, group.engine] and engines.value == dashboard.ALL
    assert "generation groups" in cards
    # No project and not "all projects": nothing to show, nothing changes.
    assert dashboard.refresh(services, None, False, None, None, dashboard.ALL, dashboard.ALL, dashboard.ALL) == SKIP


# ------------------------------------------------------------ library
def test_library_search_filters_by_prompt_and_kind(services, with_group):
    project, group = with_group
    frame, info, items, page, pictures, shown = library.run_search(services, "sneaker", "frames", "any", 1)
    assert [items[i]["thumbnail"] for i in shown] == [path for path, _ in pictures] and pictures
    assert all(caption.startswith("Hero frame · ") for _, caption in pictures), pictures
    frames = services.hero_frames.list(project.id)
    assert sorted(frame["id"]) == sorted(f.id for f in frames) and set(frame["kind"]) == {"frame"}
    assert [i["id"] for i in items] == list(frame["id"]) and page.value == 1
    assert f"{len(frames)} item(s)" in info

    nothing = library.run_search(services, "no such prompt anywhere", "all", "any", 1)
    assert len(nothing[0]) == 0 and nothing[2] == []

    attempts_only = library.run_search(services, "", "attempts", "any", 1)[0]
    assert sorted(attempts_only["id"]) == sorted(a.id for a in group.attempts)


# ------------------------------------------------------------ ad composer
def _board_values(view):
    """What the storyboard's inputs hold for ``view`` (the plan fields, then every card's fields)."""
    plan = view["plan"]
    brand = plan["brand"]
    values = [plan["product"], brand["name"], ", ".join(brand["colours"]), ", ".join(brand["style_keywords"]),
              brand["mood"], plan["call_to_action"], plan["music_mood"], plan["grade"], plan.get("setting", "")]
    for i in range(ad_composer.MAX_SCENES):
        scene = plan["scenes"][i] if i < len(plan["scenes"]) else None
        values += [scene[f] if scene else None for f in ad_composer.SCENE_FIELDS]
    return values


def test_ad_composer_plan_shows_the_storyboard_and_add_scene_adds_a_card(services):
    plan_id, *board = ad_composer.on_plan(services, "Create a luxury watch ad", 15, "9:16", ad_composer.AUTO, 2)
    view = services.ads.get(plan_id)
    scenes = view["plan"]["scenes"]
    assert len(board) == ad_composer.BOARD_OUTPUT_COUNT
    assert _visible(board[1])  # the storyboard column
    assert board[3] == view["plan"]["product"]
    cards = board[13:13 + ad_composer.SLOT_OUTPUT_COUNT:2 + len(ad_composer.SCENE_FIELDS)]
    assert [_visible(c) for c in cards].count(True) == len(scenes)

    add = ad_composer.storyboard_action(services, "add_scene")
    board = add(plan_id, 2, *_board_values(view))
    after = services.ads.get(plan_id)["plan"]["scenes"]
    assert len(after) == len(scenes) + 1
    assert sum(s["duration"] for s in after) == pytest.approx(15)
    cards = board[13:13 + ad_composer.SLOT_OUTPUT_COUNT:2 + len(ad_composer.SCENE_FIELDS)]
    assert [_visible(c) for c in cards].count(True) == len(after)

    # Without a plan, the storyboard's buttons say what to do first.
    with pytest.warns(UserWarning, match="Plan an ad first"):
        assert add(None, 2, *_board_values(view)) == SKIP


# ------------------------------------------------------------ models panel (in the attempts tab)
def test_models_panel_says_when_no_models_folder_is_set(services):
    assert "HFS_MODELS_DIR" in models_panel.on_refresh(services)


def test_uploading_a_small_photo_warns_and_the_fit_choice_is_kept(services, project, tmp_path):
    import numpy as np
    from PIL import Image

    photo = tmp_path / "small.jpg"
    pixels = np.random.default_rng(1).integers(60, 200, (400, 600, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(photo, quality=90)
    with pytest.warns(UserWarning, match=r"600×400 \(3:2\).*soft"):
        items, ids, fid, details, _, cleared = hero_frames.on_upload(services, project.id, str(photo), False)
    assert fid == ids[0] and "3:2" in details and "crop around the subject" in details
    details, _ = hero_frames.on_fit_mode(services, project.id, fid, "extend it with a soft backdrop")
    assert "extend with a soft backdrop" in details
    assert services.hero_frames.get(fid).parameters["fit_mode"] == "extend"


def test_an_enhanced_photo_names_the_original_it_kept(services, project, tmp_path):
    import numpy as np
    from PIL import Image

    photo = tmp_path / "big.jpg"
    Image.fromarray(np.random.default_rng(2).integers(60, 200, (1080, 1920, 3), dtype=np.uint8)).save(photo)
    items, ids, fid, details, _, _ = hero_frames.on_upload(services, project.id, str(photo), True)
    enhanced = services.hero_frames.get(fid)
    assert enhanced.source == "enhanced" and f"frame #{enhanced.parent_frame_id}" in details
    assert enhanced.parent_frame_id in ids  # the original stays in the gallery
