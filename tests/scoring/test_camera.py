"""camera_motion: prompt parsing, VBench-I2V's border rule, and the consistency check."""

from __future__ import annotations

import pytest

from scoring.camera import LABELS, classify, expected_moves

SHORT = 360.0  # threshold: 0.5 % of the short side = 1.8 px


@pytest.mark.parametrize(
    "prompt, labels, phrase",
    [
        ("slow push in toward the subject, smooth and steady", ("zoom_in",), "push in"),
        ("push-in", ("zoom_in",), "push-in"),
        ("Dramatic zoom in", ("zoom_in",), "zoom in"),
        ("dolly in with parallax", ("zoom_in",), "dolly in"),
        ("gentle pull out revealing the scene", ("zoom_out",), "pull out"),
        ("camera zooms out", ("zoom_out",), "zooms out"),
        ("slow pan left across the scene", ("pan_left",), "pan left"),
        ("camera pans to the right", ("pan_right",), "pans to the right"),
        ("track left along the shelf", ("pan_left",), "track left"),
        ("slow tilt up, steady", ("tilt_up",), "tilt up"),
        ("crane down to the table", ("tilt_down",), "crane down"),
        ("static locked-off shot, subtle life", ("static",), "static"),
        ("no camera movement, steam rises", ("static",), "no camera movement"),
        ("a slow pan over the hills", ("pan_left", "pan_right"), "pan"),
    ],
)
def test_expected_moves(prompt, labels, phrase):
    assert expected_moves(prompt) == (labels, phrase)


@pytest.mark.parametrize(
    "prompt", ["", "   ", None, "leaves sway in the wind", "slow orbit around the subject", "handheld, subtle shake",
               "enclosed in glass"],
)
def test_prompts_without_a_checkable_move(prompt):
    assert expected_moves(prompt) is None


def _d(top, bottom, left, right):
    return {"top": top, "bottom": bottom, "left": left, "right": right}


@pytest.mark.parametrize(
    "disp, labels",
    [
        (_d((-5, 0), (-5, 0), (-5, 0), (-5, 0)), ["pan_right"]),  # content slides left: camera pans right
        (_d((5, 0), (5, 0), (5, 0), (5, 0)), ["pan_left"]),
        (_d((0, 5), (0, 5), (0, 5), (0, 5)), ["tilt_up"]),
        (_d((0, -5), (0, -5), (0, -5), (0, -5)), ["tilt_down"]),
        (_d((0, -5), (0, 5), (-5, 0), (5, 0)), ["zoom_in"]),  # borders move outwards
        (_d((0, 5), (0, -5), (5, 0), (-5, 0)), ["zoom_out"]),
        (_d((0, 1), (0, -1), (1, 0), (-1, 0)), ["static"]),  # below 0.5 % of the short side
        (_d((-5, -5), (-5, 5), (-5, 0), (-5, 0)), ["pan_right", "zoom_in"]),
        (_d((5, 0), (-5, 0), (0, 5), (0, -5)), ["None"]),  # a roll: no VBench label
    ],
)
def test_vbench_border_rule(disp, labels):
    assert classify(disp, SHORT) == labels
    assert all(label in LABELS or label == "None" for label in labels)


def test_camera_motion_on_clips(score_cached):
    clean = score_cached("clean", prompt="slow pan to the right")
    assert clean.dimensions["camera_motion"] == 1.0
    wrong = score_cached("clean", prompt="slow pan to the left")
    assert wrong.dimensions["camera_motion"] == 0.0 and wrong.labels["camera_motion_expected"] == "pan_left"
    assert score_cached("clean", prompt="slow push in").dimensions["camera_motion"] == 1.0  # it also zooms in
    assert score_cached("clean", prompt="pull out").dimensions["camera_motion"] == 0.0
    none = score_cached("clean", prompt="leaves sway")
    assert "camera_motion" not in none.dimensions
    assert none.metrics_skipped["camera_motion"] == "the motion prompt names no pan, tilt, zoom or static shot"
    assert none.labels["camera_motion_detected"] == "pan_right,zoom_in"  # still reported
    assert score_cached("clean", prompt="").metrics_skipped["camera_motion"] == "no motion prompt given"


def test_jitter_is_not_read_as_a_move(clips, tmp_path):
    """A still camera with random shake: the raw border rule may see a tilt or
    pan, the consistency check does not."""
    from scoring import score_video

    from . import synth
    from .conftest import FPS, H, N, W

    canvas = synth.make_canvas(int(W * 1.5), int(H * 1.25), seed=3)
    for seed in (1, 2, 3):
        shaky = synth.write_video(tmp_path / f"shake{seed}.mp4",
                                  synth.render_frames(canvas, W, H, N, pan=0, zoom=0, jitter_px=1.5, seed=seed), FPS)
        r = score_video(shaky, None, "static camera", enable_pyiqa=False, metrics=["camera_motion"])
        assert r.labels["camera_motion_detected"] == "static", (seed, r.labels)
        assert r.dimensions["camera_motion"] == 1.0
