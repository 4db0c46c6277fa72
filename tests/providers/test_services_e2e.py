"""End to end through the services (inline queue): Replicate and OpenAI configured against loopback servers."""
from __future__ import annotations

import types

import pytest


def _project_with_hero(services, tmp_path, ratio="16:9"):
    from tests.providers.fakes import write_hero

    project = services.projects.create("Provider project", ratio)
    frame = services.hero_frames.upload(project.id, write_hero(tmp_path / "hero.png", (640, 360)))
    services.projects.select_hero_frame(project.id, frame.id)
    return project


def test_a_three_attempt_group_on_replicate(studio, replicate_server, tmp_path):
    services = studio(video_engine="replicate:kwaivgi/kling-v2.1")  # what the API's image_to_video uses
    project = _project_with_hero(services, tmp_path)
    estimate = services.attempts.estimate_cost(None, 3, 5.0)
    assert estimate["usd"] == pytest.approx(0.75) and "3 × 5 s × $0.05/s" in estimate["rule_text"]

    started = services.attempts.start_group(project.id, "slow push in", "warping", 3, duration=5.0)
    group = services.attempts.group(started.id)
    assert group.engine == "replicate:kwaivgi/kling-v2.1" and group.estimated_cost_usd == pytest.approx(0.75)
    assert [a.status for a in group.attempts] == ["done"] * 3
    assert all(a.overall_score is not None for a in group.attempts)
    assert sum(a.is_system_selected_best for a in group.attempts) == 1, \
        (group["selection_reason"], group["attempts"][0]["score_reason"])
    assert [a.cost_usd for a in group.attempts] == pytest.approx([0.25] * 3)
    assert all(a.parameters["cost_known"] and a.parameters["provider"]["prediction_id"]
               for a in group.attempts)
    assert group.cost_usd == pytest.approx(0.75) and group.cost_unknown_attempts == 0
    assert len(replicate_server.creates) == 3
    seeds = {c.json["input"].get("seed") for c in replicate_server.creates}
    assert seeds == {None}  # Kling has no seed input

    summary = services.dashboard.summary(project.id)
    assert summary["cost_usd"] == pytest.approx(0.75) and summary["estimated_cost_usd"] == pytest.approx(0.75)
    assert summary["group_costs"][0]["actual_usd"] == pytest.approx(0.75)
    engines = {e["name"]: e for e in services.attempts.engines()}
    assert engines["replicate:kwaivgi/kling-v2.1"]["negative_prompt"] is True
    assert engines["replicate:wan-video/wan-2.2-i2v-fast"]["negative_prompt"] is False
    assert "per second" in engines["replicate:kwaivgi/kling-v2.1"]["price_rule"]
    assert engines["local-camera-motion"]["price_rule"].startswith("free")


def test_a_failed_prediction_fails_only_its_attempt(studio, replicate_server, tmp_path):
    services = studio()
    project = _project_with_hero(services, tmp_path)
    replicate_server.outcomes = {"pred2": "failed"}
    replicate_server.error = "The input image was flagged by the safety checker"
    group = services.attempts.start_group(project.id, "pan left", "", 3, duration=5.0,
                                          engine="replicate:kwaivgi/kling-v2.5-turbo-pro")
    group = services.attempts.group(group.id)
    failed = group.attempts[1]
    assert [a.status for a in group.attempts] == ["done", "failed", "done"]
    assert "flagged by the safety checker" in failed.error and failed.job.tries == 1
    assert failed.parameters["cost_known"] is False  # the provider reported no output seconds: unknown
    assert group.cost_unknown_attempts == 1 and group.selection_reason


