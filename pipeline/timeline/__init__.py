"""Timeline: an edit list (schema 2: clips with transitions, text overlays, music bed, fades, grade; pure data
+ pure operations + a structured diff), its MP4 export through one ffmpeg filter graph (or a stream copy for
pure cuts), and the bundled, project-composed music library. No database or Gradio knowledge here.
See docs/EDIT_LIST.md.

Nothing heavy is imported here: PyAV and imageio-ffmpeg load only when an export, probe or poster runs.

The export function lives in the submodule ``pipeline.timeline.export``; here it is re-exported as
``export_timeline`` so that the package attribute ``export`` stays the submodule (no name shadowing).
"""
from . import export as export  # the submodule stays reachable as pipeline.timeline.export
from .diff import compare
from .edit_list import (
    ASPECT_RATIOS,
    FONT_NAMES,
    GRADE_PRESETS,
    MIN_CLIP_LENGTH,
    SCHEMA_VERSION,
    TRANSITION_TYPES,
    Clip,
    EditList,
    MusicBed,
    Overlay,
    TimelineError,
    Transition,
    new_clip_id,
)
from .export import QUALITIES, ExportError, ExportResult, ProbeResult, output_size, poster, probe
from .export import export as export_timeline
from .music import MusicLibraryError, Track, find_track, load_manifest, moods, pick_by_mood
from .operations import (
    add_clip,
    add_overlay,
    delete,
    duplicate,
    make_clip,
    merge,
    move,
    remove_overlay,
    replace_clip,
    set_all_transitions,
    set_aspect_ratio,
    set_crossfade,
    set_fades,
    set_fps,
    set_grade,
    set_look,
    set_music,
    set_transition,
    split,
    split_at_time,
    trim,
    update_overlay,
)

__all__ = [
    "ASPECT_RATIOS",
    "FONT_NAMES",
    "GRADE_PRESETS",
    "MIN_CLIP_LENGTH",
    "SCHEMA_VERSION",
    "TRANSITION_TYPES",
    "Clip",
    "EditList",
    "Overlay",
    "Transition",
    "add_overlay",
    "compare",
    "duplicate",
    "remove_overlay",
    "replace_clip",
    "set_all_transitions",
    "set_fades",
    "set_grade",
    "set_look",
    "set_transition",
    "update_overlay",
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
    "QUALITIES",
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
