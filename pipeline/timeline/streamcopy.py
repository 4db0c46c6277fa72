"""Stream copy for pure cuts: join the clips' H.264 packets without decoding or re-encoding them (the concat
demuxer with ``-c:v copy``, as LosslessCut does); only the audio is rebuilt (clip audio, music) and encoded.

It is used only when the result is exactly what the filter graph would produce:

- every transition is a cut, and there is no colour grade, no text overlay, no global fade, no still clip;
- every source is H.264 yuv420p with square pixels, already at the export size and at the edit's frame rate,
  with identical codec setup (same extradata: SPS/PPS), so one decoder configuration plays them all;
- every in point falls on a keyframe (a clip from its start always does) and every out point on the end of
  its source or on a keyframe, so no frame has to be re-encoded. Generated clips usually have a single
  keyframe at 0 s, so whole clips qualify and trimmed ones go through the filter graph (frame-exact cuts need
  a re-encode: see shared/notes/performance.md).

Music does not prevent it: the audio is encoded, the video still copied. The copied file is probed; when its
frame count is off (B-frames reordered around an interior cut), export.py throws it away and uses the filter
graph, so a copy is only ever kept when it is exact.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .edit_list import EditList
from .graph import ClipPlan

TOLERANCE_FRAMES = 0.5  # a cut point within half a frame of a keyframe counts as on it


@dataclass(frozen=True)
class VideoFacts:
    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: float
    sar: str
    extradata: bytes
    keyframes: tuple[float, ...]  # seconds from the stream's start
    duration: float


@lru_cache(maxsize=256)
def _facts(path: str, size: int, mtime_ns: int, keyframes_too: bool) -> VideoFacts | None:
    import av

    try:
        with av.open(path) as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            ctx = stream.codec_context
            tb = stream.time_base
            start = stream.start_time or 0
            keyframes = []
            if keyframes_too:  # reading every packet header (no decoding): milliseconds per clip
                for packet in container.demux(stream):
                    if packet.pts is not None and packet.is_keyframe:
                        keyframes.append(float((packet.pts - start) * tb))
            rate = float(stream.average_rate or stream.guessed_rate or 0)
            duration = float(stream.duration * tb) if stream.duration and tb else 0.0
            sar = ctx.sample_aspect_ratio
            return VideoFacts(codec=ctx.name, pix_fmt=str(ctx.pix_fmt or ""), width=int(ctx.width),
                              height=int(ctx.height), fps=rate, sar=str(sar) if sar else "1",
                              extradata=bytes(ctx.extradata or b""), keyframes=tuple(sorted(keyframes)),
                              duration=duration)
    except (OSError, ValueError, av.FFmpegError):
        return None


def video_facts(path: Path, keyframes: bool = False) -> VideoFacts | None:
    """Codec facts of a video (cached per file version); with ``keyframes``, also its keyframe times."""
    stat = os.stat(path)
    return _facts(str(path), stat.st_size, stat.st_mtime_ns, keyframes)


@dataclass(frozen=True)
class CopyDecision:
    ok: bool
    reason: str  # why not (or "pure cuts on keyframes" when ok)
    entries: tuple[tuple[Path, float | None, float | None], ...] = ()  # (file, inpoint, outpoint) for concat


def decide(edit: EditList, plans: list[ClipPlan], width: int, height: int) -> CopyDecision:
    """Whether ``edit`` can be exported by stream copy at ``width`` x ``height``, and the concat entries."""
    if not edit.all_cuts:
        return CopyDecision(False, "a transition other than a cut")
    if edit.grade != "none" or edit.overlays or edit.fade_in > 0 or edit.fade_out > 0:
        return CopyDecision(False, "effects (grade, overlays or global fades)")
    if any(c.still for c in edit.clips):
        return CopyDecision(False, "a still image clip")
    facts = []
    for clip, plan in zip(edit.clips, plans):
        f = video_facts(plan.source_path)
        if f is None:
            return CopyDecision(False, f"clip '{clip.display_name}' could not be inspected")
        facts.append(f)
    first = facts[0]
    frame = 1.0 / edit.fps
    for clip, f in zip(edit.clips, facts):
        name = clip.display_name
        if f.codec != "h264" or f.pix_fmt != "yuv420p" or f.sar not in ("1", "1/1", "0/1"):
            return CopyDecision(False, f"clip '{name}' is not plain H.264 yuv420p")
        if (f.width, f.height) != (width, height):
            return CopyDecision(False, f"clip '{name}' is {f.width}x{f.height}, not the export size {width}x{height}")
        if abs(f.fps - edit.fps) > 0.01:
            return CopyDecision(False, f"clip '{name}' runs at {f.fps:g} fps, not {edit.fps}")
        if f.extradata != first.extradata:
            return CopyDecision(False, f"clip '{name}' was encoded with other settings than the first clip")
    entries = []
    for clip, f, plan in zip(edit.clips, facts, plans):
        name = clip.display_name
        tol = TOLERANCE_FRAMES * frame
        source_end = f.duration or clip.source_duration
        if clip.in_point > tol or clip.out_point < source_end - tol:  # a cut inside: where are the keyframes?
            f = video_facts(plan.source_path, keyframes=True) or f
        if clip.in_point > tol:
            key = _near(f.keyframes, clip.in_point, tol)
            if key is None:
                return CopyDecision(False, f"clip '{name}' starts between keyframes")
            inpoint: float | None = key
        else:
            inpoint = None
        if clip.out_point < source_end - tol:
            key = _near(f.keyframes, clip.out_point, tol)
            if key is None:
                return CopyDecision(False, f"clip '{name}' ends between keyframes")
            outpoint: float | None = key
        else:
            outpoint = None
        entries.append((plan.source_path, inpoint, outpoint))
    return CopyDecision(True, "pure cuts on keyframes", tuple(entries))


def _near(keyframes: tuple[float, ...], t: float, tol: float) -> float | None:
    return next((k for k in keyframes if abs(k - t) <= tol), None)


def concat_list(entries: tuple[tuple[Path, float | None, float | None], ...]) -> str:
    """The concat demuxer's script for the entries."""
    lines = ["ffconcat version 1.0"]
    for path, inpoint, outpoint in entries:
        quoted = str(path).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
        if inpoint is not None:
            lines.append(f"inpoint {inpoint:.6f}")
        if outpoint is not None:
            lines.append(f"outpoint {outpoint:.6f}")
    return "\n".join(lines) + "\n"
