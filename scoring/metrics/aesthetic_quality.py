"""aesthetic_quality — VBench's LAION aesthetic score (learned tier only).

The LAION aesthetic predictor (an MLP on CLIP ViT-L/14 image embeddings,
1–10) on ``config.iqa_frames`` sampled frames, divided by 10 as VBench does.
Needs ``sac+logos+ava1-l14-linearMSE.pth`` and the CLIP backbone
``ViT-L-14.pt`` in the learned-metrics folder (:mod:`scoring.learned`);
without them it is skipped at once with the missing paths. Runs on CUDA when
available. pyiqa tier (PolyForm Noncommercial).
"""

from __future__ import annotations

from . import MetricOutput, register
from .sampled_frames import SampledFramesMetric, learned_output

LEARNED = "laion_aes"


@register
class AestheticQuality(SampledFramesMetric):
    name = "aesthetic_quality"
    dimensions = ("aesthetic_quality",)
    requires = ("pyiqa", "learned")
    description = "LAION aesthetic predictor (CLIP ViT-L/14 + MLP) / 10 on 3 sampled frames; needs local weights"

    @classmethod
    def unavailable_reason(cls, config, has_hero):
        from ..learned import SPECS, missing_reason

        return super().unavailable_reason(config, has_hero) or missing_reason(SPECS[LEARNED], config.learned_dir())

    def finish(self, summary):
        from ..learned import SPECS

        frames = self.sampled()
        if not frames:
            return MetricOutput(skipped_reason="no frames sampled")
        return learned_output(self, SPECS[LEARNED], frames, name=self.name)
