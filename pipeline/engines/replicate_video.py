"""Image-to-video attempts on Replicate: one engine per catalog model ("replicate:<owner>/<name>").

The hero image is uploaded through the SDK (POST /v1/files), the prediction is created without blocking, its id is
checkpointed on the Job, and the worker polls it (a restarted worker resumes the same id). Cancel cancels the
prediction. The video is downloaded as soon as it exists. The cost comes from the prediction's billing metrics.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.engines.interfaces import (
    EngineCheckpoint,
    MemoryCheckpoint,
    ProgressFn,
    VideoRequest,
    VideoResult,
    no_progress,
)
from pipeline.engines.replicate_common import ReplicateAbandonMixin, catalog_engines
from pipeline.errors import EngineInputError
from pipeline.providers.catalog import ModelSpec


class ReplicateVideoEngine(ReplicateAbandonMixin):
    def __init__(self, spec: ModelSpec, settings: Any = None) -> None:
        self.spec, self.settings = spec, settings
        self.name, self.label = spec.id, spec.label

    def animate(self, request: VideoRequest, output_path: Path, progress: ProgressFn = no_progress,
                checkpoint: EngineCheckpoint | None = None) -> VideoResult:
        from pipeline.providers.common import probe_video
        from pipeline.providers.inputs import build_inputs, check_length, length_note
        from pipeline.providers.replicate_run import ReplicateRun

        spec = self.spec
        if not Path(request.image_path).is_file():
            raise EngineInputError(f"The hero image {Path(request.image_path).name} is missing.")
        check_length(spec, request.duration)  # longer than it gives: refused, never shortened
        duration = spec.snap_duration(request.duration)  # between its lengths: rounded up (length_note says so)
        inputs, ignored = build_inputs(spec, prompt=request.model_prompt, negative_prompt=request.negative_prompt,
                                       seed=request.seed, duration=duration, fps=request.fps)
        run = ReplicateRun(spec, self.settings, progress, checkpoint or MemoryCheckpoint(), "Attempt")
        with open(request.image_path, "rb") as image:
            prediction = run.run(inputs, {spec.inputs.image: image} if spec.inputs.image else {})
        progress(90, "Downloading the video from Replicate")
        output_path = Path(output_path)
        try:
            run.fetch(run.output_urls(prediction)[0], output_path)
            info = probe_video(output_path)
        except BaseException:
            output_path.unlink(missing_ok=True)
            raise
        progress(100, "Video ready")
        parameters = {"provider": "replicate", "model": spec.model, "prediction_id": prediction.id,
                      "inputs": inputs, "ignored_inputs": ignored, "requested_duration": request.duration,
                      "length_note": length_note(spec, request.duration),
                      "billing": run.state.get("metrics", {}), "cost_known": run.state.get("cost_usd") is not None}
        return VideoResult(path=output_path, duration=info["duration"], fps=round(info["fps"]), width=info["width"],
                           height=info["height"], frame_count=info["frames"], model=spec.model, parameters=parameters,
                           cost_usd=run.state.get("cost_usd"))




def ENGINES() -> list:  # noqa: N802 — the name every engine module offers its engines by
    return catalog_engines("video", "image-to-video", ReplicateVideoEngine)
