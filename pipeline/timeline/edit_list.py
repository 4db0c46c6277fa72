"""The edit list: a versioned, validated description of a timeline (clips, crossfade, music bed).

It is plain data. Operations (operations.py) return new edit lists; export.py renders one to an MP4.
Nothing here touches files, the database or Gradio.

Times are in seconds. ``Clip.in_point``/``out_point`` are SOURCE times (where the clip starts and ends inside
its source file); ``EditList.starts()`` gives where each clip starts on the TIMELINE.

Schema growth: every stored edit list carries ``schema_version``. A later version adds fields with defaults
(old JSON still loads) and, when a field changes meaning, registers an upgrade function in ``_MIGRATIONS`` that
turns a version-N dict into a version-N+1 dict. JSON written by a newer version than this code knows is refused
with a clear message instead of being silently mangled.
"""
from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SCHEMA_VERSION = 1
MIN_CLIP_LENGTH = 0.25  # seconds; shortest clip the timeline accepts (trim, split and merge all respect it)
MAX_FPS = 120
AspectRatio = Literal["16:9", "9:16", "1:1"]
ASPECT_RATIOS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1)}
# Float slack for comparisons of seconds (JSON round trips, sums of floats). Far below one frame.
EPS = 1e-6


class TimelineError(ValueError):
    """Bad timeline data or an operation that cannot be done. The message is meant for the user as is."""


def new_clip_id() -> str:
    """A short random id (8 hex digits) for a clip."""
    return uuid.uuid4().hex[:8]


def fmt_seconds(value: float) -> str:
    return f"{value:.2f} s"


# ---------------------------------------------------------------- error translation
def _humanize(error: ValidationError, what: str) -> str:
    """Turn a pydantic ValidationError into one readable sentence (or a few, joined)."""
    messages: list[str] = []
    for item in error.errors(include_url=False):
        ctx = item.get("ctx") or {}
        inner = ctx.get("error")
        if isinstance(inner, TimelineError):
            messages.append(str(inner))
            continue
        loc = ".".join(str(part) for part in item.get("loc", ()) if part != "__root__")
        msg = str(item.get("msg", "invalid value"))
        msg = msg.removeprefix("Value error, ")
        messages.append(f"{what}: {loc}: {msg}" if loc else f"{what}: {msg}")
    return " ".join(dict.fromkeys(messages)) or f"Invalid {what}."


