"""Package surface: light import, exports, registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import scoring
from scoring.metrics import Metric, MetricOutput, registered_metrics

REPO = Path(__file__).resolve().parents[2]


def test_import_is_light():
    code = (
        "import sys, json, scoring; "
        "print(json.dumps([m for m in ('torch', 'pyiqa', 'cv2', 'av', 'numpy', 'torchvision') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_exports():
    for name in ("score_video", "score_videos", "rank", "ScoreReport", "Ranking", "ScoringInputError", "SCORER_VERSION",
                 "DEFAULT_WEIGHTS", "DIMENSIONS", "resolve_weights", "ScoringConfig", "warmup"):
        assert hasattr(scoring, name), name
    assert issubclass(scoring.ScoringInputError, ValueError)
    assert abs(sum(scoring.DEFAULT_WEIGHTS.values()) - 1.0) < 1e-9
    assert all(w >= 0 for w in scoring.DEFAULT_WEIGHTS.values())
    assert isinstance(scoring.SCORER_VERSION, str) and scoring.SCORER_VERSION


def test_registry_has_one_module_per_dimension():
    metrics = {m.name: m for m in registered_metrics()}
    assert list(metrics) == [
        "temporal_flickering",
        "motion_smoothness",
        "dynamic_degree",
        "camera_motion",
        "motion_continuity",
        "i2v_subject",
        "i2v_background",
        "imaging_quality",
        "aesthetic_quality",
        "clip_score",
    ]
    dims = [d for m in metrics.values() for d in m.dimensions]
    assert sorted(dims) == sorted(scoring.DIMENSIONS) and len(dims) == len(set(dims))
    assert set(scoring.DEFAULT_WEIGHTS) == set(dims)
    assert metrics["imaging_quality"].requires == ()  # PIQE / MUSIQ with pyiqa, blockiness without
    assert metrics["aesthetic_quality"].requires == ("pyiqa", "learned") == metrics["clip_score"].requires
    assert metrics["i2v_subject"].needs_hero and metrics["i2v_background"].needs_hero
    for m in metrics.values():
        assert issubclass(m, Metric) and m.__module__ == f"scoring.metrics.{m.name}"  # one module per metric


def test_modules_stay_small():
    for path in (REPO / "scoring").rglob("*.py"):
        assert len(path.read_text().splitlines()) < 400, path


def test_metric_subset_and_custom_metric(clips):
    from scoring.metrics import _REGISTRY, register

    @register
    class FrameCount(Metric):
        name = "test_frame_count"
        dimensions = ("test_frame_count",)

        def __init__(self, clip):
            super().__init__(clip)
            self.n = 0

        def on_frame(self, frame, prev):
            self.n += 1

        def finish(self, summary):
            return MetricOutput(values={self.name: min(1.0, self.n / 100)})

    try:
        r = scoring.score_video(clips.clean, metrics=["temporal_flickering", "test_frame_count"], enable_pyiqa=False)
    finally:
        _REGISTRY.pop("test_frame_count", None)
    assert r.metrics_used == ["temporal_flickering", "test_frame_count"]
    assert r.dimensions["test_frame_count"] == 0.6
    assert set(r.dimensions) == {"temporal_flickering", "test_frame_count"}


def test_broken_metric_is_reported_not_fatal(clips):
    from scoring.metrics import _REGISTRY, register

    @register
    class Broken(Metric):
        name = "test_broken"

        def on_pair(self, pair):
            raise RuntimeError("boom")

        def finish(self, summary):  # pragma: no cover - never reached
            return MetricOutput(values={self.name: 1.0})

    try:
        r = scoring.score_video(clips.clean, metrics=["motion_smoothness", "test_broken"], enable_pyiqa=False)
    finally:
        _REGISTRY.pop("test_broken", None)
    assert r.metrics_used == ["motion_smoothness"]
    assert r.metrics_skipped == {"test_broken": "error: RuntimeError: boom"}
