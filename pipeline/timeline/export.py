"""Render an EditList to an MP4: ONE ffmpeg ``-filter_complex`` command built from the edit list (graph.py),
or, for pure cuts on keyframes with no effects, a stream copy of the video (streamcopy.py). See
shared/notes/performance.md: one filter graph is about 6x faster than compositing in moviepy, and x264 is most
of the cost; nothing in an edit list needs per-frame Python (text overlays are PNGs drawn once by Pillow).

Output: H.264 yuv420p + AAC 192k 48 kHz, ``+faststart``, exactly round(duration x fps) frames. Two qualities
(QUALITIES): "draft", the fast default (x264 veryfast CRF 23, about 1 Mb/s at 1080p), and "delivery" for
upload to social platforms (CRF 18, preset medium, capped at 12 Mb/s, High profile, converted to and tagged as
BT.709 limited range; never a stream copy, whose packets would keep the sources' own quality and tags).
Frame accounting: clip boundaries are placed on the frame grid by rounding their exact timeline times, so the output has
round(edit.duration x fps) frames however many clips there are (never drifting by a frame per clip).
"""
from __future__ import annotations

import dataclasses
import math
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from . import graph as g
from . import streamcopy
from .edit_list import ASPECT_RATIOS, EditList, TimelineError
from .ffmpeg_process import STALL_SECONDS, ExportError, ProgressFn, run_ffmpeg_retrying
from .graph import AUDIO_RATE, ClipPlan

Fit = Literal["letterbox", "crop"]
Quality = Literal["draft", "delivery"]
AUDIO_BITRATE = "192k"
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
AUDIO_EXTENSIONS = (".m4a", ".aac", ".mp3", ".wav", ".flac", ".ogg", ".opus")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")
MUSIC_SHORT_SECONDS = 0.05  # the music input stops this much before the bed ends (padded with silence: inaudible)


@dataclass(frozen=True)
class QualityPreset:
    """How one export quality encodes the video (the audio is AAC 192k 48 kHz stereo for every quality)."""

    name: str
    label: str
    preset: str  # x264 speed preset
    crf: int
    maxrate: str = ""  # VBV cap ("" = none): keeps a CRF encode within what platforms ingest smoothly
    bufsize: str = ""
    profile: str = ""  # H.264 profile ("" = x264's choice)
    bt709: bool = False  # convert to BT.709 limited range and tag primaries, transfer, matrix and range
    stream_copy: bool = True  # whether pure cuts on keyframes may be stream-copied

    def video_args(self) -> list[str]:
        args = ["-c:v", "libx264", "-preset", self.preset, "-crf", str(self.crf)]
        if self.maxrate:
            args += ["-maxrate", self.maxrate, "-bufsize", self.bufsize]
        if self.profile:
            args += ["-profile:v", self.profile]
        if self.bt709:
            args += ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
                     "-color_range", "tv"]
        return args


# Draft is today's export (fast, ~1 Mb/s at 1080p). Delivery: CRF 18 is visually transparent for generated
# footage; medium is x264's balanced preset (0.78x real time at 1080p on 2 cores, see performance.md); 12 Mb/s
# with a 2 s buffer stays inside what Instagram, TikTok and YouTube accept for 1080p without a second squeeze.
QUALITIES: dict[str, QualityPreset] = {
    "draft": QualityPreset("draft", "Draft", preset="veryfast", crf=23),
    "delivery": QualityPreset("delivery", "Delivery", preset="medium", crf=18, maxrate="12M", bufsize="24M",
                              profile="high", bt709=True, stream_copy=False),
}
DEFAULT_QUALITY = "draft"


def quality_preset(name: str) -> QualityPreset:
    """The preset called ``name`` ("draft" or "delivery"), with a clear message for anything else."""
    preset = QUALITIES.get(str(name).strip().lower())
    if preset is None:
        raise TimelineError(f"Unknown export quality '{name}'. Use one of: {', '.join(QUALITIES)}.")
    return preset


