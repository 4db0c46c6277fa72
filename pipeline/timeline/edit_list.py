"""The edit list: a versioned, validated description of a timeline.

Schema version 2 (documented in docs/EDIT_LIST.md; ``EditList.model_json_schema()`` gives the JSON Schema):
clips with in/out points and the transition into each of them (cut, crossfade, fade through black), text
overlays on the timeline, a music bed (offset, volume, fades, ducking under clip audio), global fades and one
colour-grade preset.

It is plain data. Operations (operations.py) return new edit lists; export.py renders one to an MP4.
Nothing here touches files, the database or Gradio.

Times are in seconds. ``Clip.in_point``/``out_point`` are SOURCE times (where the clip starts and ends inside
its source file); ``EditList.starts()`` gives where each clip starts on the TIMELINE. Overlay times
(``start``/``end``) and the music bed's ``start`` are TIMELINE times.

Schema growth: every stored edit list carries ``schema_version``. A later version adds fields with defaults
(old JSON still loads) and, when a field changes meaning, registers an upgrade function in ``_MIGRATIONS`` that
turns a version-N dict into a version-N+1 dict (1 -> 2: the single global ``crossfade`` became one transition
per clip). JSON written by a newer version than this code knows is refused with a clear message instead of
being silently mangled.
"""
from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import StudioError

SCHEMA_VERSION = 2
MIN_CLIP_LENGTH = 0.25  # seconds; shortest clip the timeline accepts (trim, split and merge all respect it)
MAX_FPS = 120
AspectRatio = Literal["16:9", "9:16", "1:1", "4:5"]
# The platform sizes: landscape, stories/reels, square feed, portrait feed (4:5 is 1080x1350 at 1080p).
ASPECT_RATIOS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5)}
# Float slack for comparisons of seconds (JSON round trips, sums of floats). Far below one frame.
EPS = 1e-6
MAX_TRANSITION = 5.0  # seconds
MAX_GLOBAL_FADE = 10.0
TransitionType = Literal["cut", "crossfade", "fade_black"]
TRANSITION_TYPES: tuple[str, ...] = ("cut", "crossfade", "fade_black")
GradePreset = Literal["none", "cinematic", "luxury", "vibrant"]
GRADE_PRESETS: tuple[str, ...] = ("none", "cinematic", "luxury", "vibrant")
# Overlay fonts by role; pipeline/timeline/overlays.py maps each to a font file (from the installed gradio wheel).
FontName = Literal["sans", "sans-bold", "serif", "display", "mono"]
FONT_NAMES: tuple[str, ...] = ("sans", "sans-bold", "serif", "display", "mono")
OverlayPosition = Literal["auto", "top", "center", "bottom", "custom"]
OVERLAY_POSITIONS: tuple[str, ...] = ("auto", "top", "center", "bottom", "custom")
OverlayAnimation = Literal["none", "fade", "slide_up"]
OVERLAY_ANIMATIONS: tuple[str, ...] = ("none", "fade", "slide_up")
NAMED_COLOURS = {"white": "#FFFFFF", "black": "#000000", "gold": "#D4AF37", "yellow": "#FFD400",
                 "red": "#E53935", "blue": "#1E88E5", "green": "#43A047", "grey": "#9E9E9E", "gray": "#9E9E9E"}
_HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6})$")


