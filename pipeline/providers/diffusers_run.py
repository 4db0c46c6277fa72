"""Local GPU pipelines through diffusers: find the model folder, plan its memory profile, load it once (cached
between jobs), run it with progress from the step callback (also the cancel point), and turn a CUDA
out-of-memory into a clear message after one retry with the next lighter profile.

A folder is a `save_pretrained` layout; the registry (pipeline/models/registry.py) maps its model_index.json
class to the class to load and the catalog entry "diffusers:<class>" that says how to call it. Nothing is ever
downloaded (local_files_only, HF_HUB_OFFLINE).
"""
from __future__ import annotations

import contextlib
import inspect
import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

from pipeline.engines.interfaces import ProgressFn
from pipeline.errors import EngineInputError
from pipeline.models import planner
from pipeline.models.cache import CACHE, LoadedPipeline, device_lock, release_memory
from pipeline.models.registry import ModelFolder, read_folder, runnable
from pipeline.providers.catalog import ModelSpec, load_catalog

log = logging.getLogger(__name__)
T = TypeVar("T")
SETTING = {"text-to-image": "diffusers_image_model", "image-to-video": "diffusers_video_model"}
_IMPORT_LOCK = threading.Lock()  # the first import of diffusers from two worker threads at once breaks it


def model_folder(settings: Any, kind: str) -> Path | None:
    """The folder an engine runs: the single-folder setting (a path, or a folder name in models_dir), else the
    first folder in models_dir the studio can run for the task."""
    value = getattr(settings, SETTING.get(kind, ""), None)
    models_dir = getattr(settings, "models_dir", None)
    if value:
        path = Path(value).expanduser()
        if not path.is_absolute() and models_dir is not None and (Path(models_dir) / path).is_dir():
            return Path(models_dir) / path
        return path
    found = runnable(models_dir, kind)
    return found[0].path if found else None


def _check(folder: Path | None, kind: str) -> tuple[ModelFolder | None, str]:
    """The folder as the registry reads it, or the reason the studio cannot run it for `kind`."""
    if folder is None:
        return None, f"no {kind} model: set HFS_MODELS_DIR or HFS_{SETTING[kind].upper()}"
    if not (folder / "model_index.json").is_file():
        return None, f"{folder.name} is not a diffusers model folder (no model_index.json)"
    info = read_folder(folder)
    if not info.supported:
        return None, f"the model in {folder.name} cannot run: {info.reason}"
    if info.task != kind:
        return None, f"the model in {folder.name} is a {info.folder_class} ({info.task}), not a {kind} model"
    return info, ""


def configured(settings: Any, kind: str) -> bool:
    return settings is not None and _check(model_folder(settings, kind), kind)[0] is not None


def missing_reason(settings: Any, kind: str) -> str:
    """Why the engine is not available, for the error a request for it gets."""
    return _check(model_folder(settings, kind), kind)[1] if settings is not None else "no settings"


def spec_for(folder: Path, kind: str) -> ModelSpec:
    """The catalog entry for the class a model folder loads as, with its variant's limits (e.g. Wan TI2V-5B)."""
    info, reason = _check(folder, kind)
    if info is None:
        raise EngineInputError(reason[0].upper() + reason[1:] + ".")
    spec = load_catalog().by_model("diffusers", info.load_class or "")
    if spec is None:  # pragma: no cover - every registry family has a catalog entry (tested)
        raise EngineInputError(f"The studio has no argument mapping for {info.load_class}.")
    if info.limits:
        spec = spec.model_copy(update={"limits": spec.limits.model_copy(update=info.limits)})
    if info.fixed:  # arguments read from the folder's configs (e.g. CogVideoX's text length, FLUX schnell's)
        inputs = spec.inputs.model_copy(update={"fixed": {**spec.inputs.fixed, **info.fixed}})
        spec = spec.model_copy(update={"inputs": inputs})
    return spec


