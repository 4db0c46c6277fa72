"""Pure edit operations. Each takes an EditList and returns a NEW, fully re-validated EditList; the input is
never changed. Anything impossible raises TimelineError with a message meant for the user.

Split convention: ``split(edit, clip_id, at)`` takes ``at`` in seconds RELATIVE TO THE CLIP'S OWN START, i.e. an
offset into the clip as it plays (0 = the clip's first frame, ``clip.length`` = its end). The cut lands at source
time ``clip.in_point + at``. It does not depend on the transitions or on where the clip sits on the timeline.
To split at the playhead (a timeline time) use ``split_at_time(edit, t)``.

Transitions belong to the clip they lead into (``Clip.transition``), so moving, duplicating or deleting a clip
carries its own transition along; the first clip always starts with a cut. Deleting is a ripple delete: the
clips after it move up and the timeline gets shorter. Text overlays live on timeline time and stay where they
are when clips change.
"""
from __future__ import annotations

from typing import Any

from .edit_list import (
    CUT,
    EPS,
    GRADE_PRESETS,
    MAX_GLOBAL_FADE,
    MIN_CLIP_LENGTH,
    TRANSITION_TYPES,
    Clip,
    EditList,
    MusicBed,
    Overlay,
    TimelineError,
    Transition,
    fmt_seconds,
    new_clip_id,
)

MIN_EXPORT_FPS, MAX_EXPORT_FPS = 24, 30  # frame rates set_fps accepts (the edit list itself is more lenient)

# Two clips count as contiguous (mergeable) when one ends within this many seconds of where the next begins.
CONTIGUOUS_TOLERANCE = 1e-3


def _rebuild(edit: EditList, **changes: Any) -> EditList:
    """A fresh, validated EditList: ``edit`` as plain data with ``changes`` applied (Clips may be given as
    models or dicts). Never shares mutable state with the input."""
    data = edit.model_dump()
    for key, value in changes.items():
        if key in ("clips", "overlays"):
            value = [c.model_dump() if isinstance(c, (Clip, Overlay)) else dict(c) for c in value]
        elif isinstance(value, MusicBed):
            value = value.model_dump()
        data[key] = value
    return EditList.model_validate(data)


def _clip_dict(clip: Clip, **changes: Any) -> dict[str, Any]:
    data = clip.model_dump()
    data.update(changes)
    return data


def make_clip(
    source: str,
    source_duration: float,
    *,
    in_point: float = 0.0,
    out_point: float | None = None,
    label: str = "",
    attempt_id: int | None = None,
    clip_id: str | None = None,
) -> Clip:
    """A new Clip (whole source by default). ``source`` is relative to the media root."""
    return Clip(
        id=clip_id or new_clip_id(),
        source=source,
        attempt_id=attempt_id,
        label=label,
        source_duration=source_duration,
        in_point=in_point,
        out_point=source_duration if out_point is None else out_point,
    )


def add_clip(
    edit: EditList,
    clip: Clip | str,
    source_duration: float | None = None,
    *,
    in_point: float = 0.0,
    out_point: float | None = None,
    label: str = "",
    attempt_id: int | None = None,
    index: int | None = None,
) -> EditList:
    """Insert a clip at ``index`` (default: the end).

    Pass a ready Clip, or a source path (relative to the media root) plus its ``source_duration`` and optional
    in/out points. A Clip whose id is already on the timeline (the same clip added twice) gets a fresh id.
    """
    if isinstance(clip, str):
        if source_duration is None:
            raise TimelineError(f"Adding '{clip}' needs its source duration.")
        clip = make_clip(clip, source_duration, in_point=in_point, out_point=out_point, label=label,
                         attempt_id=attempt_id)
    elif not isinstance(clip, Clip):
        raise TimelineError("add_clip needs a Clip or a source path.")
    new = clip.model_dump()
    if any(c.id == clip.id for c in edit.clips):
        new["id"] = new_clip_id()
    clips: list[Any] = list(edit.clips)
    n = len(clips)
    if index is None:
        index = n
    if not 0 <= index <= n:
        raise TimelineError(f"Can't insert a clip at position {index}: the timeline has {n} clip(s) "
                            f"(positions 0 to {n}).")
    clips.insert(index, new)
    return _rebuild(edit, clips=clips)


