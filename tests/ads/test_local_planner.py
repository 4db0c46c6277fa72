"""The offline planner's rules: product type, tone, framework, brand, music mood, scenes."""
from __future__ import annotations

import json

import pytest

from pipeline.ads.local_planner import plan_locally, read_prompt
from pipeline.ads.plan import MUSIC_MOODS, AdPlanError
from pipeline.settings import REPO_ROOT


def test_luxury_watch_is_a_four_scene_aida_storyboard():
    plan = plan_locally("Create a luxury watch ad")
    assert plan.framework == "AIDA" and plan.duration == 15 and plan.aspect_ratio == "9:16"
    assert [(s.number, s.type, s.duration) for s in plan.scenes] == [
        (1, "attention", 3.0), (2, "interest", 4.0), (3, "desire", 5.0), (4, "action", 3.0)]
    assert plan.brand.colours[:2] == ["#0B1F3A", "#D4AF37"]  # deep navy and gold
    assert plan.music_mood == "luxury" and plan.grade == "luxury"
    assert "luxury watch" in plan.product.lower() and plan.rationale and "\n" not in plan.rationale
    assert all("luxury watch" in s.visual_prompt for s in plan.scenes)
    assert all(s.motion_prompt and s.text_overlay for s in plan.scenes)
    assert plan.call_to_action and plan.planner == "local-rules"


@pytest.mark.parametrize("prompt", ["Tired of dry skin? An ad for our organic face cream",
                                    "Our vacuum fixes the mess pets leave behind",
                                    "No more tangled cables: a wireless charger commercial"])
def test_problem_wording_picks_pas(prompt):
    plan = plan_locally(prompt)
    assert plan.framework == "PAS" and [s.type for s in plan.scenes] == ["problem", "agitate", "solve",
                                                                          "resolution"]
    assert [s.duration for s in plan.scenes] == [4.0, 3.0, 4.0, 4.0]


@pytest.mark.parametrize("prompt", ["Transform your mornings with our smart fitness app",
                                    "Become the runner you dream of with these shoes"])
def test_aspiration_wording_picks_bab(prompt):
    plan = plan_locally(prompt)
    assert plan.framework == "BAB" and [s.type for s in plan.scenes] == ["before", "after", "bridge"]


def test_the_framework_can_be_named_or_forced_and_lengths_scale():
    assert plan_locally("A PAS style ad for a new coffee grinder").framework == "PAS"
    plan = plan_locally("Create a luxury watch ad", 30, "16:9", framework="bab")
    assert plan.framework == "BAB" and [s.duration for s in plan.scenes] == [10.0, 10.0, 10.0]
    assert plan.aspect_ratio == "16:9"
    with pytest.raises(AdPlanError, match="Unknown framework"):
        plan_locally("Create a luxury watch ad", framework="XYZ")


def test_tone_colours_brand_and_cta_follow_the_wording():
    eco = plan_locally("An eco-friendly bamboo toothbrush commercial")
    assert eco.music_mood == "calm" and all(c.startswith("#") for c in eco.brand.colours)
    assert eco.brand.colours[0] == "#2E7D32"  # greens
    named = plan_locally('Make an ad for "Bean There" coffee, call to action: Visit us today')
    assert named.brand.name == "Bean There" and named.call_to_action == "Visit us today"
    assert named.music_mood == "chill"
    red = plan_locally("Running shoes for marathon runners, bold red")
    assert "#E53935" in red.brand.colours and red.music_mood == "energetic"
    assert read_prompt("our new smart phone is here").product_type.key == "tech"


def test_music_moods_are_the_library_moods_and_plans_are_deterministic():
    manifest = json.loads((REPO_ROOT / "assets" / "music" / "manifest.json").read_text())
    assert set(MUSIC_MOODS) == {t["mood"] for t in manifest["tracks"]}
    prompts = ["Create a luxury watch ad", "A toy robot for kids", "Sleep better with our calming tea",
               "An epic trailer for an electric SUV", "Fresh juice for everyday energy"]
    for prompt in prompts:
        assert plan_locally(prompt).music_mood in MUSIC_MOODS
        assert plan_locally(prompt) == plan_locally(prompt)
