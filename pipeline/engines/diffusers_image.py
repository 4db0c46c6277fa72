"""Hero frames on a local GPU with diffusers ("diffusers:text-to-image"): SD, SDXL or FLUX from a local folder.

The pipeline is loaded once per engine (one hero-frame job renders several candidates with it) and freed by
close(), which the job calls when it ends, and on any error or cancel. Each denoising step reports progress
through the step callback, which is also where a cancel stops the run.
"""
from __future__ import annotations

from typing import Any

from pipeline.engines.base import (
    EngineCheckpoint,
    EngineInputError,
    FrameRequest,
    ProgressFn,
    RenderedFrame,
    no_progress,
    register,
)

NAME = "diffusers:text-to-image"


class DiffusersFrameEngine:
    name = NAME

    def __init__(self, settings: Any = None) -> None:
        from pipeline.providers.diffusers_run import model_folder

        self.settings = settings
        self.folder = model_folder(settings, "text-to-image") if settings is not None else None
        self.label = f"Local GPU text-to-image ({self.folder.name})" if self.folder else "Local GPU text-to-image"
        self._pipe = None
        self._device = "cpu"

    def render(self, request: FrameRequest, progress: ProgressFn = no_progress,
               checkpoint: EngineCheckpoint | None = None) -> RenderedFrame:
        from pipeline.providers.common import size_for
        from pipeline.providers.diffusers_run import call_pipeline, generator, load_pipeline, spec_for, step_callback
        from pipeline.providers.inputs import build_inputs

        if self.folder is None:
            raise EngineInputError("No local text-to-image model: set HFS_DIFFUSERS_IMAGE_MODEL to its folder.")
        if not request.prompt or not request.prompt.strip():
            raise EngineInputError("The prompt is empty. Describe the shot you want.")
        spec = spec_for(self.folder, "text-to-image")
        long_side = getattr(self.settings, "diffusers_long_side", None) or spec.limits.long_side or request.long_side
        width, height = size_for(request.aspect_ratio, long_side, spec.limits.size_multiple)
        steps = getattr(self.settings, "diffusers_steps", None) or spec.limits.steps or 30
        kwargs, ignored = build_inputs(spec, prompt=request.prompt, width=width, height=height, steps=steps)
        try:
            if self._pipe is None:
                self._pipe, self._device = load_pipeline(self.folder, self.settings, progress, "Hero frame")
            image = call_pipeline(self._pipe, "Hero frame", **kwargs, generator=generator(request.seed),
                                  output_type="pil",
                                  callback_on_step_end=step_callback(progress, steps, 5, 93, "Hero frame")).images[0]
        except BaseException:
            self.close()  # a cancel or a failure frees the GPU at once
            raise
        progress(100, "Image ready")
        parameters = {"provider": "diffusers", "pipeline": spec.model, "folder": self.folder.name, "inputs": kwargs,
                      "ignored_inputs": ignored, "device": self._device, "cost_usd": 0.0, "cost_known": True}
        return RenderedFrame(image=image.convert("RGB"), seed=request.seed, model=spec.model, parameters=parameters,
                             cost_usd=0.0)

    def close(self) -> None:
        """Drop the pipeline and give its memory back (the job calls this when it ends)."""
        from pipeline.providers.diffusers_run import release

        if self._pipe is not None:
            self._pipe = None
            release()


def _configured(settings: Any) -> bool:
    from pipeline.providers.diffusers_run import configured

    return configured(settings, "text-to-image")


register("frame", NAME, DiffusersFrameEngine, wants_settings=True, configured=_configured,
         missing="set HFS_DIFFUSERS_IMAGE_MODEL to a diffusers model folder")
