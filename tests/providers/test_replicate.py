"""The Replicate engines against a loopback server speaking Replicate's API, through the real replicate SDK."""
from __future__ import annotations

import pytest

from pipeline import errors
from pipeline.engines import registry
from pipeline.engines.interfaces import FrameRequest, MemoryCheckpoint, VideoRequest
from pipeline.errors import JobCancelled, ProviderError, TransientEngineError
from tests.providers.conftest import REPLICATE_TOKEN


def _video(settings, model="replicate:kwaivgi/kling-v2.1"):
    return registry.create("video", model, settings)


def _request(hero, **kw):
    values = {"image_path": hero, "motion_prompt": "slow push in", "negative_prompt": "warping, flicker", "seed": 1234,
                  "duration": 4.0, "fps": 24}
    values.update(kw)
    return VideoRequest(**values)


def test_kling_request_uploads_the_hero_and_maps_inputs(provider_settings, replicate_server, hero, tmp_path):
    checkpoint = MemoryCheckpoint()
    result = _video(provider_settings()).animate(_request(hero), tmp_path / "out.mp4", checkpoint=checkpoint)

    upload = replicate_server.server.requests("POST", "/v1/files")
    assert len(upload) == 1 and upload[0].parts["content"][1] == hero.read_bytes()  # the hero itself, as a file
    (create,) = replicate_server.creates
    assert create.path == "/v1/models/kwaivgi/kling-v2.1/predictions"
    assert create.headers["authorization"] == f"Bearer {REPLICATE_TOKEN}"
    sent = create.json["input"]
    assert sent["start_image"] == f"{replicate_server.url}/v1/files/file1"  # the catalog's start-image field
    assert sent["prompt"] == "slow push in" and sent["negative_prompt"] == "warping, flicker"
    assert "seed" not in sent  # Kling takes no seed
    assert sent["duration"] == 5 and sent["mode"] == "standard"  # 4 s snaps to Kling's 5 s

    assert result.path.is_file() and result.frame_count > 0 and result.width == 320
    assert result.cost_usd == pytest.approx(0.25)  # 5 s of output × $0.05/s standard, from the billing metrics
    assert result.parameters["prediction_id"] == "pred1" and result.parameters["ignored_inputs"] == ["seed"]
    state = checkpoint.load()
    assert state["prediction_id"] == "pred1" and state["final"] and state["cost_usd"] == pytest.approx(0.25)
    assert REPLICATE_TOKEN not in repr(state)


def test_models_without_negative_prompt_or_prompt_do_not_get_one(provider_settings, replicate_server, hero, tmp_path):
    settings = provider_settings()
    _video(settings, "replicate:wan-video/wan-2.2-i2v-fast").animate(_request(hero), tmp_path / "a.mp4")
    _video(settings, "replicate:stability-ai/stable-video-diffusion").animate(_request(hero), tmp_path / "b.mp4")
    wan, svd = (c.json["input"] for c in replicate_server.creates)
    assert "negative_prompt" not in wan and wan["seed"] == 1234 and wan["image"].endswith("/v1/files/file1")
    assert wan["resolution"] == "720p"
    assert "prompt" not in svd and "negative_prompt" not in svd and svd["input_image"].endswith("/file2")
    # a community model runs its latest version, looked up first
    assert replicate_server.server.requests("GET", "/v1/models/stability-ai/stable-video-diffusion")
    assert replicate_server.creates[1].path == "/v1/predictions" and replicate_server.creates[1].json["version"]


def test_rate_limits_and_server_errors_on_create_are_retried(provider_settings, replicate_server, hero, tmp_path):
    replicate_server.create_faults = [429, 500, 503]
    result = _video(provider_settings()).animate(_request(hero), tmp_path / "out.mp4")
    assert result.cost_usd == pytest.approx(0.25)
    assert len(replicate_server.creates) == 4 and len(replicate_server.predictions) == 1


