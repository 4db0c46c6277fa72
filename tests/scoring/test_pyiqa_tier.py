"""The optional pyiqa tier (PIQE). Kept to one real pyiqa run: importing it costs ~2.5 s."""

from __future__ import annotations

import pytest

from scoring import score_video


def test_pyiqa_enabled_adds_imaging_quality(clips):
    from scoring import pyiqa_backend

    if pyiqa_backend.import_error():  # pragma: no cover - depends on the environment
        r = score_video(clips.clean, clips.hero, "pan", metrics=["imaging_quality"])
        assert "imaging_quality" in r.metrics_skipped
        pytest.skip(pyiqa_backend.import_error())
    r = score_video(clips.clean, clips.hero, "pan", metrics=["imaging_quality", "temporal_flickering"])
    assert r.metrics_used == ["temporal_flickering", "imaging_quality"]
    assert 0.0 < r.dimensions["imaging_quality"] <= 1.0
    assert 0.0 <= r.details["piqe_mean"] <= 100.0
    assert r.details["iqa_frames"] == 3.0
    assert r.dimensions["imaging_quality"] == pytest.approx(
        (1.0 - r.details["piqe_mean"] / 100.0) * r.details["blocking_factor"], abs=1e-5)
    assert r.labels["imaging_quality_model"] == "pyiqa:piqe"
    # only weight-free metrics may ever be created (no downloads)
    with pytest.raises(RuntimeError, match="needs weights"):
        pyiqa_backend.get_metric("musiq")


def test_env_switch_disables_pyiqa(clips, monkeypatch):
    monkeypatch.setenv("SCORING_DISABLE_PYIQA", "1")
    r = score_video(clips.clean, clips.hero, "pan", enable_pyiqa=True,
                    metrics=["imaging_quality", "temporal_flickering"])
    assert r.metrics_used == ["temporal_flickering", "imaging_quality"] and r.metrics_skipped == {}
    assert r.labels["imaging_quality_model"] == "weight-free: blockiness" and "piqe_mean" not in r.details
    # the rest of the scorer works with the tier off
    full = score_video(clips.clean, clips.hero, "slow pan to the right", enable_pyiqa=True)
    assert {"aesthetic_quality", "clip_score"} <= set(full.metrics_skipped)
    assert {"motion_smoothness", "camera_motion", "i2v_subject"} <= set(full.dimensions)


def test_flag_disables_pyiqa(score_cached):
    r = score_cached("clean")
    assert "imaging_quality" not in r.metrics_skipped and "piqe_mean" not in r.details
    assert r.labels["imaging_quality_model"] == "weight-free: blockiness"
    assert r.dimensions["imaging_quality"] == pytest.approx(r.details["blocking_factor"])
