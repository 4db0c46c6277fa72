"""Constants and tunables of the scorer (stdlib only, cheap to import).

``SCORER_VERSION`` changes whenever a formula, a threshold or a default
weight changes, so stored scores are only compared within one version.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import MappingProxyType

SCORER_VERSION = "1.0.0"

#: Weights of the dimensions, used both for the absolute ``overall`` of one
#: report and for ranking attempts within a group. They sum to 1.
#: ``dynamic_degree`` is VBench's binary "does it move" flag: reported for
#: reference, but the continuous ``motion_amount`` carries the motion weight.
DEFAULT_WEIGHTS = MappingProxyType(
    {
        "motion_smoothness": 0.25,
        "temporal_flickering": 0.20,
        "i2v_first_frame": 0.20,
        "imaging_quality": 0.15,
        "motion_amount": 0.10,
        "hero_consistency": 0.10,
        "dynamic_degree": 0.0,
    }
)

#: Dimensions that reward motion: their weight is dropped when the motion
#: prompt asks for a still shot (see ``motion_expectation``).
MOTION_DIMENSIONS = ("motion_amount", "dynamic_degree")

#: Smallest difference in a dimension that counts as meaningful when ranking
#: within a group (a floor on the per-dimension standard deviation used for
#: z-scores). Differences well below it barely move the ranking, so encoder
#: noise on saturated dimensions cannot decide a pick.
RANK_SCALE_FLOOR = MappingProxyType(
    {
        "motion_smoothness": 0.002,
        "temporal_flickering": 0.002,
        "i2v_first_frame": 0.01,
        "imaging_quality": 0.02,
        "motion_amount": 0.03,
        "hero_consistency": 0.01,
        "dynamic_degree": 0.5,
    }
)
DEFAULT_RANK_SCALE_FLOOR = 0.01

#: ``overall`` of an attempt that fails a hard gate is multiplied by this.
GATE_OVERALL_FACTOR = 0.5

ENV_DISABLE_PYIQA = "SCORING_DISABLE_PYIQA"


def env_disables_pyiqa() -> bool:
    return os.environ.get(ENV_DISABLE_PYIQA, "").strip().lower() in {"1", "true", "yes", "on"}


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
    #: Frames sampled for per-frame image quality, and their longest side.
    iqa_frames: int = 3
    iqa_max_side: int = 512
