"""clip_score — prompt alignment: CLIPScore of sampled frames vs. the scene prompt.

pyiqa's CLIPScore (Hessel et al. 2021): ``2.5 · max(cos(image, "A photo depicts
<prompt>"), 0)`` with CLIP ViT-B/32, on ``config.iqa_frames`` sampled frames,
divided by 2.5 (so 0–1; matching pairs typically land around 0.3). Needs the
backbone ``ViT-B-32.pt`` in the learned-metrics folder (:mod:`scoring.learned`)
and a prompt (``score_video(..., prompt=...)``); otherwise skipped at once.
Runs on CUDA when available. pyiqa tier (PolyForm Noncommercial).
"""

from __future__ import annotations

from . import MetricOutput, register
from .sampled_frames import SampledFramesMetric, learned_output

LEARNED = "clipscore"


@register
class ClipScore(SampledFramesMetric):
    name = "clip_score"
    dimensions = ("clip_score",)
    requires = ("pyiqa", "learned")
    description = "CLIPScore (ViT-B/32) of 3 sampled frames against the scene prompt; needs local weights"

    @classmethod
    def unavailable_reason(cls, config, has_hero):
        from ..learned import SPECS, missing_reason

        return super().unavailable_reason(config, has_hero) or missing_reason(SPECS[LEARNED], config.learned_dir())

    def finish(self, summary):
        from ..learned import SPECS

        prompt = self.clip.prompt.strip()
        if not prompt:
            return MetricOutput(skipped_reason="no prompt given")
        frames = self.sampled()
        if not frames:
            return MetricOutput(skipped_reason="no frames sampled")
        return learned_output(self, SPECS[LEARNED], frames, name=self.name, caption_list=[prompt] * len(frames))
