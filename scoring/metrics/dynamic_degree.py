"""dynamic_degree and motion_amount — how much the clip moves.

``dynamic_degree`` is VBench's rule with OpenCV DIS in place of RAFT: for
each pair of frames sampled at ~8 fps (``interval = round(fps / 8)``) take the
mean of the top 5 % flow magnitudes; the clip is dynamic (1.0, else 0.0) when
at least ``round(4 · n_sampled / 16)`` pairs exceed ``6 · short_side / 256`` px
(≈ 16.9 px at 720p; flow is computed at analysis resolution and the threshold
scales with it, so the rule is resolution-independent).

``motion_amount`` is a continuous version for ranking:
``1 − exp(−m / threshold)`` (0 = frozen, 0.63 at VBench's threshold, → 1 for
large motion), where ``m`` is the mean over pairs of the top-5 % magnitude of
the *average of two consecutive pair flows*. Sustained motion is unchanged by
that averaging while random per-frame shake partly cancels, so jitter is not
mistaken for "more motion" (``motion_smoothness`` is the dimension that
penalises jitter).
"""

from __future__ import annotations

import math

from ..imageops import flow_magnitude, top_fraction_mean
from . import Metric, MetricOutput, register


@register
class DynamicDegree(Metric):
    name = "dynamic_degree"
    dimensions = ("dynamic_degree", "motion_amount")
    description = "VBench dynamic degree (binary) and a continuous motion amount from DIS flow"

    def __init__(self, clip):
        super().__init__(clip)
        self._prev_flow = None
        self._smoothed: list[float] = []

    def on_pair(self, pair):
        prev, self._prev_flow = self._prev_flow, pair.flow
        if prev is not None:
            avg = (prev[::2, ::2] + pair.flow[::2, ::2]) * 0.5  # every other vector, like the shared top-5 %
            self._smoothed.append(top_fraction_mean(flow_magnitude(avg), 0.05))

    def finish(self, summary):
        pairs = summary.pair_top5
        if not pairs:
            return MetricOutput(skipped_reason="needs at least 2 sampled frames")
        thres = summary.flow_threshold_px
        needed = max(1, round(4 * summary.sampled_frames / 16.0))
        moving = sum(1 for v in pairs if v > thres)
        mean = sum(pairs) / len(pairs)
        consistent = sum(self._smoothed) / len(self._smoothed) if self._smoothed else mean
        return MetricOutput(
            values={
                "dynamic_degree": 1.0 if moving >= needed else 0.0,
                "motion_amount": 1.0 - math.exp(-consistent / thres),
            },
            details={
                "motion_top5_px_mean": mean,
                "motion_top5_px_max": max(pairs),
                "motion_consistent_top5_px_mean": consistent,
                "motion_threshold_px": thres,
                "motion_ratio": mean / thres,
                "dynamic_pairs": float(moving),
                "dynamic_pairs_needed": float(needed),
            },
        )
