"""i2v_subject — does the clip keep the hero's picture, under camera motion?

VBench-I2V's i2v_subject scores ``0.5·max(conformity) + 0.5·mean(consecutive)
+ 0·min(consecutive)`` with DINO features. Weight-free, the conformity is
computed instead for the first and every other sampled frame (~4 fps) against the hero moved with
the camera (:mod:`scoring.metrics.hero_alignment`): SSIM of luminance over the
area both cover, times a detail-retention factor (Laplacian energy of the frame
vs. the warped hero, capped at 1, square root) so blur counts. Because the alignment removes the camera
motion, the mean and min run over these conformity values too (VBench takes them over consecutive
frames, whose features drift less under motion than those of the input):

    i2v_subject = 0.5 · max_k c_k + 0.5 · mean_k c_k + 0 · min_k c_k

``c_0`` is the first frame (hero aligned to it); later frames catch blur,
blocking, morphing and content that wanders off the hero.

It also computes the first-frame facts the ``wrong_first_frame`` gate and the
reasons use: ``first_frame_ssim`` (luminance SSIM, better of plain and after a
≤ 5 % shift), ``first_frame_layout_corr`` (correlation of 36-px thumbnails:
≈ 1 same picture, ≈ 0 ± 0.3 unrelated) and ``first_frame_hist_similarity``
(colour histograms), combined as ``first_frame_score = 0.5·ssim + 0.3·layout
+ 0.2·hist``.
"""

from __future__ import annotations

import math

from . import Metric, MetricOutput, register
from .hero_alignment import HeroAlignment, vbench_aggregate

W_MAX, W_MEAN, W_MIN = 0.5, 0.5, 0.0
SSIM_WEIGHT, LAYOUT_WEIGHT, HIST_WEIGHT = 0.5, 0.3, 0.2


@register
class I2VSubject(Metric):
    name = "i2v_subject"
    dimensions = ("i2v_subject",)
    needs_hero = True
    description = ("Structure (SSIM) of every sampled frame vs. the hero moved with the camera; "
                   "VBench-I2V max/mean aggregation")

    def __init__(self, clip):
        super().__init__(clip)
        self._first: dict[str, float] = {}
        self._values: list[float] = []

    def on_frame(self, frame, prev):
        if prev is not None:
            return
        align = HeroAlignment.of(self.clip)
        if align is None:
            return
        self._first = first_frame_facts(self.clip.hero_fitted, frame)
        align.align_first(frame)
        self._add(align.similarity(frame, _identity())[0])

    def on_pair(self, pair):
        align = HeroAlignment.of(self.clip)
        if align is not None and align.wants(pair):
            self._add(align.similarity(pair.b, pair.from_first)[0])

    def _add(self, v: float) -> None:
        if not math.isnan(v):
            self._values.append(v)

    def finish(self, summary):
        if not self._values:
            return MetricOutput(skipped_reason="no frame could be compared with the hero", details=self._first)
        v = self._values
        value = vbench_aggregate(v, W_MAX, W_MEAN, W_MIN)
        align = HeroAlignment.of(self.clip)
        details = {
            **self._first,
            "subject_conformity_first": v[0],
            "subject_conformity_mean": sum(v) / len(v),
            "subject_conformity_min": min(v),
            "hero_alignment_inliers": align.hero_to_first_inliers if align else 0.0,
        }
        return MetricOutput(values={self.name: min(1.0, max(0.0, value))}, details=details)


def _identity():
    from ..imageops import IDENTITY

    return IDENTITY


def first_frame_facts(hero, frame) -> dict[str, float]:
    from ..imageops import (
        colour_histogram,
        histogram_similarity,
        layout_correlation,
        to_gray,
        translation_aligned_ssim,
    )

    hero_gray = to_gray(hero)
    plain, aligned, shift = translation_aligned_ssim(hero_gray, frame.gray)
    s = max(plain, aligned)
    layout = layout_correlation(hero_gray, frame.gray)
    hist = histogram_similarity(colour_histogram(hero), colour_histogram(frame.rgb))
    score = SSIM_WEIGHT * min(1.0, max(0.0, s)) + LAYOUT_WEIGHT * min(1.0, max(0.0, layout)) + HIST_WEIGHT * hist
    return {
        "first_frame_score": score,
        "first_frame_ssim": s,
        "first_frame_shift_px": shift,
        "first_frame_layout_corr": layout,
        "first_frame_hist_similarity": hist,
    }
