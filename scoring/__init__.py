"""Hero Frame Studio — scoring of generated video attempts.

Takes file paths, returns numbers; knows nothing about the database, the UI
or the rest of the app. Importing this package is cheap: numpy, OpenCV, PyAV,
torch and pyiqa are imported only when a video is scored.

    >>> from scoring import score_video, rank                      # doctest: +SKIP
    >>> reports = [score_video(p, hero_path="hero.png", motion_prompt="slow push-in") for p in paths]
    >>> ranking = rank(reports)
    >>> ranking.best_index, ranking.reason

Dimensions (0–1, higher is better, ``DIMENSIONS``): ``temporal_flickering``,
``motion_smoothness``, ``dynamic_degree``, ``motion_amount``,
``camera_motion`` and ``motion_continuity`` (need a motion prompt naming a
move), ``i2v_subject``, ``i2v_background`` (these two need the hero),
``imaging_quality`` (a weight-free blocking factor, × PIQE with pyiqa or MUSIQ
with local weights), ``aesthetic_quality`` and
``clip_score`` (pyiqa tier, local weights only). See ``docs/SCORING.md``.
"""

from __future__ import annotations

from .config import (
    DEFAULT_WEIGHTS,
    DIMENSIONS,
    SCORER_VERSION,
    ScoringConfig,
    resolve_weights,
)
from .errors import ScoringInputError
from .ranking import Ranking, rank
from .scorer import ScoreReport, score_video, score_videos

__all__ = [
    "DEFAULT_WEIGHTS",
    "DIMENSIONS",
    "SCORER_VERSION",
    "Ranking",
    "ScoreReport",
    "ScoringConfig",
    "ScoringInputError",
    "rank",
    "resolve_weights",
    "score_video",
    "score_videos",
    "warmup",
]


def warmup(enable_pyiqa: bool = True, config: ScoringConfig | None = None) -> dict[str, str]:
    """Import the heavy libraries (and create the pyiqa metric) ahead of the
    first score, e.g. when a worker starts; returns ``{name: "ok" | reason}``.

    The pyiqa/torch import alone takes ~2.5 s on 2 CPU cores: a worker that
    scores many clips pays it once, here or on its first score."""
    import av  # noqa: F401
    import cv2  # noqa: F401
    import numpy  # noqa: F401

    from .config import env_disables_pyiqa
    from .metrics import registered_metrics

    registered_metrics()
    status = {"opencv": "ok", "pyav": "ok"}
    if enable_pyiqa and not env_disables_pyiqa():
        from . import pyiqa_backend
        from .metrics.imaging_quality import PYIQA_METRIC

        device = config.device if config else None
        try:
            pyiqa_backend.get_metric(PYIQA_METRIC, device)
            status["pyiqa"] = "ok"
        except Exception as exc:  # noqa: BLE001
            status["pyiqa"] = str(exc)
        if config is not None and config.learned_dir():
            from .learned import SPECS, locate

            for key, spec in SPECS.items():
                files, missing = locate(spec, config.learned_dir())
                if missing:
                    status[key] = "weights not found: " + ", ".join(missing)
                    continue
                try:
                    pyiqa_backend.get_learned_metric(spec, files, device)
                    status[key] = "ok"
                except Exception as exc:  # noqa: BLE001
                    status[key] = str(exc)
    else:
        status["pyiqa"] = "disabled"
    return status