def test_a_provider_that_stays_busy_is_a_transient_error_and_nothing_is_created(provider_settings, replicate_server,
                                                                                 hero, tmp_path):
    replicate_server.create_faults = [429] * 10
    checkpoint = MemoryCheckpoint()
    with pytest.raises(TransientEngineError, match="429"):
        _video(provider_settings(provider_retries=2)).animate(_request(hero), tmp_path / "o.mp4", checkpoint=checkpoint)
    assert len(replicate_server.creates) == 3 and replicate_server.predictions == {}
    assert checkpoint.load() == {}  # so the job's retry creates afresh


def test_a_failed_prediction_reports_the_providers_message_and_its_charge(provider_settings, replicate_server, hero,
                                                                          tmp_path):
    replicate_server.outcome, replicate_server.error = "failed", "NSFW content detected in the input image"
    checkpoint = MemoryCheckpoint()
    with pytest.raises(ProviderError, match="NSFW content detected"):
        _video(provider_settings()).animate(_request(hero), tmp_path / "out.mp4", checkpoint=checkpoint)
    state = checkpoint.load()
    assert state["status"] == "failed" and state["final"]
    assert state["cost_usd"] is None  # per-second billing, no output seconds reported: unknown, not invented
    assert not (tmp_path / "out.mp4").exists()


def test_a_prediction_that_never_finishes_times_out_and_is_cancelled(provider_settings, replicate_server, hero,
                                                                     tmp_path):
    replicate_server.outcome = "never"
    checkpoint = MemoryCheckpoint()
    with pytest.raises(ProviderError, match=r"did not finish within 0.3 s .*it was cancelled"):
        _video(provider_settings(replicate_timeout=0.3)).animate(_request(hero), tmp_path / "o.mp4",
                                                                  checkpoint=checkpoint)
    assert replicate_server.server.requests("POST", "/v1/predictions/pred1/cancel")
    assert checkpoint.load()["status"] == "canceled"


def test_cancel_from_the_job_cancels_the_prediction(provider_settings, replicate_server, hero, tmp_path):
    replicate_server.outcome = "never"
    calls = {"n": 0}

    def progress(percent, step):
        calls["n"] += 1
        if calls["n"] > 3:
            raise JobCancelled()

    checkpoint = MemoryCheckpoint()
    engine = _video(provider_settings(), "replicate:lightricks/ltx-video")
    with pytest.raises(JobCancelled):
        engine.animate(_request(hero), tmp_path / "o.mp4", progress, checkpoint=checkpoint)
    assert len(replicate_server.server.requests("POST", "/cancel")) == 1
    state = checkpoint.load()
    assert state["status"] == "canceled" and state["final"]
    assert state["cost_usd"] == pytest.approx(1.25 * 0.001525)  # GPU time really used, as the provider reports


def test_a_restarted_worker_resumes_the_stored_prediction(provider_settings, replicate_server, hero, tmp_path):
    class WorkerDied(BaseException):
        pass

    replicate_server.polls = 6
    polls = {"n": 0}

    def dying(percent, step):
        polls["n"] += 1
        if polls["n"] == 3:
            raise WorkerDied()

    checkpoint = MemoryCheckpoint()
    settings = provider_settings()
    with pytest.raises(WorkerDied):
        _video(settings).animate(_request(hero), tmp_path / "o.mp4", dying, checkpoint=checkpoint)
    assert checkpoint.load()["prediction_id"] == "pred1" and not checkpoint.load().get("final")

    result = _video(settings).animate(_request(hero), tmp_path / "o.mp4", checkpoint=checkpoint)  # "after restart"
    assert len(replicate_server.creates) == 1 and len(replicate_server.server.requests("POST", "/v1/files")) == 1
    assert result.parameters["prediction_id"] == "pred1" and result.cost_usd == pytest.approx(0.25)