class TimelineError(StudioError):
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
        return {"Clip": "clip", "MusicBed": "music bed", "EditList": "edit list", "Transition": "transition",
                "Overlay": "text overlay"}.get(cls.__name__, "data")

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
class Transition(_Model):
    """How a clip begins after the previous one. ``cut``: no overlap (duration is 0). ``crossfade`` and
    ``fade_black`` (dip through black): the two clips overlap by ``duration`` seconds, so each such transition
    shortens the timeline by its duration. The first clip's transition is always a cut."""

    type: TransitionType = "cut"
    duration: float = Field(default=0.0, ge=0.0, le=MAX_TRANSITION)

    @model_validator(mode="before")
    @classmethod
    def _cut_has_no_duration(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("type", "cut") == "cut" and data.get("duration"):
            data = {**data, "duration": 0.0}
        return data

    @model_validator(mode="after")
    def _check(self) -> Transition:
        if self.type != "cut" and self.duration <= 0:
            raise TimelineError(f"A {self.type.replace('_', ' ')} needs a duration above 0 s (use a cut for none).")
        return self

    @property
    def overlap(self) -> float:
        """Seconds the two clips overlap (0 for a cut)."""
        return 0.0 if self.type == "cut" else self.duration

    def describe(self) -> str:
        if self.type == "cut":
            return "cut"
        return f"{fmt_seconds(self.duration)} {'crossfade' if self.type == 'crossfade' else 'fade through black'}"


CUT = Transition()


class Clip(_Model):
    """One piece of a source video placed on the timeline.

    ``in_point``/``out_point`` are source times in seconds: 0 <= in_point < out_point <= source_duration,
    and the clip is at least MIN_CLIP_LENGTH long. A ``still`` clip shows one image (``source`` is a PNG/JPEG)
    for its whole length: gap filling uses one as the placeholder while its clip is generated.
    """

    id: str = Field(default_factory=new_clip_id, min_length=1, max_length=64)
    source: str  # path relative to the media root, forward slashes
    attempt_id: int | None = None  # the generation attempt this clip came from, if any
    label: str = ""
    source_duration: float = Field(gt=0)
    in_point: float = 0.0
    out_point: float
    transition: Transition = Field(default_factory=Transition)  # from the previous clip into this one
    still: bool = False
    generation_group_id: int | None = None  # gap fill: the attempts group that makes (made) this clip

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
        """Seconds this clip occupies on the timeline (before transition overlaps)."""
        return self.out_point - self.in_point

    @property
    def pending(self) -> bool:
        """A gap placeholder whose generated clip has not been put in yet."""
        return self.still and self.generation_group_id is not None


def parse_colour(value: Any) -> str:
    """'#RRGGBB' (upper case) from '#rrggbb', 'rrggbb' or a few names (white, black, gold, ...)."""
    text = str(value).strip()
    named = NAMED_COLOURS.get(text.lower())
    if named:
        return named
    match = _HEX_COLOUR.match(text)
    if not match:
        raise TimelineError(f"The colour '{text}' is not a #RRGGBB value or one of: {', '.join(NAMED_COLOURS)}.")
    return "#" + match.group(1).upper()


class Overlay(_Model):
    """Text over the video from ``start`` to ``end`` (timeline seconds).

    ``size`` is the font size in pixels at 1080p (scaled with the output's short side). ``position`` auto (the
    bottom or top band, whichever keeps clear of the subject of the clips under it), top, center or bottom (safe
    margins), or custom with ``x``/``y`` = the text's centre as fractions of the frame width and
    height. ``animation``: fade in and out over ``animation_duration``; slide_up rises into place while fading
    in (and fades out). ``shadow`` adds a soft drop shadow for legibility on any footage.
    Overlays that reach past the end of the timeline are cut at the end on export.
    """

    id: str = Field(default_factory=new_clip_id, min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=200)
    font: FontName = "sans-bold"
    size: int = Field(default=72, ge=8, le=400)
    colour: str = "#FFFFFF"
    position: OverlayPosition = "auto"
    x: float | None = Field(default=None, ge=0.0, le=1.0)
    y: float | None = Field(default=None, ge=0.0, le=1.0)
    start: float = Field(default=0.0, ge=0.0)
    end: float = Field(gt=0.0)
    animation: OverlayAnimation = "fade"
    animation_duration: float = Field(default=0.4, ge=0.0, le=5.0)
    shadow: bool = True

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if str(data.get("position", "")).lower() in ("centre", "middle"):
            data["position"] = "center"
        if "position" not in data and (data.get("x") is not None or data.get("y") is not None):
            data["position"] = "custom"
        if "color" in data:  # the American spelling is accepted on input
            data.setdefault("colour", data.pop("color"))
        if "colour" in data:
            data["colour"] = parse_colour(data["colour"])
        return data

    @field_validator("start", "end", "animation_duration")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise TimelineError("Overlay times must be finite numbers.")
        return float(value)

    @model_validator(mode="after")
    def _check(self) -> Overlay:
        if self.end - self.start < 0.1 - EPS:
            raise TimelineError(f"The text '{self.short_text}' must show for at least 0.10 s "
                                f"(start {fmt_seconds(self.start)}, end {fmt_seconds(self.end)}).")
        if self.position == "custom" and (self.x is None or self.y is None):
            raise TimelineError(f"The text '{self.short_text}' has a custom position: give both x and y (0–1).")
        if self.text.count("\n") > 3:
            raise TimelineError(f"The text '{self.short_text}' has more than 4 lines.")
        return self

    @property
    def short_text(self) -> str:
        one_line = " ".join(self.text.split())
        return one_line if len(one_line) <= 30 else one_line[:29] + "…"


class MusicBed(_Model):
    """Background music under the timeline.

    ``track`` is a track id from the music manifest (assets/music/manifest.json), or a path to an audio file
    relative to the music folder (or, failing that, to the media root, for uploaded music). ``start_offset``:
    seconds into the track where playback begins. ``start``: the timeline time the music enters. The track loops
    when the timeline is longer. ``ducking`` (0 = off, 1 = strongest) lowers the music while the clips' own audio
    plays.
    """

    track: str = Field(min_length=1)
    volume: float = Field(default=0.3, ge=0.0, le=1.0)
    start_offset: float = Field(default=0.0, ge=0.0, le=3600.0)
    start: float = Field(default=0.0, ge=0.0, le=3600.0)
    fade_in: float = Field(default=0.0, ge=0.0, le=30.0)
    fade_out: float = Field(default=2.0, ge=0.0, le=30.0)  # seconds of fade at the end of the timeline
    ducking: float = Field(default=0.0, ge=0.0, le=1.0)

    @field_validator("track")
    @classmethod
    def _track_ok(cls, value: str) -> str:
        if "/" in value or "\\" in value or "." in value:
            return _check_relative_path(value, "music track")
        return value


class EditList(_Model):
    """A whole timeline. ``duration`` = sum of clip lengths - sum of transition overlaps."""

    schema_version: int = SCHEMA_VERSION
    aspect_ratio: AspectRatio = "16:9"
    fps: int = Field(default=24, ge=1, le=MAX_FPS)
    clips: list[Clip] = Field(default_factory=list)
    overlays: list[Overlay] = Field(default_factory=list)
    music: MusicBed | None = None
    fade_in: float = Field(default=0.0, ge=0.0, le=MAX_GLOBAL_FADE)  # from black (and silence) at the start
    fade_out: float = Field(default=0.0, ge=0.0, le=MAX_GLOBAL_FADE)  # to black (and silence) at the end
    grade: GradePreset = "none"  # one colour grade for the whole video, after the transitions

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise TimelineError(
                f"This edit list has schema version {value}; this version of Hero Frame Studio reads version "
                f"{SCHEMA_VERSION} (older ones are upgraded by EditList.from_dict)."
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _first_clip_starts_with_a_cut(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("clips"):
            return data
        clips = list(data["clips"])
        first = clips[0]
        if isinstance(first, Clip) and first.transition.type != "cut":
            clips[0] = first.model_copy(update={"transition": CUT})
        elif isinstance(first, dict) and isinstance(first.get("transition"), dict) and \
                first["transition"].get("type", "cut") != "cut":
            clips[0] = {**first, "transition": {"type": "cut", "duration": 0.0}}
        return {**data, "clips": clips}

    @model_validator(mode="after")
    def _check_timeline(self) -> EditList:
        seen: set[str] = set()
        for clip in self.clips:
            if clip.id in seen:
                raise TimelineError(f"Two clips share the id '{clip.id}'; clip ids must be unique.")
            seen.add(clip.id)
        seen_overlays: set[str] = set()
        for overlay in self.overlays:
            if overlay.id in seen_overlays:
                raise TimelineError(f"Two text overlays share the id '{overlay.id}'; ids must be unique.")
            seen_overlays.add(overlay.id)
        frame = 1.0 / self.fps
        for clip in self.clips[1:]:
            t = clip.transition
            if t.type != "cut" and t.duration < frame - EPS:
                raise TimelineError(
                    f"The {t.describe()} into clip '{clip.display_name}' is shorter than one frame at {self.fps} "
                    f"fps; use a cut or at least {fmt_seconds(frame)}."
                )
        problem = transition_problem(self.clips)
        if problem:
            raise TimelineError(problem)
        return self

    # ------------------------------------------------------------ derived values
    def overlaps(self) -> list[float]:
        """Seconds each clip overlaps the previous one (0 for the first clip and for cuts)."""
        return [0.0] + [c.transition.overlap for c in self.clips[1:]] if self.clips else []

    @property
    def duration(self) -> float:
        """Length of the finished video in seconds."""
        return sum(c.length for c in self.clips) - sum(self.overlaps())

    def starts(self) -> list[float]:
        """Timeline start time of each clip, in order (crossfades and fades through black overlap clips)."""
        out: list[float] = []
        t = 0.0
        for i, clip in enumerate(self.clips):
            if i:
                t -= clip.transition.overlap
            out.append(t)
            t += clip.length
        return out

    @property
    def all_cuts(self) -> bool:
        return all(c.transition.type == "cut" for c in self.clips[1:])

    def index_of(self, clip_id: str) -> int:
        for i, clip in enumerate(self.clips):
            if clip.id == clip_id:
                return i
        raise TimelineError(f"There is no clip with id '{clip_id}' on this timeline.")

    def clip(self, clip_id: str) -> Clip:
        return self.clips[self.index_of(clip_id)]

    def overlay_index(self, overlay_id: str) -> int:
        for i, overlay in enumerate(self.overlays):
            if overlay.id == overlay_id:
                return i
        raise TimelineError(f"There is no text overlay with id '{overlay_id}' on this timeline.")

    def clip_at(self, t: float) -> Clip | None:
        """The clip showing at timeline time t (the incoming one inside a transition), or None past the end."""
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


def transition_problem(clips: list[Clip]) -> str | None:
    """Why the transitions do not fit these clips, or None when they fit.

    A clip overlaps the previous clip by its own transition and the next clip by the next one's, so it must be
    at least as long as both overlaps together.
    """
    n = len(clips)
    for i, clip in enumerate(clips):
        into = clip.transition.overlap if i else 0.0
        out_of = clips[i + 1].transition.overlap if i + 1 < n else 0.0
        if into + out_of <= 0 or clip.length >= into + out_of - EPS:
            continue
        parts = []
        if into:
            parts.append(f"a {clip.transition.describe()} in")
        if out_of:
            parts.append(f"a {clips[i + 1].transition.describe()} out")
        return (f"The transitions are too long for clip '{clip.display_name}' ({fmt_seconds(clip.length)}): with "
                f"{' and '.join(parts)} it must be at least {fmt_seconds(into + out_of)} long.")
    return None


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 had one global ``crossfade`` (0 = hard cuts); schema 2 has a transition per clip."""
    data = dict(data)
    fade = data.pop("crossfade", 0.0) or 0.0
    try:
        fade = float(fade)
    except (TypeError, ValueError):
        raise TimelineError(f"The edit list has an invalid crossfade: {fade!r}.") from None
    if "clips" in data and isinstance(data["clips"], list):
        clips = []
        for i, clip in enumerate(data["clips"]):
            if isinstance(clip, dict) and "transition" not in clip:
                into = {"type": "crossfade", "duration": fade} if i and fade > 0 else {"type": "cut", "duration": 0.0}
                clip = {**clip, "transition": into}
            clips.append(clip)
        data["clips"] = clips
    return data


# version N -> function turning a version-N dict into a version-N+1 dict.
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


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
