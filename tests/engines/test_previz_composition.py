"""Local previz candidates explore composition on purpose, and ad scenes follow their shot type.

Before: four candidates of a product prompt were the same centred, eye-level packshot, and an AIDA storyboard's
macro close-up, lifestyle moment and packshot came out as one shot of one object.
"""
from __future__ import annotations

import pytest

from pipeline.ads.frameworks import FRAMEWORKS
from pipeline.engines.interfaces import FrameRequest
from pipeline.engines.local_previz import LocalPrevizRenderer
from pipeline.engines.previz_scene import plan_scene


def _render(prompt: str, seed: int, aspect_ratio: str = "16:9"):
    return LocalPrevizRenderer().render(FrameRequest(prompt, aspect_ratio, seed=seed, long_side=1024)).parameters


def _box(parameters):
    x0, y0, x1, y1 = parameters["subject_box"]
    return (x1 - x0) * (y1 - y0), (x0 + x1) / 2, y1 - y0


@pytest.mark.parametrize("base", [0, 1234, 98765])
def test_four_candidates_differ_in_camera_height_lens_and_placement(base):
    candidates = [_render("a perfume bottle, soft light", base + i) for i in range(4)]
    compositions = {(c["camera_height"], c["lens"], c["placement"]) for c in candidates}
    assert len(compositions) == 4
    areas = [_box(c)[0] for c in candidates]
    centres = [_box(c)[1] for c in candidates]
    assert max(areas) / min(areas) > 1.8 and max(centres) - min(centres) > 0.15
    assert len({c["light_direction"] for c in candidates}) >= 2


def test_what_the_prompt_names_is_kept_and_the_rest_still_varies():
    specs = [plan_scene("a low angle shot of a sneaker, centred, light from the left", 40 + i) for i in range(4)]
    assert {s.camera_height for s in specs} == {"low"}
    assert {s.placement for s in specs} == {"centre"}
    assert {s.light_direction for s in specs} == {"left"}
    assert len({s.lens for s in specs}) >= 2


def test_the_same_seed_gives_the_same_composition():
    assert _render("a watch on marble", 7) == _render("a watch on marble", 7)


@pytest.mark.parametrize("wording, expected", [
    ("macro detail close-up showing craftsmanship", {"lens": "macro", "placement": "centre"}),
    ("in an aspirational lifestyle moment", {"lens": "wide", "setting": "outdoor"}),
    ("packshot, centred on a pedestal, clean composition", {"lens": "normal", "placement": "centre",
                                                            "camera_height": "eye level", "setting": "studio"}),
    ("dramatic hero reveal, bold close-up composition", {"lens": "tele", "camera_height": "low"}),
    ("top-down flat lay", {"camera_height": "high"}),
])
@pytest.mark.parametrize("seed", [3, 11])
def test_a_shot_type_in_the_prompt_sets_the_shot(wording, expected, seed):
    spec = plan_scene(f"a perfume bottle, {wording}", seed).as_parameters()
    assert {key: spec[key] for key in expected} == expected


def test_a_macro_scene_fills_the_frame_and_a_wide_one_does_not():
    macro = _render("a perfume bottle, macro detail close-up", 5, "9:16")
    wide = _render("a perfume bottle in a lifestyle moment, wide shot", 5, "9:16")
    assert _box(macro)[2] > 0.8 and _box(wide)[2] < 0.45


def test_an_aida_storyboard_gets_four_different_shots():
    scenes = FRAMEWORKS["AIDA"].scenes
    shots = [_render(scene.visual.format(product="a perfume bottle"), 21) for scene in scenes]
    kinds = {(s["lens"], s["camera_height"], s["setting"]) for s in shots}
    assert len(kinds) == 4, kinds
    heights = sorted(_box(s)[2] for s in shots)
    assert heights[-1] > 1.8 * heights[0]