@dataclass(frozen=True)
class ExportResult:
    path: Path
    duration: float  # seconds, as probed from the written file
    width: int
    height: int
    fps: float
    frame_count: int
    method: str = "encode"  # "encode" (filter graph + x264) or "copy" (video stream copy)
    note: str = ""  # why stream copy was or was not used
    quality: str = DEFAULT_QUALITY


@dataclass(frozen=True)
class ProbeResult:
    path: Path
    duration: float  # seconds (video stream when there is one, else the container)
    has_video: bool
    has_audio: bool
    video_codec: str | None = None
    audio_codec: str | None = None
    width: int = 0
    height: int = 0
    fps: float = 0.0
    frame_count: int = 0  # 0 when the container does not say
    audio_sample_rate: int = 0
    audio_channels: int = 0


# ---------------------------------------------------------------- small helpers
def ffmpeg_exe() -> str:
    """Path to the ffmpeg binary (the static one shipped by imageio-ffmpeg; IMAGEIO_FFMPEG_EXE overrides)."""
    import imageio_ffmpeg  # lazy: nothing heavy at import time

    return imageio_ffmpeg.get_ffmpeg_exe()


def output_size(aspect_ratio: str, long_side: int = 1920) -> tuple[int, int]:
    """(width, height) for an aspect ratio, both even (yuv420p needs it).

    ``long_side`` names the resolution family by its 16:9 width: 1920 is "1080p" and gives 1920x1080 (16:9),
    1080x1920 (9:16), 1080x1080 (1:1) and 1080x1350 (4:5): the family's short side, as social platforms expect,
    with the other side from the ratio."""
    if aspect_ratio not in ASPECT_RATIOS:
        raise TimelineError(f"Unknown aspect ratio '{aspect_ratio}'. Use one of: {', '.join(ASPECT_RATIOS)}.")
    if long_side < 16:
        raise TimelineError(f"The output long side must be at least 16 pixels, not {long_side}.")
    long_ = long_side - long_side % 2
    short = 2 * round(long_ * 9 / 16 / 2)
    a, b = ASPECT_RATIOS[aspect_ratio]
    other = long_ if (max(a, b), min(a, b)) == (16, 9) else 2 * round(short * max(a, b) / min(a, b) / 2)
    return (other, short) if a > b else (short, other)


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5 + 1e-9)


