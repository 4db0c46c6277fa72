"""i2v_first_frame — does the clip start from the hero image?

The hero is mapped onto the frame geometry (centre-crop, stretch or letterbox,
whichever fits the first frame best) and compared with the first decoded frame
at analysis resolution:

* ``ssim`` — SSIM on luminance (OpenCV Gaussian SSIM, 11×11, σ 1.5), the
  better of the plain one and one after compensating a small global shift
  (phase correlation, ≤ 5 % of the frame) — a re-encode or a 2-px offset should
  not read as a different picture. Fine detail; but SSIM stays high (0.6+)
  between two *unrelated* smooth images, so it cannot tell the picture alone;
* ``layout`` — correlation of 36-px luminance thumbnails: the coarse layout
  (≈ 1 same picture, ≈ 0 ± 0.3 unrelated pictures);
* ``hist`` — colour-histogram similarity (Bhattacharyya coefficient of
  8×8×8 RGB histograms), shift-invariant.

``i2v_first_frame = 0.5 · ssim + 0.3 · layout + 0.2 · hist`` (each clamped to
[0, 1]). It is a weight-free stand-in for VBench-I2V's i2v_subject (DINO features), which is
far more tolerant of re-framing: pixel SSIM is only meaningful for the first
frame (or after alignment), it collapses under camera motion.
"""

from __future__ import annotations

from ..imageops import (
    colour_histogram,
    histogram_similarity,
    layout_correlation,
    to_gray,
    translation_aligned_ssim,
)
from . import Metric, MetricOutput, register

SSIM_WEIGHT, LAYOUT_WEIGHT, HIST_WEIGHT = 0.5, 0.3, 0.2


@register
class FirstFrameFidelity(Metric):
    name = "i2v_first_frame"
    dimensions = ("i2v_first_frame",)
    needs_hero = True
    description = "First frame vs. hero image: luminance SSIM (shift-compensated), thumbnail layout, colour histogram"

    def __init__(self, clip):
        super().__init__(clip)
        self._out: MetricOutput | None = None

    def on_frame(self, frame, prev):
        if prev is not None or self._out is not None or self.clip.hero_fitted is None:
            return
        hero = self.clip.hero_fitted
        hero_gray = to_gray(hero)
        plain, aligned, shift = translation_aligned_ssim(hero_gray, frame.gray)
        s = max(plain, aligned)
        layout = layout_correlation(hero_gray, frame.gray)
        hist = histogram_similarity(colour_histogram(hero), colour_histogram(frame.rgb))
        value = (
            SSIM_WEIGHT * min(1.0, max(0.0, s))
            + LAYOUT_WEIGHT * min(1.0, max(0.0, layout))
            + HIST_WEIGHT * hist
        )
        self._out = MetricOutput(
            values={self.name: value},
            details={
                "first_frame_ssim": s,
                "first_frame_ssim_unaligned": plain,
                "first_frame_shift_px": shift,
                "first_frame_layout_corr": layout,
                "first_frame_hist_similarity": hist,
            },
        )

    def finish(self, summary):
        return self._out or MetricOutput(skipped_reason="no first frame to compare")
