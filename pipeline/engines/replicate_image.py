"""Hero frames on Replicate (FLUX, Imagen 4, SDXL, ...): one engine per catalog text-to-image model.

Each candidate is one prediction, checkpointed like the video attempts, so a restarted worker resumes it.
Models that only offer nearby aspect ratios get the nearest one and the image is centre-cropped to the project's.
"""
from __future__ import annotations

from typing import Any

from pipeline.engines.interfaces import (
    EngineCheckpoint,
    FrameRequest,
    MemoryCheckpoint,
    ProgressFn,
    RenderedFrame,
    no_progress,
)
from pipeline.engines.replicate_common import ReplicateAbandonMixin, catalog_engines
from pipeline.errors import EngineInputError
from pipeline.providers.catalog import ModelSpec


class ReplicateFrameEngine(ReplicateAbandonMixin):
    def __init__(self, spec: ModelSpec, settings: Any = None) -> None:
        self.spec, self.settings = spec, settings
        self.name, self.label = spec.id, spec.label

    def render(self, request: FrameRequest, progress: ProgressFn = no_progress,
               checkpoint: EngineCheckpoint | None = None) -> RenderedFrame:
        from pipeline.providers.common import crop_to_ratio, decode_image, size_for
        from pipeline.providers.inputs import build_inputs
        from pipeline.providers.replicate_run import ReplicateRun

        spec = self.spec
        if not request.prompt or not request.prompt.strip():
            raise EngineInputError("The prompt is empty. Describe the shot you want.")
        width = height = None
        if spec.inputs.width:
            width, height = size_for(request.aspect_ratio, spec.limits.long_side or request.long_side,
                                     spec.limits.size_multiple)
        inputs, ignored = build_inputs(spec, prompt=request.prompt, negative_prompt=request.negative_prompt,
                                       seed=request.seed, aspect_ratio=request.aspect_ratio,
                                       width=width, height=height, num_outputs=1)
        run = ReplicateRun(spec, self.settings, progress, checkpoint or MemoryCheckpoint(), "Hero frame")
        prediction = run.run(inputs)
        progress(92, "Downloading the image from Replicate")
        image = decode_image(run.fetch(run.output_urls(prediction)[0]), f"Replicate ({spec.model})")
        image = crop_to_ratio(image, request.aspect_ratio)
        parameters = {"provider": "replicate", "model": spec.model, "prediction_id": prediction.id, "inputs": inputs,
                      "ignored_inputs": ignored, "seed_used": spec.seed, "billing": run.state.get("metrics", {}),
                      "cost_usd": run.state.get("cost_usd"), "cost_known": run.state.get("cost_usd") is not None}
        return RenderedFrame(image=image, seed=request.seed, model=spec.model, parameters=parameters,
                             cost_usd=run.state.get("cost_usd"))




def ENGINES() -> list:  # noqa: N802 — the name every engine module offers its engines by
    return catalog_engines("frame", "text-to-image", ReplicateFrameEngine)
