"""imaging_quality — per-frame technical quality via pyiqa's PIQE (optional tier).

PIQE (Venkatanath et al. 2015) is a weight-free no-reference metric of
blockiness and noise, 0–100, lower is better. It is computed on
``config.iqa_frames`` frames (default 3, at 25/50/75 % of the clip) resized
to ≤ ``config.iqa_max_side`` px (default 512) and mapped to
``1 − PIQE / 100`` (0–1, higher is better), averaged.

VBench uses MUSIQ (learned weights) for this dimension; PIQE is what runs
offline without weights. Note that image IQA metrics correlate poorly (even
negatively) with people's judgement of generated video, so its default weight
is modest. pyiqa is PolyForm Noncommercial: this metric is skipped — and
reported in ``metrics_skipped`` — when ``enable_pyiqa=False``, when
``SCORING_DISABLE_PYIQA=1`` or when pyiqa cannot be imported.
"""

from __future__ import annotations

from ..config import ENV_DISABLE_PYIQA, env_disables_pyiqa
from . import Metric, MetricOutput, register

PYIQA_METRIC = "piqe"


@register
class ImagingQuality(Metric):
    name = "imaging_quality"
    dimensions = ("imaging_quality",)
    requires = ("pyiqa",)
    description = "pyiqa PIQE on a few sampled frames, as 1 − PIQE/100"

    @classmethod
    def unavailable_reason(cls, config, has_hero):
        if not config.enable_pyiqa:
            return "disabled (enable_pyiqa=False)"
        if env_disables_pyiqa():
            return f"disabled ({ENV_DISABLE_PYIQA}=1)"
        return None

    def __init__(self, clip):
        super().__init__(clip)
        n = max(1, clip.config.iqa_frames)
        total = clip.expected_frames or clip.info.frames
        if total > 0:
            self._targets = sorted({min(total - 1, round((i + 1) * total / (n + 1))) for i in range(n)})
        else:
            self._targets = [0]
        self._n = n
        self._frames: list = []
        self._last = None

    def _small(self, rgb):
        import cv2

        from ..video_io import scaled_size

        h, w = rgb.shape[:2]
        nw, nh = scaled_size(w, h, max_side=self.clip.config.iqa_max_side)
        if (nw, nh) == (w, h):
            return rgb.copy()
        return cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)

    def on_frame(self, frame, prev):
        if frame.index in self._targets:
            self._frames.append(self._small(frame.rgb))
        self._last = frame

    def finish(self, summary):
        from .. import pyiqa_backend

        frames = list(self._frames)
        if len(frames) < self._n and self._last is not None and (
            not frames or self._last.index > self._targets[len(frames) - 1]
        ):
            frames.append(self._small(self._last.rgb))  # clip shorter than expected
        if not frames:
            return MetricOutput(skipped_reason="no frames sampled")
        try:
            metric = pyiqa_backend.get_metric(PYIQA_METRIC)
        except Exception as exc:  # noqa: BLE001
            return MetricOutput(skipped_reason=str(exc) or "pyiqa unavailable")
        import numpy as np
        import torch

        batch = torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2).float().div_(255.0)
        with torch.no_grad():
            piqe = [float(v) for v in metric(batch).reshape(-1)]
        mean = sum(piqe) / len(piqe)
        return MetricOutput(
            values={self.name: min(1.0, max(0.0, 1.0 - mean / 100.0))},
            details={"piqe_mean": mean, "piqe_max": max(piqe), "iqa_frames": float(len(piqe))},
        )
