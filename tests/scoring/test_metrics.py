"""Each degradation lowers the dimension meant to catch it; gates flag broken clips."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scoring import ScoreReport
from scoring.gates import motion_expectation

WEIGHT_FREE = ["temporal_flickering", "motion_smoothness", "dynamic_degree", "camera_motion", "motion_continuity",
               "i2v_subject", "i2v_background", "imaging_quality"]
PYIQA_OFF = {
    "aesthetic_quality": "disabled (enable_pyiqa=False)",
    "clip_score": "disabled (enable_pyiqa=False)",
}


def codes(report):
    return [g.split(":", 1)[0] for g in report.gate_failures]


def test_clean_clip_report(score_cached):
    r = score_cached("clean")
    assert r.metrics_used == WEIGHT_FREE
    assert r.metrics_skipped == PYIQA_OFF
    assert set(r.dimensions) == {
        "temporal_flickering", "motion_smoothness", "dynamic_degree", "motion_amount", "camera_motion",
        "motion_continuity", "i2v_subject", "i2v_background", "imaging_quality",
    }
    assert all(0.0 <= v <= 1.0 for v in r.dimensions.values())
    assert r.gate_failures == []
    assert 80.0 < r.overall <= 100.0
    assert r.dimensions["temporal_flickering"] > 0.98
    assert r.dimensions["motion_smoothness"] > 0.98
    assert r.dimensions["i2v_subject"] > 0.95 and r.dimensions["i2v_background"] > 0.98
    assert r.details["first_frame_score"] > 0.9
    # the clip pans right and zooms in; "slow pan to the right" was asked for
    assert r.dimensions["camera_motion"] == 1.0
    assert r.labels["camera_motion_detected"] == "pan_right,zoom_in"
    assert r.labels["camera_motion_expected"] == "pan_right" and r.labels["camera_motion_phrase"] == "pan to the right"
    assert r.video["decoded_frames"] == 60 and r.video["flow_step"] == 3 and r.video["flow_pairs"] == 19
    assert 0 < r.seconds < 10
    d = json.loads(json.dumps(r.to_dict()))
    keys = ("overall", "dimensions", "metrics_used", "metrics_skipped", "gate_failures", "seconds", "scorer_version")
    for key in keys:
        assert key in d
    assert ScoreReport.from_dict(d) == r


def test_deterministic(clips, score_cached):
    from scoring import score_video

    again = score_video(clips.clean, clips.hero, "slow pan to the right", enable_pyiqa=False)
    first = score_cached("clean")
    assert again.dimensions == first.dimensions and again.details == first.details


def test_flicker_lowers_temporal_flickering(score_cached):
    clean, flick = score_cached("clean"), score_cached("flicker")
    # the flow-compensated variant is the one in use for a moving clip
    assert flick.details["flicker_compensated_weight"] == 1.0
    assert flick.dimensions["temporal_flickering"] < clean.dimensions["temporal_flickering"] - 0.01
    assert flick.dimensions["motion_smoothness"] < clean.dimensions["motion_smoothness"]
    assert flick.gate_failures == []


def test_jitter_lowers_motion_smoothness(score_cached):
    clean, jit = score_cached("clean"), score_cached("jitter")
    assert jit.dimensions["motion_smoothness"] < clean.dimensions["motion_smoothness"] - 0.008
    # flow compensation absorbs the shake: flicker barely moves, unlike VBench's raw formula
    assert clean.dimensions["temporal_flickering"] - jit.dimensions["temporal_flickering"] < 0.005
    assert jit.details["flicker_raw"] < clean.details["flicker_raw"] - 0.005
    # shake is not rewarded as much more motion
    assert jit.dimensions["motion_amount"] - clean.dimensions["motion_amount"] < 0.05
    assert jit.gate_failures == []


def test_frozen_clip(score_cached):
    frozen, clean = score_cached("frozen"), score_cached("clean")
    assert frozen.dimensions["motion_amount"] < 0.01 < clean.dimensions["motion_amount"]
    assert frozen.dimensions["dynamic_degree"] == 0.0
    assert frozen.dimensions["camera_motion"] == 0.0 and frozen.labels["camera_motion_detected"] == "static"
    # near-static: VBench's raw formula is used
    assert frozen.details["flicker_compensated_weight"] == 0.0
    assert codes(frozen) == ["frozen"]
    assert frozen.overall < 60
    # no frozen gate when no motion was asked for, or a still shot was
    assert score_cached("frozen", prompt="").gate_failures == []
    still = score_cached("frozen", prompt="Static camera, no motion")
    assert still.gate_failures == [] and still.motion_expected is False
    assert still.dimensions["camera_motion"] == 1.0  # a static shot was asked for, and delivered


def test_black_clip(score_cached):
    r = score_cached("black")
    assert codes(r) == ["black"]
    assert r.gate_failures[0].startswith("black: 60 of 60 frames")
    assert r.dimensions["i2v_subject"] < 0.2 and r.details["first_frame_score"] < 0.1


def test_wrong_first_frame(score_cached):
    right, wrong = score_cached("clean"), score_cached("clean", hero="wrong_hero")
    assert wrong.dimensions["i2v_subject"] < right.dimensions["i2v_subject"] - 0.3
    assert wrong.dimensions["i2v_background"] < right.dimensions["i2v_background"]
    assert codes(wrong) == ["wrong_first_frame"]
    assert "wrong_first_frame" not in codes(right)


def test_truncated_clips(score_cached):
    cut = score_cached("truncated")
    assert codes(cut) == ["truncated"]
    assert cut.video["decoded_frames"] < 0.6 * cut.video["frames"]
    short = score_cached("short", expected_duration=2.5)
    assert codes(short) == ["truncated"]
    assert score_cached("short").gate_failures == []  # the container itself is complete


def test_low_fps_clip_uses_vbench_drop_frame_scheme(score_cached):
    r = score_cached("lowfps")
    assert r.video["flow_step"] == 1
    assert r.details["smoothness_frames"] >= 8
    assert r.dimensions["motion_smoothness"] > 0.98 and r.gate_failures == []


def test_without_hero(score_cached):
    r = score_cached("clean", hero=None)
    assert "i2v_subject" not in r.dimensions
    assert r.metrics_skipped["i2v_subject"] == "no hero image given"
    assert r.metrics_skipped["i2v_background"] == "no hero image given"
    assert r.gate_failures == []


def test_hero_with_other_aspect_ratio(clips, tmp_path):
    """A wider hero whose centre crop is the first frame still matches."""
    from PIL import Image

    from scoring import score_video

    first = np.asarray(Image.open(clips.hero))
    wide = np.concatenate([first[:, :40][:, ::-1], first, first[:, -40:][:, ::-1]], axis=1)
    p = tmp_path / "wide.png"
    Image.fromarray(np.ascontiguousarray(wide)).save(p)
    r = score_video(clips.clean, p, "pan", enable_pyiqa=False, metrics=["i2v_subject"])
    assert r.video["hero_fit"] == "crop"
    assert r.dimensions["i2v_subject"] > 0.95 and r.gate_failures == []


@pytest.mark.parametrize(
    "prompt, expected",
    [
        ("", None),
        ("   ", None),
        ("slow dolly in, leaves sway", True),
        ("Static camera, the steam rises", False),
        ("no camera movement", False),
        ("locked-off shot", False),
        ("still life of fruit, slow orbit", True),
    ],
)
def test_motion_expectation(prompt, expected):
    assert motion_expectation(prompt) is expected


def test_imageops_units():
    import cv2

    from scoring.imageops import (
        interpolate,
        layout_correlation,
        masked_mean_abs_diff,
        ssim,
        top_fraction_mean,
    )

    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur((rng.random((90, 160, 3)) * 255).astype(np.uint8), (0, 0), 1.5)
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    assert ssim(g, g) == pytest.approx(1.0)
    noisy = np.clip(g + rng.normal(0, 20, g.shape), 0, 255).astype(np.uint8)
    assert ssim(g, noisy) < 0.9
    assert layout_correlation(g, g) == pytest.approx(1.0)
    assert layout_correlation(g, np.zeros_like(g)) == 0.0
    assert top_fraction_mean(np.arange(100, dtype=np.float32), 0.05) == pytest.approx(97.0)
    # a pure translation by (4, 0) px per step is interpolated almost exactly
    m = lambda dx: np.float32([[1, 0, dx], [0, 1, 0]])
    a = cv2.warpAffine(img, m(0), (160, 90), borderMode=cv2.BORDER_REFLECT)
    mid = cv2.warpAffine(img, m(2), (160, 90), borderMode=cv2.BORDER_REFLECT)
    b = cv2.warpAffine(img, m(4), (160, 90), borderMode=cv2.BORDER_REFLECT)
    flow = np.zeros((90, 160, 2), np.float32)
    flow[..., 0] = 4.0  # a(x) = b(x + 4)
    pred, valid = interpolate(a, b, flow, 0.5)
    assert masked_mean_abs_diff(mid, pred, valid) < 1.0
    assert masked_mean_abs_diff(mid, a) > 3.0


def test_parallel_scoring_matches_sequential(clips, score_cached):
    from scoring import ScoringInputError, score_videos

    out = score_videos([clips.clean, clips.jitter, clips.garbage], clips.hero, "slow pan to the right", workers=3,
                       enable_pyiqa=False)
    assert out[0].dimensions == score_cached("clean").dimensions
    assert out[1].dimensions == score_cached("jitter").dimensions
    assert isinstance(out[2], ScoringInputError)


def test_streaming_keeps_memory_small(clips):
    """Frames are streamed: peak memory does not grow with the clip length."""
    import tracemalloc

    from scoring import score_video

    def peak(path):
        score_video(path, clips.hero, "slow pan to the right", enable_pyiqa=False)  # warm caches
        tracemalloc.start()
        score_video(path, clips.hero, "slow pan to the right", enable_pyiqa=False)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    short, full = peak(clips.short), peak(clips.clean)  # 12 vs 60 frames
    assert full < 1.5 * short + 1e6, (short, full)


def test_a_move_that_stalls_is_caught(score_cached):
    """The camera stops a third of the way in and holds: still 'follows' the pan first→last, but
    motion_continuity drops, the stalled gate fires, and the held frames do not buy smoothness."""
    clean, stalled = score_cached("clean"), score_cached("stalled")
    assert clean.dimensions["motion_continuity"] == 1.0 and "stalled" not in codes(clean)
    assert stalled.dimensions["camera_motion"] == 1.0
    assert stalled.dimensions["motion_continuity"] < 0.7
    assert "stalled" in codes(stalled)
    assert stalled.details["continuity_done_at"] < 0.5 < clean.details["continuity_done_at"]
    assert stalled.dimensions["motion_smoothness"] - clean.dimensions["motion_smoothness"] < 0.004
    # a still shot asks for no move over time: the dimension is not computed
    still = score_cached("clean", prompt="static camera")
    assert "motion_continuity" not in still.dimensions and "motion_continuity" in still.metrics_skipped