def _inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing paths that climb out of ``root`` ('..', absolute). The check is lexical:
    symlinks inside the media folder are followed, as a storage layout may use them."""
    base = Path(os.path.abspath(root))
    path = Path(os.path.normpath(base / relative))
    if path != base and base not in path.parents:
        raise TimelineError(f"The path '{relative}' points outside its folder.")
    return path


# ---------------------------------------------------------------- probing
def probe(path: str | os.PathLike[str]) -> ProbeResult:
    """Codecs, size, frame rate, duration and audio presence of a media file (PyAV; no ffprobe needed)."""
    import av  # lazy

    path = Path(path)
    if not path.is_file():
        raise TimelineError(f"Can't read '{path.name}': the file does not exist.")
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise TimelineError(f"Can't read '{path.name}': {exc}") from None
    with container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = 0.0
        fps = 0.0
        frames = 0
        if video is not None:
            if video.average_rate:
                fps = float(video.average_rate)
            elif video.guessed_rate:
                fps = float(video.guessed_rate)
            frames = int(video.frames or 0)
            if video.duration is not None and video.time_base is not None:
                duration = float(video.duration * video.time_base)
        if duration <= 0 and container.duration is not None:
            duration = container.duration / 1_000_000
        if duration <= 0 and audio is not None and audio.duration is not None and audio.time_base is not None:
            duration = float(audio.duration * audio.time_base)
        return ProbeResult(
            path=path,
            duration=duration,
            has_video=video is not None,
            has_audio=audio is not None,
            video_codec=video.codec_context.name if video is not None else None,
            audio_codec=audio.codec_context.name if audio is not None else None,
            width=int(video.codec_context.width) if video is not None else 0,
            height=int(video.codec_context.height) if video is not None else 0,
            fps=fps,
            frame_count=frames,
            audio_sample_rate=int(audio.codec_context.sample_rate or 0) if audio is not None else 0,
            audio_channels=int(audio.codec_context.channels or 0) if audio is not None else 0,
        )


def poster(path: str | os.PathLike[str], out_png: str | os.PathLike[str], *, at: float | None = None,
           max_side: int | None = None) -> Path:
    """Save one frame of a video as a PNG thumbnail and return its path.

    ``at`` is the time in seconds (default: 10 % into the video, at most 1 s in, which avoids a black first
    frame but stays close to the hero frame). ``max_side`` shrinks the image to fit that many pixels.
    """
    import av  # lazy

    path = Path(path)
    out_png = Path(out_png)
    if not path.is_file():
        raise TimelineError(f"Can't make a poster: '{path.name}' does not exist.")
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise TimelineError(f"Can't make a poster: '{path.name}' has no video.")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        duration = probe(path).duration
        if at is None:
            at = min(1.0, 0.1 * duration)
        at = max(0.0, min(at, max(0.0, duration - 1e-3)))
        if at > 0 and stream.time_base is not None:
            container.seek(int(at / stream.time_base), stream=stream, backward=True, any_frame=False)
        chosen = None
        for frame in container.decode(stream):
            chosen = frame
            if frame.time is None or frame.time + 1e-6 >= at:
                break
        if chosen is None:
            raise TimelineError(f"Can't make a poster: no frame could be decoded from '{path.name}'.")
        image = chosen.to_image()
    if max_side and max(image.size) > max_side:
        image.thumbnail((max_side, max_side))
    out_png.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_png.with_name(f".{out_png.stem}.{uuid.uuid4().hex[:8]}.part.png")
    try:
        image.save(tmp, format="PNG")
        os.replace(tmp, out_png)
    finally:
        tmp.unlink(missing_ok=True)
    return out_png


# ---------------------------------------------------------------- planning
def _image_size(path: Path) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, UnidentifiedImageError) as exc:
        raise TimelineError(f"Can't read the image '{path.name}': {exc}") from None


def plan_clips(edit: EditList, media_root: Path) -> list[ClipPlan]:
    """Check every source exists and place each clip on the output frame and sample grid."""
    if not edit.clips:
        raise TimelineError("The timeline is empty: add at least one clip before exporting.")
    fps = edit.fps
    frame_of = lambda t: _round_half_up(t * fps)
    sample_of = lambda frame: _round_half_up(frame * AUDIO_RATE / fps)
    plans: list[ClipPlan] = []
    prev_end = 0
    for i, (clip, start) in enumerate(zip(edit.clips, edit.starts())):
        src = _inside(Path(media_root), clip.source)
        if not src.is_file():
            raise TimelineError(f"Clip '{clip.display_name}': its source file '{clip.source}' is missing.")
        if clip.still:
            (width, height), has_audio = _image_size(src), False
        else:
            info = probe(src)
            if not info.has_video:
                raise TimelineError(f"Clip '{clip.display_name}': '{clip.source}' has no video stream.")
            width, height, has_audio = info.width, info.height, info.has_audio
        first, last = frame_of(start), frame_of(start + clip.length)
        frames = last - first
        fade = prev_end - first if i else 0
        overlapping = i and clip.transition.type != "cut"
        if frames < 1 or (overlapping and not 1 <= fade <= min(frames, plans[-1].frames)):
            raise TimelineError(f"Clip '{clip.display_name}' is too short for its {clip.transition.describe()} "
                                f"at {fps} fps.")
        plans.append(ClipPlan(
            index=i,
            source_path=src,
            has_audio=has_audio,
            seek=clip.in_point,
            frames=frames,
            samples=sample_of(last) - sample_of(first),
            fade_in_frames=fade if overlapping else 0,
            fade_in_samples=(sample_of(prev_end) - sample_of(first)) if overlapping else 0,
            transition=clip.transition.type if i else "cut",
            still=clip.still,
            width=width,
            height=height,
        ))
        prev_end = last
    return plans


def resolve_music(track: str, music_dir: Path, media_root: Path | None = None) -> Path:
    """The audio file of a music bed: a manifest track id, else a path relative to ``music_dir``, else a path
    relative to ``media_root`` (uploaded music)."""
    from .music import (  # lazy; music.py is light, but keep import order simple
        MusicLibraryError,
        find_track,
    )

    looks_like_path = "/" in track or "\\" in track or track.lower().endswith(AUDIO_EXTENSIONS)
    if not looks_like_path:
        try:
            return find_track(music_dir, track).path
        except MusicLibraryError as exc:
            raise TimelineError(str(exc)) from None
    for root in (music_dir, media_root):
        if root is None:
            continue
        candidate = _inside(Path(root), track)
        if candidate.is_file():
            return candidate
    raise TimelineError(f"The music file '{track}' was not found.")


def _check_options(fit: str, preset: str, crf: int) -> None:
    if fit not in ("letterbox", "crop"):
        raise TimelineError(f"Unknown fit '{fit}': use 'letterbox' or 'crop'.")
    if preset not in X264_PRESETS:
        raise TimelineError(f"Unknown x264 preset '{preset}'. Use one of: {', '.join(X264_PRESETS)}.")
    if not 0 <= int(crf) <= 51:
        raise TimelineError(f"CRF must be between 0 and 51, not {crf}.")


def encoding(quality: str, preset: str | None = None, crf: int | None = None) -> QualityPreset:
    """The quality preset, with the x264 speed preset and CRF overridden where given (benchmarks, previews)."""
    chosen = quality_preset(quality)
    if preset is not None or crf is not None:
        chosen = dataclasses.replace(chosen, preset=preset if preset is not None else chosen.preset,
                                     crf=int(crf) if crf is not None else chosen.crf)
    return chosen


def _totals(plans: list[ClipPlan]) -> tuple[int, int]:
    return (sum(p.frames - p.fade_in_frames for p in plans), sum(p.samples - p.fade_in_samples for p in plans))


def _music_input(edit: EditList, inputs: g.Inputs, music_dir: Path, media_root: Path) -> tuple[int | None, float]:
    if edit.music is None:
        return None, 0.0
    path = resolve_music(edit.music.track, Path(music_dir), Path(media_root))
    length = probe(path).duration
    loops, seconds = music_reading(edit, length)
    return inputs.add("-stream_loop", str(loops), "-t", g.num(seconds), "-i", str(path)), length


def music_reading(edit: EditList, track_length: float) -> tuple[int, float]:
    """(extra plays of the track, seconds to read) for the bed: its offset, then the timeline after the bed's
    entry, less a hair that the filter graph pads with silence. The music input ends by itself just before the
    bed does: ffmpeg 9 was seen to hang for ever (about one export in 70) at the end of an export whose music
    input was cut off by the graph while it still had audio to give (endlessly looped, or just longer)."""
    if edit.music is None:
        return 0, 0.0
    if track_length <= 0:
        raise TimelineError("The music file has no duration; choose another track.")
    offset = edit.music.start_offset % track_length
    seconds = max(0.05, offset + max(0.0, edit.duration - edit.music.start) - MUSIC_SHORT_SECONDS)
    return max(0, math.ceil(seconds / track_length) - 1), round(seconds, 3)


def _audio_output_args() -> list[str]:
    return ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(AUDIO_RATE), "-ac", "2"]


def build_command(
    edit: EditList,
    output_path: Path,
    media_root: Path,
    music_dir: Path,
    *,
    long_side: int = 1920,
    fit: Fit = "crop",
    quality: Quality = DEFAULT_QUALITY,
    preset: str | None = None,
    crf: int | None = None,
    work_dir: Path | None = None,
    plans: list[ClipPlan] | None = None,
) -> tuple[list[str], int]:
    """The ffmpeg argument list that renders ``edit`` to ``output_path`` through one filter graph, and the
    output frame count. Text overlays are drawn into PNGs in ``work_dir`` (required when there are overlays).
    ``quality`` picks the encoder settings (QUALITIES); ``preset`` and ``crf`` override its x264 ones."""
    from .overlays import place
    from .safe_areas import clip_subject_boxes

    settings = encoding(quality, preset, crf)
    _check_options(fit, settings.preset, settings.crf)
    width, height = output_size(edit.aspect_ratio, long_side)
    plans = plans if plans is not None else plan_clips(edit, Path(media_root))
    fps = edit.fps
    total_frames, total_samples = _totals(plans)
    inputs = g.Inputs()
    video_inputs = g.add_clip_inputs(inputs, plans, fps)
    music_input, music_length = _music_input(edit, inputs, Path(music_dir), Path(media_root))
    placed = []
    if edit.overlays:
        if work_dir is None:
            raise TimelineError("Rendering text overlays needs a work folder.")
        subjects: dict = {}  # each clip's subject box, found once for all the overlays
        for k, overlay in enumerate(edit.overlays):
            if overlay.start >= total_frames / fps:
                continue
            avoid = clip_subject_boxes(plans, fps, overlay.start, overlay.end, subjects) \
                if overlay.position == "auto" else ()
            item = place(overlay, width, height, Path(work_dir) / f"overlay-{k}.png", avoid)
            placed.append((inputs.add("-i", str(item.path)), item))
    graph: list[str] = []
    working = g.working_size(plans, width, height)
    vlast = g.video_graph(graph, plans, video_inputs, fps, working, fit)
    alast = g.audio_graph(graph, plans, video_inputs)
    vout = g.video_post(graph, edit, vlast, total_frames, working, (width, height), fit, placed,
                        bt709=settings.bt709)
    aout = g.audio_post(graph, edit, alast, total_samples, music_input, music_length,
                        any(p.has_audio for p in plans))
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *inputs.args,
            "-filter_complex", ";".join(graph),
            "-map", f"[{vout}]", "-map", f"[{aout}]",
            *settings.video_args(), "-pix_fmt", "yuv420p",
            "-r", str(fps), "-fps_mode", "cfr", "-frames:v", str(total_frames),
            *_audio_output_args(),
            "-movflags", "+faststart", "-f", "mp4",
            "-progress", "pipe:1", "-nostats",
            str(output_path)]
    return args, total_frames


def build_copy_command(
    edit: EditList,
    output_path: Path,
    media_root: Path,
    music_dir: Path,
    concat_file: Path,
    decision: streamcopy.CopyDecision,
    plans: list[ClipPlan],
) -> tuple[list[str], int]:
    """ffmpeg arguments for the stream-copy path: the video packets through the concat demuxer, the audio
    (clip audio, music) through a small filter graph and AAC."""
    concat_file.write_text(streamcopy.concat_list(decision.entries), encoding="utf-8")
    total_frames, total_samples = _totals(plans)
    inputs = g.Inputs()
    inputs.add("-f", "concat", "-safe", "0", "-i", str(concat_file))
    audio_inputs = g.add_clip_inputs(inputs, plans, edit.fps, video=False)
    music_input, music_length = _music_input(edit, inputs, Path(music_dir), Path(media_root))
    graph: list[str] = []
    alast = g.audio_graph(graph, plans, audio_inputs)
    aout = g.audio_post(graph, edit, alast, total_samples, music_input, music_length,
                        any(p.has_audio for p in plans))
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *inputs.args,
            "-filter_complex", ";".join(graph),
            "-map", "0:v:0", "-map", f"[{aout}]", "-c:v", "copy", *_audio_output_args(),
            "-movflags", "+faststart", "-f", "mp4", "-progress", "pipe:1", "-nostats",
            str(output_path)]
    return args, total_frames


# ---------------------------------------------------------------- export
def export(
    edit_list: EditList,
    output_path: str | os.PathLike[str],
    media_root: str | os.PathLike[str],
    music_dir: str | os.PathLike[str],
    *,
    long_side: int = 1920,
    fit: Fit = "crop",
    quality: Quality = DEFAULT_QUALITY,
    preset: str | None = None,
    crf: int | None = None,
    allow_copy: bool = True,
    progress: ProgressFn | None = None,
    stall_seconds: float = STALL_SECONDS,
) -> ExportResult:
    """Render the edit list to an MP4 at ``output_path`` (written atomically: a temp file, then os.replace).

    Paths in the edit list are relative to ``media_root``; music track ids are looked up in ``music_dir``.
    ``long_side`` names the size family by its 16:9 width (1920 = 1080p: 1920x1080, 1080x1920, 1080x1080);
    ``fit`` "crop" fills the frame, "letterbox" pads with black. veryfast is the natural preset on 2 cores
    (see shared/notes/performance.md). ``quality`` "draft" (the default) or "delivery" picks the encoder settings
    (QUALITIES); ``preset``/``crf`` override its x264 speed preset and CRF. With ``allow_copy``, pure cuts on
    keyframes of matching sources are stream-copied (see streamcopy.py) in draft quality only; the result's
    ``method`` says which path ran.

    ``progress(percent, step)`` is called as ffmpeg works; if it raises (e.g. JobCancelled) ffmpeg is killed,
    the partial file is removed and the exception propagates. Bad data raises TimelineError; an ffmpeg failure
    raises ExportError. An ffmpeg that stops making progress for ``stall_seconds`` is stopped and run once more
    (ExportStalled if it stalls again).
    """
    report = progress or (lambda percent, step: None)
    output_path = Path(output_path)
    report(0.0, "Preparing export")
    settings = encoding(quality, preset, crf)
    _check_options(fit, settings.preset, settings.crf)
    width, height = output_size(edit_list.aspect_ratio, long_side)
    plans = plan_clips(edit_list, Path(media_root))
    expected_frames = _totals(plans)[0]
    duration = expected_frames / edit_list.fps
    output_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = output_path.with_name(f".{output_path.stem}.{uuid.uuid4().hex[:8]}.part.mp4")
    if not settings.stream_copy:
        decision = streamcopy.CopyDecision(False, f"{settings.label} quality always encodes (High profile, "
                                                  "BT.709, the promised bitrate)")
    elif allow_copy:
        decision = streamcopy.decide(edit_list, plans, width, height)
    else:
        decision = streamcopy.CopyDecision(False, "stream copy not allowed")
    try:
        with tempfile.TemporaryDirectory(prefix="hfs-export-") as work:
            info = None
            method = "encode"
            if decision.ok:
                args, _ = build_copy_command(edit_list, tmp, Path(media_root), Path(music_dir),
                                             Path(work) / "clips.ffconcat", decision, plans)
                try:
                    run_ffmpeg_retrying(args, duration, report, "Joining clips (stream copy)", stall_seconds)
                    info = _checked(tmp, expected_frames)
                except ExportError:  # the demuxer refused something the checks missed: encode instead
                    tmp.unlink(missing_ok=True)
                    info = None
                method = "copy"
            if info is None:  # no copy, or the copy came out wrong: the filter graph, always exact
                args, _ = build_command(edit_list, tmp, Path(media_root), Path(music_dir), long_side=long_side,
                                        fit=fit, quality=settings.name, preset=settings.preset, crf=settings.crf,
                                        work_dir=Path(work), plans=plans)
                run_ffmpeg_retrying(args, duration, report, "Encoding video", stall_seconds)
                info = _checked(tmp, expected_frames, strict=False)
                method = "encode"
        report(100.0, "Export finished")
        os.replace(tmp, output_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if method == "copy":
        note = decision.reason
    elif decision.ok:
        note = "re-encoded: the stream copy was not frame-exact (B-frames around a cut)"
    else:
        note = f"re-encoded: {decision.reason}"
    return ExportResult(path=output_path, duration=info.duration, width=info.width, height=info.height,
                        fps=info.fps, frame_count=info.frame_count, method=method, note=note, quality=settings.name)


def _checked(path: Path, expected_frames: int, strict: bool = True) -> ProbeResult | None:
    """The probe of a finished file; None (strict) when its frame count is off by more than one frame."""
    if not path.is_file() or path.stat().st_size == 0:
        raise ExportError("ffmpeg finished but wrote no file.")
    info = probe(path)
    if strict and (not info.has_audio or abs(info.frame_count - expected_frames) > 1):
        path.unlink(missing_ok=True)
        return None
    return info
