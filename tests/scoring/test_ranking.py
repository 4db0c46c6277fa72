"""Ranking within a generation group."""

from __future__ import annotations

import json

import pytest

from scoring import (
    DEFAULT_WEIGHTS,
    DIMENSIONS,
    Ranking,
    ScoreReport,
    rank,
    resolve_weights,
)
from scoring.ranking import normalise


def test_clean_beats_flicker_and_jitter(score_cached):
    reports = [score_cached("flicker"), score_cached("clean"), score_cached("jitter")]
    r = rank(reports)
    assert isinstance(r, Ranking)
    assert r.best_index == 1 and r.order[0] == 1
    assert sorted(r.order) == [0, 1, 2]
    assert r.relative_scores[1] == max(r.relative_scores)
    assert all(0.0 <= s <= 100.0 for s in r.relative_scores)
    assert r.reason.startswith("Best of 3 (clear pick): ")
    assert r.confidence == "clear" and r.confidence_label == "clear pick" and r.tied == []
    assert "first frame matches the hero" in r.reason or "stays closer to the hero" in r.reason
    assert "follows 'pan to the right'" in r.reason
    assert len(r.reasons) == 3 and r.reasons[1] == r.reason
    assert r.reasons[0].startswith("Rank ") and r.reasons[2].startswith("Rank ")
    json.dumps(r.to_dict())
    # deterministic and independent of input order
    assert rank(reports) == r
    shuffled = rank([reports[2], reports[0], reports[1]])
    assert shuffled.best_index == 2
    # works on stored dicts too
    assert rank([x.to_dict() for x in reports]) == r


def test_each_degradation_loses_pairwise(score_cached):
    clean = score_cached("clean")
    for bad in ("flicker", "jitter"):
        r = rank([score_cached(bad), clean])
        assert r.best_index == 1, bad
        assert r.order == [1, 0]


def test_gated_attempts_go_last(score_cached):
    reports = [score_cached("frozen"), score_cached("black"), score_cached("flicker"), score_cached("clean")]
    r = rank(reports)
    assert r.best_index == 3
    assert r.order[:2] == [3, 2] and set(r.order[2:]) == {0, 1}
    assert r.relative_scores[0] == 0.0 and r.relative_scores[1] == 0.0
    assert "2 attempts failed checks (black, frozen)" in r.reason
    assert "failed checks" in r.reasons[0] and "frozen" in r.reasons[0]
    assert r.group_scores[0] is None


def test_all_gated_has_no_best(score_cached):
    r = rank([score_cached("black"), score_cached("frozen")])
    assert r.best_index is None
    assert sorted(r.order) == [0, 1]
    assert r.reason.startswith("No attempt passed the checks")


def test_edge_cases(score_cached):
    empty = rank([])
    assert empty.best_index is None and empty.order == [] and empty.reasons == []
    single = rank([score_cached("clean")])
    assert single.best_index == 0 and single.relative_scores == [100.0]
    assert single.reason.startswith("Only attempt")


def _report(labels=None, **dims) -> ScoreReport:
    base = {d: 0.97 for d in ("temporal_flickering", "motion_smoothness", "i2v_subject", "i2v_background")}
    base.update(motion_amount=0.5, dynamic_degree=0.0)
    base.update(dims)
    return ScoreReport(dimensions=base, overall=90.0, metrics_used=[], metrics_skipped={}, gate_failures=[],
                       seconds=0.1, labels=dict(labels or {}))


def test_tiny_differences_do_not_decide_but_real_ones_do():
    # noise-level differences (below the floor) on one dimension, a real difference on another
    a = _report(motion_smoothness=0.9901, temporal_flickering=0.990)
    b = _report(motion_smoothness=0.9900, temporal_flickering=0.999)
    r = rank([a, b])
    assert r.best_index == 1
    assert "steadier frames (0.999 vs 0.990 for the runner-up, +0.009)" in r.reason
    assert "smoother" not in r.reason  # 0.9901 vs 0.9900: within the noise and not visible at 3 decimals


def test_custom_weights_change_the_pick():
    smooth = _report(motion_smoothness=0.995, motion_amount=0.2)
    lively = _report(motion_smoothness=0.990, motion_amount=0.7)
    assert rank([smooth, lively]).best_index == 0
    assert rank([smooth, lively], weights={"motion_amount": 1.0}).best_index == 1
    # a project's partial overrides are merged with the defaults first
    project = resolve_weights({"motion_amount": 0.5})
    assert project["motion_amount"] == 0.5 and project["motion_smoothness"] == DEFAULT_WEIGHTS["motion_smoothness"]
    assert rank([smooth, lively], weights=project).best_index == 1
    # a still shot was asked for: motion is not rewarded
    smooth.motion_expected = lively.motion_expected = False
    still = rank([smooth, lively], weights={"motion_amount": 1.0, "motion_smoothness": 0.1})
    assert still.best_index == 0 and still.weights["motion_amount"] == 0.0


def test_ties_are_broken_deterministically():
    a, b = _report(), _report()
    r = rank([a, b])
    assert r.best_index == 0 and r.order == [0, 1]
    assert r.confidence == "tie" and r.tied == [0, 1]
    assert "a tie — these are equally good on every measure; choose by eye" in r.reason
    assert r.reasons[1] == "Rank 2 of 2: a tie with the pick — equally good on every measure"
    assert r.relative_scores == [50.0, 50.0]


