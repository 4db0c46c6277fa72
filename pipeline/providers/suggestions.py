"""Motion-prompt suggestions and improvement suggestions: from the configured chat model when the prompt engine
offers them (openai:llm, structured outputs), otherwise from the presets and a table of tips per weak score."""
from __future__ import annotations

from typing import Any

from pipeline.engines import registry

# What to change when a score dimension is the weakest (offline fallback; data, not logic).
DIMENSION_TIPS = {
    "temporal_flickering": ("Ask for a slower, steadier move and add 'flicker, strobing' to the negative prompt.",
                            "slow, steady camera move, stable lighting"),
    "motion_smoothness": ("Ask for one smooth continuous move instead of several.", "one smooth continuous move"),
    "dynamic_degree": ("The clip barely moves: ask for a clearly visible camera move.",
                       "clear push in toward the subject"),
    "motion_amount": ("Adjust how far the camera travels: name the distance (e.g. 'slow push in, a short distance').",
                      ""),
    "camera_motion": ("The camera did not do what was asked: name one move and its direction plainly.",
                      "slow push in, straight toward the subject"),
    "i2v_subject": (("The product changes during the clip: add 'distorted product, morphing' to the negative "
                     "prompt and ask for less motion."), "gentle, minimal camera move, product unchanged"),
    "i2v_background": ("The background drifts from the hero frame: ask for a locked background or a smaller move.",
                       "subtle camera move, background stays put"),
    "i2v_first_frame": ("The opening drifts from the hero frame: start static and ease into the move.",
                        "starts static, then eases into a slow push in"),
    "hero_consistency": ("The product changes during the clip: ask for less motion.", "gentle, minimal camera move"),
    "imaging_quality": ("Image quality is low: try another seed or a model with a higher resolution.", ""),
    "aesthetic_quality": ("The look is weak: improve the hero frame's lighting and composition first.", ""),
    "clip_score": ("The clip does not match its prompt: describe the subject and the move more concretely.", ""),
}


def motion_suggestions(settings: Any, scene: str, count: int = 3) -> dict[str, Any]:
    engine = _prompt_engine(settings)
    if hasattr(engine, "suggest_motion"):
        return {"engine": engine.name, "suggestions": engine.suggest_motion(scene, count)}
    from pipeline.services.motion_presets import DEFAULT_NEGATIVE_PROMPT, MOTION_PRESETS

    picks = list(MOTION_PRESETS.items())[: max(1, int(count))]
    return {"engine": getattr(engine, "name", "presets"),
            "suggestions": [{"motion_prompt": text, "negative_prompt": DEFAULT_NEGATIVE_PROMPT,
                             "why": f"Preset: {name}"}
                            for name, text in picks]}


def improvement_suggestions(settings: Any, summary: dict[str, Any]) -> dict[str, Any]:
    engine = _prompt_engine(settings)
    if hasattr(engine, "suggest_improvements"):
        return {"engine": engine.name, "suggestions": engine.suggest_improvements(summary)}
    weakest = sorted(((value, name) for name, value in (summary.get("mean_scores") or {}).items()
                      if name in DIMENSION_TIPS and value is not None))[:2]
    return {"engine": getattr(engine, "name", "tips"),
            "suggestions": [{"change": DIMENSION_TIPS[name][0], "why": f"{name} is the weakest score ({value:.2f})",
                             "motion_prompt": DIMENSION_TIPS[name][1]} for value, name in weakest]}


def _prompt_engine(settings: Any):
    return registry.create("prompt", settings.prompt_engine, settings)