def trim(edit: EditList, clip_id: str, in_point: float | None = None, out_point: float | None = None) -> EditList:
    """Set a clip's in and out points (SOURCE seconds; None keeps the current value)."""
    i = edit.index_of(clip_id)
    clip = edit.clips[i]
    new_in = clip.in_point if in_point is None else float(in_point)
    new_out = clip.out_point if out_point is None else float(out_point)
    name = clip.display_name
    span = f"{fmt_seconds(new_in)} to {fmt_seconds(new_out)}"
    if new_in < -EPS:
        raise TimelineError(f"Can't trim clip '{name}' to {span}: the in point can't be before 0.00 s.")
    if new_out > clip.source_duration + EPS:
        raise TimelineError(f"Can't trim clip '{name}' to {span}: its source is only "
                            f"{fmt_seconds(clip.source_duration)} long.")
    if new_out - new_in < MIN_CLIP_LENGTH - EPS:
        raise TimelineError(f"Can't trim clip '{name}' to {span}: a clip must be at least "
                            f"{fmt_seconds(MIN_CLIP_LENGTH)} long.")
    new_in = max(0.0, new_in)
    new_out = min(clip.source_duration, new_out)
    clips: list[Any] = list(edit.clips)
    clips[i] = _clip_dict(clip, in_point=new_in, out_point=new_out)
    return _rebuild(edit, clips=clips)


def split(edit: EditList, clip_id: str, at_seconds: float) -> EditList:
    """Cut a clip in two, ``at_seconds`` after the clip's own start (see the module docstring).

    Both halves get new ids and keep the label, source and attempt. Each half must be at least
    MIN_CLIP_LENGTH long.
    """
    i = edit.index_of(clip_id)
    clip = edit.clips[i]
    at = float(at_seconds)
    if not (MIN_CLIP_LENGTH - EPS <= at <= clip.length - MIN_CLIP_LENGTH + EPS):
        if at < 0 or at > clip.length:
            raise TimelineError(
                f"Can't split {fmt_seconds(at)} into clip '{clip.display_name}': the clip is only "
                f"{fmt_seconds(clip.length)} long."
            )
        raise TimelineError(
            f"Can't split {fmt_seconds(at)} into clip '{clip.display_name}': a split must leave at least "
            f"{fmt_seconds(MIN_CLIP_LENGTH)} on both sides."
        )
    cut = clip.in_point + at
    first = _clip_dict(clip, id=new_clip_id(), out_point=cut)
    second = _clip_dict(clip, id=new_clip_id(), in_point=cut, transition=CUT.model_dump())
    while second["id"] == first["id"]:  # astronomically unlikely, but ids must be unique
        second["id"] = new_clip_id()
    clips: list[Any] = list(edit.clips)
    clips[i:i + 1] = [first, second]
    return _rebuild(edit, clips=clips)


def split_at_time(edit: EditList, timeline_seconds: float) -> EditList:
    """Split whichever clip is showing at a timeline time (the playhead). Inside a transition the incoming
    clip is split."""
    timeline_seconds = float(timeline_seconds)
    if timeline_seconds < 0:
        raise TimelineError(f"The playhead can't be before the start ({fmt_seconds(timeline_seconds)}).")
    clip = edit.clip_at(timeline_seconds)
    if clip is None:
        raise TimelineError(f"There is no clip at {fmt_seconds(timeline_seconds)} on the timeline "
                            f"(it is {fmt_seconds(edit.duration)} long).")
    start = edit.starts()[edit.index_of(clip.id)]
    return split(edit, clip.id, timeline_seconds - start)


def merge(edit: EditList, clip_id: str) -> EditList:
    """Join a clip with the NEXT one. Allowed only when both come from the same source and the second starts
    where the first ends (e.g. undoing a split). The merged clip keeps the first clip's id, label and
    transition; the transition between the two disappears."""
    i = edit.index_of(clip_id)
    clip = edit.clips[i]
    if i + 1 >= len(edit.clips):
        raise TimelineError(f"Can't merge clip '{clip.display_name}': it is the last clip, so there is no next "
                            f"clip to merge it with.")
    nxt = edit.clips[i + 1]
    if nxt.source != clip.source or nxt.still != clip.still:
        raise TimelineError(f"Can't merge clip '{clip.display_name}' with '{nxt.display_name}': they come from "
                            f"different source videos.")
    if abs(nxt.in_point - clip.out_point) > CONTIGUOUS_TOLERANCE:
        raise TimelineError(
            f"Can't merge clip '{clip.display_name}' with '{nxt.display_name}': they are not contiguous (the "
            f"first ends at {fmt_seconds(clip.out_point)} of the source, the next starts at "
            f"{fmt_seconds(nxt.in_point)})."
        )
    merged = _clip_dict(clip, out_point=nxt.out_point)
    clips: list[Any] = list(edit.clips)
    clips[i:i + 2] = [merged]
    return _rebuild(edit, clips=clips)


