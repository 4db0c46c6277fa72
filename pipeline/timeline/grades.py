"""Colour-grade presets as ffmpeg filter chains. The export applies the chosen one ONCE, after the clips are
joined (so every clip and every transition gets exactly the same look), before scaling to the output size.

- cinematic: teal shadows, warm highlights, a touch more contrast, slightly muted colour.
- luxury: warm and soft: lifted blacks, rolled-off highlights, gentle desaturation, a golden cast.
- vibrant: punchy: more saturation (most on the muted colours) and a little contrast.
"""
from __future__ import annotations

from .edit_list import GRADE_PRESETS, TimelineError

GRADE_FILTERS: dict[str, str] = {
    "none": "",
    "cinematic": ("colorbalance=rs=-0.05:gs=-0.01:bs=0.07:rh=0.07:gh=0.02:bh=-0.06,"
                  "eq=contrast=1.08:saturation=0.88"),
    "luxury": ("curves=master='0/0.04 0.25/0.23 0.75/0.77 1/0.96',"
               "colorbalance=rm=0.05:gm=0.015:bm=-0.045:rh=0.03:bh=-0.03,eq=saturation=0.9"),
    "vibrant": "vibrance=intensity=0.35,eq=saturation=1.15:contrast=1.05",
}

GRADE_DESCRIPTIONS: dict[str, str] = {
    "none": "No grade: the clips as they are.",
    "cinematic": "Teal shadows, warm highlights, a little more contrast.",
    "luxury": "Warm and soft: lifted blacks, golden cast, gentle colour.",
    "vibrant": "Punchy colour and a little contrast.",
}


def grade_filter(preset: str) -> str:
    """The filter chain for a preset ("" for none)."""
    if preset not in GRADE_PRESETS:
        raise TimelineError(f"Unknown colour grade '{preset}'. Use one of: {', '.join(GRADE_PRESETS)}.")
    return GRADE_FILTERS[preset]
