"""OpenAI SDK plumbing: the client (base_url configurable for OpenAI-compatible servers), error translation, and
the pydantic models the structured outputs are parsed into.

The SDK itself retries connection errors, 408/409/429 and 5xx (settings.openai_max_retries); what still fails
becomes a TransientEngineError (the job runner retries the job) or a ProviderError (shown as is, not retried).
Provider messages are redacted: no configured secret ever reaches a job error or a log.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from pipeline.errors import EngineInputError, ProviderError, TransientEngineError
from pipeline.providers.common import clip, redact

log = logging.getLogger(__name__)
T = TypeVar("T")


def configured(settings: Any) -> bool:
    """A key, or a base URL of an OpenAI-compatible server (local servers often need no key)."""
    key = getattr(settings, "openai_api_key", None)
    return bool((key is not None and key.get_secret_value()) or getattr(settings, "openai_base_url", None))


def make_client(settings: Any):
    if settings is None or not configured(settings):
        raise EngineInputError("OpenAI is not configured: set HFS_OPENAI_API_KEY (or OPENAI_API_KEY), or "
                               "HFS_OPENAI_BASE_URL for an OpenAI-compatible server.")
    import openai

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key is not None else ""
    return openai.OpenAI(api_key=key or "no-key-needed", base_url=settings.openai_base_url or None,
                         timeout=settings.openai_timeout, max_retries=settings.openai_max_retries)


def call(fn: Callable[[], T], settings: Any, what: str) -> T:
    """Run one SDK call and turn its failures into the studio's engine errors."""
    import openai
    import pydantic

    try:
        return fn()
    except openai.APITimeoutError:
        raise TransientEngineError(f"{what}: OpenAI did not answer within {settings.openai_timeout:g} s") from None
    except openai.APIConnectionError:
        raise TransientEngineError(f"{what}: could not reach the OpenAI server") from None
    except openai.RateLimitError as exc:
        raise TransientEngineError(f"{what}: rate limited by OpenAI (HTTP 429: {_message(exc, settings)})") from None
    except openai.InternalServerError as exc:
        raise TransientEngineError(f"{what}: OpenAI server error (HTTP {exc.status_code}: "
                                   f"{_message(exc, settings)})") from None
    except openai.AuthenticationError:
        raise ProviderError(f"{what}: OpenAI rejected the API key (HTTP 401). Check HFS_OPENAI_API_KEY.") from None
    except openai.APIStatusError as exc:
        raise ProviderError(f"{what}: OpenAI refused the request (HTTP {exc.status_code}: "
                            f"{_message(exc, settings)})") from None
    except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
        raise ProviderError(f"{what}: the model stopped early ({type(exc).__name__}).") from None
    except (openai.APIResponseValidationError, pydantic.ValidationError, ValueError) as exc:
        log.warning("%s: malformed answer from OpenAI: %s", what, clip(redact(exc, settings), 300))
        raise ProviderError(f"{what}: the OpenAI server sent a malformed answer.") from None


def parse(client, settings: Any, what: str, model: str, system: str, user: str, schema: type[BaseModel]):
    """chat.completions.parse with a pydantic response format; the parsed object, or a ProviderError."""
    completion = call(lambda: client.chat.completions.parse(
        model=model, messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        response_format=schema), settings, what)
    choices = getattr(completion, "choices", None) or []
    message = choices[0].message if choices else None
    if message is None:
        raise ProviderError(f"{what}: the OpenAI server sent no answer.")
    if getattr(message, "refusal", None):
        raise ProviderError(f"{what}: the model refused: {clip(redact(message.refusal, settings), 200)}")
    if message.parsed is None:
        raise ProviderError(f"{what}: the OpenAI server sent a malformed answer.")
    return message.parsed


def _message(exc: Any, settings: Any) -> str:
    return clip(redact(getattr(exc, "message", None) or exc, settings), 300)


# ---------------------------------------------------------------- structured outputs
class Addition(BaseModel):
    category: Literal["camera", "lens", "lighting", "composition", "film", "mood", "aspect"]
    text: str = Field(description="A short phrase appended to the prompt.")


class CinematographerPrompt(BaseModel):
    enhanced: str = Field(description="The original prompt followed by the additions, as one prompt.")
    additions: list[Addition]


class MotionSuggestion(BaseModel):
    motion_prompt: str = Field(description="A camera move for an image-to-video model, under 30 words.")
    negative_prompt: str = Field(description="What to avoid, comma separated.")
    why: str


class MotionSuggestions(BaseModel):
    suggestions: list[MotionSuggestion]


class Improvement(BaseModel):
    change: str = Field(description="One concrete change to the next attempt.")
    why: str = Field(description="Which weak score it addresses.")
    motion_prompt: str = Field(description="The revised motion prompt, or empty to keep it.")


class Improvements(BaseModel):
    suggestions: list[Improvement]
