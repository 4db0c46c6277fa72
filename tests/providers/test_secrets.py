"""Planted keys never leak: not into the database, the media folder, job rows, API views, logs or errors."""
from __future__ import annotations

import json
import logging

import pytest

from pipeline.errors import EngineInputError, StudioError
from pipeline.services import build_services
from pipeline.worker import settings_env
from storage.models import Job
from tests.providers.conftest import OPENAI_KEY, REPLICATE_TOKEN
from tests.providers.fakes import make_mp4, write_hero

SECRETS = (OPENAI_KEY, REPLICATE_TOKEN)


def _assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a planted key leaked into {where}"


def test_planted_keys_never_leak(provider_settings, replicate_server, openai_server, png_bytes, tmp_path, caplog,
                                 capfd):
    caplog.set_level(logging.DEBUG)
    settings = provider_settings(prompt_engine="openai:llm", frame_engine="openai:gpt-image-1.5",
                                 photo_engine="openai:gpt-image-1.5", provider_retries=1)
    services = build_services(settings)
    errors: list[str] = []
    try:
        project = services.projects.create("Secrets", "16:9")
        # OpenAI: prompt help (one answer echoes a failure message carrying the key), frames, photo enhancement
        openai_server.answers = [{"enhanced": "a bottle, 85mm", "additions": [{"category": "lens", "text": "85mm"}]}]
        services.hero_frames.enhance_prompt("a bottle")
        openai_server.faults, openai_server.fault_message = [400], "bad request from key {key}"
        with pytest.raises((StudioError, EngineInputError)) as info:
            services.hero_frames.enhance_prompt("a bottle")
        errors.append(str(info.value))
        assert "bad request from key ***" in errors[0]  # the server echoed the key; the studio redacted it
        services.hero_frames.generate(project.id, "a bottle", 4, seed=1)
        openai_server.faults = [401]  # a failing hero-frame job: its error is stored on the job row
        services.hero_frames.generate(project.id, "a bottle", 4, seed=50)
        photo = services.hero_frames.upload(project.id, write_hero(tmp_path / "p.png", (640, 360)))
        services.hero_frames.enhance_photo(photo.id, crop_to="16:9")
        services.projects.select_hero_frame(project.id, photo.id)

        # Replicate: frames, a group with a failed prediction whose message echoes the token, a busy provider
        replicate_server.output = png_bytes
        services.hero_frames.generate(project.id, "a bottle", 4, engine="replicate:black-forest-labs/flux-dev")
        replicate_server.output = make_mp4()
        replicate_server.outcomes = {"pred6": "failed"}
        replicate_server.error = f"upstream rejected the call made with {REPLICATE_TOKEN}"
        services.attempts.start_group(project.id, "push in", "blur", 2, duration=5.0,
                                      engine="replicate:kwaivgi/kling-v2.1")
        replicate_server.create_faults = [503] * 20
        services.attempts.start_group(project.id, "pan", "", 1, duration=5.0, engine="replicate:kwaivgi/kling-v2.1")

        # everything the UI and the API can show
        views = [services.attempts.groups(project.id), services.hero_frames.list(project.id),
                 services.jobs.active(project.id, limit=500), services.dashboard.summary(project.id),
                 services.attempts.engines(), services.hero_frames.engines("frame"),
                 services.hero_frames.engines("photo"), settings.public_summary(), repr(settings),
                 settings.model_dump_json()]
        failures = [a for g in views[0] for a in g.attempts if a.status == "failed"]
        assert len(failures) == 2 and any("upstream rejected the call made with ***" in a.error for a in failures)
        with services.db.session() as session:
            rows = [(j.payload, j.result, j.error, j.engine_state, j.step) for j in session.query(Job).all()]
        assert any(r[2] for r in rows)  # failed jobs with errors were stored, and checked below
    finally:
        services.close()

    _assert_clean(json.dumps(views, default=str), "API views")
    _assert_clean(json.dumps(rows, default=str), "job rows")
    _assert_clean("\n".join(errors), "errors shown to the user")
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, f"a planted key leaked into {path}"
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    assert len(caplog.records) > 10  # debug logging of httpx/openai/replicate was on
    _assert_clean(logged, "logs")
    out, err = capfd.readouterr()
    _assert_clean(out + err, "stdout/stderr")

    env = settings_env(settings)  # the worker child gets the keys through its environment, and only there
    assert env["HFS_OPENAI_API_KEY"] == OPENAI_KEY and env["HFS_REPLICATE_API_TOKEN"] == REPLICATE_TOKEN
