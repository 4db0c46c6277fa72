"""The ad planner through a chat model (OpenAI or any OpenAI-compatible server), with structured output.

The model answers in the LLMAdPlan schema (chat.completions.parse, via pipeline/providers/openai_run.py). Its
answer is then made to fit the studio's rules: the user's length, aspect ratio and framework win; unknown scene
types are mapped onto the framework's by position; durations are rescaled to add up; bad colours are replaced by
the local planner's; over-long texts are shortened. When the call or the answer fails, the local rules plan the
ad instead and the plan carries a note saying why.

`plan_ad` is the one entry point: planner "auto" uses the chat model when the prompt engine is the chat model
(settings.prompt_engine == "openai:llm") and OpenAI is configured, "llm" insists on it, "rules" never uses it.
"""
from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import BaseModel, Field

from pipeline.ads.frameworks import FRAMEWORKS
from pipeline.ads.local_planner import plan_locally
from pipeline.ads.plan import (
    MAX_SCENES,
    MIN_SCENES,
    AdPlan,
    AdPlanError,
    check_prompt,
    parse_hex,
    rescale_durations,
)
from pipeline.errors import EngineInputError, TransientEngineError

log = logging.getLogger(__name__)
LLM_ENGINE = "openai:llm"
PLANNERS = ("auto", "rules", "llm")

SYSTEM = (
    "You are a creative director planning a short video ad that will be made from AI-generated hero frames "
    "(one still image per scene, animated by an image-to-video model) and then edited with text overlays, music "
    "and an end card with the call to action.\n"
    "Frameworks and their scene types, in order (base seconds for 15 s; scale to the requested length):\n"
    + "\n".join(f"- {f.name}: " + ", ".join(f"{s.key} {s.seconds:g} s ({s.purpose})" for s in f.scenes)
                for f in FRAMEWORKS.values())
    + "\nRules: pick the framework that fits (problem wording → PAS, transformation/aspiration → BAB, otherwise "
    "AIDA) unless one is required, and give a one-line rationale. Use exactly the framework's scene types, in "
    "order. Scene durations must add up to the requested length. visual_prompt describes ONE still frame for a "
    "text-to-image model (subject, setting, light, composition; no text or logos in the image), consistent "
    "across scenes. motion_prompt is one camera move (e.g. 'slow push in', 'slow orbit around the product'). "
    "text_overlay is at most 6 words. call_to_action is at most 5 words. Brand colours are 2-4 hex colours like "
    "#D4AF37. music_mood is one of the listed moods; grade is a colour grade preset.")


class LLMBrand(BaseModel):
    name: str = Field(description="Brand name (invent a fitting one if the prompt names none).")
    colours: list[str] = Field(description="2 to 4 brand colours as hex, e.g. #0B1F3A.")
    style_keywords: list[str] = Field(description="2 to 5 visual style keywords.")
    mood: str = Field(description="The brand's mood in a few words.")


class LLMScene(BaseModel):
    type: str = Field(description="The framework's scene type, e.g. attention, problem, before.")
    visual_prompt: str
    motion_prompt: str
    text_overlay: str
    duration: float = Field(description="Seconds.")
    transition: Literal["cut", "crossfade", "fade_black"] = Field(description="Transition INTO this scene.")


class LLMAdPlan(BaseModel):
    product: str = Field(description="What is advertised, in one sentence.")
    brand: LLMBrand
    framework: Literal["AIDA", "PAS", "BAB"]
    rationale: str = Field(description="One line: why this framework.")
    call_to_action: str
    music_mood: Literal["luxury", "tech", "calm", "energetic", "cinematic", "playful", "upbeat", "chill"]
    grade: Literal["none", "cinematic", "luxury", "vibrant"]
    scenes: list[LLMScene]


def llm_available(settings: Any) -> bool:
    from pipeline.providers.openai_run import configured

    return settings is not None and configured(settings)


