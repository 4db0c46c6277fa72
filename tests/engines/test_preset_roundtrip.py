"""Every motion preset → the local camera-motion engine → scoring detects the move that was asked for.

Ties the three vocabularies together: the preset's words (services), the engine's planned move (motion_plan)
and scoring's camera labels (scoring.camera). Several seeds per preset, so the per-seed variation of a take never
breaks a preset. Small clips (144 p, 2 s at 12 fps) keep it fast; the default negative prompt is used because
that is what the attempts tab sends with a preset.
"""
from __future__ import annotations

import pytest

from pipeline.engines.interfaces import VideoRequest
from pipeline.engines.local_motion import LocalCameraMotionEngine
from pipeline.services.attempts import SEED_STRIDE
from pipeline.services.motion_presets import DEFAULT_NEGATIVE_PROMPT, MOTION_PRESETS
from scoring import score_video
from scoring.camera import expected_moves

SEEDS = [1 + index * SEED_STRIDE for index in range(3)]  # a group's attempt seeds
#: The engine's move → the camera label scoring should see (moves scoring's border rule cannot judge: absent).
SCORING_LABEL = {"push_in": "zoom_in", "dolly_in": "zoom_in", "pull_out": "zoom_out", "dolly_out": "zoom_out",
                 "pan_left": "pan_left", "pan_right": "pan_right", "tilt_up": "tilt_up", "tilt_down": "tilt_down",
                 "static": "static"}


@pytest.fixture(scope="module")
def engine() -> LocalCameraMotionEngine:
    return LocalCameraMotionEngine()


@pytest.mark.parametrize("preset", list(MOTION_PRESETS))
def test_preset_move_is_detected_by_scoring(preset, engine, hero_path, tmp_path):
    prompt = MOTION_PRESETS[preset]
    expected = expected_moves(prompt)
    for seed in SEEDS:
        request = VideoRequest(hero_path, prompt, DEFAULT_NEGATIVE_PROMPT, seed=seed, duration=2.0, fps=12,
                               min_short_side=144)
        result = engine.animate(request, tmp_path / f"{seed}.mp4")
        move = result.parameters["move"]
        report = score_video(result.path, hero_path, prompt, enable_pyiqa=False, metrics=["camera_motion"])
        detected = set(filter(None, report.labels.get("camera_motion_detected", "").split(",")))
        context = (preset, seed, move, result.parameters["variation"]["phrase"], report.labels)
        if expected is None:  # orbit, handheld: scoring cannot judge them, so it must not pretend to
            assert "camera_motion" not in report.dimensions, context
            if move in SCORING_LABEL:  # e.g. handheld under "shaky" in the negative prompt falls back to static
                assert SCORING_LABEL[move] in detected, context
            continue
        assert SCORING_LABEL[move] in expected[0], context  # the engine planned the move the words ask for
        assert report.dimensions["camera_motion"] == 1.0, context  # and scoring sees it in the pixels
        assert SCORING_LABEL[move] in detected, context
