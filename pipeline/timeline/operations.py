"""Pure edit operations. Each takes an EditList and returns a NEW, fully re-validated EditList; the input is
never changed. Anything impossible raises TimelineError with a message meant for the user.

Split convention: ``split(edit, clip_id, at)`` takes ``at`` in seconds RELATIVE TO THE CLIP'S OWN START, i.e. an
offset into the clip as it plays (0 = the clip's first frame, ``clip.length`` = its end). The cut lands at source
time ``clip.in_point + at``. It does not depend on the crossfade or on where the clip sits on the timeline.
To split at the playhead (a timeline time) use ``split_at_time(edit, t)``.
"""
from __future__ import annotations

from typing import Any

from .edit_list import (
    EPS,
    MIN_CLIP_LENGTH,
    Clip,
    EditList,
    MusicBed,
    TimelineError,
    fmt_seconds,
    new_clip_id,
)

# Two clips count as contiguous (mergeable) when one ends within this many seconds of where the next begins.
CONTIGUOUS_TOLERANCE = 1e-3


def _rebuild(edit: EditList, **changes: Any) -> EditList:
    """A fresh, validated EditList: ``edit`` as plain data with ``changes`` applied (Clips may be given as
    models or dicts). Never shares mutable state with the input."""
    data = edit.model_dump()
    for key, value in changes.items():
        if key == "clips":
            value = [c.model_dump() if isinstance(c, Clip) else dict(c) for c in value]
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
    second = _clip_dict(clip, id=new_clip_id(), in_point=cut)
    while second["id"] == first["id"]:  # astronomically unlikely, but ids must be unique
        second["id"] = new_clip_id()
    clips: list[Any] = list(edit.clips)
    clips[i:i + 1] = [first, second]
    return _rebuild(edit, clips=clips)


def split_at_time(edit: EditList, timeline_seconds: float) -> EditList:
    """Split whichever clip is showing at a timeline time (the playhead). Inside a crossfade the incoming
    clip is split."""
    clip = edit.clip_at(timeline_seconds)
    if clip is None:
        raise TimelineError(f"There is no clip at {fmt_seconds(timeline_seconds)} on the timeline "
                            f"(it is {fmt_seconds(edit.duration)} long).")
    start = edit.starts()[edit.index_of(clip.id)]
    return split(edit, clip.id, timeline_seconds - start)


def merge(edit: EditList, clip_id: str) -> EditList:
    """Join a clip with the NEXT one. Allowed only when both come from the same source and the second starts
    where the first ends (e.g. undoing a split). The merged clip keeps the first clip's id and label."""
    i = edit.index_of(clip_id)
    clip = edit.clips[i]
    if i + 1 >= len(edit.clips):
        raise TimelineError(f"Can't merge clip '{clip.display_name}': it is the last clip, so there is no next "
                            f"clip to merge it with.")
    nxt = edit.clips[i + 1]
    if nxt.source != clip.source:
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
    """Remove a clip."""
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


def set_music(
    edit: EditList,
    track: str | MusicBed | None,
    *,
    volume: float | None = None,
    fade_out: float | None = None,
) -> EditList:
    """Set the music bed (a track id or relative path), or remove it with ``track=None``.
    Unspecified volume/fade_out keep the current bed's values (or the defaults)."""
    if track is None:
        return _rebuild(edit, music=None)
    if isinstance(track, MusicBed):
        bed = track.model_dump()
    else:
        bed = edit.music.model_dump() if edit.music else {}
        bed["track"] = track
    if volume is not None:
        bed["volume"] = volume
    if fade_out is not None:
        bed["fade_out"] = fade_out
    return _rebuild(edit, music=MusicBed.model_validate(bed))


def set_crossfade(edit: EditList, seconds: float) -> EditList:
    """Crossfade length between consecutive clips (0 = hard cuts)."""
    seconds = float(seconds)
    if seconds < 0:
        raise TimelineError(f"A crossfade can't be negative ({fmt_seconds(seconds)}).")
    return _rebuild(edit, crossfade=seconds)


def set_aspect_ratio(edit: EditList, aspect_ratio: str) -> EditList:
    """Output aspect ratio: "16:9", "9:16" or "1:1"."""
    return _rebuild(edit, aspect_ratio=aspect_ratio)


def set_fps(edit: EditList, fps: int) -> EditList:
    """Output frame rate."""
    return _rebuild(edit, fps=fps)
