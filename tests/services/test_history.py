"""Iterations, versions and the final pointer: the chain of groups with prompt diffs, re-rolling only some
attempts, suggestions from scores and feedback tags, comparing attempts, and a final version that survives a
restart and leads the timeline."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import NotFound, StudioError
from pipeline.services.prompt_tips import rule_suggestions
from tests.services import seed


@pytest.fixture
def chain(services, project):
    seed.hero(services, project)
    first = seed.group(services, project, "fast dramatic orbit", count=3)
    second = services.attempts.regenerate(first.id, "slow push in toward the bottle", "shaky, blurry", 2)
    return first, services.attempts.group(second.id)


def test_iterations_chain_diffs_and_trend(services, project, chain):
    first, second = chain
    history = services.history.iterations(project.id)
    one, two = history["iterations"]
    assert (one["version"], one["iteration"], two["version"], two["iteration"]) == (1, 1, 2, 2)
    assert two["parent_group_id"] == first.id == two["compared_to_group_id"]
    assert one["key_changes"] == "first version"
    assert two["changes"]["changed_fields"] == ["motion_prompt", "negative_prompt"]
    ops = two["changes"]["motion_prompt"]["ops"]
    assert {"op": "delete", "text": "fast dramatic orbit"} in ops
    assert any(op["op"] == "insert" and "push in toward the bottle" in op["text"] for op in ops)
    assert "motion:" in two["key_changes"] and "negative:" in two["key_changes"]
    for row, group in ((one, first), (two, second)):
        system = next(a for a in group.attempts if a.is_system_selected_best)
        assert row["chosen"]["attempt_id"] == system.id and row["chosen"]["by"] == "system"
        assert row["best_score"] == round(max(a.overall_score for a in group.attempts), 2)
    assert [t["version"] for t in history["score_trend"]] == [1, 2]
    assert history["final"] is None

    other = next(a for a in second.attempts if not a.is_system_selected_best)
    services.selection.select_attempt(other.id, "calmer", ["too chaotic"])
    two = services.history.iterations(project.id)["iterations"][1]
    assert two["chosen"] == {**two["chosen"], "attempt_id": other.id, "by": "user"}
    assert two["feedback"] == {"reason": "calmer", "tags": ["too chaotic"]}
    assert services.history.decision(second.id)["agrees_with_system"] is False


def test_final_version_survives_restart_and_leads_the_timeline(services, project, chain, settings):
    from pipeline.services import build_services

    first, _ = chain
    not_picked = next(a for a in first.attempts if not a.is_system_selected_best)
    result = services.history.set_final(project.id, not_picked.id)
    assert result.final.label.startswith("FINAL · v1 · ") and result.final.iteration == 1
    rows = services.history.iterations(project.id)["iterations"]
    assert [r["is_final"] for r in rows] == [True, False]

    timeline = services.timeline.rebuild_from_picks(project.id)
    clip = next(c for c in timeline.clips if c.attempt_id == not_picked.id)
    assert clip.label.startswith("FINAL · ")

    services.close()
    again = build_services(settings)  # a restart: the pointer lives in the database
    try:
        assert again.history.final(project.id).attempt_id == not_picked.id
        assert again.dashboard.summary(project.id)["finals"][0]["attempt_id"] == not_picked.id
        assert again.history.set_final(project.id, None).final is None
        assert again.history.final(project.id) is None
    finally:
        again.close()


def test_final_version_is_validated(services, project, chain):
    other = services.projects.create("Other")
    with pytest.raises(NotFound):
        services.history.set_final(other.id, chain[0].attempts[0].id)
    with pytest.raises(NotFound):
        services.history.set_final(project.id, 999999)


def test_final_from_a_groups_pick(services, project, chain):
    first, _ = chain
    system = next(a for a in first.attempts if a.is_system_selected_best)
    assert services.history.set_final_to_pick(project.id, first.id).final.attempt_id == system.id
    mine = next(a for a in first.attempts if not a.is_system_selected_best)
    services.selection.select_attempt(mine.id, "", [])
    assert services.history.set_final_to_pick(project.id, first.id).final.attempt_id == mine.id
    other = services.projects.create("Other")
    with pytest.raises(NotFound):
        services.history.set_final_to_pick(other.id, first.id)


def test_rerun_only_some_attempts(services, project):
    seed.hero(services, project)
    parent = seed.group(services, project, "slow pan left", count=3, seed=7)
    target = parent.attempts[1]
    view = services.history.rerun_attempts(parent.id, [target.id])
    assert view.iteration_index == 2 and view.parent_group_id == parent.id and len(view.job_ids) == 1
    group = services.attempts.group(view.id)
    assert [a.index for a in group.attempts] == [1, 2, 3]
    assert all(a.status == "done" for a in group.attempts)
    rerolled = group.attempts[1]
    assert rerolled.parameters["rerolled_from_attempt_id"] == target.id and rerolled.seed != target.seed
    for new, old in ((group.attempts[0], parent.attempts[0]), (group.attempts[2], parent.attempts[2])):
        assert new.parameters["carried_from_attempt_id"] == old.id
        assert new.overall_score == old.overall_score and new.scores == old.scores
        assert new.video != old.video and Path(new.video).is_file() and Path(old.video).is_file()
        assert new.cost_usd == 0.0
    assert sum(a.is_system_selected_best for a in group.attempts) == 1
    assert services.history.iterations(project.id)["iterations"][1]["rerolled_attempts"] == [2]
    assert services.library.audit()["orphan_files"] == []

    with pytest.raises(StudioError, match="at least one"):
        services.history.rerun_attempts(parent.id, [])
    with pytest.raises(NotFound, match="not part of group"):
        services.history.rerun_attempts(parent.id, [rerolled.id])


def test_suggestions_from_tags_are_a_diff_that_applies(services, project):
    seed.hero(services, project)
    group = seed.group(services, project, "static locked-off shot", count=2)
    assert services.history.suggest(group.id)["source"] == "rules"
    other = next(a for a in group.attempts if not a.is_system_selected_best)
    services.selection.select_attempt(other.id, "", ["too static"])
    tips = services.history.suggest(group.id)
    assert tips["source"] == "rules" and "more_motion" in [c["rule"] for c in tips["changes"]]
    assert tips["proposed"]["motion_prompt"] != group.motion_prompt
    assert "static" not in tips["proposed"]["motion_prompt"] and "frozen frame" in tips["proposed"]["negative_prompt"]
    assert any(op["op"] == "insert" for op in tips["diff"]["motion_prompt"])
    applied = services.attempts.regenerate(group.id, tips["proposed"]["motion_prompt"],
                                           tips["proposed"]["negative_prompt"], 1)
    row = services.history.iterations(project.id)["iterations"][-1]
    assert row["group_id"] == applied.id and row["motion_prompt"] == tips["proposed"]["motion_prompt"]


def test_suggestion_rules_cover_scores_and_tags():
    shaky = rule_suggestions("fast orbit, handheld shake", "", {"motion_smoothness": 0.95}, [])
    assert "fast" not in shaky["motion_prompt"] and "handheld" not in shaky["motion_prompt"]
    assert "steady" in shaky["motion_prompt"] and "jitter" in shaky["negative_prompt"]
    drift = rule_suggestions("dramatic push in", "", {"i2v_subject": 0.7, "i2v_background": 0.8}, [])
    assert "subtle push in" in drift["motion_prompt"] and "morphing" in drift["negative_prompt"]
    static = rule_suggestions("slow pan left", "", {"motion_amount": 0.01}, [])
    assert "clearly visible" in static["motion_prompt"]
    still = rule_suggestions("static shot", "", {"motion_amount": 0.01}, [])
    assert still["changes"] == []  # a still shot is meant to barely move
    both = rule_suggestions("slow push in", "", {"i2v_subject": 0.7}, ["too static"])
    assert [c["rule"] for c in both["changes"]] == ["more_motion"]  # the user's tag decides the direction
    for tag in ("too chaotic", "not cinematic enough", "product distorted", "too static"):
        assert rule_suggestions("push in", "", {}, [tag])["changes"], tag
    import scoring
    from pipeline.services.prompt_tips import DIMENSION_RULES, WEAK_BELOW

    assert set(scoring.DEFAULT_WEIGHTS) <= set(WEAK_BELOW)
    assert {d for d, w in scoring.DEFAULT_WEIGHTS.items() if w > 0} <= set(DIMENSION_RULES)


def test_suggestions_use_the_chat_model_when_configured(services, project, monkeypatch, stand_in_engine):
    class FakeLLM:
        name, label = "fake-llm", "Fake chat model"

        def enhance(self, prompt, aspect_ratio="16:9"):
            raise NotImplementedError

        def suggest_improvements(self, summary):
            assert summary["feedback_tags"] == ["too chaotic"]
            return [{"change": "calm it", "why": "chaos", "motion_prompt": "slow gentle push in, locked horizon"}]

    stand_in_engine("prompt", "fake-llm", FakeLLM)
    seed.hero(services, project)
    group = seed.group(services, project, "fast whip pan", count=2)
    services.selection.accept_system_pick(group.id, "", ["too chaotic"])
    monkeypatch.setattr(services.settings, "prompt_engine", "fake-llm")
    tips = services.history.suggest(group.id)
    assert tips["source"] == "llm" and tips["engine"] == "fake-llm"
    assert tips["proposed"]["motion_prompt"] == "slow gentle push in, locked horizon"
    assert "chaotic motion" in tips["proposed"]["negative_prompt"]  # the rules still strengthen the negative


def test_compare_attempts_and_versions(services, project, chain):
    first, second = chain
    a, b = first.attempts[0], second.attempts[1]
    result = services.history.compare_attempts([a.id, b.id])
    assert [v.id for v in result.attempts] == [a.id, b.id]
    overall = result.rows[0]
    assert overall.dimension == "overall" and overall.values == [a.overall_score, b.overall_score]
    assert overall.deltas[1] == round(b.overall_score - a.overall_score, 4)
    assert set(result.dimensions) == set(a.scores) | set(b.scores)
    versions = services.history.compare_versions(project.id, 1, 2)
    assert [v["version"] for v in versions.versions] == [1, 2] and len(versions.attempts) == 2
    with pytest.raises(StudioError):
        services.history.compare_attempts([a.id] * 0)
    with pytest.raises(NotFound):
        services.history.compare_attempts([a.id, 999999])


def test_migration_0004_adds_the_final_pointer_to_existing_data(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect, text

    from storage.db import MIGRATIONS_DIR, Database

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0003")
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO projects (name, aspect_ratio, created_at, updated_at) "
                          "VALUES ('kept', '16:9', '2026-01-01', '2026-01-01')"))
    db.upgrade()
    assert "ix_generation_groups_created_at" in {i["name"] for i in inspect(db.engine).get_indexes("generation_groups")}
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT name, final_attempt_id FROM projects")).one() == ("kept", None)
        conn.execute(text("INSERT INTO hero_frames (project_id, prompt, source, engine, model, aspect_ratio, width, "
                          "height, image_path, thumbnail_path, is_favourite, parameters, created_at) VALUES "
                          "(1, '', 'generated', 'e', '', '16:9', 1, 1, 'a', 'b', 0, '{}', '2026-01-01')"))
        conn.execute(text("INSERT INTO generation_groups (project_id, hero_frame_id, motion_prompt, negative_prompt, "
                          "engine, model, attempt_count, duration, iteration_index, created_at) VALUES "
                          "(1, 1, 'm', '', 'e', '', 1, 2.0, 1, '2026-01-01')"))
        conn.execute(text("INSERT INTO video_attempts (group_id, \"index\", seed, parameters, status, progress, "
                          "cost_usd, is_system_selected_best, is_user_selected_best, created_at) VALUES "
                          "(1, 1, 1, '{}', 'done', 100, 0, 0, 0, '2026-01-01')"))
        conn.execute(text("UPDATE projects SET final_attempt_id = 1"))
        conn.execute(text("DELETE FROM video_attempts WHERE id = 1"))  # the pointer is cleared, not left dangling
        assert conn.execute(text("SELECT final_attempt_id FROM projects")).scalar() is None
    db.dispose()
