"""The OpenAI engines against a loopback server speaking OpenAI's API, through the real openai SDK (httpx2)."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from pipeline.engines import registry
from pipeline.engines.interfaces import FrameRequest, PhotoEnhanceOptions
from pipeline.errors import ProviderError, TransientEngineError
from tests.providers.conftest import OPENAI_KEY

ENHANCED = {"enhanced": "a watch on marble, shot on ARRI Alexa, 100mm macro, soft window light",
            "additions": [{"category": "camera", "text": "shot on ARRI Alexa"},
                          {"category": "lens", "text": "100mm macro"},
                          {"category": "lighting", "text": "soft window light"}]}


def _chat(settings):
    return registry.create("prompt", "openai:llm", settings)


def test_prompt_enhancement_uses_structured_outputs(provider_settings, openai_server):
    openai_server.answers = [ENHANCED]
    result = _chat(provider_settings(llm_model="house-model")).enhance("a watch on marble", "9:16")
    assert result.enhanced.startswith("a watch on marble") and result.engine == "openai:llm"
    assert [a.category for a in result.additions] == ["camera", "lens", "lighting"]
    (request,) = openai_server.server.requests("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    body = request.json
    assert body["model"] == "house-model"
    schema = body["response_format"]["json_schema"]
    assert body["response_format"]["type"] == "json_schema" and schema["name"] == "CinematographerPrompt"
    assert schema["strict"] is True and set(schema["schema"]["required"]) == {"enhanced", "additions"}
    assert "a watch on marble" in body["messages"][1]["content"] and "9:16" in body["messages"][1]["content"]


def test_motion_and_improvement_suggestions(provider_settings, openai_server):
    openai_server.answers = [
        {"suggestions": [{"motion_prompt": "slow orbit left", "negative_prompt": "warping", "why": "shows the shape"},
                         {"motion_prompt": "push in", "negative_prompt": "shake", "why": "focus"}]},
        {"suggestions": [{"change": "slow the move", "why": "flicker is low", "motion_prompt": "slower push in"}]},
    ]
    engine = _chat(provider_settings())
    assert engine.suggest_motion("a perfume bottle", 2)[0]["motion_prompt"] == "slow orbit left"
    assert engine.suggest_improvements({"mean_scores": {"temporal_flickering": 0.2}})[0]["change"] == "slow the move"
    names = [r.json["response_format"]["json_schema"]["name"]
             for r in openai_server.server.requests("POST", "/chat/completions")]
    assert names == ["MotionSuggestions", "Improvements"]


def test_rate_limits_are_retried_by_the_sdk(provider_settings, openai_server):
    openai_server.answers, openai_server.faults = [ENHANCED], [429, 500]
    result = _chat(provider_settings(openai_max_retries=2)).enhance("a watch on marble")
    assert result.additions and len(openai_server.server.requests("POST", "/chat/completions")) == 3


def test_server_errors_and_timeouts_become_transient_errors(provider_settings, openai_server):
    openai_server.faults = [503]
    with pytest.raises(TransientEngineError, match="server error"):
        _chat(provider_settings()).enhance("a watch on marble")
    openai_server.faults = ["timeout"]
    with pytest.raises(TransientEngineError, match=r"did not answer within 0.3 s"):
        _chat(provider_settings(openai_timeout=0.3)).enhance("a watch on marble")


def test_malformed_structured_output_is_a_clear_provider_error(provider_settings, openai_server):
    openai_server.faults = ["malformed"]
    with pytest.raises(ProviderError, match="malformed answer"):
        _chat(provider_settings()).enhance("a watch on marble")
    openai_server.answers = [{"enhanced": "x", "additions": [{"category": "not-a-category", "text": "y"}]}]
    with pytest.raises(ProviderError, match="malformed answer"):
        _chat(provider_settings()).enhance("a watch on marble")


def test_a_rejected_key_never_appears_in_the_error(provider_settings, openai_server):
    with pytest.raises(ProviderError) as info:
        _chat(provider_settings(openai_api_key="sk-wrong-key-000")).enhance("a watch")
    assert "401" in str(info.value) and "sk-wrong-key-000" not in str(info.value)


def test_image_generation_request_and_cost(provider_settings, openai_server):
    engine = registry.create("frame", "openai:gpt-image-1.5", provider_settings(openai_image_quality="low"))
    frame = engine.render(FrameRequest("a red sneaker, neon", "1:1", seed=3))
    (request,) = openai_server.server.requests("POST", "/v1/images/generations")
    assert request.json == {"prompt": "a red sneaker, neon", "model": "gpt-image-1.5", "size": "1024x1024",
                            "quality": "low", "n": 1, "output_format": "png"}  # no seed, no negative prompt
    assert frame.image.size == (64, 64)  # the 96x64 PNG, centre-cropped to 1:1
    assert frame.cost_usd == pytest.approx(0.009) and frame.parameters["usage"]["output_tokens"] == 1056

    wide = engine.render(FrameRequest("a red sneaker, neon", "16:9", seed=3))
    assert openai_server.server.requests("POST", "/images/generations")[1].json["size"] == "1536x1024"
    assert wide.cost_usd is None and wide.parameters["cost_known"] is False  # size not priced: unknown, not guessed


def test_photo_enhancement_uploads_the_photo_to_images_edit(provider_settings, openai_server, png_bytes):
    engine = registry.create("photo", "openai:gpt-image-1-mini", provider_settings())
    photo = Image.new("RGB", (300, 200), (150, 110, 80))
    frame = engine.enhance(photo, PhotoEnhanceOptions(sharpen=False, crop_to_aspect="16:9"))
    (request,) = openai_server.server.requests("POST", "/v1/images/edits")
    filename, data = request.parts["image"]
    assert filename == "photo.png" and Image.open(io.BytesIO(data)).size == (300, 169)  # cropped before upload
    fields = {k: v[1].decode() for k, v in request.parts.items() if v[0] is None}
    assert fields["model"] == "gpt-image-1-mini" and fields["input_fidelity"] == "high"
    assert "white balance" in fields["prompt"] and "Sharpen" not in fields["prompt"]
    assert abs(frame.image.width / frame.image.height - 16 / 9) < 0.02


def test_an_unreadable_image_is_a_provider_error(provider_settings, openai_server):
    openai_server.faults = ["malformed"]
    engine = registry.create("frame", "openai:gpt-image-1.5", provider_settings())
    with pytest.raises(ProviderError, match="cannot be decoded"):
        engine.render(FrameRequest("a lamp", "1:1"))
    assert base64  # keep import (b64 payloads are built by the fake)
