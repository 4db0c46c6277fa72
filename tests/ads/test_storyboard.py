"""Storyboard edits keep the plan valid and the durations adding up."""
from __future__ import annotations

import pytest

from pipeline.ads import storyboard as sb
from pipeline.ads.local_planner import plan_locally
from pipeline.ads.plan import AdPlanError


@pytest.fixture
def plan():
    return plan_locally("Create a luxury watch ad")


def _total(plan):
    return sum(s.duration for s in plan.scenes)


def test_changing_any_field_of_a_scene(plan):
    edited = sb.update_scene(plan, 2, visual_prompt="watch on wet slate", text_overlay="Swiss made",
                             motion_prompt="slow pan left", transition="fade_black", type="desire")
    scene = edited.scene(2)
    assert (scene.visual_prompt, scene.text_overlay, scene.motion_prompt, scene.transition, scene.type) == (
        "watch on wet slate", "Swiss made", "slow pan left", "fade_black", "desire")
    assert plan.scene(2).visual_prompt != "watch on wet slate"  # the input is untouched
    with pytest.raises(AdPlanError, match="not part of AIDA"):
        sb.update_scene(plan, 1, type="before")
    with pytest.raises(AdPlanError, match="no scene 9"):
        sb.update_scene(plan, 9, text_overlay="x")
    with pytest.raises(AdPlanError, match="Unknown scene field"):
        sb.update_scene(plan, 1, colour="red")


def test_a_new_duration_is_kept_and_the_others_absorb_it(plan):
    edited = sb.update_scene(plan, 3, duration=7)
    assert edited.scene(3).duration == 7 and _total(edited) == pytest.approx(15)
    with pytest.raises(AdPlanError, match="at least 1.5"):
        sb.update_scene(plan, 3, duration=0.5)
    huge = sb.update_scene(plan, 3, duration=60)  # clamped so the others keep their minimum
    assert _total(huge) == pytest.approx(15) and min(s.duration for s in huge.scenes) >= 1.5


def test_add_remove_and_move_scenes(plan):
    added = sb.add_scene(plan, after=2)
    assert [s.type for s in added.scenes] == ["attention", "interest", "interest", "desire", "action"]
    assert [s.number for s in added.scenes] == [1, 2, 3, 4, 5] and _total(added) == pytest.approx(15)
    first = sb.add_scene(plan, after=0, type="attention", visual_prompt="teaser")
    assert first.scenes[0].visual_prompt == "teaser"
    removed = sb.remove_scene(added, 1)
    assert len(removed.scenes) == 4 and _total(removed) == pytest.approx(15)
    moved = sb.move_scene(plan, 4, 1)
    assert [s.type for s in moved.scenes] == ["action", "attention", "interest", "desire"]
    assert [s.number for s in moved.scenes] == [1, 2, 3, 4]
    two = sb.remove_scene(sb.remove_scene(plan, 1), 1)
    with pytest.raises(AdPlanError, match="at least 2"):
        sb.remove_scene(two, 1)
    full = plan
    while len(full.scenes) < 8:
        full = sb.add_scene(full)
    with pytest.raises(AdPlanError, match="at most 8"):
        sb.add_scene(full)


def test_switching_framework_rebuilds_the_scenes(plan):
    pas = sb.switch_framework(plan, "pas")
    assert pas.framework == "PAS" and [s.type for s in pas.scenes] == ["problem", "agitate", "solve", "resolution"]
    assert pas.brand == plan.brand and pas.call_to_action == plan.call_to_action and pas.seed == plan.seed
    assert "PAS" in pas.rationale and _total(pas) == pytest.approx(15)
    bab = sb.switch_framework(sb.update_plan(plan, duration=60), "BAB")
    assert [s.duration for s in bab.scenes] == [20.0, 20.0, 20.0]
    with pytest.raises(AdPlanError, match="Unknown framework"):
        sb.switch_framework(plan, "STAR")


def test_plan_fields_and_length_changes(plan):
    edited = sb.update_plan(plan, duration=30, brand_name="Aurelia", brand_colours="#111111,#EEDD00",
                            style_keywords="bold, graphic", call_to_action="Book a fitting", music_mood="cinematic",
                            aspect_ratio="1:1", grade="cinematic")
    assert [s.duration for s in edited.scenes] == [6.0, 8.0, 10.0, 6.0]
    assert edited.brand.name == "Aurelia" and edited.brand.colours == ["#111111", "#EEDD00"]
    assert edited.brand.style_keywords == ["bold", "graphic"] and edited.aspect_ratio == "1:1"
    with pytest.raises(AdPlanError, match="15, 30 or 60"):
        sb.update_plan(plan, duration=45)


def test_replace_from_the_storyboard_cards(plan):
    data = plan.to_dict()
    data["scenes"][0]["duration"] = 5  # one card changed: kept, the rest absorb the difference
    data["scenes"][0]["text_overlay"] = "Hello"
    edited = sb.apply(plan, "replace", plan_data={"scenes": data["scenes"]})
    assert edited.scene(1).duration == 5 and edited.scene(1).text_overlay == "Hello"
    assert _total(edited) == pytest.approx(15)
    data = plan.to_dict()
    for scene in data["scenes"]:
        scene["duration"] = 1  # all changed: scaled in proportion
    assert _total(sb.replace_plan(plan, {"scenes": data["scenes"]})) == pytest.approx(15)
    with pytest.raises(AdPlanError, match="Unknown storyboard operation"):
        sb.apply(plan, "explode")
    with pytest.raises(AdPlanError, match="Unknown plan field"):
        sb.replace_plan(plan, {"colour": "red"})
