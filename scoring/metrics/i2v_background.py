"""i2v_background — does the clip keep the hero's tones and colours?

VBench-I2V's i2v_background scores ``0.4·max(conformity) + 0.3·mean(consecutive)
+ 0.3·min(consecutive)`` with DreamSim features. Weight-free, every sampled
frame (every other one, ~4 fps) is compared with the hero moved with the camera
(:mod:`scoring.metrics.hero_alignment`) on ≈ 96-px Lab thumbnails,
``b_k = 1 − mean |ΔLab| / 255`` over the area both cover, and VBench-I2V's
weights aggregate these conformity values (mean and min over them as well,
since alignment removes the camera motion that VBench's consecutive-frame
terms work around):

    i2v_background = 0.4 · max_k b_k + 0.3 · mean_k b_k + 0.3 · min_k b_k

The min term makes a single bad stretch (an exposure pump, a colour cast that
grows) count; thumbnails keep it tolerant of detail loss and small
misalignment, which ``i2v_subject`` judges.
"""

from __future__ import annotations

import math

from . import Metric, MetricOutput, register
from .hero_alignment import HeroAlignment, vbench_aggregate

W_MAX, W_MEAN, W_MIN = 0.4, 0.3, 0.3


@register
class I2VBackground(Metric):
    name = "i2v_background"
    dimensions = ("i2v_background",)
    needs_hero = True
    description = ("Tone/colour (Lab thumbnails) of every sampled frame vs. the hero moved with the camera; "
                   "VBench-I2V max/mean/min")

    def __init__(self, clip):
        super().__init__(clip)
        self._values: list[float] = []

    def on_frame(self, frame, prev):
        if prev is not None:
            return
        align = HeroAlignment.of(self.clip)
        if align is not None:
            from ..imageops import IDENTITY

            align.align_first(frame)
            self._add(align.similarity(frame, IDENTITY)[1])

    def on_pair(self, pair):
        align = HeroAlignment.of(self.clip)
        if align is not None and align.wants(pair):
            self._add(align.similarity(pair.b, pair.from_first)[1])

    def _add(self, v: float) -> None:
        if not math.isnan(v):
            self._values.append(v)

    def finish(self, summary):
        if not self._values:
            return MetricOutput(skipped_reason="no frame could be compared with the hero")
        v = self._values
        value = vbench_aggregate(v, W_MAX, W_MEAN, W_MIN)
        return MetricOutput(
            values={self.name: min(1.0, max(0.0, value))},
            details={
                "background_conformity_first": v[0],
                "background_conformity_mean": sum(v) / len(v),
                "background_conformity_min": min(v),
            },
        )
