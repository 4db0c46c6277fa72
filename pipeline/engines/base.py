"""Small interfaces every generation engine implements, plus the registry that finds them by name.

Engines know nothing about the database, the queue or Gradio: they take plain requests and return pixels or
files. A task (pipeline/tasks.py) loads a row, calls an engine, and stores what it made.
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


class JobCancelled(Exception):
    """Raised inside running work when its job was cancelled; the work stops cleanly."""


class TransientEngineError(Exception):
    """A failure worth retrying (network blip, rate limit, busy GPU). Other exceptions fail the job at once."""


class EngineInputError(ValueError):
    """Bad input a user can fix (wrong file, bad size); its message is shown to the user as is."""


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


@dataclass
class RenderedFrame:
    image: Any  # PIL.Image.Image, RGB
    seed: int
    model: str
    parameters: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class FrameEngine(Protocol):
    name: str
    label: str

    def render(self, request: FrameRequest, progress: ProgressFn = no_progress) -> RenderedFrame: ...


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
    cost_usd: float = 0.0


@runtime_checkable
class VideoEngine(Protocol):
    name: str
    label: str

    def animate(self, request: VideoRequest, output_path: Path, progress: ProgressFn = no_progress) -> VideoResult: ...


# ---------------------------------------------------------------- registry
_FACTORIES: dict[str, dict[str, Callable[..., Any]]] = {"prompt": {}, "frame": {}, "photo": {}, "video": {}}


def register(kind: str, name: str, factory: Callable[..., Any]) -> None:
    _FACTORIES[kind][name] = factory


def create(kind: str, name: str, **settings: Any) -> Any:
    _load_builtin_engines()
    try:
        factory = _FACTORIES[kind][name]
    except KeyError:
        known = ", ".join(sorted(_FACTORIES[kind])) or "none"
        raise EngineInputError(f"Unknown {kind} engine '{name}'. Available: {known}.") from None
    return factory(**settings)


def available(kind: str) -> list[str]:
    _load_builtin_engines()
    return sorted(_FACTORIES[kind])


_LOADED = False


def _load_builtin_engines() -> None:
    """Import engine modules lazily so that importing the pipeline stays cheap."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from pipeline.engines import local_motion, local_photo, local_previz, local_prompt  # noqa: F401