def test_default_weights_are_documented_keys():
    assert set(DEFAULT_WEIGHTS) == set(DIMENSIONS)
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)
    assert DEFAULT_WEIGHTS["motion_continuity"] > 0 and DEFAULT_WEIGHTS["motion_amount"] == 0
    with pytest.raises(TypeError):
        DEFAULT_WEIGHTS["motion_amount"] = 1.0  # read-only mapping


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"sharpness": 1.0}, "unknown scoring dimension 'sharpness'"),
        ({"camera_motion": -1}, "must be a number ≥ 0"),
        ({"camera_motion": "a lot"}, "must be a number ≥ 0"),
        ({"camera_motion": float("nan")}, "must be a number ≥ 0"),
        ({"camera_motion": True}, "must be a number ≥ 0"),
        (dict.fromkeys(DIMENSIONS, 0), "at least one scoring weight"),
    ],
)
def test_resolve_weights_rejects_bad_input(weights, message):
    with pytest.raises(ValueError, match=message):
        resolve_weights(weights)
    # lenient mode (stored settings from an older version) just drops bad entries
    assert set(resolve_weights(weights, strict=False)) == set(DIMENSIONS)


def test_resolve_weights_defaults():
    assert resolve_weights(None) == dict(DEFAULT_WEIGHTS) == resolve_weights({})
    assert resolve_weights({"clip_score": "0.2"})["clip_score"] == 0.2


def test_camera_move_decides_and_is_named():
    asked = {"camera_motion_phrase": "push-in", "camera_motion_expected": "zoom_in"}
    follows = _report(labels={**asked, "camera_motion_detected": "zoom_in"}, camera_motion=1.0, motion_smoothness=0.990)
    pans = _report(labels={**asked, "camera_motion_detected": "pan_left"}, camera_motion=0.0, motion_smoothness=0.992)
    r = rank([pans, follows])
    assert r.best_index == 1
    assert r.reason == "Best of 2 (clear pick): follows 'push-in'"
    assert r.reasons[0] == "Rank 2 of 2: does not follow 'push-in' (pan left)"
    # when both follow it, the reason still says so after the deciding dimension
    both = rank([_report(labels={**asked}, camera_motion=1.0, motion_smoothness=0.999),
                 _report(labels={**asked}, camera_motion=1.0)])
    assert both.reason.startswith("Best of 2 (clear pick): smoother motion (0.999 vs 0.970 for the runner-up, +0.029), "
                                  "follows 'push-in'")


@pytest.mark.parametrize("method", ["z", "jnd", "rank"])
def test_normalisation_methods(method):
    z = normalise([0.99, 0.98, None, 0.90], "motion_smoothness", method)
    assert z[2] == 0.0 and z[0] > z[1] > z[3] and max(abs(v) for v in z) <= 3.0
    # differences below the floor do not separate attempts much
    tiny = normalise([0.9901, 0.9900], "motion_smoothness", method)
    assert abs(tiny[0] - tiny[1]) < 0.2
    a, b = _report(motion_smoothness=0.999), _report(motion_smoothness=0.98)
    assert rank([b, a], method=method).best_index == 1
    with pytest.raises(ValueError):
        normalise([1.0], "x", "bogus")


def test_near_equal_values_make_a_tie_not_a_reason():
    # the case: 0.998 vs 0.998 must never be a reason; differences within the noise band are a tie
    a = _report(motion_smoothness=0.9981, temporal_flickering=0.9952, i2v_subject=0.981)
    b = _report(motion_smoothness=0.9978, temporal_flickering=0.9950, i2v_subject=0.984)
    r = rank([a, b])
    assert r.confidence == "tie" and set(r.tied) == {0, 1}
    assert " vs " not in r.reason and r.reason.startswith("Best of 2: a tie — these are equally good")
    # deterministic: the same pick whatever the input order
    assert rank([b, a]).best_index == 1 - r.best_index


def test_slight_edge_and_clear_pick_bands():
    base = _report()
    edge = _report(motion_smoothness=0.9735)  # just beyond the smoothness noise band, nothing else
    clear = _report(motion_smoothness=0.985, i2v_subject=0.99)
    r = rank([base, edge])
    assert r.best_index == 1 and r.confidence == "slight" and 0 < r.margin < 1
    assert "smoother motion (0.974 vs 0.970 for the runner-up, +0.004)" in r.reason
    r = rank([base, clear])
    assert r.best_index == 1 and r.confidence == "clear" and r.margin >= 1


@pytest.mark.parametrize("seed", range(20))
def test_pick_has_the_best_shown_score_and_reasons_name_visible_differences(seed):
    import random

    rnd = random.Random(seed)
    reps = [_report(**{d: 0.97 + rnd.uniform(-0.006, 0.006) for d in ("motion_smoothness", "temporal_flickering",
                                                                       "i2v_subject", "i2v_background")})
            for _ in range(3)]
    r = rank(reps)
    shown = [round(v, 1) for v in r.relative_scores]
    assert shown[r.best_index] == max(shown)
    for text in r.reasons:
        for a, b in __import__("re").findall(r"\((\d\.\d{3}) vs (\d\.\d{3})", text):
            assert a != b, text
