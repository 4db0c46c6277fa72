"""Studio values -> a model's input fields, following the catalog's input mapping (no per-model branches)."""
from __future__ import annotations

from typing import Any

from pipeline.errors import EngineInputError
from pipeline.providers.catalog import ModelSpec

GENERATOR = "generator"  # a seed mapped to "generator" is a torch.Generator (local pipelines), not an input field


def frame_count(spec: ModelSpec, duration: float, fps: int) -> int:
    """Frames for a clip: duration × fps, within the model's maximum and frame-count rule (k × m + 1)."""
    frames = max(2, round(duration * fps))
    if spec.limits.max_frames:
        frames = min(frames, spec.limits.max_frames)
    multiple = spec.limits.frame_multiple
    if multiple:  # the nearest count the rule allows (5 s of Wan at 16 fps: 81 frames, not 77)
        frames = max(1, round((frames - 1) / multiple)) * multiple + 1
        if spec.limits.max_frames and frames > spec.limits.max_frames:
            frames -= multiple
    return frames


def check_length(spec: ModelSpec, duration: float) -> None:
    """Refuse a clip longer than the model can give (it would otherwise come back silently shorter)."""
    longest = spec.max_seconds
    if longest is None or duration <= longest + 0.01:
        return
    limits = spec.limits
    how = (f"{limits.max_frames} frames at {limits.fps} fps" if limits.max_frames and limits.fps
           else f"clips of {' or '.join(f'{d:g}' for d in sorted(limits.durations or []))} s")
    raise EngineInputError(f"{spec.label} gives at most {longest:g} s ({how}); ask for {int(longest)} s or less, "
                           "or choose another engine.")


def length_note(spec: ModelSpec, duration: float) -> str:
    """How a requested length is made when the model only gives fixed lengths ("" when it is made as asked)."""
    made = spec.snap_duration(duration)
    if not spec.limits.durations or abs(made - duration) < 0.01:
        return ""
    lengths = " or ".join(f"{d:g}" for d in sorted(spec.limits.durations))
    return f"{spec.label} gives {lengths} s clips: {duration:g} s is made as {made:g} s"


def build_inputs(spec: ModelSpec, *, prompt: str | None = None, negative_prompt: str = "", seed: int | None = None,
                 duration: float | None = None, fps: int | None = None, aspect_ratio: str | None = None,
                 width: int | None = None, height: int | None = None, num_outputs: int | None = None,
                 steps: int | None = None) -> tuple[dict[str, Any], list[str]]:
    """The model's input dict (without the image), and the studio values it had no field for (shown to the user)."""
    m, limits = spec.inputs, spec.limits
    values: dict[str, Any] = dict(m.fixed)
    ignored: list[str] = []

    def put(field: str | None, value: Any, name: str, *, optional: bool = False) -> None:
        if value is None or value == "":
            return
        if field:
            values[field] = value
        elif not optional:
            ignored.append(name)

    put(m.prompt, prompt, "prompt")
    put(m.negative_prompt, negative_prompt, "negative_prompt")
    if seed is not None and m.seed != GENERATOR:
        put(m.seed, int(seed), "seed")
    if duration is not None:
        snapped = spec.snap_duration(duration)
        put(m.duration, int(snapped) if float(snapped).is_integer() else snapped, "duration", optional=True)
        rate = limits.fps or fps or 24
        put(m.frames, frame_count(spec, snapped, rate) if m.frames else None, "frames", optional=True)
        put(m.fps, rate if m.fps else None, "fps", optional=True)
    if aspect_ratio:
        put(m.aspect_ratio, spec.nearest_ratio(aspect_ratio), "aspect_ratio", optional=True)
    put(m.width, width, "width", optional=True)
    put(m.height, height, "height", optional=True)
    put(m.cfg, limits.cfg, "cfg", optional=True)
    put(m.cfg_2, limits.cfg_2, "cfg_2", optional=True)
    put(m.num_outputs, num_outputs, "num_outputs", optional=True)
    put(m.steps, steps or limits.steps, "steps", optional=True)
    return values, ignored
