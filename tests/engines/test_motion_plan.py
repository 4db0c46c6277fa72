from __future__ import annotations

import pytest

from pipeline.engines.motion_path import camera_path, ease, required_margin
from pipeline.engines.motion_plan import EASINGS, ZOOM_MOVES, plan_motion


@pytest.mark.parametrize("prompt, move", [
    ("slow push in on the bottle", "push_in"),
    ("zoom in", "push_in"),
    ("pull back to reveal the skyline", "pull_out"),
    ("zoom out", "pull_out"),
    ("pan left across the product", "pan_left"),
    ("camera pans to the right", "pan_right"),
    ("tilt up to the sky", "tilt_up"),
    ("tilt down", "tilt_down"),
    ("dolly in", "dolly_in"),
    ("dolly out", "dolly_out"),
    ("orbit left around the watch", "orbit_left"),
    ("orbit right", "orbit_right"),
    ("truck left", "truck_left"),
    ("crane up over the city", "crane_up"),
    ("handheld", "handheld"),
    ("static shot", "static"),
    ("locked off", "static"),
])
def test_move_words(prompt, move):
    assert plan_motion(prompt, "", 0).move == move


def test_first_named_move_wins_and_handheld_styles_it():
    plan = plan_motion("handheld push in, then pan left", "", 3)
    assert plan.move == "push_in" and plan.shake > 0


def test_turntable_and_bare_pan_get_a_seeded_direction():
    assert {plan_motion("turntable", "", seed).move for seed in range(12)} == {"orbit_left", "orbit_right"}
    assert {plan_motion("slow pan", "", seed).move for seed in range(12)} == {"pan_left", "pan_right"}


def test_no_move_named_defaults_to_a_slow_push_in():
    plan = plan_motion("the perfume glows", "", 0)
    assert (plan.move, plan.requested_move, plan.speed) == ("push_in", None, "slow")
    assert plan.notes


@pytest.mark.parametrize("prompt, speed", [
    ("slow motion push in", "very slow"),
    ("slow pan left", "slow"),
    ("gentle push in", "slow"),
    ("pan left", "medium"),
    ("fast pan left", "fast"),
    ("whip pan right", "very fast"),
])
def test_speed_words(prompt, speed):
    assert plan_motion(prompt, "", 0).speed == speed


def test_speed_and_intensity_order():
    def factor(prompt):
        return plan_motion(prompt, "", 5).speed_factor

    assert factor("slow motion pan left") < factor("slow pan left") < factor("pan left") < factor("fast pan left")
    subtle, dramatic = plan_motion("subtle orbit left", "", 5), plan_motion("dramatic orbit left", "", 5)
    assert subtle.intensity < 1.0 < dramatic.intensity


def test_negative_shake_removes_handheld_and_falls_back():
    plan = plan_motion("handheld", "shaky, jitter", 2)
    assert plan.shake == 0 and plan.move == "static"
    assert "shake" in plan.suppressed and plan.notes


def test_negative_zoom_removes_zoom_moves():
    plan = plan_motion("fast push in", "zoom", 4)
    assert plan.move not in ZOOM_MOVES and not plan.allow_zoom
    assert plan.speed == "slow"  # a fallback is gentle
    assert "push in" in plan.notes[0]


def test_no_zoom_inside_the_prompt_counts_as_negative():
    plan = plan_motion("push in, no zoom", "", 1)
    assert plan.move not in ZOOM_MOVES and "zoom" in plan.suppressed


def test_negative_fast_caps_speed():
    plan = plan_motion("very fast pan left", "fast movements", 0)
    assert plan.move == "pan_left" and plan.speed_factor <= 0.8 and "fast" in plan.suppressed


def test_negative_camera_movement_holds_the_frame():
    assert plan_motion("orbit left", "camera movement", 0).move == "static"


def test_unrelated_negative_words_change_nothing():
    plan = plan_motion("pan left", "blurry, low quality, motion blur", 0)
    assert plan.move == "pan_left" and plan.suppressed == ()


def test_seeds_give_different_takes():
    plans = [plan_motion("pan left", "", seed) for seed in range(6)]
    assert len({p.speed_factor for p in plans}) == 6
    assert len({p.easing for p in plans}) > 1
    assert all(p.easing in EASINGS for p in plans)
    factors = [p.speed_factor for p in plans]
    assert max(factors) / min(factors) > 1.1  # a noticeable spread, not a rounding difference


def test_plan_is_deterministic_and_serialisable():
    first, second = plan_motion("slow dolly in", "shaky", 9), plan_motion("slow dolly in", "shaky", 9)
    assert first == second
    data = first.as_dict()
    assert {"move", "speed", "intensity", "easing", "seed", "suppressed"} <= set(data)
    assert data["suppressed"] == ["shake"]


@pytest.mark.parametrize("easing", EASINGS)
def test_easings_start_and_end_still(easing):
    assert ease(easing, 0.0) == 0.0 and ease(easing, 1.0) == pytest.approx(1.0)
    assert ease(easing, 0.5) == pytest.approx(0.5)
    assert ease(easing, 0.02) < 0.02 and ease(easing, 0.98) > 0.98  # eases in and out


@pytest.mark.parametrize("prompt", ["dramatic pan left", "orbit right", "handheld", "pull out", "dolly out",
                                    "fast tilt up", "truck right"])
def test_margin_covers_every_frame(prompt):
    plan = plan_motion(prompt, "", 0)
    states = camera_path(plan, 10.0, 24, 16 / 9)
    assert len(states) == 240
    margin = required_margin(states, 16 / 9)
    assert 1.0 <= margin < 2.0
    for state in states:  # the view never leaves the picture: offsets stay inside the margin
        assert abs(state.offset_x) * 2 + 1 / state.zoom <= margin + 1e-6 or state.roll_deg
