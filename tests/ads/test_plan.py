"""The ad plan schema: validation, the three frameworks, durations that add up, bad prompts."""
from __future__ import annotations

import pytest

from pipeline.ads.frameworks import FRAMEWORKS
from pipeline.ads.local_planner import plan_locally
from pipeline.ads.plan import (
    AdPlan,
    AdPlanError,
    check_prompt,
    contrast_ratio,
    hex_to_rgb,
    legible_colour,
    rescale_durations,
    structure_durations,
)
from pipeline.errors import StudioError


def test_framework_structures_are_the_documented_ones():
    shape = {name: [(s.key, s.seconds) for s in f.scenes] for name, f in FRAMEWORKS.items()}
    assert shape == {
        "AIDA": [("attention", 3), ("interest", 4), ("desire", 5), ("action", 3)],
        "PAS": [("problem", 4), ("agitate", 3), ("solve", 4), ("resolution", 4)],
        "BAB": [("before", 5), ("after", 5), ("bridge", 5)],
    }
    assert all(f.base_seconds == 15 for f in FRAMEWORKS.values())


@pytest.mark.parametrize("name", ["AIDA", "PAS", "BAB"])
@pytest.mark.parametrize("total", [15, 30, 60])
def test_structures_scale_to_every_length(name, total):
    durations = structure_durations(name, total)
    assert sum(durations) == pytest.approx(total, abs=1e-9)
    base = [s.seconds for s in FRAMEWORKS[name].scenes]
    assert durations == pytest.approx([b * total / 15 for b in base])  # exact proportions: 6/8/10/6 at 30 s


def test_rescale_keeps_the_sum_minimum_and_the_kept_scene():
    out = rescale_durations([3, 4, 5, 3], 15, keep=1)
    assert sum(out) == pytest.approx(15) and out[1] == 4
    out = rescale_durations([3, 9, 5, 3], 15, keep=1)
    assert out[1] == 9 and sum(out) == pytest.approx(15) and min(out) >= 1.5
    out = rescale_durations([0.1, 10, 10], 15)  # a tiny scene is lifted to the minimum
    assert min(out) == 1.5 and sum(out) == pytest.approx(15)
    assert all(abs(d * 10 - round(d * 10)) < 1e-9 for d in rescale_durations([1, 1, 1], 15))  # tenths
    with pytest.raises(AdPlanError, match="do not fit"):
        rescale_durations([1] * 11, 15)


@pytest.mark.parametrize("prompt", ["", "   ", "watch ad", "x" * 9])
def test_too_short_prompts_are_refused(prompt):
    with pytest.raises(AdPlanError, match="at least 10 characters"):
        check_prompt(prompt)


def test_too_long_prompts_are_refused_and_limits_are_inclusive():
    with pytest.raises(AdPlanError, match="501 characters long; keep it to 500"):
        check_prompt("a" * 501)
    assert check_prompt("b" * 500) == "b" * 500
    assert check_prompt("  a   watch  ad ") == "a watch ad"
    assert issubclass(AdPlanError, StudioError)  # shown to users as is


def _plan(**changes):
    data = plan_locally("Create a luxury watch ad").to_dict()
    data.update(changes)
    return data


def test_a_valid_plan_round_trips():
    plan = AdPlan.parse(_plan())
    assert AdPlan.parse(plan.to_dict()) == plan
    assert plan.starts() == [0.0, 3.0, 7.0, 12.0]
    assert 0 < plan.end_card_seconds() <= plan.scenes[-1].duration / 2


@pytest.mark.parametrize("changes,message", [
    ({"duration": 20}, "duration"),
    ({"aspect_ratio": "4:5"}, "aspect_ratio"),
    ({"framework": "STAR"}, "framework"),
    ({"music_mood": "sad"}, "music_mood"),
    ({"call_to_action": ""}, "call_to_action"),
])
def test_bad_fields_are_explained(changes, message):
    with pytest.raises(AdPlanError, match=message):
        AdPlan.parse(_plan(**changes))


def test_durations_must_add_up_numbers_run_in_order_and_types_fit_the_framework():
    data = _plan()
    data["scenes"][0]["duration"] = 5
    with pytest.raises(AdPlanError, match="add up"):
        AdPlan.parse(data)
    data = _plan()
    data["scenes"][1]["number"] = 7
    with pytest.raises(AdPlanError, match="numbered 1 to 4"):
        AdPlan.parse(data)
    data = _plan()
    data["scenes"][0]["type"] = "problem"
    with pytest.raises(AdPlanError, match="not part of AIDA"):
        AdPlan.parse(data)
    data = _plan()
    data["scenes"] = data["scenes"][:1]
    data["scenes"][0]["duration"] = 15
    with pytest.raises(AdPlanError, match="scenes"):
        AdPlan.parse(data)
    data = _plan()
    data["scenes"][0]["duration"] = 1.0
    data["scenes"][1]["duration"] = 6.0
    with pytest.raises(AdPlanError, match="scene 1"):
        AdPlan.parse(data)


def test_brand_colours_are_hex_and_two_to_four():
    brand = _plan()["brand"]
    plan = AdPlan.parse(_plan(brand={**brand, "colours": "#0b1f3a, d4af37"}))
    assert plan.brand.colours == ["#0B1F3A", "#D4AF37"]
    for colours, message in ((["#123456"], "colours"), (["#1", "#123456"], "not a hex colour"),
                             (["#111111"] * 5, "colours")):
        with pytest.raises(AdPlanError, match=message):
            AdPlan.parse(_plan(brand={**brand, "colours": colours}))


def test_every_prompt_carries_the_brand_style_and_setting():
    plan = AdPlan.parse(_plan())
    for scene in plan.scenes:
        prompt = plan.render_prompt(scene)
        assert prompt.startswith(scene.visual_prompt)
        assert "navy and gold colour palette" in prompt and "elegant" in prompt and plan.setting in prompt


def test_legible_colours_meet_the_contrast_ratio():
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21, rel=1e-3)
    navy, gold, ivory = "#0B1F3A", "#D4AF37", "#F5F0E6"
    assert legible_colour([gold, ivory], hex_to_rgb(navy)) == gold
    on_light = legible_colour([gold, ivory], (235, 235, 235))  # neither brand colour reads on light grey
    assert contrast_ratio(hex_to_rgb(on_light), (235, 235, 235)) >= 4.5
