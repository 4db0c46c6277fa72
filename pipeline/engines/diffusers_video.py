"""Image-to-video attempts on a local GPU with diffusers ("diffusers:image-to-video"): SVD, Wan 2.1/2.2 (TI2V-5B
included), LTX-Video, LTX-2, CogVideoX or HunyuanVideo from a local folder (HFS_DIFFUSERS_VIDEO_MODEL, or the first
runnable one in HFS_MODELS_DIR), called as the catalog entry for its pipeline class says.

The pipeline stays loaded in the process's cache across the attempts of a group and between groups
(pipeline/models/cache.py). A clip longer than the model can give is refused, never shortened. Progress and
cooperative cancel go through the step callback. Frames are encoded to H.264 MP4.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.engines.interfaces import EngineCheckpoint, EngineSpec, ProgressFn, VideoRequest, VideoResult, no_progress
from pipeline.errors import EngineInputError

NAME = "diffusers:image-to-video"
KIND = "image-to-video"


class DiffusersVideoEngine:
    name = NAME

    def __init__(self, settings: Any = None) -> None:
        from pipeline.providers.diffusers_run import model_folder

        self.settings = settings
        self.folder = model_folder(settings, KIND) if settings is not None else None
        self.label = f"Local GPU image-to-video ({self.folder.name})" if self.folder else "Local GPU image-to-video"

    def animate(self, request: VideoRequest, output_path: Path, progress: ProgressFn = no_progress,
                checkpoint: EngineCheckpoint | None = None) -> VideoResult:
        from pipeline.engines.local_photo import load_upload
        from pipeline.providers.common import probe_video, write_video
        from pipeline.providers.diffusers_run import call_pipeline, generator, run_loaded, spec_for, step_callback
        from pipeline.providers.fixed_size import crop_back
        from pipeline.providers.inputs import build_inputs, check_length

        if self.folder is None:
            raise EngineInputError("No local image-to-video model: set HFS_MODELS_DIR or HFS_DIFFUSERS_VIDEO_MODEL.")
        spec = spec_for(self.folder, KIND)
        check_length(spec, request.duration)
        settings = self.settings
        model_image, placement = _model_image(spec, load_upload(request.image_path), settings)
        width, height = model_image.size
        fps = spec.limits.fps or request.fps
        steps = (getattr(settings, "diffusers_video_steps", None) or getattr(settings, "diffusers_steps", None)
                 or spec.limits.steps or 25)
        kwargs, ignored = build_inputs(spec, prompt=request.model_prompt, negative_prompt=request.negative_prompt,
                                       duration=request.duration, fps=fps, width=width, height=height, steps=steps)
        frames_text = f", {kwargs['num_frames']} frames" if "num_frames" in kwargs else ""

        def run(loaded):
            return call_pipeline(loaded.pipe, "Attempt", progress, 88, **kwargs, generator=generator(request.seed),
                                 output_type="pil", **{spec.inputs.image or "image": model_image},
                                 callback_on_step_end=step_callback(progress, steps, 5, 85, "Attempt")).frames[0]

        frames, loaded = run_loaded(self.folder, KIND, settings, progress, "Attempt",
                                    f"{width}×{height}{frames_text}", run)
        if placement is not None:  # a fixed-size model: back to the hero's aspect ratio
            frames = crop_back(frames, placement)
        progress(92, "Encoding the video")
        output_path = Path(output_path)
        write_video(frames, fps, output_path)
        info = probe_video(output_path)
        progress(100, "Video ready")
        parameters = {"provider": "diffusers", "pipeline": spec.model, "folder": self.folder.name,
                      "device": loaded.device, "memory_profile": loaded.profile, "inputs": kwargs,
                      "ignored_inputs": ignored, "cost_known": True}
        if placement is not None:
            parameters["fixed_size"] = {"model_size": list(placement.size), "hero_box": list(placement.box)}
        return VideoResult(path=output_path, duration=info["duration"], fps=round(info["fps"]), width=info["width"],
                           height=info["height"], frame_count=info["frames"], model=spec.model, parameters=parameters,
                           cost_usd=0.0)


def _model_image(spec, picture, settings: Any):
    """The start image at the size the model runs: the hero's aspect ratio at the model's long side, or, for a
    model trained at one size only (CogVideoX I2V), the hero fitted onto that size (placement says where)."""
    from pipeline.providers.common import size_for_image
    from pipeline.providers.fixed_size import place_on_canvas

    if spec.limits.fixed_size:
        return place_on_canvas(picture, tuple(spec.limits.fixed_size))
    long_side = (getattr(settings, "diffusers_video_long_side", None) or getattr(settings, "diffusers_long_side", None)
                 or spec.limits.long_side or 1024)
    return picture.resize(size_for_image(*picture.size, long_side, spec.limits.size_multiple)), None


def _configured(settings: Any) -> bool:
    from pipeline.providers.diffusers_run import configured

    return configured(settings, KIND)


def _missing(settings: Any) -> str:
    from pipeline.providers.diffusers_run import missing_reason

    return missing_reason(settings, KIND)


ENGINES = (EngineSpec("video", NAME, DiffusersVideoEngine, wants_settings=True, configured=_configured,
                      missing=_missing),)
