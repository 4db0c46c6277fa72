"""Hero frames on a local GPU with diffusers ("diffusers:text-to-image"): SD, SDXL, SD3, FLUX.1/2, Qwen-Image or
Z-Image from a local folder (HFS_DIFFUSERS_IMAGE_MODEL, or the first runnable one in HFS_MODELS_DIR).

The pipeline is loaded once under its memory profile and kept in the process's pipeline cache across candidates,
jobs and groups (pipeline/models/cache.py); loading another model releases it. Each denoising step reports
progress through the step callback, which is also where a cancel stops the run.
"""
from __future__ import annotations

from typing import Any

from pipeline.engines.interfaces import (
    EngineCheckpoint,
    EngineSpec,
    FrameRequest,
    ProgressFn,
    RenderedFrame,
    no_progress,
)
from pipeline.errors import EngineInputError

NAME = "diffusers:text-to-image"
KIND = "text-to-image"


class DiffusersFrameEngine:
    name = NAME

    def __init__(self, settings: Any = None) -> None:
        from pipeline.providers.diffusers_run import model_folder

        self.settings = settings
        self.folder = model_folder(settings, KIND) if settings is not None else None
        self.label = f"Local GPU text-to-image ({self.folder.name})" if self.folder else "Local GPU text-to-image"

    def render(self, request: FrameRequest, progress: ProgressFn = no_progress,
               checkpoint: EngineCheckpoint | None = None) -> RenderedFrame:
        from pipeline.providers.common import size_for
        from pipeline.providers.diffusers_run import call_pipeline, generator, run_loaded, spec_for, step_callback
        from pipeline.providers.inputs import build_inputs

        if self.folder is None:
            raise EngineInputError("No local text-to-image model: set HFS_MODELS_DIR or HFS_DIFFUSERS_IMAGE_MODEL.")
        if not request.prompt or not request.prompt.strip():
            raise EngineInputError("The prompt is empty. Describe the shot you want.")
        spec = spec_for(self.folder, KIND)
        settings = self.settings
        long_side = (getattr(settings, "diffusers_frame_long_side", None)
                     or getattr(settings, "diffusers_long_side", None)
                     or spec.limits.long_side or request.long_side)
        width, height = size_for(request.aspect_ratio, long_side, spec.limits.size_multiple)
        steps = (getattr(settings, "diffusers_frame_steps", None) or getattr(settings, "diffusers_steps", None)
                 or spec.limits.steps or 30)
        kwargs, ignored = build_inputs(spec, prompt=request.prompt, negative_prompt=request.negative_prompt,
                                       width=width, height=height, steps=steps)

        def run(loaded):
            return call_pipeline(loaded.pipe, "Hero frame", progress, 95, **kwargs, generator=generator(request.seed),
                                 output_type="pil",
                                 callback_on_step_end=step_callback(progress, steps, 5, 93, "Hero frame")).images[0]

        image, loaded = run_loaded(self.folder, KIND, settings, progress, "Hero frame", f"{width}×{height}", run)
        progress(100, "Image ready")
        parameters = {"provider": "diffusers", "pipeline": spec.model, "folder": self.folder.name, "inputs": kwargs,
                      "ignored_inputs": ignored, "device": loaded.device, "memory_profile": loaded.profile,
                      "cost_usd": 0.0, "cost_known": True}
        return RenderedFrame(image=image.convert("RGB"), seed=request.seed, model=spec.model, parameters=parameters,
                             cost_usd=0.0)

    def close(self) -> None:
        """Nothing to free: the pipeline stays in the process's cache for the next job (see the module doc)."""


def _configured(settings: Any) -> bool:
    from pipeline.providers.diffusers_run import configured

    return configured(settings, KIND)


def _missing(settings: Any) -> str:
    from pipeline.providers.diffusers_run import missing_reason

    return missing_reason(settings, KIND)


ENGINES = (EngineSpec("frame", NAME, DiffusersFrameEngine, wants_settings=True, configured=_configured,
                      missing=_missing),)
