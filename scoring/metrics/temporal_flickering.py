"""temporal_flickering — frame-to-frame stability (VBench, weight-free).

VBench's formula on uint8 frames is ``(255 − mean_i mean|f_i − f_{i+1}|) / 255``
over all consecutive frames. VBench applies it only to near-static clips,
because camera or subject motion dominates raw frame differences. So two
variants are computed in the shared pass (at analysis resolution):

* ``raw`` — VBench's formula over every consecutive native frame pair;
* ``compensated`` — the same formula on the flow-compensated (warping) error:
  each sampled frame (~8 fps) against the next one warped back with the shared
  DIS flow, over pixels whose source lies inside the frame. Content motion is
  removed, brightness/colour flicker and unstable texture remain.

The reported dimension uses ``raw`` for near-static clips and ``compensated``
for moving ones, blending linearly in between by the motion ratio (mean top-5 %
flow / VBench's dynamic threshold) from ``STATIC_RATIO`` to ``MOVING_RATIO``.
With no motion the flow is ~0 and both variants nearly agree, so the switch
is continuous and attempts of one group stay comparable. The compensated error
is averaged over the pairs where the clip moves (``ClipSummary.moving_pairs``),
so a move that stalls and holds does not look steadier for its held frames.
"""

from __future__ import annotations

import math

from ..imageops import masked_mean_abs_diff, warp
from . import Metric, MetricOutput, register

STATIC_RATIO = 0.10
MOVING_RATIO = 0.30


@register
class TemporalFlickering(Metric):
    name = "temporal_flickering"
    dimensions = ("temporal_flickering",)
    description = "Frame-to-frame stability: VBench raw formula when static, flow-compensated when moving"

    def __init__(self, clip):
        super().__init__(clip)
        self._raw_sum = 0.0
        self._raw_n = 0
        self._comp: list[tuple[int, float]] = []

    def on_frame(self, frame, prev):
        if prev is not None:
            self._raw_sum += masked_mean_abs_diff(prev.rgb, frame.rgb)
            self._raw_n += 1

    def on_pair(self, pair):
        warped, valid = warp(pair.b.rgb, pair.flow)
        err = masked_mean_abs_diff(pair.a.rgb, warped, valid)
        if not math.isnan(err):
            self._comp.append((pair.k, err))

    def finish(self, summary):
        if not self._raw_n:
            return MetricOutput(skipped_reason="needs at least 2 frames")
        raw_err = self._raw_sum / self._raw_n
        raw = (255.0 - raw_err) / 255.0
        details = {"flicker_raw": raw, "flicker_raw_mean_abs_diff": raw_err}
        moving = summary.moving_pairs()
        comp_errs = [e for k, e in self._comp if k < len(moving) and moving[k]] or [e for _, e in self._comp]
        if comp_errs:
            comp_err = sum(comp_errs) / len(comp_errs)
            comp = (255.0 - comp_err) / 255.0
            ratio = summary.motion_ratio
            w = min(1.0, max(0.0, (ratio - STATIC_RATIO) / (MOVING_RATIO - STATIC_RATIO)))
            details.update(flicker_compensated=comp, flicker_warp_mean_abs_err=comp_err, flicker_compensated_weight=w)
        else:
            comp, w = raw, 0.0
        value = (1.0 - w) * raw + w * comp
        return MetricOutput(values={self.name: min(1.0, max(0.0, value))}, details=details)