class _Model(BaseModel):
    """Base model: unknown fields are refused, values are re-checked on assignment, and every validation
    failure surfaces as a TimelineError with a readable message (never a raw pydantic dump)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise TimelineError(_humanize(exc, type(self)._what_name())) from None

    @classmethod
    def _what_name(cls) -> str:
        return {"Clip": "clip", "MusicBed": "music bed", "EditList": "edit list"}.get(cls.__name__, "data")

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any):  # type: ignore[override]
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise TimelineError(_humanize(exc, cls._what_name())) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any):  # type: ignore[override]
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            raise TimelineError(_humanize(exc, cls._what_name())) from None

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            raise TimelineError(_humanize(exc, type(self)._what_name())) from None


def _check_relative_path(value: str, what: str) -> str:
    """A path stored in an edit list must be relative and stay inside its root (no '..', no drive)."""
    text = value.replace("\\", "/").strip()
    if not text:
        raise TimelineError(f"The {what} path is empty.")
    if PurePosixPath(text).is_absolute() or PureWindowsPath(value).is_absolute() or PureWindowsPath(value).drive:
        raise TimelineError(f"The {what} path '{value}' must be relative to the media folder, not absolute.")
    if ".." in PurePosixPath(text).parts:
        raise TimelineError(f"The {what} path '{value}' must not leave the media folder ('..').")
    return str(PurePosixPath(text))


# ---------------------------------------------------------------- models
class Clip(_Model):
    """One piece of a source video placed on the timeline.

    ``in_point``/``out_point`` are source times in seconds: 0 <= in_point < out_point <= source_duration,
    and the clip is at least MIN_CLIP_LENGTH long.
    """

    id: str = Field(default_factory=new_clip_id, min_length=1, max_length=64)
    source: str  # path relative to the media root, forward slashes
    attempt_id: int | None = None  # the generation attempt this clip came from, if any
    label: str = ""
    source_duration: float = Field(gt=0)
    in_point: float = 0.0
    out_point: float

    @field_validator("source")
    @classmethod
    def _source_is_relative(cls, value: str) -> str:
        return _check_relative_path(value, "clip source")

    @field_validator("source_duration", "in_point", "out_point")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise TimelineError("Clip times must be finite numbers.")
        return float(value)

    @model_validator(mode="after")
    def _check_range(self) -> Clip:
        name = self.display_name
        if self.in_point < -EPS:
            raise TimelineError(f"Clip '{name}' can't start before its source: in point {fmt_seconds(self.in_point)}.")
        if self.out_point > self.source_duration + EPS:
            raise TimelineError(
                f"Clip '{name}' can't end at {fmt_seconds(self.out_point)}: its source is only "
                f"{fmt_seconds(self.source_duration)} long."
            )
        if self.out_point <= self.in_point:
            raise TimelineError(
                f"Clip '{name}' must end after it starts (in {fmt_seconds(self.in_point)}, "
                f"out {fmt_seconds(self.out_point)})."
            )
        if self.out_point - self.in_point < MIN_CLIP_LENGTH - EPS:
            raise TimelineError(
                f"Clip '{name}' would be {fmt_seconds(self.out_point - self.in_point)} long; "
                f"clips must be at least {fmt_seconds(MIN_CLIP_LENGTH)}."
            )
        return self

    @property
    def display_name(self) -> str:
        return self.label or PurePosixPath(self.source).stem or self.id

    @property
    def length(self) -> float:
        """Seconds this clip occupies on the timeline (before crossfade overlaps)."""
        return self.out_point - self.in_point


class MusicBed(_Model):
    """Background music under the whole timeline.

    ``track`` is a track id from the music manifest (assets/music/manifest.json), or a path to an audio file
    relative to the music folder (or, failing that, to the media root, for uploaded music).
    """

    track: str = Field(min_length=1)
    volume: float = Field(default=0.3, ge=0.0, le=1.0)
    fade_out: float = Field(default=2.0, ge=0.0, le=30.0)  # seconds of fade at the end of the timeline

    @field_validator("track")
    @classmethod
    def _track_ok(cls, value: str) -> str:
        if "/" in value or "\\" in value or "." in value:
            return _check_relative_path(value, "music track")
        return value


class EditList(_Model):
    """A whole timeline. ``duration`` = sum of clip lengths - crossfade x (number of clips - 1)."""

    schema_version: int = SCHEMA_VERSION
    aspect_ratio: AspectRatio = "16:9"
    fps: int = Field(default=24, ge=1, le=MAX_FPS)
    clips: list[Clip] = Field(default_factory=list)
    music: MusicBed | None = None
    crossfade: float = Field(default=0.0, ge=0.0, le=10.0)  # seconds between consecutive clips; 0 = hard cut

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise TimelineError(
                f"This edit list has schema version {value}; this version of Hero Frame Studio reads version "
                f"{SCHEMA_VERSION}."
            )
        return value

    @model_validator(mode="after")
    def _check_timeline(self) -> EditList:
        seen: set[str] = set()
        for clip in self.clips:
            if clip.id in seen:
                raise TimelineError(f"Two clips share the id '{clip.id}'; clip ids must be unique.")
            seen.add(clip.id)
        fade = self.crossfade
        if fade > 0:
            if fade < 1.0 / self.fps - EPS:
                raise TimelineError(
                    f"A crossfade of {fmt_seconds(fade)} is shorter than one frame at {self.fps} fps; "
                    f"use 0 for a hard cut or at least {fmt_seconds(1.0 / self.fps)}."
                )
            problem = crossfade_problem(self.clips, fade)
            if problem:
                raise TimelineError(problem)
        return self

    # ------------------------------------------------------------ derived values
    @property
    def duration(self) -> float:
        """Length of the finished video in seconds."""
        if not self.clips:
            return 0.0
        return sum(c.length for c in self.clips) - self.crossfade * (len(self.clips) - 1)

    def starts(self) -> list[float]:
        """Timeline start time of each clip, in order (crossfades make consecutive clips overlap)."""
        out: list[float] = []
        t = 0.0
        for clip in self.clips:
            out.append(t)
            t += clip.length - self.crossfade
        return out

    def index_of(self, clip_id: str) -> int:
        for i, clip in enumerate(self.clips):
            if clip.id == clip_id:
                return i
        raise TimelineError(f"There is no clip with id '{clip_id}' on this timeline.")

    def clip(self, clip_id: str) -> Clip:
        return self.clips[self.index_of(clip_id)]

    def clip_at(self, t: float) -> Clip | None:
        """The clip showing at timeline time t (the incoming one inside a crossfade), or None past the end."""
        found = None
        for clip, start in zip(self.clips, self.starts()):
            if start - EPS <= t < start + clip.length:
                found = clip
        return found

    # ------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = None) -> str:
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EditList:
        if not isinstance(data, dict):
            raise TimelineError("An edit list must be a JSON object.")
        return cls.model_validate(migrate(data))

    @classmethod
    def from_json(cls, text: str | bytes) -> EditList:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise TimelineError(f"The edit list is not valid JSON: {exc}.") from None
        return cls.from_dict(data)


def crossfade_problem(clips: list[Clip], fade: float) -> str | None:
    """Why a crossfade of ``fade`` seconds does not fit these clips, or None when it fits.

    The first and last clips take part in one fade, the clips between in two, so a clip must be at least
    ``fade`` (ends) or ``2 x fade`` (middle) long.
    """
    n = len(clips)
    if fade <= 0 or n < 2:
        return None
    for i, clip in enumerate(clips):
        touching = 1 if i in (0, n - 1) else 2
        need = touching * fade
        if clip.length < need - EPS:
            where = "between two crossfades" if touching == 2 else "at the edge of the timeline"
            return (
                f"A {fmt_seconds(fade)} crossfade is too long for clip '{clip.display_name}' "
                f"({fmt_seconds(clip.length)}): a clip {where} must be at least {fmt_seconds(need)} long."
            )
    return None


# version N -> function turning a version-N dict into a version-N+1 dict. Empty while only v1 exists.
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Upgrade a stored edit-list dict to the current schema version (a copy; the input is left alone)."""
    data = dict(data)
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TimelineError(f"The edit list has an invalid schema_version: {version!r}.")
    if version > SCHEMA_VERSION:
        raise TimelineError(
            f"This edit list was saved by a newer version of Hero Frame Studio (schema {version}); "
            f"this version reads schema {SCHEMA_VERSION} and older."
        )
    while version < SCHEMA_VERSION:
        data = _MIGRATIONS[version](data)
        version += 1
        data["schema_version"] = version
    return data
