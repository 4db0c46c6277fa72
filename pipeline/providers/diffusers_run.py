"""Local GPU pipelines through diffusers: load from a local folder only, pick device and dtype, report progress
from the step callback (which is also the cancel point), and free the memory afterwards.

The folder is a `save_pretrained` layout; its model_index.json names the pipeline class, and the catalog entry
"diffusers:<class>" says how to call it. Nothing is ever downloaded (local_files_only, HF_HUB_OFFLINE).
"""
from __future__ import annotations

import gc
import json
import logging
import os
from pathlib import Path
from typing import Any

from pipeline.engines.base import EngineInputError, ProgressFn
from pipeline.providers.catalog import ModelSpec, load_catalog

log = logging.getLogger(__name__)


def model_folder(settings: Any, kind: str) -> Path | None:
    value = getattr(settings, "diffusers_image_model" if kind == "text-to-image" else "diffusers_video_model", None)
    return Path(value).expanduser() if value else None


def configured(settings: Any, kind: str) -> bool:
    folder = model_folder(settings, kind) if settings is not None else None
    return folder is not None and (folder / "model_index.json").is_file()


def spec_for(folder: Path, kind: str) -> ModelSpec:
    """The catalog entry for the pipeline class in a model folder."""
    index = folder / "model_index.json"
    if not index.is_file():
        raise EngineInputError(f"{folder} is not a diffusers model folder (no model_index.json).")
    class_name = json.loads(index.read_text(encoding="utf-8")).get("_class_name", "")
    spec = load_catalog().by_model("diffusers", class_name)
    if spec is None or kind not in spec.kinds:
        supported = ", ".join(m.model for m in load_catalog().select("diffusers", kind))
        raise EngineInputError(f"The model in {folder.name} is a {class_name or 'unknown pipeline'}; for {kind} the "
                               f"studio supports: {supported}.")
    return spec


def import_diffusers():
    """diffusers, importable offline next to a CPU torch (the torchvision trap, see docs/environment notes)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from scoring.pyiqa_backend import ensure_torchvision_importable

    ensure_torchvision_importable()
    import diffusers

    return diffusers


def device_and_dtype(settings: Any):
    """cuda with bf16 (fp16 where bf16 is unsupported) when a GPU is present, else CPU with fp32."""
    import torch

    wanted = (getattr(settings, "diffusers_device", "auto") or "auto").strip()
    device = ("cuda" if torch.cuda.is_available() else "cpu") if wanted == "auto" else wanted
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise EngineInputError("diffusers_device asks for CUDA, but no GPU is available.")
        return device, torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return device, torch.float32


def load_pipeline(folder: Path, settings: Any, progress: ProgressFn, what: str):
    diffusers = import_diffusers()
    device, dtype = device_and_dtype(settings)
    progress(2, f"{what}: loading {folder.name} on {device}")
    try:
        pipe = diffusers.DiffusionPipeline.from_pretrained(str(folder), local_files_only=True, dtype=dtype)
    except (OSError, ValueError) as exc:
        raise EngineInputError(f"The model in {folder} cannot be loaded: {str(exc).splitlines()[0][:200]}") from None
    pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    return pipe, device


def generator(seed: int):
    import torch

    return torch.Generator(device="cpu").manual_seed(int(seed))


def step_callback(progress: ProgressFn, steps: int, start: float, span: float, what: str):
    """callback_on_step_end: reports progress; the progress function raises JobCancelled to stop the run."""

    def callback(pipe, step: int, timestep, callback_kwargs: dict) -> dict:
        progress(start + span * (step + 1) / max(1, steps), f"{what}: step {step + 1} of {steps}")
        return callback_kwargs

    return callback


def call_pipeline(pipe, what: str, **kwargs):
    """Run a pipeline. On any error (a cancel from the step callback included) the error is re-raised without the
    pipeline's frames in its traceback, so that dropping the pipeline really frees its memory."""
    from pipeline.engines.base import JobCancelled

    try:
        return pipe(**kwargs)
    except JobCancelled as exc:
        error: BaseException = exc
    except Exception as exc:  # logged with its traceback, then re-raised bare
        log.exception("%s: the diffusers pipeline failed", what)
        error = exc
    raise error.with_traceback(None)


def release() -> None:
    """Give memory back once the caller dropped its pipeline (CUDA cache included)."""
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:  # pragma: no cover - torch is installed with the studio
        pass
