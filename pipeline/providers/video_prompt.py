"""The prompt an image-to-video model is sent: the scene (subject and setting, from the hero frame's prompt), then
the camera move, speed and intensity (the motion prompt). A model that hears only "slow orbit to the right" has to
guess what it is orbiting; with the scene it animates the right things.

Per model: a word budget (LTX-Video reads 128 tokens, Wan 512; the catalog's limits.prompt_words), filled with
the motion prompt first and then as many whole sentences of the scene as fit. Models that take no prompt (SVD)
and the offline engines keep the motion prompt alone.
"""
from __future__ import annotations

import re

from pipeline.providers.catalog import ModelSpec

DEFAULT_WORDS = 120


def compose_video_prompt(scene: str, motion: str, spec: ModelSpec | None) -> str:
    """Scene + motion for a prompted image-to-video model; "" when the model takes no prompt or is offline."""
    motion = " ".join((motion or "").split()).rstrip(" .")
    if spec is None or not spec.takes_prompt:
        return ""
    budget = spec.limits.prompt_words or DEFAULT_WORDS
    scene_text = _fit(" ".join((scene or "").split()), budget - len(motion.split()) - 1)
    if not scene_text:
        return f"{motion}."
    return f"{scene_text.rstrip(' .,;')}. Camera: {motion}."


def _fit(text: str, words: int) -> str:
    """Whole sentences of `text` within `words` words (the first sentence cut at a word when none fits)."""
    if words <= 0 or not text:
        return ""
    kept: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if len(" ".join(kept + [sentence]).split()) > words:
            break
        kept.append(sentence)
    return " ".join(kept) if kept else " ".join(text.split()[:words])
