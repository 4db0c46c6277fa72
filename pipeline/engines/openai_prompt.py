"""Prompt help from a chat model through the openai SDK (OpenAI or any OpenAI-compatible server).

Three structured-output calls (chat.completions.parse with pydantic models): the cinematographer prompt
enhancement (the PromptEnhancer interface), motion-prompt suggestions for a hero frame, and improvement
suggestions from an attempt group's scores. The model is settings.llm_model.
"""
from __future__ import annotations

import json
from typing import Any

from pipeline.engines.interfaces import EngineSpec, EnhancedPrompt, PromptAddition
from pipeline.errors import EngineInputError
from pipeline.providers.catalog import load_catalog

ENHANCE_SYSTEM = (
    "You are a cinematographer writing prompts for a text-to-image model that makes hero frames for commercials. "
    "Keep the user's prompt as the start, unchanged, and append only what it does not already say: camera, lens, "
    "lighting, composition, film look, mood and a note on the aspect ratio. Each addition is a short phrase.")
MOTION_SYSTEM = (
    "You direct camera moves for an image-to-video model that animates one still hero frame. Suggest distinct, "
    "physically plausible camera moves that keep the product intact, each with a negative prompt.")
IMPROVE_SYSTEM = (
    "You review image-to-video attempts using their automatic quality scores (0-1, higher is better) and say "
    "what to change in the next attempt. Be concrete; address the weakest scores first.")


class OpenAIPromptEngine:
    def __init__(self, settings: Any = None) -> None:
        self.settings = settings
        self.name = "openai:llm"
        model = getattr(settings, "llm_model", "") if settings is not None else ""
        self.label = f"Chat model via the OpenAI API ({model})" if model else load_catalog().get(self.name).label

    # ------------------------------------------------------------ PromptEnhancer
    def enhance(self, prompt: str, aspect_ratio: str = "16:9") -> EnhancedPrompt:
        from pipeline.engines.local_prompt import _validate
        from pipeline.providers.openai_run import CinematographerPrompt

        cleaned = _validate(prompt, aspect_ratio)
        parsed = self._parse("Prompt enhancement", ENHANCE_SYSTEM,
                             f"Prompt: {cleaned}\nAspect ratio: {aspect_ratio}", CinematographerPrompt)
        enhanced = " ".join(parsed.enhanced.split())
        if not enhanced:
            raise EngineInputError("The chat model returned an empty prompt; try again or use the local enhancer.")
        additions = [PromptAddition(a.category, a.text.strip()) for a in parsed.additions if a.text.strip()]
        return EnhancedPrompt(original=prompt, enhanced=enhanced, additions=additions, engine=self.name)

    # ------------------------------------------------------------ suggestions
    def suggest_motion(self, scene: str, count: int = 3) -> list[dict[str, str]]:
        from pipeline.providers.openai_run import MotionSuggestions

        parsed = self._parse("Motion suggestions", MOTION_SYSTEM,
                             f"Hero frame: {scene.strip() or 'a product shot'}\nSuggest {int(count)} camera moves.",
                             MotionSuggestions)
        return [s.model_dump() for s in parsed.suggestions[: max(1, int(count))]]

    def suggest_improvements(self, summary: dict[str, Any]) -> list[dict[str, str]]:
        from pipeline.providers.openai_run import Improvements

        parsed = self._parse("Improvement suggestions", IMPROVE_SYSTEM,
                             json.dumps(summary, ensure_ascii=False, default=str)[:6000], Improvements)
        return [s.model_dump() for s in parsed.suggestions]

    def _parse(self, what: str, system: str, user: str, schema):
        from pipeline.providers.openai_run import make_client, parse

        client = make_client(self.settings)
        try:
            return parse(client, self.settings, what, self.settings.llm_model, system, user, schema)
        finally:
            client.close()


def _configured(settings: Any) -> bool:
    from pipeline.providers.openai_run import configured

    return configured(settings)


ENGINES = (EngineSpec("prompt", "openai:llm", OpenAIPromptEngine, wants_settings=True, configured=_configured,
                      missing="set HFS_OPENAI_API_KEY, or HFS_OPENAI_BASE_URL for an OpenAI-compatible server"),)