def delete(edit: EditList, clip_id: str) -> EditList:
    """Remove a clip (ripple: the clips after it move up)."""
    i = edit.index_of(clip_id)
    clips: list[Any] = list(edit.clips)
    del clips[i]
    return _rebuild(edit, clips=clips)


def move(edit: EditList, clip_id: str, new_index: int) -> EditList:
    """Move a clip so that it ends up at position ``new_index`` (0-based) in the clip order."""
    i = edit.index_of(clip_id)
    n = len(edit.clips)
    if not isinstance(new_index, int) or isinstance(new_index, bool) or not 0 <= new_index < n:
        raise TimelineError(f"Can't move clip '{edit.clips[i].display_name}' to position {new_index}: "
                            f"positions go from 0 to {n - 1}.")
    clips: list[Any] = list(edit.clips)
    clip = clips.pop(i)
    clips.insert(new_index, clip)
    return _rebuild(edit, clips=clips)


def duplicate(edit: EditList, clip_id: str) -> EditList:
    """Insert a copy of a clip right after it (new id; it follows the original with a cut)."""
    i = edit.index_of(clip_id)
    copy = _clip_dict(edit.clips[i], id=new_clip_id(), transition=CUT.model_dump())
    while any(c.id == copy["id"] for c in edit.clips):
        copy["id"] = new_clip_id()
    clips: list[Any] = list(edit.clips)
    clips.insert(i + 1, copy)
    return _rebuild(edit, clips=clips)


def replace_clip(edit: EditList, clip_id: str, clip: Clip) -> EditList:
    """Put ``clip`` where ``clip_id`` is, keeping the old clip's id and transition (used by gap filling)."""
    i = edit.index_of(clip_id)
    old = edit.clips[i]
    clips: list[Any] = list(edit.clips)
    clips[i] = _clip_dict(clip, id=old.id, transition=old.transition.model_dump())
    return _rebuild(edit, clips=clips)


def set_transition(edit: EditList, clip_id: str, type: str = "crossfade", duration: float = 0.5) -> EditList:
    """The transition INTO a clip from the previous one: ``cut``, ``crossfade`` or ``fade_black`` with a
    duration in seconds (ignored for a cut)."""
    i = edit.index_of(clip_id)
    clip = edit.clips[i]
    if type not in TRANSITION_TYPES:
        raise TimelineError(f"Unknown transition '{type}'. Use one of: {', '.join(TRANSITION_TYPES)}.")
    if i == 0 and type != "cut":
        raise TimelineError(f"Clip '{clip.display_name}' is the first clip: there is nothing to "
                            f"{type.replace('_', ' ')} from. Use the global fade in for a start from black.")
    duration = float(duration or 0.0)
    transition = Transition(type=type, duration=0.0 if type == "cut" else duration)
    clips: list[Any] = list(edit.clips)
    clips[i] = _clip_dict(clip, transition=transition.model_dump())
    return _rebuild(edit, clips=clips)


def set_all_transitions(edit: EditList, type: str = "crossfade", duration: float = 0.5) -> EditList:
    """The same transition between every pair of clips."""
    if type not in TRANSITION_TYPES:
        raise TimelineError(f"Unknown transition '{type}'. Use one of: {', '.join(TRANSITION_TYPES)}.")
    transition = Transition(type=type, duration=0.0 if type == "cut" else float(duration or 0.0))
    clips: list[Any] = [_clip_dict(c, transition=(transition if i else CUT).model_dump())
                        for i, c in enumerate(edit.clips)]
    return _rebuild(edit, clips=clips)


def set_crossfade(edit: EditList, seconds: float) -> EditList:
    """Crossfade of ``seconds`` between all consecutive clips (0 = hard cuts everywhere). Schema 1's only
    transition control, kept as a shortcut."""
    seconds = float(seconds)
    if seconds < 0:
        raise TimelineError(f"A crossfade can't be negative ({fmt_seconds(seconds)}).")
    return set_all_transitions(edit, "crossfade" if seconds > 0 else "cut", seconds)


def add_overlay(edit: EditList, text: str, start: float = 0.0, end: float | None = None, **fields: Any) -> EditList:
    """Add a text overlay (fields as in Overlay: font, size, colour, position, x, y, animation,
    animation_duration, shadow). ``end`` defaults to 3 s after ``start`` (at most the end of the timeline)."""
    if end is None:
        end = float(start) + 3.0
        if edit.duration > float(start) + 0.5:
            end = min(end, edit.duration)
    overlay = Overlay(text=text, start=start, end=end, **fields)
    if any(o.id == overlay.id for o in edit.overlays):
        overlay = overlay.model_copy(update={"id": new_clip_id()})
    return _rebuild(edit, overlays=[*edit.overlays, overlay])


