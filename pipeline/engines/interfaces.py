"""The small interfaces every generation engine implements: requests, results, progress and checkpoints.

Engines import this module (and pipeline.errors) only; the registry (registry.py) imports the engines, so nothing
points back up. Engines know nothing about the database, the queue or Gradio: they take plain requests and return
pixels or files. A task (pipeline/tasks.py) loads a row, calls an engine, and stores what it made.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, runtime_checkable

ASPECT_RATIOS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5)}

# progress(percent 0-100, step text). It raises JobCancelled when the user cancelled the job, so an engine
# that calls it regularly is cancellable for free.
ProgressFn = Callable[[float, str], None]


def no_progress(percent: float, step: str) -> None:
    """Default progress callback for callers that do not track progress."""


# ---------------------------------------------------------------- resumable state
@runtime_checkable
class EngineCheckpoint(Protocol):
    """Durable state of one piece of remote work (e.g. a provider's prediction id), kept across restarts.

    Never put secrets in it: it is stored in the database (Job.engine_state).
    """

    def load(self) -> dict[str, Any]: ...

    def save(self, state: dict[str, Any]) -> None: ...


class MemoryCheckpoint:
    """A checkpoint that lives as long as the object (tests, direct engine use)."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state: dict[str, Any] = dict(state or {})

    def load(self) -> dict[str, Any]:
        return dict(self.state)

    def save(self, state: dict[str, Any]) -> None:
        self.state = dict(state)


def checkpoint_kwargs(method: Callable[..., Any], checkpoint: EngineCheckpoint | None) -> dict[str, Any]:
    """{"checkpoint": ...} when an engine method takes one (engines written before the seam do not)."""
    import inspect

    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return {}
    takes = "checkpoint" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    return {"checkpoint": checkpoint} if takes and checkpoint is not None else {}


class ScopedCheckpoint:
    """One key of a parent checkpoint, so one job can keep several pieces of remote work (one per candidate)."""

    def __init__(self, parent: EngineCheckpoint, key: str) -> None:
        self.parent, self.key = parent, key

    def load(self) -> dict[str, Any]:
        return dict(self.parent.load().get(self.key) or {})

    def save(self, state: dict[str, Any]) -> None:
        self.parent.save({**self.parent.load(), self.key: dict(state)})


# ---------------------------------------------------------------- prompts
@dataclass(frozen=True)
class PromptAddition:
    category: str  # camera, lens, lighting, composition, film, mood, aspect
    text: str


@dataclass(frozen=True)
class EnhancedPrompt:
    original: str
    enhanced: str
    additions: list[PromptAddition]
    engine: str


@runtime_checkable
class PromptEnhancer(Protocol):
    name: str
    label: str

    def enhance(self, prompt: str, aspect_ratio: str = "16:9") -> EnhancedPrompt: ...


# ---------------------------------------------------------------- frames
@dataclass(frozen=True)
class FrameRequest:
    prompt: str
    aspect_ratio: str = "16:9"
    seed: int = 0
    long_side: int = 1280
    negative_prompt: str = ""  # sent to models that take one (engine info says which)


@dataclass
class RenderedFrame:
    image: Any  # PIL.Image.Image, RGB
    seed: int
    model: str
    parameters: dict[str, Any] = field(default_factory=dict)
    cost_usd: float | None = 0.0  # what the provider charged; None when it is not known


@runtime_checkable
class FrameEngine(Protocol):
    name: str
    label: str

    def render(self, request: FrameRequest, progress: ProgressFn = no_progress,
               checkpoint: EngineCheckpoint | None = None) -> RenderedFrame: ...


@dataclass(frozen=True)
class PhotoEnhanceOptions:
    white_balance: bool = True
    exposure: bool = True
    contrast: bool = True
    sharpen: bool = True
    crop_to_aspect: str | None = None  # one of ASPECT_RATIOS, or None to keep the framing


@runtime_checkable
class PhotoEnhancer(Protocol):
    name: str
    label: str

    def enhance(self, image: Any, options: PhotoEnhanceOptions) -> RenderedFrame: ...


# ---------------------------------------------------------------- video
@dataclass(frozen=True)
class VideoRequest:
    image_path: Path
    motion_prompt: str
    negative_prompt: str = ""
    seed: int = 0
    duration: float = 5.0
    fps: int = 24
    min_short_side: int = 720
    prompt: str = ""  # what a prompted model is sent: scene + motion (providers/video_prompt.py); blank = motion

    @property
    def model_prompt(self) -> str:
        return self.prompt or self.motion_prompt


@dataclass
class VideoResult:
    path: Path
    duration: float
    fps: int
    width: int
    height: int
    frame_count: int
    model: str
    parameters: dict[str, Any] = field(default_factory=dict)  # the resolved motion plan: move, speed, ...
    cost_usd: float | None = 0.0  # what the provider charged; None when it is not known
    poster: Any = None  # PIL image of the middle frame, when the engine has it at hand (saves decoding the clip)


@runtime_checkable
class VideoEngine(Protocol):
    name: str
    label: str

    def animate(self, request: VideoRequest, output_path: Path, progress: ProgressFn = no_progress,
                checkpoint: EngineCheckpoint | None = None) -> VideoResult: ...


# ---------------------------------------------------------------- declaring an engine
@dataclass(frozen=True)
class EngineSpec:
    """One engine an engine module offers, listed in its ``ENGINES``. ``wants_settings``: the factory takes
    ``settings=``. ``configured(settings)``: whether the key or model folder it needs is set (engines without it
    are always available); ``missing``: what to configure (or settings -> why it is not available)."""

    kind: str
    name: str
    factory: Callable[..., Any]
    wants_settings: bool = False
    configured: Callable[[Any], bool] | None = None
    missing: str | Callable[[Any], str] = ""

