"""Metric registry: one scoring dimension per module.

A metric is a subclass of :class:`Metric` registered with :func:`register`.
All metrics of a clip are fed from ONE decode pass (see
:mod:`scoring.analysis`), so adding a metric never adds a decode:

* ``on_frame(frame, prev)`` — every decoded frame, at analysis resolution
  (short side ≈ 360 px), with the previous frame;
* ``on_pair(pair)`` — every pair of consecutive *sampled* frames (~8 fps),
  with the DIS optical flow a→b computed once and shared, the native frames
  in between, and the pair's top-5 % flow magnitude;
* ``finish(summary)`` — returns a :class:`MetricOutput` with the
  dimension values (0–1, higher is better) and raw details.

Metrics declare optional heavy dependencies in ``requires`` (``"pyiqa"``,
``"learned"`` for weight files)
and say why they cannot run in ``unavailable_reason`` — the scorer then
reports them in ``metrics_skipped`` instead of failing. Metric modules must
stay light at import time (no torch / pyiqa / cv2 at module level).

To deepen the scorer, add a module here, decorate its class with
``@register`` and list the module in ``BUILTIN_METRIC_MODULES``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import ClipContext, ClipSummary, Frame, FramePair
    from ..config import ScoringConfig

__all__ = [
    "BUILTIN_METRIC_MODULES",
    "Metric",
    "MetricOutput",
    "get_metric",
    "register",
    "registered_metrics",
]

#: Modules (relative to this package) holding the built-in metrics, in
#: reporting order.
BUILTIN_METRIC_MODULES = (
    "temporal_flickering",
    "motion_smoothness",
    "dynamic_degree",
    "camera_motion",
    "motion_continuity",
    "i2v_subject",
    "i2v_background",
    "imaging_quality",
    "aesthetic_quality",
    "clip_score",
)


@dataclass
class MetricOutput:
    #: Dimension name → value in [0, 1], higher is better.
    values: dict[str, float] = field(default_factory=dict)
    #: Raw, unnormalised numbers for debugging and display (name → number).
    details: dict[str, float] = field(default_factory=dict)
    #: Set when the metric could not produce its dimensions for this clip.
    skipped_reason: str | None = None
    #: Text facts for display (detected camera move, model used, ...); kept
    #: even when the metric is skipped.
    labels: dict[str, str] = field(default_factory=dict)


class Metric:
    """Base class of a scoring dimension (or a small family of them)."""

    #: Registry key; also the name of the main dimension.
    name: ClassVar[str] = ""
    #: Dimension keys this metric may produce.
    dimensions: ClassVar[tuple[str, ...]] = ()
    #: Optional heavy dependencies ("pyiqa"); informational + checked by
    #: ``unavailable_reason``.
    requires: ClassVar[tuple[str, ...]] = ()
    #: Needs the hero image.
    needs_hero: ClassVar[bool] = False
    description: ClassVar[str] = ""

    @classmethod
    def unavailable_reason(cls, config: ScoringConfig, has_hero: bool) -> str | None:
        """Why this metric cannot run at all under ``config`` (``None`` = it can)."""
        if cls.needs_hero and not has_hero:
            return "no hero image given"
        return None

    @classmethod
    def prepare(cls, config: ScoringConfig) -> None:
        """Called once before the decode pass (e.g. to warm a slow import in
        the background while frames decode)."""

    def __init__(self, clip: ClipContext):
        self.clip = clip

    def on_frame(self, frame: Frame, prev: Frame | None) -> None:
        pass

    def on_pair(self, pair: FramePair) -> None:
        pass

    def finish(self, summary: ClipSummary) -> MetricOutput:  # pragma: no cover - abstract
        raise NotImplementedError


_REGISTRY: dict[str, type[Metric]] = {}
_BUILTINS_LOADED = False


def register(cls: type[Metric]) -> type[Metric]:
    """Class decorator adding a metric to the registry (by ``cls.name``)."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    if not cls.dimensions:
        cls.dimensions = (cls.name,)
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    for module in BUILTIN_METRIC_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    _BUILTINS_LOADED = True


def registered_metrics() -> list[type[Metric]]:
    """All registered metric classes (built-ins first, in reporting order)."""
    _load_builtins()
    return list(_REGISTRY.values())


def get_metric(name: str) -> type[Metric]:
    _load_builtins()
    return _REGISTRY[name]
