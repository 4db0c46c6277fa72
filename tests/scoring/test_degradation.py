"""A small run of the degradation benchmark (benchmarks/degradation.py) so CI
keeps it honest: 2 real photos from installed wheels, 480×270, 2 s clips, one
strength — every degradation (stalls, late start, stutter and mild blocking
included) must lower the dimension meant to catch it."""

from __future__ import annotations

import pytest

from benchmarks import degradation


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from scoring import pyiqa_backend

    if len(degradation.photo_paths()) < 2:  # pragma: no cover - depends on the install
        pytest.skip("needs photos from scikit-image or pyiqa")
    pyiqa = pyiqa_backend.import_error() is None
    res, _ = degradation.run(2, (480, 270), 2.0, enable_pyiqa=pyiqa, workers=2, tmp=tmp_path_factory.mktemp("degr"),
                             strengths=(1.0,))
    return res


def test_clean_attempt_is_picked(result):
    assert result["clean_first_full_group"] == 1.0, result["misses"]
    assert result["clean_first_triplets"] >= 0.95
    assert result["clean_wins_pairwise"] >= 0.9
    assert result["near_tie_clean_first"] >= 0.95


def test_each_degradation_lowers_its_dimension(result):
    for name, p in result["per_degradation"].items():
        assert p["groups"] == 2, name
        assert p["lowered"] == p["groups"], (name, p)
    per = result["per_degradation"]
    assert per["wrong_first_frame"]["gated"] == 2
    assert per["wrong_camera_move"]["mean_drop"] == 1.0
    for stall in ("stall_quarter", "stall_third", "stall_half", "late_start"):  # gated as stalled, too
        assert per[stall]["gated"] == 2 and per[stall]["mean_drop"] > 0.15, stall
    assert per["stutter"]["mean_drop"] > 0.004


def test_near_identical_attempts_are_called_a_tie(result):
    assert result["near_tie_groups"] == 2 * len(degradation.DEGRADATIONS)
    assert result["near_tie_reported_tie"] >= 0.5, result["near_tie_misses"]


def test_markdown_summary(result):
    text = degradation.markdown(result)
    assert f"| full groups (clean + {len(degradation.DEGRADATIONS)} variants), 2 | 100.0% |" in text
    assert "| near-tie groups reported as a tie |" in text
    assert text.count("\n| ") >= 30


def test_weight_free_imaging_quality_catches_blocking(tmp_path):
    """With pyiqa off (a commercial deployment), blocking still lowers imaging_quality."""
    from scoring import score_videos

    paths = degradation.photo_paths()
    photo = degradation.load_photo(next(iter(paths.values())))
    n, size = 24, (320, 180)
    clips = [degradation.write_video(tmp_path / f"{v}.mp4", degradation.variant_frames(
        v, photo, photo, "zoom_in", "pan_right", size, n, seed=1))
        for v in ("clean", "mild_blocking", "compression_blocking")]
    clean, mild, heavy = score_videos(clips, None, "slow push-in", workers=2, enable_pyiqa=False)
    assert clean.labels["imaging_quality_model"] == "weight-free: blockiness"
    iq = [r.dimensions["imaging_quality"] for r in (clean, mild, heavy)]
    assert iq[0] > iq[1] > iq[2], iq