def import_diffusers():
    """diffusers, importable offline next to a CPU torch (the torchvision trap, see docs/environment notes); one
    thread at a time does the first import (lazy module attributes are resolved under the lock too)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    with _IMPORT_LOCK:
        from scoring.pyiqa_backend import ensure_torchvision_importable

        ensure_torchvision_importable()
        import diffusers

        diffusers.DiffusionPipeline  # noqa: B018 - resolves the lazy import while holding the lock
        return diffusers


def pipeline_class(name: str):
    diffusers = import_diffusers()
    with _IMPORT_LOCK:
        return getattr(diffusers, name)


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


def plan_for(info: ModelFolder, settings: Any, device: str) -> planner.Plan:
    """The memory profile for a model on this machine (simulated VRAM in settings counts as a GPU)."""
    vram, ram = planner.free_memory(settings, device)
    if not device.startswith("cuda") and getattr(settings, "diffusers_vram_gb", None) is None:
        vram = None
    try:
        return planner.choose(info.components, info.task or "", vram, ram,
                              planner.profile_override(settings, info.name))
    except ValueError as exc:
        raise EngineInputError(f"The memory profile setting for {info.name}: {exc}.") from None


def _load(info: ModelFolder, plan: planner.Plan, device: str, dtype: Any, progress: ProgressFn,
          what: str) -> LoadedPipeline:
    """Load the folder's pipeline: its weighted parts one by one (each progress call is a cancel point, so a cancel
    stops a load of a 14B model between parts), then the pipeline around them, then the profile's hooks."""
    cls = pipeline_class(info.load_class or "DiffusionPipeline")
    progress(2, f"{what}: loading {info.name} on {device} ({plan.profile})")
    options = planner.load_options(plan.profile, info.components, dtype)
    try:
        parts = {} if options else _load_parts(info, dtype, progress, what)  # 4-bit quantises while loading whole
        progress(3, f"{what}: assembling {info.name}")
        pipe = cls.from_pretrained(str(info.path), local_files_only=True, dtype=dtype, **parts, **options)
    except (OSError, ValueError) as exc:
        raise EngineInputError(f"The model in {info.name} cannot be loaded: {str(exc).splitlines()[0][:200]}") from None
    progress(3, f"{what}: placing {info.name} ({plan.profile})")
    planner.apply_profile(pipe, plan.profile, device, dtype)
    pipe.set_progress_bar_config(disable=True)
    progress(4, f"{what}: {info.name} loaded")  # a cancel during a long load stops here, before denoising
    return LoadedPipeline(pipe, device, dtype, plan)


def _load_parts(info: ModelFolder, dtype: Any, progress: ProgressFn, what: str) -> dict[str, Any]:
    """The folder's weighted components (transformer, text encoders, VAE, ...) loaded one at a time, with a progress
    call (a cancel point) before each; a part the pipeline must load itself (no class in the index) is left out."""
    import importlib

    parts: dict[str, Any] = {}
    for number, part in enumerate(info.components, 1):
        entry = info.config.get(part.name)
        if not (isinstance(entry, list) and len(entry) == 2 and entry[0] in ("diffusers", "transformers")):
            continue
        progress(2, f"{what}: reading {info.name}: {part.name} ({number} of {len(info.components)})")
        module = import_diffusers() if entry[0] == "diffusers" else importlib.import_module(entry[0])
        with _IMPORT_LOCK:
            part_class = getattr(module, entry[1])
        parts[part.name] = part_class.from_pretrained(str(info.path / part.name), local_files_only=True, dtype=dtype)
    return parts


def run_loaded(folder: Path, kind: str, settings: Any, progress: ProgressFn, what: str, size_text: str,
               call: Callable[[LoadedPipeline], T]) -> tuple[T, LoadedPipeline]:
    """Load (or reuse) the folder's pipeline under its planned profile and run call(loaded) on the device.
    A CUDA out-of-memory drops the pipeline and retries once with the next lighter profile; then it is a clear
    message. Any other failure drops the cached pipeline too (its state is unknown); a cancel keeps it."""
    import torch

    from pipeline.errors import JobCancelled

    info, reason = _check(folder, kind)
    if info is None:
        raise EngineInputError(reason[0].upper() + reason[1:] + ".")
    device, dtype = device_and_dtype(settings)
    plan = plan_for(info, settings, device)
    capacity = int(getattr(settings, "diffusers_cache_size", 1) or 1)
    for attempt in (1, 2):
        key = (str(info.path.resolve()), info.load_class, plan.profile, device)
        with _turn_on(device, progress, what):
            try:
                loaded = CACHE.get(key, lambda: _load(info, plan, device, dtype, progress, what), capacity)
                return call(loaded), loaded
            except (JobCancelled, ValueError):  # a cancel or a refused input leaves the pipeline intact
                raise
            except torch.OutOfMemoryError:
                CACHE.drop(key)
                lighter = planner.lighter(plan.profile)
                if attempt == 2 or lighter is None:
                    raise EngineInputError(out_of_memory_message(info, size_text, lighter)) from None
            except BaseException:
                CACHE.drop(key)
                raise
        progress(3, f"{what}: not enough GPU memory with {plan.profile}; retrying with {lighter}")
        plan = planner.Plan(lighter, None, plan.free_vram_gib, f"retry after out-of-memory with {plan.profile}")
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def _turn_on(device: str, progress: ProgressFn, what: str):
    """Hold the device's lock; while another job has it, report waiting (a cancel stops the wait)."""
    lock = device_lock(device)
    if not lock.acquire(blocking=False):
        while not lock.acquire(timeout=1.0):
            progress(1, f"{what}: waiting for the {device.split(':')[0].upper()} (another job is rendering)")
    try:
        yield
    finally:
        lock.release()


