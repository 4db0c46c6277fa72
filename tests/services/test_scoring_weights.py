"""Per-project scoring weights: validated on the way in, used when a group's best attempt is picked."""
from __future__ import annotations

import math

import pytest

import scoring
from pipeline.errors import NotFound, StudioError
from storage.models import GenerationGroup, HeroFrame, QualityMetric, VideoAttempt


def test_defaults_until_changed(services, project):
    got = services.projects.get_scoring_weights(project.id)
    assert got["weights"] == dict(scoring.DEFAULT_WEIGHTS) == got["defaults"]
    assert got["overrides"] == {} and got["project_id"] == project.id
    assert math.isclose(sum(got["weights"].values()), 1.0)


def test_partial_override_and_reset(services, project):
    got = services.projects.set_scoring_weights(project.id, {"camera_motion": 0.5, "motion_amount": "0.1"})
    assert got["overrides"] == {"camera_motion": 0.5, "motion_amount": 0.1}
    assert got["weights"]["camera_motion"] == 0.5 and got["weights"]["motion_amount"] == 0.1
    assert got["weights"]["motion_smoothness"] == scoring.DEFAULT_WEIGHTS["motion_smoothness"]
    assert services.projects.get_scoring_weights(project.id) == got
    assert services.projects.set_scoring_weights(project.id, {})["overrides"] == {}
    services.projects.set_scoring_weights(project.id, {"clip_score": 0})
    assert services.projects.set_scoring_weights(project.id, None)["weights"] == dict(scoring.DEFAULT_WEIGHTS)


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"sharpness": 1.0}, "Unknown scoring dimension 'sharpness'; known: temporal_flickering, "),
        ({"sharpness": 1.0, "wow": 2}, "Unknown scoring dimensions 'sharpness', 'wow'"),
        ({"camera_motion": -0.1}, "The weight of 'camera_motion' must be a number of 0 or more; got -0.1"),
        ({"camera_motion": "lots"}, "must be a number of 0 or more; got 'lots'"),
        ({"camera_motion": float("inf")}, "must be a number of 0 or more"),
        ({"camera_motion": None}, "must be a number of 0 or more; got None"),
        ({"camera_motion": True}, "must be a number of 0 or more; got True"),
        (dict.fromkeys(scoring.DIMENSIONS, 0.0), "At least one scoring weight must be above 0"),
        ([("camera_motion", 1.0)], "must be a mapping"),
    ],
)
def test_bad_weights_are_explained(services, project, weights, message):
    services.projects.set_scoring_weights(project.id, {"camera_motion": 0.3})
    with pytest.raises(StudioError, match=message.replace("(", r"\(").replace("+", r"\+")):
        services.projects.set_scoring_weights(project.id, weights)
    assert services.projects.get_scoring_weights(project.id)["overrides"] == {"camera_motion": 0.3}  # unchanged


def test_unknown_project(services):
    with pytest.raises(NotFound):
        services.projects.set_scoring_weights(999, {"camera_motion": 1.0})
    with pytest.raises(NotFound):
        services.projects.get_scoring_weights(999)


def _scored_group(services, project_id, attempts):
    """A group whose attempts are already scored (rows as ScoreJob stores them)."""
    version = scoring.SCORER_VERSION
    with services.db.session() as session:
        frame = HeroFrame(project_id=project_id, engine="test", aspect_ratio="16:9", width=16, height=9,
                          image_path="hero.png", thumbnail_path="hero.png")
        session.add(frame)
        session.flush()
        group = GenerationGroup(project_id=project_id, hero_frame_id=frame.id, engine="test",
                                motion_prompt="slow push-in")
        session.add(group)
        session.flush()
        for i, dims in enumerate(attempts):
            details = {"scorer_version": version, "gate_failures": [], "metrics_used": list(dims),
                       "motion_expected": True,
                       "labels": {"camera_motion_phrase": "push-in", "camera_motion_expected": "zoom_in"}}
            attempt = VideoAttempt(group_id=group.id, index=i + 1, seed=i, status="done", overall_score=90.0,
                                   score_details=details)
            session.add(attempt)
            session.flush()
            for name, value in dims.items():
                session.add(QualityMetric(attempt_id=attempt.id, name=name, value=value, scorer_version=version))
            # a value from an older scorer version must not leak into the ranking
            session.add(QualityMetric(attempt_id=attempt.id, name="motion_amount", value=1.0 - i,
                                      scorer_version="1.0.0"))
        return group.id


def _pick(services, group_id):
    assert services.selection.select_if_complete(group_id)
    group = services.attempts.group(group_id)
    best = [a.index for a in group.attempts if a.is_system_selected_best]
    return best, group.selection_reason


def test_selection_uses_the_project_weights(services, project):
    smooth = {"camera_motion": 1.0, "motion_smoothness": 0.996, "temporal_flickering": 0.99, "motion_amount": 0.2}
    lively = {"camera_motion": 1.0, "motion_smoothness": 0.990, "temporal_flickering": 0.99, "motion_amount": 0.8}
    group_id = _scored_group(services, project.id, [smooth, lively])
    best, reason = _pick(services, group_id)
    assert best == [1] and reason.startswith(
        "Best of 2 (clear pick): smoother motion (0.996 vs 0.990 for the runner-up, +0.006), follows 'push-in'")
    stored = services.attempts.group(group_id)
    assert stored.pick_confidence.band == "clear" and stored.pick_confidence.tied_attempt_ids == []
    assert [a.rank for a in stored.attempts] == [1, 2]

    services.projects.set_scoring_weights(project.id, {"motion_amount": 1.0})
    best, reason = _pick(services, group_id)
    assert best == [2] and "more motion (0.800 vs 0.200 for the runner-up, +0.600)" in reason


def test_a_near_tie_is_stored_and_shown_as_one(services, project):
    a = {"camera_motion": 1.0, "motion_smoothness": 0.9981, "temporal_flickering": 0.9952, "i2v_subject": 0.981}
    b = {"camera_motion": 1.0, "motion_smoothness": 0.9978, "temporal_flickering": 0.9950, "i2v_subject": 0.984}
    group_id = _scored_group(services, project.id, [a, b])
    best, reason = _pick(services, group_id)
    assert len(best) == 1 and reason.startswith("Best of 2: a tie — these are equally good on every measure")
    view = services.attempts.group(group_id)
    assert view.pick_confidence.band == "tie"
    assert sorted(view.pick_confidence.tied_attempt_ids) == sorted(x.id for x in view.attempts)
    assert all(x.tied_with_pick for x in view.attempts)
    shown = {x.index: x.relative_score for x in view.attempts}
    assert shown[best[0]] == max(shown.values())  # the pick never has a lower shown score
    other = next(x for x in view.attempts if x.index != best[0])
    decision = services.selection.select_attempt(other.id, "looks better to me")
    assert decision["system_pick_confidence"] == "tie" and not decision["agrees_with_system"]