def test_cancel_mid_prediction_cancels_it_at_the_provider(studio, replicate_server, tmp_path):
    services = studio()
    project = _project_with_hero(services, tmp_path)
    replicate_server.outcomes = {"pred1": "never"}

    def cancel_running(pid, count):
        if pid == "pred1" and count == 3:
            for job in services.jobs.unfinished(kind="attempt"):
                if job.status == "running":
                    services.jobs.cancel(job.id)

    replicate_server.on_poll = cancel_running
    group = services.attempts.start_group(project.id, "orbit", "", 2, duration=4.0,
                                          engine="replicate:lightricks/ltx-video")
    group = services.attempts.group(group.id)
    assert [a.status for a in group.attempts] == ["cancelled", "done"]
    assert replicate_server.server.requests("POST", "/v1/predictions/pred1/cancel")
    cancelled = group.attempts[0]
    assert cancelled.cost_usd == pytest.approx(1.25 * 0.001525) and cancelled.parameters["cost_known"]
    assert cancelled.job.status == "cancelled"
    sent = replicate_server.creates[0].json["input"]
    assert sent["length"] == 97 and sent["cfg"] == 3.0  # 4 s × 24 fps = 96, the nearest of LTX's 8k + 1 frames
    assert "negative_prompt" not in sent and "seed" in sent  # an empty negative prompt is not sent


def test_restart_mid_prediction_resumes_instead_of_paying_twice(studio, replicate_server, tmp_path, monkeypatch):
    from pipeline.providers import replicate_run

    class WorkerDied(BaseException):
        pass

    services = studio()
    project = _project_with_hero(services, tmp_path)
    replicate_server.polls = 4
    real_time = replicate_run.time
    monkeypatch.setattr(replicate_run, "time", types.SimpleNamespace(time=real_time.time, sleep=_raise(WorkerDied)))
    with pytest.raises(WorkerDied):
        services.attempts.start_group(project.id, "push in", "", 3, duration=5.0,
                                      engine="replicate:kwaivgi/kling-v2.1")
    monkeypatch.setattr(replicate_run, "time", real_time)
    jobs = sorted(services.jobs.unfinished(kind="attempt"), key=lambda j: j.id)
    assert [j.status for j in jobs] == ["running", "queued", "queued"] and len(replicate_server.creates) == 1
    services.close()

    restarted = studio()  # the app restarts on the same data folder
    assert restarted.runner.recover_orphans(stale_seconds=0.0) == [jobs[0].id]
    restarted.jobs.enqueue(jobs[1].id, jobs[2].id)  # the persistent queue replays what was still queued
    group = restarted.attempts.group(restarted.attempts.latest_group_id(project.id))
    assert [a.status for a in group.attempts] == ["done"] * 3
    assert len(replicate_server.creates) == 3  # one prediction per attempt: the interrupted one was resumed
    assert group.attempts[0].parameters["provider"]["prediction_id"] == "pred1"
    assert group.attempts[0].job.tries == 2 and group.cost_usd == pytest.approx(0.75)


def test_a_busy_provider_ends_in_a_clear_failure_with_nothing_charged(studio, replicate_server, tmp_path):
    services = studio(provider_retries=1)
    project = _project_with_hero(services, tmp_path)
    replicate_server.create_faults = [503] * 100
    group = services.attempts.start_group(project.id, "tilt up", "", 1, duration=5.0,
                                          engine="replicate:kwaivgi/kling-v2.1")
    attempt = services.attempts.group(group.id).attempts[0]
    assert attempt.status == "failed" and attempt.error.startswith("Gave up after 3 tries")
    assert "HTTP 503" in attempt.error and attempt.cost_usd == 0 and attempt.parameters["cost_known"]
    assert replicate_server.predictions == {} and len(replicate_server.creates) == 6


def test_a_prediction_that_never_finishes_fails_with_a_timeout(studio, replicate_server, tmp_path):
    services = studio(replicate_timeout=0.3)
    project = _project_with_hero(services, tmp_path)
    replicate_server.outcome = "never"
    group = services.attempts.start_group(project.id, "push in", "", 1, duration=5.0,
                                          engine="replicate:kwaivgi/kling-v2.1")
    attempt = services.attempts.group(group.id).attempts[0]
    assert attempt.status == "failed" and "did not finish within 0.3 s" in attempt.error
    assert replicate_server.server.requests("POST", "/cancel")


