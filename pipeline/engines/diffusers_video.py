"""Image-to-video attempts on a local GPU with diffusers ("diffusers:image-to-video"): SVD, Wan, LTX-Video or
CogVideoX from a local folder, called as the catalog entry for its pipeline class says.

The pipeline is loaded for the attempt and freed right after it (attempts are separate jobs), also on cancel or
failure. Progress and cooperative cancel go through the step callback. Frames are encoded to H.264 MP4.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.engines.base import (
    EngineCheckpoint,
    EngineInputError,
    ProgressFn,
    VideoRequest,
    VideoResult,
    no_progress,
    register,
)

NAME = "diffusers:image-to-video"


class DiffusersVideoEngine:
    name = NAME

    def __init__(self, settings: Any = None) -> None:
        from pipeline.providers.diffusers_run import model_folder

        self.settings = settings
        self.folder = model_folder(settings, "image-to-video") if settings is not None else None
        self.label = f"Local GPU image-to-video ({self.folder.name})" if self.folder else "Local GPU image-to-video"

    def animate(self, request: VideoRequest, output_path: Path, progress: ProgressFn = no_progress,
                checkpoint: EngineCheckpoint | None = None) -> VideoResult:
        from pipeline.engines.local_photo import load_upload
        from pipeline.providers.common import probe_video, size_for_image, write_video
        from pipeline.providers.diffusers_run import (
            call_pipeline,
            generator,
            load_pipeline,
            release,
            spec_for,
            step_callback,
        )
        from pipeline.providers.inputs import build_inputs

        if self.folder is None:
            raise EngineInputError("No local image-to-video model: set HFS_DIFFUSERS_VIDEO_MODEL to its folder.")
        spec = spec_for(self.folder, "image-to-video")
        picture = load_upload(request.image_path)
        long_side = getattr(self.settings, "diffusers_long_side", None) or spec.limits.long_side or 1024
        width, height = size_for_image(*picture.size, long_side, spec.limits.size_multiple)
        fps = spec.limits.fps or request.fps
        steps = getattr(self.settings, "diffusers_steps", None) or spec.limits.steps or 25
        kwargs, ignored = build_inputs(spec, prompt=request.motion_prompt, negative_prompt=request.negative_prompt,
                                       duration=request.duration, fps=fps, width=width, height=height, steps=steps)
        pipe, device = load_pipeline(self.folder, self.settings, progress, "Attempt")
        try:
            frames = call_pipeline(pipe, "Attempt", **kwargs, generator=generator(request.seed), output_type="pil",
                                   **{spec.inputs.image or "image": picture.resize((width, height))},
                                   callback_on_step_end=step_callback(progress, steps, 5, 85, "Attempt")).frames[0]
        finally:
            del pipe  # memory is given back between jobs, also after a cancel or a failure
            release()
        progress(92, "Encoding the video")
        output_path = Path(output_path)
        write_video(frames, fps, output_path)
        info = probe_video(output_path)
        progress(100, "Video ready")
        parameters = {"provider": "diffusers", "pipeline": spec.model, "folder": self.folder.name, "device": device,
                      "inputs": kwargs, "ignored_inputs": ignored, "cost_known": True}
        return VideoResult(path=output_path, duration=info["duration"], fps=round(info["fps"]), width=info["width"],
                           height=info["height"], frame_count=info["frames"], model=spec.model, parameters=parameters,
                           cost_usd=0.0)


def _configured(settings: Any) -> bool:
    from pipeline.providers.diffusers_run import configured

    return configured(settings, "image-to-video")


register("video", NAME, DiffusersVideoEngine, wants_settings=True, configured=_configured,
         missing="set HFS_DIFFUSERS_VIDEO_MODEL to a diffusers model folder")