def test_a_failing_poll_is_transient_and_the_retry_resumes_the_same_prediction(provider_settings, replicate_server,
                                                                              hero, tmp_path):
    replicate_server.poll_faults = [500]
    checkpoint = MemoryCheckpoint()
    with pytest.raises(TransientEngineError, match="not answering polls"):
        _video(provider_settings()).animate(_request(hero), tmp_path / "o.mp4", checkpoint=checkpoint)
    result = _video(provider_settings()).animate(_request(hero), tmp_path / "o.mp4", checkpoint=checkpoint)
    assert len(replicate_server.creates) == 1 and result.parameters["prediction_id"] == "pred1"


def test_malformed_output_fails_clearly(provider_settings, replicate_server, hero, tmp_path):
    replicate_server.outcome = "malformed"
    with pytest.raises(ProviderError, match="returned no output file"):
        _video(provider_settings()).animate(_request(hero), tmp_path / "o.mp4")
    replicate_server.outcome, replicate_server.output = "succeeded", b"definitely not a video"
    with pytest.raises(ProviderError, match="cannot be read"):
        _video(provider_settings()).animate(_request(hero), tmp_path / "p.mp4")
    assert not (tmp_path / "p.mp4").exists()


def test_a_start_answered_with_garbage_is_a_clear_error_and_not_retried(provider_settings, replicate_server, hero,
                                                                        tmp_path):
    replicate_server.create_garbage = True
    with pytest.raises(ProviderError, match="not a prediction .not JSON.") as failure:
        _video(provider_settings()).animate(_request(hero), tmp_path / "o.mp4")
    assert "JSONDecodeError" not in str(failure.value) and "Internal error" not in str(failure.value)
    assert len(replicate_server.creates) == 1  # a second start could be paid twice


def test_flux_hero_frame(provider_settings, replicate_server, png_bytes):
    replicate_server.output, replicate_server.as_list = png_bytes, True
    replicate_server.metrics = lambda inp: {"predict_time": 0.8, "image_output_count": 1}
    engine = registry.create("frame", "replicate:black-forest-labs/flux-schnell", provider_settings())
    frame = engine.render(FrameRequest("a perfume bottle on wet rocks", "16:9", seed=77), checkpoint=MemoryCheckpoint())
    sent = replicate_server.creates[0].json["input"]
    assert sent == {"prompt": "a perfume bottle on wet rocks", "seed": 77, "aspect_ratio": "16:9", "num_outputs": 1,
                    "output_format": "png"}
    assert abs(frame.image.width / frame.image.height - 16 / 9) < 0.02  # cropped from the 96x64 output
    assert frame.cost_usd == pytest.approx(0.003) and frame.parameters["cost_known"]


def test_imagen_gets_no_seed_and_the_nearest_ratio(provider_settings, replicate_server, png_bytes):
    replicate_server.output = png_bytes
    replicate_server.metrics = lambda inp: {"image_output_count": 1}
    engine = registry.create("frame", "replicate:google/imagen-4", provider_settings())
    frame = engine.render(FrameRequest("a watch", "4:5", seed=5))
    sent = replicate_server.creates[0].json["input"]
    assert "seed" not in sent and sent["aspect_ratio"] == "3:4"
    assert abs(frame.image.width / frame.image.height - 4 / 5) < 0.02 and frame.parameters["seed_used"] is False


def test_a_bad_token_is_a_clear_error_without_the_token(provider_settings, replicate_server, hero, tmp_path):
    settings = provider_settings(replicate_api_token="r8_wrong-token-999")
    with pytest.raises(ProviderError) as info:
        _video(settings).animate(_request(hero), tmp_path / "o.mp4")
    assert "HTTP 401" in str(info.value) and "r8_wrong-token-999" not in str(info.value)


def test_unconfigured_replicate_engines_are_hidden_and_refused(tmp_path):
    from tests.conftest import make_settings

    settings = make_settings(tmp_path)
    assert not [n for n in registry.available("video", settings) if n.startswith("replicate:")]
    with pytest.raises(errors.EngineInputError, match="REPLICATE_API_TOKEN"):
        registry.create("video", "replicate:kwaivgi/kling-v2.1", settings)