def update_overlay(edit: EditList, overlay_id: str, **changes: Any) -> EditList:
    """Change fields of a text overlay (any Overlay field but its id)."""
    i = edit.overlay_index(overlay_id)
    if "id" in changes:
        raise TimelineError("An overlay's id can't be changed.")
    data = edit.overlays[i].model_dump()
    if "color" in changes:
        changes["colour"] = changes.pop("color")
    if "position" in changes and changes["position"] != "custom":
        data["x"] = data["y"] = None
    elif ("x" in changes or "y" in changes) and "position" not in changes:
        data["position"] = "custom"
    data.update(changes)
    overlays: list[Any] = list(edit.overlays)
    overlays[i] = Overlay.model_validate(data)
    return _rebuild(edit, overlays=overlays)


def remove_overlay(edit: EditList, overlay_id: str) -> EditList:
    i = edit.overlay_index(overlay_id)
    overlays: list[Any] = list(edit.overlays)
    del overlays[i]
    return _rebuild(edit, overlays=overlays)


_MUSIC_FIELDS = ("volume", "start_offset", "start", "fade_in", "fade_out", "ducking")


def set_music(edit: EditList, track: str | MusicBed | None, **fields: Any) -> EditList:
    """Set the music bed (a track id or relative path), or remove it with ``track=None``. Keyword fields
    (volume, start_offset, start, fade_in, fade_out, ducking) left out or None keep the current bed's values
    (or the defaults)."""
    if track is None:
        return _rebuild(edit, music=None)
    unknown = sorted(set(fields) - set(_MUSIC_FIELDS))
    if unknown:
        raise TimelineError(f"Unknown music setting(s): {', '.join(unknown)}. Known: {', '.join(_MUSIC_FIELDS)}.")
    if isinstance(track, MusicBed):
        bed = track.model_dump()
    else:
        bed = edit.music.model_dump() if edit.music else {}
        bed["track"] = track
    bed.update({k: v for k, v in fields.items() if v is not None})
    return _rebuild(edit, music=MusicBed.model_validate(bed))


def set_grade(edit: EditList, preset: str) -> EditList:
    """The colour grade for the whole video: none, cinematic, luxury or vibrant."""
    if preset not in GRADE_PRESETS:
        raise TimelineError(f"Unknown colour grade '{preset}'. Use one of: {', '.join(GRADE_PRESETS)}.")
    return _rebuild(edit, grade=preset)


def set_fades(edit: EditList, fade_in: float | None = None, fade_out: float | None = None) -> EditList:
    """Global fade from black at the start and to black at the end (video and audio), in seconds (None keeps
    the current value). Together they can't be longer than the timeline."""
    new_in = edit.fade_in if fade_in is None else float(fade_in)
    new_out = edit.fade_out if fade_out is None else float(fade_out)
    for name, value in (("fade in", new_in), ("fade out", new_out)):
        if not 0 <= value <= MAX_GLOBAL_FADE:
            raise TimelineError(f"The {name} must be between 0 and {MAX_GLOBAL_FADE:g} s, not {value:g} s.")
    if edit.clips and new_in + new_out > edit.duration + EPS:
        raise TimelineError(f"A {fmt_seconds(new_in)} fade in and a {fmt_seconds(new_out)} fade out don't fit a "
                            f"{fmt_seconds(edit.duration)} timeline.")
    return _rebuild(edit, fade_in=new_in, fade_out=new_out)


def set_look(edit: EditList, grade: str | None = None, fade_in: float | None = None,
             fade_out: float | None = None) -> EditList:
    """The colour grade and the global fades in one edit (None keeps a value)."""
    if grade is not None:
        edit = set_grade(edit, grade)
    return set_fades(edit, fade_in, fade_out)


def set_aspect_ratio(edit: EditList, aspect_ratio: str) -> EditList:
    """Output aspect ratio: "16:9", "9:16", "1:1" or "4:5"."""
    return _rebuild(edit, aspect_ratio=aspect_ratio)


def set_fps(edit: EditList, fps: int) -> EditList:
    """Output frame rate: 24 to 30 (whole frames per second)."""
    if isinstance(fps, float) and fps.is_integer():
        fps = int(fps)
    if isinstance(fps, bool) or not isinstance(fps, int) or not MIN_EXPORT_FPS <= fps <= MAX_EXPORT_FPS:
        raise TimelineError(f"The frame rate must be a whole number from {MIN_EXPORT_FPS} to {MAX_EXPORT_FPS} fps, "
                            f"not {fps}.")
    return _rebuild(edit, fps=fps)
