"""``python -m scoring`` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "scoring", *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)


def test_score_json(clips):
    p = run("score", clips.clean, "--hero", clips.hero, "--motion-prompt", "slow pan", "--no-pyiqa", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    for key in ("overall", "dimensions", "metrics_used", "metrics_skipped", "gate_failures", "seconds"):
        assert key in d
    assert 0 <= d["overall"] <= 100
    assert "aesthetic_quality" in d["metrics_skipped"] and d["gate_failures"] == []
    assert d["labels"]["imaging_quality_model"] == "weight-free: blockiness"
    assert set(d["dimensions"]) >= {"temporal_flickering", "motion_smoothness", "i2v_subject", "camera_motion"}
    assert d["metrics_used"][:3] == ["temporal_flickering", "motion_smoothness", "dynamic_degree"]
    assert d["seconds"] > 0 and d["labels"]["camera_motion_phrase"] == "pan"


def test_rank_json_and_table(clips):
    p = run("rank", clips.flicker, clips.clean, clips.frozen, "--hero", clips.hero, "--motion-prompt", "pan",
            "--no-pyiqa", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["best_index"] == 1 and d["best_video"] == str(clips.clean)
    assert d["order"][-1] == 2 and d["reason"].startswith("Best of 3")
    assert "follows 'pan'" in d["reason"] and len(d["reasons"]) == 3
    assert len(d["attempts"]) == 3 and d["attempts"][2]["gate_failures"]
    t = run("rank", clips.flicker, clips.clean, "--hero", clips.hero, "--no-pyiqa")
    assert t.returncode == 0, t.stderr
    assert "clean.mp4" in t.stdout and "Best of 2" in t.stdout


def test_readable_score(clips):
    p = run("score", clips.frozen, "--motion-prompt", "pan", "--no-pyiqa")
    assert p.returncode == 0, p.stderr
    assert "overall" in p.stdout and "FAILED frozen" in p.stdout


def test_bad_inputs_exit_non_zero_without_traceback(clips, tmp_path):
    for args in (
        ("score", clips.garbage, "--json"),
        ("score", clips.empty),
        ("score", tmp_path / "missing.mp4"),
        ("score", clips.clean, "--hero", clips.not_image, "--no-pyiqa"),
        ("rank", clips.clean, clips.garbage, "--no-pyiqa", "--json"),
        ("rank", clips.clean, clips.empty, "--hero", clips.hero, "--no-pyiqa"),
        ("score", clips.clean, "--hero", clips.empty, "--no-pyiqa", "--json"),
        ("score", clips.clean, "--no-pyiqa", "--weights", "sharpness=1"),
        ("score", clips.clean, "--no-pyiqa", "--weights", "camera_motion"),
    ):
        p = run(*args)
        assert p.returncode == 2, args
        assert p.stderr.startswith("error: "), p.stderr
        assert "Traceback" not in p.stderr and p.stdout == ""


def test_weights_option(clips):
    p = run("score", clips.clean, "--hero", clips.hero, "--motion-prompt", "pan left", "--no-pyiqa", "--json",
            "--weights", "camera_motion=0,motion_smoothness=1")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["dimensions"]["camera_motion"] == 0.0  # the clip pans right
    from scoring import resolve_weights
    from scoring.scorer import overall_score

    weights = resolve_weights({"camera_motion": 0, "motion_smoothness": 1})
    assert d["overall"] == overall_score(d["dimensions"], weights=weights, motion_expected=True)
    assert d["overall"] > overall_score(d["dimensions"], motion_expected=True)  # the miss no longer counts
