"""Timeline: an edit list of clips (pure data + pure operations), its MP4 export through one ffmpeg filter graph,
and the bundled, project-composed music library. No database or Gradio knowledge here.

Nothing heavy is imported here: PyAV and imageio-ffmpeg load only when an export, probe or poster runs.

The export function lives in the submodule ``pipeline.timeline.export``; here it is re-exported as
``export_timeline`` so that the package attribute ``export`` stays the submodule (no name shadowing).
"""
from . import export as export  # the submodule stays reachable as pipeline.timeline.export
from .edit_list import (
    ASPECT_RATIOS,
    MIN_CLIP_LENGTH,
    SCHEMA_VERSION,
    Clip,
    EditList,
    MusicBed,
    TimelineError,
    new_clip_id,
)
from .export import ExportError, ExportResult, ProbeResult, output_size, poster, probe
from .export import export as export_timeline
from .music import MusicLibraryError, Track, find_track, load_manifest, moods, pick_by_mood
from .operations import (
    add_clip,
    delete,
    make_clip,
    merge,
    move,
    set_aspect_ratio,
    set_crossfade,
    set_fps,
    set_music,
    split,
    split_at_time,
    trim,
)

__all__ = [
    "ASPECT_RATIOS",
    "MIN_CLIP_LENGTH",
    "SCHEMA_VERSION",
    "Clip",
    "EditList",
    "ExportError",
    "ExportResult",
    "MusicBed",
    "MusicLibraryError",
    "ProbeResult",
    "TimelineError",
    "Track",
    "add_clip",
    "delete",
    "export_timeline",
    "find_track",
    "load_manifest",
    "make_clip",
    "merge",
    "moods",
    "move",
    "new_clip_id",
    "output_size",
    "pick_by_mood",
    "poster",
    "probe",
    "set_aspect_ratio",
    "set_crossfade",
    "set_fps",
    "set_music",
    "split",
    "split_at_time",
    "trim",
]
