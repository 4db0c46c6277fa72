"""imaging_quality — technical quality of the frames.

VBench scores each frame with MUSIQ trained on SPAQ and divides by 100. That
needs weights: when ``musiq_spaq_ckpt-358bb6af.pth`` is in the learned-metrics
folder (:mod:`scoring.learned`) it is used, on CUDA when available. Otherwise
— the offline default — PIQE (Venkatanath et al. 2015, pyiqa), a weight-free
no-reference measure of blockiness and noise, 0–100, lower is better, mapped
to ``1 − PIQE / 100``. Both run on ``config.iqa_frames`` frames (default 3, at
25/50/75 % of the clip) reduced to ≤ 512 px, and are averaged.

Compression blocking is measured on its own too, on the same frames at
analysis resolution (:func:`scoring.imageops.blockiness`: the strength of an
8-px grid of the native video, 0.01–0.05 for clean frames, 0.04–0.2 for JPEG
quality 30, 0.12–0.5 for quality 12 — fine texture hides part of the grid),
because PIQE can miss mild blocking once a clip has been re-encoded. It scales the value down:

    imaging_quality = base · (1 − min(1, max(0, blockiness − BLOCK_FREE) / BLOCK_SCALE))

with ``base`` = MUSIQ / 100, 1 − PIQE / 100, or 1 when pyiqa is switched off
(pyiqa is PolyForm Noncommercial): the weight-free tier then still catches
blocking and heavy compression. ``labels["imaging_quality_model"]`` says
which model ran.

Image IQA correlates poorly (even negatively) with people's judgement of
generated video, so its default weight is modest.
"""

from __future__ import annotations

from . import Metric, MetricOutput, register
from .sampled_frames import SampledFramesMetric, learned_output

PYIQA_METRIC = "piqe"
LEARNED = "musiq-spaq"
#: Native block size whose grid is measured (8×8 transforms; 16-px macroblocks show as its harmonic).
BLOCK_PX = 8.0
#: Blockiness that clean frames reach anyway, and the excess that takes the value to 0.
BLOCK_FREE = 0.02
BLOCK_SCALE = 0.3
WEIGHT_FREE_MODEL = "weight-free: blockiness"


@register
class ImagingQuality(SampledFramesMetric):
    name = "imaging_quality"
    dimensions = ("imaging_quality",)
    requires = ()
    description = ("MUSIQ-SPAQ / 100 when its weights are local, else 1 − PIQE/100 (pyiqa), on 3 sampled frames, "
                   "× a blocking penalty (weight-free)")

    @classmethod
    def unavailable_reason(cls, config, has_hero):
        return Metric.unavailable_reason.__func__(cls, config, has_hero)

    @classmethod
    def prepare(cls, config):
        if SampledFramesMetric.unavailable_reason(config, True) is None:
            super().prepare(config)

    def __init__(self, clip):
        super().__init__(clip)
        self._blocks: list[float] = []
        native_w = clip.info.width or clip.width
        self._period = BLOCK_PX * clip.width / native_w

    def on_frame(self, frame, prev):
        from ..imageops import blockiness

        if frame.index in self._targets:
            self._blocks.append(blockiness(frame.gray, self._period))
        super().on_frame(frame, prev)

    def finish(self, summary):
        frames = self.sampled()
        if not frames:
            return MetricOutput(skipped_reason="no frames sampled")
        block = sum(self._blocks) / len(self._blocks) if self._blocks else 0.0
        factor = 1.0 - min(1.0, max(0.0, block - BLOCK_FREE) / BLOCK_SCALE)
        if SampledFramesMetric.unavailable_reason(self.clip.config, True) is not None:
            out = MetricOutput(values={self.name: 1.0}, labels={"imaging_quality_model": WEIGHT_FREE_MODEL})
        else:
            out = self._model_output(frames)
            if out.skipped_reason:
                out = MetricOutput(values={self.name: 1.0},
                                   labels={"imaging_quality_model": f"{WEIGHT_FREE_MODEL} ({out.skipped_reason})"})
        out.values[self.name] = min(1.0, max(0.0, out.values[self.name] * factor))
        out.details.update(blockiness=block, blocking_factor=factor)
        return out

    def _model_output(self, frames) -> MetricOutput:
        """MUSIQ when its weights are local, else PIQE (pyiqa)."""
        from .. import pyiqa_backend
        from ..learned import SPECS, missing_reason

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