def plan_ad(settings: Any, prompt: str, duration: int = 15, aspect_ratio: str = "9:16",
            framework: str | None = None, planner: str = "auto") -> AdPlan:
    """A validated plan: through the chat model when configured (see the module docstring), else by rules."""
    text = check_prompt(prompt)
    planner = (planner or "auto").strip().lower()
    if planner not in PLANNERS:
        raise AdPlanError(f"Planner must be auto, rules or llm; got '{planner}'.")
    if framework and framework.strip().upper() not in FRAMEWORKS:
        raise AdPlanError(f"Unknown framework '{framework}'. Use AIDA, PAS or BAB (or leave it blank for auto).")
    base = plan_locally(text, duration, aspect_ratio, framework)  # also validates length and ratio
    use_llm = planner == "llm" or (planner == "auto" and getattr(settings, "prompt_engine", "") == LLM_ENGINE)
    if not use_llm:
        return base
    if not llm_available(settings):
        if planner == "llm":
            raise AdPlanError("The chat-model planner needs OpenAI: set HFS_OPENAI_API_KEY or HFS_OPENAI_BASE_URL.")
        return base
    try:
        answer = ask_model(settings, text, duration, aspect_ratio, framework)
        return from_model(answer, base, framework, model=getattr(settings, "llm_model", ""))
    except (EngineInputError, TransientEngineError, AdPlanError, ValueError) as exc:
        log.warning("LLM ad planning failed, using the local rules: %s", exc)
        note = f"The chat model's plan could not be used ({_short(exc)}); planned by the local rules instead."
        return AdPlan.parse({**base.to_dict(), "notes": [note, *base.notes]})


def ask_model(settings: Any, prompt: str, duration: int, aspect_ratio: str, framework: str | None) -> LLMAdPlan:
    from pipeline.providers.openai_run import make_client, parse

    user = (f"Ad request: {prompt}\nLength: {duration} s\nAspect ratio: {aspect_ratio}\n"
            f"Framework: {framework.strip().upper() if framework else 'choose the best one'}")
    client = make_client(settings)
    try:
        return parse(client, settings, "Ad plan", settings.llm_model, SYSTEM, user, LLMAdPlan)
    finally:
        client.close()


def from_model(answer: LLMAdPlan, base: AdPlan, framework: str | None, model: str = "") -> AdPlan:
    """The model's answer fitted to the studio's rules (see the module docstring); AdPlanError when unusable."""
    name = framework.strip().upper() if framework else answer.framework
    fw = FRAMEWORKS[name]
    scenes = [s for s in answer.scenes if s.visual_prompt.strip()][:MAX_SCENES]
    if len(scenes) < MIN_SCENES:
        raise AdPlanError(f"the model planned {len(scenes)} scene(s)")
    notes = []
    out = []
    for index, scene in enumerate(scenes):
        kind = scene.type.strip().lower()
        if kind not in fw.keys:
            mapped = fw.scenes[min(index, len(fw.scenes) - 1)].key
            notes.append(f"Scene {index + 1}: type '{scene.type}' read as '{mapped}'.")
            kind = mapped
        out.append({"number": index + 1, "type": kind, "visual_prompt": scene.visual_prompt.strip()[:600],
                    "motion_prompt": (scene.motion_prompt.strip() or fw.scene_type(kind).motion)[:300],
                    "text_overlay": " ".join(scene.text_overlay.split())[:80],
                    "duration": scene.duration if scene.duration and scene.duration > 0 else 1.0,
                    "transition": scene.transition})
    durations = rescale_durations([s["duration"] for s in out], float(base.duration))
    if any(abs(a - s["duration"]) > 0.05 for a, s in zip(durations, out)):
        notes.append("Scene durations rescaled to add up to the ad's length.")
    for scene, seconds in zip(out, durations):
        scene["duration"] = seconds
    colours = []
    for colour in answer.brand.colours:
        try:
            colours.append(parse_hex(colour))
        except AdPlanError:
            continue
    if len(colours) < 2:
        colours = list(base.brand.colours)
        notes.append("Brand colours taken from the local palette (the model gave fewer than 2 valid ones).")
    keywords = [k.strip()[:40] for k in answer.brand.style_keywords if k.strip()][:6] or list(base.brand.style_keywords)
    data = {
        "prompt": base.prompt,
        "product": answer.product.strip()[:300] or base.product,
        "brand": {"name": answer.brand.name.strip()[:40] or base.brand.name, "colours": colours[:4],
                  "style_keywords": keywords, "mood": answer.brand.mood.strip()[:60] or base.brand.mood},
        "duration": base.duration, "aspect_ratio": base.aspect_ratio, "framework": name,
        "rationale": " ".join(answer.rationale.split())[:240] or base.rationale,
        "call_to_action": " ".join(answer.call_to_action.split())[:60] or base.call_to_action,
        "music_mood": answer.music_mood, "grade": answer.grade, "scenes": out, "seed": base.seed,
        "planner": f"{LLM_ENGINE} ({model})" if model else LLM_ENGINE,
        "setting": "",  # the model writes complete, consistent scene prompts itself
        "notes": notes,
    }
    return AdPlan.parse(data)


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:159] + "…"
