"""hero_consistency — does the whole clip stay with the hero's look?

A cheap, weight-free stand-in for VBench-I2V's i2v_background (DreamSim
between the input image and every frame): the colour-histogram similarity
(Bhattacharyya coefficient of 8×8×8 RGB histograms) between the hero and each
frame sampled at ~8 fps, averaged. Histograms ignore where things are, so
camera motion barely moves it, while colour drift, exposure pumping, a scene
change or a collapse into mush lower it. It cannot see identity or shape
changes that keep the colours.
"""

from __future__ import annotations

from ..imageops import colour_histogram, histogram_similarity
from . import Metric, MetricOutput, register


@register
class HeroConsistency(Metric):
    name = "hero_consistency"
    dimensions = ("hero_consistency",)
    needs_hero = True
    description = "Colour-histogram similarity of sampled frames to the hero (cheap i2v_background stand-in)"

    def __init__(self, clip):
        super().__init__(clip)
        self._hist = None
        self._values: list[float] = []

    def on_frame(self, frame, prev):
        if frame.index % self.clip.step:
            return
        if self._hist is None:
            if self.clip.hero_fitted is None:
                return
            self._hist = colour_histogram(self.clip.hero_fitted)
        self._values.append(histogram_similarity(self._hist, colour_histogram(frame.rgb)))

    def finish(self, summary):
        if not self._values:
            return MetricOutput(skipped_reason="no frames compared")
        return MetricOutput(
            values={self.name: sum(self._values) / len(self._values)},
            details={"hero_hist_similarity_min": min(self._values)},
        )
