"""motion_smoothness — VBench's frame-interpolation rule with DIS flow.

VBench drops frames, re-synthesises each from its neighbours with a learned
interpolator (AMT) and scores ``(255 − mean abs error) / 255``: motion that
follows a smooth path is predictable from its neighbours, jitter, stutter and
flicker are not. Here the interpolator is classical: for each sampled pair
(a, b) — ~8 fps, with the DIS flow a→b computed once in the shared pass — one
native frame in between (cycling through the in-between positions) is
synthesised by bidirectional half-flow warping,

    M̂(y) = (1−α)·a(y − α·F(y)) + α·b(y + (1−α)·F(y)),   α = position in (0, 1),

and compared with the real frame over pixels both sources cover. When the
clip has no frames between samples (≤ 12 fps), every other sample is
synthesised from its two neighbours (one extra flow each), exactly VBench's
drop-odd-frames scheme.

Sampling at ~8 fps misses what happens *between* native frames: a repeated
frame (stutter), a dropped one (a jump), shake. VBench's interpolator runs at
the native rate and sees them; here a native-rate term does: ``d_i`` = mean
absolute difference of consecutive gray frames (analysis resolution), and
under smooth motion each ``d_i`` is close to the mean of its neighbours, so
the cadence error ``mean_i |d_i − (d_{i−1} + d_{i+1}) / 2|`` (gray levels, like
the interpolation error) is ≈ 0 — a duplicate or a jump makes it large. The
dimension adds both errors on VBench's scale:

    motion_smoothness = (255 − (interp_err + cadence_err)) / 255

Both errors are averaged over the parts of the clip that move
(``ClipSummary.moving_pairs``): held frames are trivially "smooth", and a move
that stalls and holds (or starts late) must not win on them.
"""

from __future__ import annotations

import math

from ..imageops import interpolate, masked_mean_abs_diff
from . import Metric, MetricOutput, register


@register
class MotionSmoothness(Metric):
    name = "motion_smoothness"
    dimensions = ("motion_smoothness",)
    description = "Interpolation error of in-between frames from their neighbours (VBench rule, DIS flow)"

    def __init__(self, clip):
        super().__init__(clip)
        self._errs: list[tuple[int, float]] = []  # (pair k, interpolation error)
        self._prev_pair = None
        self._diffs: list[float] = []  # d_i between native frames i and i + 1

    def on_frame(self, frame, prev):
        import cv2

        if prev is not None:
            self._diffs.append(cv2.mean(cv2.absdiff(frame.gray, prev.gray))[0])

    def _score(self, k, a, b, flow, middle):
        alpha = (middle.index - a.index) / (b.index - a.index)
        pred, valid = interpolate(a.rgb, b.rgb, flow, alpha)
        err = masked_mean_abs_diff(middle.rgb, pred, valid)
        if not math.isnan(err):
            self._errs.append((k, err))

    def on_pair(self, pair):
        if pair.between:
            middle = pair.between[pair.k % len(pair.between)]
            self._score(pair.k, pair.a, pair.b, pair.flow, middle)
            return
        prev = self._prev_pair
        self._prev_pair = pair
        if prev is not None and pair.k % 2 == 1:
            flow = self.clip.flow(prev.a, pair.b)
            self._score(pair.k, prev.a, pair.b, flow, pair.a)

    def finish(self, summary):
        if not self._errs:
            return MetricOutput(skipped_reason="needs at least 3 frames")
        moving = summary.moving_pairs()
        is_moving = lambda k: not moving or moving[min(k, len(moving) - 1)]
        errs = [e for k, e in self._errs if is_moving(k)] or [e for _, e in self._errs]
        err = sum(errs) / len(errs)
        d, step = self._diffs, self.clip.step
        # d[i] spans native frames i → i + 1, which lie in sampled pair i // step
        cadence = [abs(d[i] - 0.5 * (d[i - 1] + d[i + 1])) for i in range(1, len(d) - 1) if is_moving(i // step)]
        cad = sum(cadence) / len(cadence) if cadence else 0.0
        value = (255.0 - err - cad) / 255.0
        return MetricOutput(
            values={self.name: min(1.0, max(0.0, value))},
            details={
                "smoothness_interp_mean_abs_err": err,
                "smoothness_cadence_err": cad,
                "smoothness_frames": float(len(errs)),
            },
        )