def test_hero_frames_through_replicate_flux(studio, replicate_server, png_bytes, tmp_path):
    services = studio()
    project = services.projects.create("Flux", "16:9")
    replicate_server.output = png_bytes
    replicate_server.metrics = lambda inp: {"predict_time": 0.5, "image_output_count": 1}
    assert services.hero_frames.estimate_cost("replicate:black-forest-labs/flux-schnell", 4)["usd"] == pytest.approx(
        0.012)
    started = services.hero_frames.generate(project.id, "a sneaker on a plinth", 4, seed=10,
                                            engine="replicate:black-forest-labs/flux-schnell")
    assert services.jobs.get(started["job_id"]).status == "succeeded"
    frames = services.hero_frames.list(project.id)
    assert len(frames) == 4 and {f.engine for f in frames} == {"replicate:black-forest-labs/flux-schnell"}
    assert sorted(c.json["input"]["seed"] for c in replicate_server.creates) == [10, 11, 12, 13]
    assert all(f.parameters["cost_usd"] == pytest.approx(0.003) for f in frames)
    assert services.dashboard.summary(project.id)["hero_frames_cost_usd"] == pytest.approx(0.012)


def test_hero_frames_and_prompt_help_through_openai(studio, openai_server, tmp_path):
    services = studio(prompt_engine="openai:llm", frame_engine="openai:gpt-image-1.5", openai_image_quality="medium")
    project = services.projects.create("OpenAI", "1:1")
    openai_server.answers = [{"enhanced": "a lamp, 50mm, soft light", "additions": [
        {"category": "lens", "text": "50mm"}, {"category": "lighting", "text": "soft light"}]}]
    enhanced = services.hero_frames.enhance_prompt("a lamp", "1:1")
    assert enhanced["engine"] == "openai:llm" and enhanced["enhanced"] == "a lamp, 50mm, soft light"
    started = services.hero_frames.generate(project.id, "a lamp", 4, enhanced_prompt=enhanced["enhanced"])
    assert started["estimate"]["usd"] == pytest.approx(4 * 0.034)
    assert services.jobs.get(started["job_id"]).status == "succeeded"
    frames = services.hero_frames.list(project.id)
    assert len(frames) == 4 and all(f.parameters["cost_usd"] == pytest.approx(0.034) for f in frames)
    prompts = {r.json["prompt"] for r in openai_server.server.requests("POST", "/images/generations")}
    assert prompts == {"a lamp, 50mm, soft light"}
    assert services.dashboard.summary(project.id)["cost_usd"] == pytest.approx(4 * 0.034)

    openai_server.answers = [{"suggestions": [{"motion_prompt": "slow orbit", "negative_prompt": "warp", "why": "x"}]}]
    services.projects.select_hero_frame(project.id, frames[0].id)
    suggested = services.attempts.suggest_motion(project.id, count=1)
    assert suggested["engine"] == "openai:llm" and suggested["suggestions"][0]["motion_prompt"] == "slow orbit"


def test_local_suggestions_need_no_key(studio, tmp_path):
    services = studio(replicate_api_token=None, openai_api_key=None, openai_base_url=None)
    project = _project_with_hero(services, tmp_path)
    assert len(services.attempts.suggest_motion(project.id, count=3)["suggestions"]) == 3
    group = services.attempts.start_group(project.id, "slow push in", "", 2, duration=2.0)
    tips = services.attempts.suggest_improvements(group.id)
    assert tips["engine"] == "local-prompt-rules" and tips["suggestions"]
    assert [e["name"] for e in services.attempts.engines()] == ["local-camera-motion"]


def _raise(exc_type):
    def sleep(seconds):
        raise exc_type()

    return sleep
