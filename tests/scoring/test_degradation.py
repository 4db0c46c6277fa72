"""A small run of the degradation benchmark (benchmarks/degradation.py) so CI
keeps it honest: 2 real photos from installed wheels, 480×270, 2 s clips."""

from __future__ import annotations

import pytest

from benchmarks import degradation


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from scoring import pyiqa_backend

    if len(degradation.photo_paths()) < 2:  # pragma: no cover - depends on the install
        pytest.skip("needs photos from scikit-image or pyiqa")
    pyiqa = pyiqa_backend.import_error() is None
    res, _ = degradation.run(2, (480, 270), 2.0, enable_pyiqa=pyiqa, workers=2, tmp=tmp_path_factory.mktemp("degr"))
    return res


def test_clean_attempt_is_picked(result):
    assert result["clean_first_full_group"] == 1.0, result["misses"]
    assert result["clean_first_triplets"] >= 0.9
    assert result["clean_wins_pairwise"] >= 0.9


def test_each_degradation_lowers_its_dimension(result):
    for name, p in result["per_degradation"].items():
        if name == "compression_blocking" and not result["pyiqa"]:  # pragma: no cover
            continue
        assert p["groups"] == 2, name
        assert p["lowered"] == p["groups"], (name, p)
    assert result["per_degradation"]["wrong_first_frame"]["gated"] == 2
    assert result["per_degradation"]["wrong_camera_move"]["mean_drop"] == 1.0


def test_markdown_summary(result):
    text = degradation.markdown(result)
    assert "| full groups (clean + 10 variants), 2 | 100.0% |" in text
    assert text.count("\n| ") >= 20
