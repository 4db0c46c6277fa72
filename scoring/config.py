"""Constants and tunables of the scorer (stdlib only, cheap to import).

``SCORER_VERSION`` changes whenever a formula, a threshold or a default
weight changes, so stored scores are only compared within one version.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

SCORER_VERSION = "2.1.0"

#: Every dimension the built-in metrics can produce (0–1, higher is better),
#: in reporting order. Names follow VBench / VBench-I2V where they mean the
#: same thing; ``motion_amount`` and ``clip_score`` are ours.
DIMENSIONS = (
    "temporal_flickering",
    "motion_smoothness",
    "dynamic_degree",
    "motion_amount",
    "camera_motion",
    "motion_continuity",
    "i2v_subject",
    "i2v_background",
    "imaging_quality",
    "aesthetic_quality",
    "clip_score",
)

#: Default weights, used for the absolute ``overall`` of one report and for
#: ranking the attempts of a group; a project can override any of them
#: (:func:`resolve_weights`). They sum to 1. Dimensions that were not computed
#: (no hero, no learned weights, no prompt, pyiqa switched off) drop out and
#: the others are renormalised. ``motion_amount`` and ``dynamic_degree`` are
#: reported with weight 0: more motion is not better in itself — the motion
#: that was asked for is checked by ``camera_motion`` and the ``frozen`` gate.
#: Chosen with the degradation benchmark in view (docs/SCORING.md).
DEFAULT_WEIGHTS = MappingProxyType(
    {
        "camera_motion": 0.20,
        "i2v_subject": 0.20,
        "motion_smoothness": 0.15,
        "imaging_quality": 0.15,
        "motion_continuity": 0.10,
        "i2v_background": 0.10,
        "temporal_flickering": 0.05,
        "aesthetic_quality": 0.025,
        "clip_score": 0.025,
        "motion_amount": 0.0,
        "dynamic_degree": 0.0,
    }
)

#: Dimensions that reward motion: their weight is dropped when the motion
#: prompt asks for a still shot (see ``gates.motion_expectation``).
MOTION_DIMENSIONS = ("motion_amount", "dynamic_degree")

DEFAULT_RANK_SCALE_FLOOR = 0.01

#: Measurement noise per dimension: the 95th percentile of the absolute
#: difference between re-encodings of one clip (H.264 CRF 16–23) and between
#: near-identical attempts (seed-level speed/easing/framing changes), measured
#: by ``python -m benchmarks.score_noise`` (docs/SCORING.md). Two attempts
#: whose values differ by no more than this on every weighted dimension are a
#: tie.
NOISE_BAND = MappingProxyType(
    {
        "motion_smoothness": 0.0025,
        "temporal_flickering": 0.0025,
        "i2v_subject": 0.006,
        "i2v_background": 0.004,
        "camera_motion": 0.5,  # 0 or 1: only a different verdict counts
        "motion_continuity": 0.05,  # 0 measured (easing up to the allowance scores 1); a 5 % step
        "imaging_quality": 0.07,  # PIQE moves by up to 0.07 between neighbouring CRFs
        "aesthetic_quality": 0.02,  # learned tiers: not measured here (no weights), kept from scorer 2.0
        "clip_score": 0.01,
        "motion_amount": 0.055,
        "dynamic_degree": 0.5,
    }
)

#: Smallest difference in a dimension that counts when ranking within a group
#: (a floor on the per-dimension spread used for z-scores): the measurement
#: noise, so encoder noise on a saturated dimension cannot decide a pick.
RANK_SCALE_FLOOR = NOISE_BAND

#: ``overall`` of an attempt that fails a hard gate is multiplied by this.
GATE_OVERALL_FACTOR = 0.5

ENV_DISABLE_PYIQA = "SCORING_DISABLE_PYIQA"
ENV_LEARNED_DIR = "SCORING_LEARNED_DIR"


def env_disables_pyiqa() -> bool:
    return os.environ.get(ENV_DISABLE_PYIQA, "").strip().lower() in {"1", "true", "yes", "on"}


def resolve_weights(overrides: Mapping[str, float] | None = None, *, strict: bool = True) -> dict[str, float]:
    """``DEFAULT_WEIGHTS`` updated with a project's ``overrides``.

    ``None`` or ``{}`` gives the defaults. With ``strict`` (the default) an
    unknown dimension, a negative, non-numeric or non-finite weight, or all
    weights zero raise ``ValueError`` with a message for a person; without it
    (reading stored settings) bad entries are ignored."""
    weights = dict(DEFAULT_WEIGHTS)
    for name, value in dict(overrides or {}).items():
        if name not in DIMENSIONS:
            if strict:
                raise ValueError(f"unknown scoring dimension {name!r}; known: {', '.join(DIMENSIONS)}")
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if isinstance(value, bool) or not math.isfinite(number) or number < 0:
            if strict:
                raise ValueError(f"weight of {name!r} must be a number ≥ 0, got {value!r}")
            continue
        weights[name] = number
    if strict and not any(w > 0 for w in weights.values()):
        raise ValueError("at least one scoring weight must be above 0")
    return weights


@dataclass(frozen=True)
class ScoringConfig:
    """Knobs of one scoring pass. The defaults are what ``score_video`` uses."""

    #: Frames are analysed at this short side (never upscaled).
    analysis_short_side: int = 360
    #: Flow-based metrics sample the clip at about this rate, like VBench's
    #: dynamic degree (``interval = round(fps / 8)``).
    flow_fps: float = 8.0
    #: OpenCV DIS preset: "ultrafast", "fast" or "medium".
    flow_preset: str = "fast"
    #: Only the first ``max_seconds`` of a clip are analysed.
    max_seconds: float = 60.0
    #: Tier flag for pyiqa-backed metrics (PolyForm Noncommercial licence).
    enable_pyiqa: bool = True
    #: Folder holding weight files of learned metrics (MUSIQ, LAION aesthetic,
    #: CLIP); ``None`` = ``$SCORING_LEARNED_DIR`` if set, else no learned tier.
    learned_metrics_dir: str | None = None
    #: Torch device for pyiqa metrics; ``None`` = CUDA when available, else CPU.
    device: str | None = None
    #: Frames sampled for per-frame image metrics, and their longest side.
    iqa_frames: int = 3
    iqa_max_side: int = 512

    def learned_dir(self) -> str | None:
        value = self.learned_metrics_dir or os.environ.get(ENV_LEARNED_DIR, "").strip()
        return str(value) if value else None
