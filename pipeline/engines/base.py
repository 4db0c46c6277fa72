"""Small interfaces every generation engine implements, plus the registry that finds them by name.

Engines know nothing about the database, the queue or Gradio: they take plain requests and return pixels or
files. A task (pipeline/tasks.py) loads a row, calls an engine, and stores what it made.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, runtime_checkable

ASPECT_RATIOS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5)}

# progress(percent 0-100, step text). It raises JobCancelled when the user cancelled the job, so an engine
# that calls it regularly is cancellable for free.
ProgressFn = Callable[[float, str], None]


def no_progress(percent: float, step: str) -> None:
    """Default progress callback for callers that do not track progress."""


# The errors live in the one error tree (pipeline/errors.py); engines raise them from here as before.
from pipeline.errors import EngineInputError, JobCancelled, ProviderError, TransientEngineError  # noqa: E402,F401


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


# ---------------------------------------------------------------- registry
@dataclass(frozen=True)
class _Entry:
    factory: Callable[..., Any]
    wants_settings: bool = False
    configured: Callable[[Any], bool] | None = None  # settings -> is its key / model folder set?
    missing: str | Callable[[Any], str] = ""  # what to configure (or settings -> why it is not available)


_FACTORIES: dict[str, dict[str, _Entry]] = {"prompt": {}, "frame": {}, "photo": {}, "video": {}}


def register(kind: str, name: str, factory: Callable[..., Any], *, wants_settings: bool = False,
             configured: Callable[[Any], bool] | None = None, missing: str | Callable[[Any], str] = "") -> None:
    """Add an engine. `wants_settings`: the factory takes `settings=`. `configured(settings)`: whether the key or
    model folder it needs is set (engines without it are always available)."""
    _FACTORIES[kind][name] = _Entry(factory, wants_settings, configured, missing)


def create(kind: str, name: str, settings: Any = None, **options: Any) -> Any:
    """Build an engine. With settings, an engine whose key or model folder is not configured is refused."""
    _load_builtin_engines()
    entry = _FACTORIES[kind].get(name)
    if entry is None:
        known = ", ".join(available(kind, settings)) or "none"
        raise EngineInputError(f"Unknown {kind} engine '{name}'. Available: {known}.")
    if settings is not None and entry.configured is not None and not entry.configured(settings):
        missing = entry.missing(settings) if callable(entry.missing) else entry.missing
        raise EngineInputError(f"The {kind} engine '{name}' is not configured: {missing or 'see docs/PROVIDERS.md'}.")
    if entry.wants_settings:
        return entry.factory(settings=settings, **options)
    return entry.factory(**options)


def available(kind: str, settings: Any = None) -> list[str]:
    """Engine names of a kind; engines that need a key or a model folder only when `settings` configures it."""
    _load_builtin_engines()
    return sorted(name for name, entry in _FACTORIES[kind].items()
                  if entry.configured is None or (settings is not None and entry.configured(settings)))


_LOADED = False
_LOAD_LOCK = threading.RLock()


def preload() -> None:
    """Import the engine modules now (~0.3–0.5 s), when a process starts, instead of inside its first request or
    job; it also keeps job threads from racing through the lazy registry."""
    _load_builtin_engines()


def _load_builtin_engines() -> None:
    """Import engine modules lazily so that importing the pipeline stays cheap.

    The provider engines import their SDKs (openai, replicate, torch, diffusers) only inside their methods.
    """
    global _LOADED
    if _LOADED:
        return
    # Concurrent first callers (web handlers, worker threads) must wait until every engine has registered.
    with _LOAD_LOCK:
        if _LOADED:
            return
        from pipeline.engines import (  # noqa: F401  # noqa: F401  # noqa: F401
            diffusers_image,
            diffusers_video,
            local_motion,
            local_photo,
            local_previz,
            local_prompt,
            openai_image,
            openai_prompt,
            replicate_image,
            replicate_video,
        )
        _LOADED = True
