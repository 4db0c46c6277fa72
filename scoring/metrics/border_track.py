"""Shared by the camera-move metrics: the midpoints of the four borders carried through the clip by the chained
camera motion (VBench-I2V's border rule). Not a metric itself, so it is not registered."""
from __future__ import annotations

from . import Metric


class BorderTrackMetric(Metric):
    """A metric that follows the four border midpoints: ``self._track`` holds their positions at each sample."""

    def __init__(self, clip):
        super().__init__(clip)
        import numpy as np

        w, h = clip.width, clip.height
        m = w / 64.0
        self._p0 = np.array([[w / 2, m], [w / 2, h - m], [m, h / 2], [w - m, h / 2]], np.float64)
        self._track = [self._p0]

    def on_pair(self, pair):
        from ..imageops import apply_transform

        self._track.append(apply_transform(pair.from_first, self._p0))
