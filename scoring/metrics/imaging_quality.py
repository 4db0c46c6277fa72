"""imaging_quality — technical quality of the frames (pyiqa tier).

VBench scores each frame with MUSIQ trained on SPAQ and divides by 100. That
needs weights: when ``musiq_spaq_ckpt-358bb6af.pth`` is in the learned-metrics
folder (:mod:`scoring.learned`) it is used, on CUDA when available. Otherwise
— the offline default — PIQE (Venkatanath et al. 2015), a weight-free
no-reference measure of blockiness and noise, 0–100, lower is better, mapped
to ``1 − PIQE / 100``. Both run on ``config.iqa_frames`` frames (default 3, at
25/50/75 % of the clip) reduced to ≤ 512 px, and are averaged.
``labels["imaging_quality_model"]`` says which model ran.

Image IQA correlates poorly (even negatively) with people's judgement of
generated video, so its default weight is modest. pyiqa is PolyForm
Noncommercial: the metric is skipped — and reported in ``metrics_skipped`` —
when ``enable_pyiqa=False``, ``SCORING_DISABLE_PYIQA=1`` or pyiqa cannot load.
"""

from __future__ import annotations

from . import MetricOutput, register
from .sampled_frames import SampledFramesMetric, learned_output

PYIQA_METRIC = "piqe"
LEARNED = "musiq-spaq"


@register
class ImagingQuality(SampledFramesMetric):
    name = "imaging_quality"
    dimensions = ("imaging_quality",)
    description = "MUSIQ-SPAQ / 100 when its weights are local, else 1 − PIQE/100 (pyiqa), on 3 sampled frames"

    def finish(self, summary):
        from .. import pyiqa_backend
        from ..learned import SPECS, missing_reason

        frames = self.sampled()
        if not frames:
            return MetricOutput(skipped_reason="no frames sampled")
        folder = self.clip.config.learned_dir()
        why_not = missing_reason(SPECS[LEARNED], folder)
        if why_not is None:
            out = learned_output(self, SPECS[LEARNED], frames, name=self.name)
            if not out.skipped_reason:
                return out
            why_not = out.skipped_reason
        try:
            metric = pyiqa_backend.get_metric(PYIQA_METRIC, self.clip.config.device)
            piqe = self.run_model(metric, frames)
        except Exception as exc:  # noqa: BLE001
            return MetricOutput(skipped_reason=str(exc) or "pyiqa unavailable")
        mean = sum(piqe) / len(piqe)
        model = "pyiqa:piqe" if folder is None else f"pyiqa:piqe ({LEARNED}: {why_not})"
        return MetricOutput(
            values={self.name: min(1.0, max(0.0, 1.0 - mean / 100.0))},
            details={"piqe_mean": mean, "piqe_max": max(piqe), "iqa_frames": float(len(piqe))},
            labels={"imaging_quality_model": model},
        )
