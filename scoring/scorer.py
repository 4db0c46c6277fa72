"""Score one video attempt: ``score_video(path, hero) -> ScoreReport``.

The scorer knows nothing about the app: it takes file paths and returns
numbers. Heavy libraries (numpy, OpenCV, PyAV, torch, pyiqa) are imported
inside the functions, so importing this module stays cheap.

``overall`` (0–100) is an absolute, documented number for display:
``100 · Σ_d w_d · s_d / Σ_d w_d`` over the dimensions ``d`` that were
computed, with ``w = DEFAULT_WEIGHTS`` or the project's weights (motion weights
dropped when the motion prompt asks for a still shot), multiplied by
``GATE_OVERALL_FACTOR`` (0.5) when a hard gate failed. Because the dimensions
saturate, use :func:`scoring.rank` — not ``overall`` — to pick the best
attempt of a group. :func:`score_videos` scores a group's attempts in parallel
threads (decoding, OpenCV and torch release the GIL).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .config import (
    DEFAULT_WEIGHTS,
    GATE_OVERALL_FACTOR,
    MOTION_DIMENSIONS,
    SCORER_VERSION,
    ScoringConfig,
)

__all__ = ["ScoreReport", "effective_weights", "overall_score", "score_video", "score_videos"]


@dataclass
class ScoreReport:
    """Scores of one video attempt. All dimensions are in [0, 1], higher is better."""

    #: Dimension → value in [0, 1] (see ``scoring.metrics`` for each).
    dimensions: dict[str, float]
    #: Absolute weighted mean for display, 0–100 (see module doc).
    overall: float
    #: Metrics that produced dimensions.
    metrics_used: list[str]
    #: Metric name → why it was not used (disabled, no hero, pyiqa missing, ...).
    metrics_skipped: dict[str, str]
    #: Hard-gate failures, each ``"<code>: <explanation>"`` (empty = passed).
    gate_failures: list[str]
    #: Wall-clock seconds spent scoring.
    seconds: float
    scorer_version: str = SCORER_VERSION
    #: Raw numbers behind the dimensions (flow px, PIQE, SSIM, ...).
    details: dict[str, float] = field(default_factory=dict)
    #: Facts about the clip: path, width, height, fps, frames, duration,
    #: decoded_frames, decoded_seconds, analysis_size, flow_step.
    video: dict[str, Any] = field(default_factory=dict)
    #: From the motion prompt: True = motion asked, False = still shot asked,
    #: None = no motion prompt.
    motion_expected: bool | None = None
    #: Text facts: the motion prompt, the camera move asked for / detected
    #: (``camera_motion_phrase``, ``camera_motion_expected``,
    #: ``camera_motion_detected``), the model behind each pyiqa dimension
    #: (``<dimension>_model``).
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (round-trips through :meth:`from_dict`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreReport:
        """Rebuild a report stored with :meth:`to_dict` (unknown keys ignored)."""
        names = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs.setdefault("dimensions", {})
        kwargs.setdefault("overall", 0.0)
        kwargs.setdefault("metrics_used", [])
        kwargs.setdefault("metrics_skipped", {})
        kwargs.setdefault("gate_failures", [])
        kwargs.setdefault("seconds", 0.0)
        kwargs["dimensions"] = {k: float(v) for k, v in dict(kwargs["dimensions"]).items()}
        kwargs["metrics_used"] = list(kwargs["metrics_used"])
        kwargs["metrics_skipped"] = dict(kwargs["metrics_skipped"])
        kwargs["gate_failures"] = list(kwargs["gate_failures"])
        kwargs["labels"] = {str(k): str(v) for k, v in dict(kwargs.get("labels") or {}).items()}
        return cls(**kwargs)


def effective_weights(
    weights: Mapping[str, float] | None = None, motion_expected: bool | None = None
) -> dict[str, float]:
    """``weights`` (default ``DEFAULT_WEIGHTS``) with the motion dimensions
    zeroed when a still shot was asked for; negative weights become 0."""
    w = {k: max(0.0, float(v)) for k, v in (DEFAULT_WEIGHTS if weights is None else weights).items()
         if isinstance(v, (int, float)) and math.isfinite(v)}
    if motion_expected is False:
        for d in MOTION_DIMENSIONS:
            if d in w:
                w[d] = 0.0
    return w


def overall_score(
    dimensions: Mapping[str, float],
    *,
    gated: bool = False,
    motion_expected: bool | None = None,
    weights: Mapping[str, float] | None = None,
) -> float:
    """The absolute 0–100 display score (see module doc)."""
    w = effective_weights(weights, motion_expected)
    num = den = 0.0
    for d, wd in w.items():
        v = dimensions.get(d)
        if wd > 0 and v is not None and math.isfinite(v):
            num += wd * v
            den += wd
    score = 100.0 * num / den if den > 0 else 0.0
    if gated:
        score *= GATE_OVERALL_FACTOR
    return round(score, 2)


def score_video(
    video_path: str | os.PathLike,
    hero_path: str | os.PathLike | None = None,
    motion_prompt: str = "",
    *,
    prompt: str = "",
    enable_pyiqa: bool = True,
    expected_duration: float | None = None,
    metrics: Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
    config: ScoringConfig | None = None,
) -> ScoreReport:
    """Score one video attempt in a single decode pass.

    Args:
        video_path: the clip (anything FFmpeg decodes).
        hero_path: the hero image the clip was generated from; enables
            ``i2v_subject``, ``i2v_background`` and the ``wrong_first_frame`` gate.
        motion_prompt: the motion prompt; names the camera move
            ``camera_motion`` checks, and a prompt that does not ask for a still
            shot enables the ``frozen`` gate.
        prompt: the scene prompt, for ``clip_score`` (learned tier).
        enable_pyiqa: tier flag for pyiqa-backed metrics (``imaging_quality``,
            ``aesthetic_quality``, ``clip_score``); ``SCORING_DISABLE_PYIQA=1``
            also disables them.
        expected_duration: requested clip length in seconds, for the
            ``truncated`` gate (the container's own frame count is always used).
        metrics: restrict to these metric names (default: all registered).
        weights: weights for ``overall`` (default ``DEFAULT_WEIGHTS``; see
            :func:`scoring.config.resolve_weights`).
        config: analysis knobs and the learned-metrics folder
            (:class:`scoring.config.ScoringConfig`).

    Raises:
        ScoringInputError: missing, unreadable or empty video or image.
    """
    from .analysis import ClipAnalysis, ClipContext
    from .gates import evaluate_gates, motion_expectation
    from .metrics import registered_metrics
    from .video_io import VideoReader, load_image

    t0 = time.perf_counter()
    base = config or ScoringConfig()
    config = replace(base, enable_pyiqa=bool(enable_pyiqa and base.enable_pyiqa))
    reader = VideoReader(video_path)
    hero = None
    if hero_path is not None and str(hero_path) != "":
        hero = load_image(hero_path, max_short_side=2 * config.analysis_short_side)
    info = reader.info
    motion_expected = motion_expectation(motion_prompt)
    expected_frames = info.frames
    if expected_duration and info.fps:
        expected_frames = max(expected_frames, round(expected_duration * info.fps))

    wanted = None if metrics is None else set(metrics)
    skipped: dict[str, str] = {}
    classes = []
    for cls in registered_metrics():
        if wanted is not None and cls.name not in wanted:
            continue
        reason = cls.unavailable_reason(config, hero is not None)
        if reason:
            skipped[cls.name] = reason
        else:
            classes.append(cls)
    for cls in classes:
        cls.prepare(config)

    clip = ClipContext(
        info, config, hero=hero, motion_expected=motion_expected, expected_frames=expected_frames,
        motion_prompt=motion_prompt or "", prompt=prompt or "",
    )
    instances = [cls(clip) for cls in classes]
    analysis = ClipAnalysis(reader, clip, instances)
    summary = analysis.run()

    dimensions: dict[str, float] = {}
    details: dict[str, float] = {}
    labels: dict[str, str] = {"motion_prompt": motion_prompt} if motion_prompt else {}
    used: list[str] = []
    for metric in instances:
        if metric.name in analysis.failed:
            skipped[metric.name] = analysis.failed[metric.name]
            continue
        try:
            out = metric.finish(summary)
        except Exception as exc:  # noqa: BLE001 - one broken metric must not sink the report
            skipped[metric.name] = f"error: {type(exc).__name__}: {exc}"[:300]
            continue
        labels.update({k: str(v) for k, v in out.labels.items()})
        if out.skipped_reason or not out.values:
            skipped[metric.name] = out.skipped_reason or "no value"
            for k, v in out.details.items():
                if v is not None and math.isfinite(v):
                    details[k] = round(float(v), 6)
            continue
        used.append(metric.name)
        for k, v in out.values.items():
            if v is not None and math.isfinite(v):
                dimensions[k] = round(float(v), 6)
        for k, v in out.details.items():
            if v is not None and math.isfinite(v):
                details[k] = round(float(v), 6)

    gates = evaluate_gates(summary, dimensions, details, motion_expected=motion_expected, has_hero=hero is not None)
    overall = overall_score(dimensions, gated=bool(gates), motion_expected=motion_expected, weights=weights)
    video = {
        **info.to_dict(),
        "decoded_frames": summary.decoded_frames,
        "decoded_seconds": round(summary.decoded_seconds, 3),
        "analysis_size": [clip.width, clip.height],
        "flow_step": clip.step,
        "flow_pairs": len(summary.pair_top5),
    }
    if summary.decode_error:
        video["decode_error"] = summary.decode_error
    if clip.hero_fit_mode:
        video["hero_fit"] = clip.hero_fit_mode
    return ScoreReport(
        dimensions=dimensions,
        overall=overall,
        metrics_used=used,
        metrics_skipped=skipped,
        gate_failures=gates,
        seconds=round(time.perf_counter() - t0, 3),
        details=details,
        video=video,
        motion_expected=motion_expected,
        labels=labels,
    )


def score_videos(
    video_paths: Iterable[str | os.PathLike],
    hero_path: str | os.PathLike | None = None,
    motion_prompt: str = "",
    *,
    workers: int = 3,
    **kwargs: Any,
) -> list[ScoreReport | Exception]:
    """Score the attempts of one group in ``workers`` parallel threads (same
    arguments as :func:`score_video`). Returns one report per path, in order;
    an attempt that could not be scored gives its exception instead, so one
    broken file does not hide the others."""
    from concurrent.futures import ThreadPoolExecutor

    paths = list(video_paths)

    def one(path):
        try:
            return score_video(path, hero_path, motion_prompt, **kwargs)
        except Exception as exc:  # noqa: BLE001 - returned to the caller
            return exc

    if workers <= 1 or len(paths) <= 1:
        return [one(p) for p in paths]
    with ThreadPoolExecutor(max_workers=min(workers, len(paths)), thread_name_prefix="scoring") as pool:
        return list(pool.map(one, paths))