def out_of_memory_message(info: ModelFolder, size_text: str, lighter: str | None) -> str:
    advice = f"try profile {lighter} or a shorter clip" if lighter else "try a smaller size or a shorter clip"
    return f"Not enough GPU memory for {info.label or info.name} at {size_text}: {advice}."


def generator(seed: int):
    import torch

    return torch.Generator(device="cpu").manual_seed(int(seed))


def step_callback(progress: ProgressFn, steps: int, start: float, span: float, what: str):
    """callback_on_step_end: reports progress; the progress function raises JobCancelled to stop the run."""

    def callback(pipe, step: int, timestep, callback_kwargs: dict) -> dict:
        progress(start + span * (step + 1) / max(1, steps), f"{what}: step {step + 1} of {steps}")
        return callback_kwargs

    return callback


@contextlib.contextmanager
def cancel_points(pipe, progress: ProgressFn | None, percent: float, what: str, denoiser_too: bool = False):
    """Progress calls (cancel points) before each call of the VAE's decoder (once per frame or chunk for the video
    VAEs: Wan, CogVideoX, HunyuanVideo 1.5, SVD decode in pieces; per tile when tiling is on) and, for a pipeline
    without a step callback, before each call of its denoiser (one or two per step)."""
    vae = getattr(pipe, "vae", None)
    targets = [(getattr(vae, "decoder", None) or vae, "decoding (part {})", percent)]
    if denoiser_too:
        targets.append((getattr(pipe, "transformer", None) or getattr(pipe, "unet", None), "denoising (pass {})", 50))
    handles = []
    for module, text, at in targets:
        if progress is None or not hasattr(module, "register_forward_pre_hook"):
            continue
        calls = [0]

        def before(_module, _args, text=text, at=at, calls=calls):
            calls[0] += 1
            progress(at, f"{what}: " + text.format(calls[0]))

        handles.append(module.register_forward_pre_hook(before))
    try:
        yield
    finally:
        for handle in handles:  # the pipeline stays cached: leave no hook behind
            handle.remove()


def call_pipeline(pipe, what: str, progress: ProgressFn | None = None, decode_percent: float = 90, **kwargs):
    """Run a pipeline, with cancel points in the step callback (or before each denoiser call where the pipeline has
    none) and before each VAE decode call. On any error (a cancel included) the error is re-raised without the
    pipeline's frames in its traceback, so that dropping the pipeline really frees its memory."""
    import torch

    from pipeline.errors import JobCancelled

    no_step_callback = "callback_on_step_end" not in inspect.signature(pipe.__call__).parameters
    if no_step_callback:
        kwargs.pop("callback_on_step_end", None)  # HunyuanVideo 1.5 I2V has none: its denoiser is watched instead
    try:
        with cancel_points(pipe, progress, decode_percent, what, denoiser_too=no_step_callback):
            return pipe(**kwargs)
    except (JobCancelled, torch.OutOfMemoryError) as exc:
        error: BaseException = exc
    except Exception as exc:  # logged with its traceback, then re-raised bare
        log.exception("%s: the diffusers pipeline failed", what)
        error = exc
    raise error.with_traceback(None)


def release() -> None:
    """Drop every cached pipeline and give the memory back (tests, shutdown, switching models by hand)."""
    CACHE.clear()
    release_memory()
