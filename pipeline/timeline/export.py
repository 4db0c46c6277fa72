"""Render an EditList to an MP4 with ONE ffmpeg ``-filter_complex`` command (see shared/notes/performance.md:
about 6x faster than compositing in moviepy; x264 is most of the cost).

Graph, per clip i (input seeked accurately with ``-ss``/``-t`` before ``-i``):
    [i:v] settb=AVTB, fps=N, trim to exactly n_i frames, scale+crop (or scale+pad), setsar=1, format=yuv420p
    [i:a] resample to 48 kHz stereo, pad/trim to exactly the clip's samples   (clips with no audio: anullsrc)
then ``concat`` (hard cuts) or chained ``xfade`` + ``acrossfade`` (crossfades), then the music bed
(looped, trimmed, volume, fade-out) mixed in with ``amix ... normalize=0``. Output: H.264 yuv420p + AAC 192k,
``+faststart``, exactly round(duration x fps) frames.

Frame accounting: clip boundaries are placed on the frame grid by rounding their exact timeline times, so the
output has round(edit.duration x fps) frames however many clips there are (never drifting by a frame per clip).
"""
from __future__ import annotations

import math
import os
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .edit_list import ASPECT_RATIOS, EditList, TimelineError, fmt_seconds

ProgressFn = Callable[[float, str], None]  # progress(percent 0-100, step text); may raise to cancel
Fit = Literal["letterbox", "crop"]
AUDIO_RATE = 48000
AUDIO_BITRATE = "192k"
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
AUDIO_EXTENSIONS = (".m4a", ".aac", ".mp3", ".wav", ".flac", ".ogg", ".opus")


class ExportError(RuntimeError):
    """ffmpeg failed. The message ends with the tail of ffmpeg's error output."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    duration: float  # seconds, as probed from the written file
    width: int
    height: int
    fps: float
    frame_count: int


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


@dataclass(frozen=True)
class ClipPlan:
    """Where one clip lands on the output frame grid."""

    index: int
    source_path: Path
    has_audio: bool
    seek: float  # source seconds to start reading at
    frames: int  # video frames this clip contributes (including its crossfade overlaps)
    samples: int  # audio samples, likewise
    fade_in_frames: int  # overlap with the previous clip (0 for the first clip or a hard cut)
    fade_in_samples: int


# ---------------------------------------------------------------- small helpers
def ffmpeg_exe() -> str:
    """Path to the ffmpeg binary (the static one shipped by imageio-ffmpeg; IMAGEIO_FFMPEG_EXE overrides)."""
    import imageio_ffmpeg  # lazy: nothing heavy at import time

    return imageio_ffmpeg.get_ffmpeg_exe()


def output_size(aspect_ratio: str, long_side: int = 1920) -> tuple[int, int]:
    """(width, height) for an aspect ratio, both even (yuv420p needs it).

    ``long_side`` names the resolution family by its 16:9 width: 1920 is "1080p" and gives 1920x1080 (16:9),
    1080x1920 (9:16) and 1080x1080 (1:1, the family's short side, as social platforms expect)."""
    if aspect_ratio not in ASPECT_RATIOS:
        raise TimelineError(f"Unknown aspect ratio '{aspect_ratio}'. Use one of: {', '.join(ASPECT_RATIOS)}.")
    if long_side < 16:
        raise TimelineError(f"The output long side must be at least 16 pixels, not {long_side}.")
    long_ = long_side - long_side % 2
    short = 2 * round(long_ * 9 / 16 / 2)
    a, b = ASPECT_RATIOS[aspect_ratio]
    if a == b:
        return short, short
    short = 2 * round(long_ * min(a, b) / max(a, b) / 2)
    return (long_, short) if a > b else (short, long_)


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5 + 1e-9)


def _num(x: float) -> str:
    """A number for a filter argument: plain decimal, enough digits for microsecond accuracy."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text or "0"


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
        info = probe(src)
        if not info.has_video:
            raise TimelineError(f"Clip '{clip.display_name}': '{clip.source}' has no video stream.")
        first, last = frame_of(start), frame_of(start + clip.length)
        frames = last - first
        fade = prev_end - first if i else 0
        if frames < 1 or (edit.crossfade > 0 and i and not 1 <= fade <= min(frames, plans[-1].frames)):
            raise TimelineError(f"Clip '{clip.display_name}' is too short for a {fmt_seconds(edit.crossfade)} "
                                f"crossfade at {fps} fps.")
        plans.append(ClipPlan(
            index=i,
            source_path=src,
            has_audio=info.has_audio,
            seek=clip.in_point,
            frames=frames,
            samples=sample_of(last) - sample_of(first),
            fade_in_frames=fade,
            fade_in_samples=(sample_of(prev_end) - sample_of(first)) if i else 0,
        ))
        prev_end = last
    return plans


def resolve_music(track: str, music_dir: Path, media_root: Path | None = None) -> Path:
    """The audio file of a music bed: a manifest track id, else a path relative to ``music_dir``, else a path
    relative to ``media_root`` (uploaded music)."""
    from .music import MusicLibraryError, find_track  # lazy; music.py is light, but keep import order simple

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


def build_command(
    edit: EditList,
    output_path: Path,
    media_root: Path,
    music_dir: Path,
    *,
    long_side: int = 1920,
    fit: Fit = "crop",
    preset: str = "veryfast",
    crf: int = 23,
) -> tuple[list[str], int]:
    """The ffmpeg argument list that renders ``edit`` to ``output_path``, and the output frame count."""
    if fit not in ("letterbox", "crop"):
        raise TimelineError(f"Unknown fit '{fit}': use 'letterbox' or 'crop'.")
    if preset not in X264_PRESETS:
        raise TimelineError(f"Unknown x264 preset '{preset}'. Use one of: {', '.join(X264_PRESETS)}.")
    if not 0 <= int(crf) <= 51:
        raise TimelineError(f"CRF must be between 0 and 51, not {crf}.")
    width, height = output_size(edit.aspect_ratio, long_side)
    plans = plan_clips(edit, Path(media_root))
    fps = edit.fps
    total_frames = sum(p.frames - p.fade_in_frames for p in plans)
    total_samples = sum(p.samples - p.fade_in_samples for p in plans)

    args: list[str] = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    if fit == "crop":
        fit_filter = f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height}"
    else:
        fit_filter = (f"scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
                      f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black")
    graph: list[str] = []
    for p in plans:
        # read a little past the clip so rounding never starves it (tpad clones the last frame if the source
        # is shorter than it claims); trim then makes it exact, before any scaling work is spent
        read = (p.frames + 2) / fps
        if p.seek > 0:
            args += ["-ss", _num(p.seek)]
        args += ["-t", _num(read), "-i", str(p.source_path)]
        i = p.index
        graph.append(
            f"[{i}:v:0]settb=AVTB,fps={fps},tpad=stop_mode=clone:stop={fps},trim=end_frame={p.frames},"
            f"setpts=PTS-STARTPTS,{fit_filter},setsar=1,format=yuv420p[v{i}]"
        )
        if p.has_audio:
            graph.append(
                f"[{i}:a:0]aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
                f"apad,atrim=end_sample={p.samples},asetpts=PTS-STARTPTS[a{i}]"
            )
        else:
            graph.append(
                f"anullsrc=r={AUDIO_RATE}:cl=stereo,aformat=sample_fmts=fltp:channel_layouts=stereo,"
                f"atrim=end_sample={p.samples},asetpts=PTS-STARTPTS[a{i}]"
            )

    n = len(plans)
    if n == 1:
        vlast, alast = "v0", "a0"
    elif edit.crossfade <= 0:
        pads = "".join(f"[v{i}][a{i}]" for i in range(n))
        graph.append(f"{pads}concat=n={n}:v=1:a=1[vcat][acat]")
        vlast, alast = "vcat", "acat"
    else:
        vlast, alast = "v0", "a0"
        acc = plans[0].frames  # frames in the chain so far
        for p in plans[1:]:
            i = p.index
            offset = (acc - p.fade_in_frames) / fps
            graph.append(f"[{vlast}][v{i}]xfade=transition=fade:duration={_num(p.fade_in_frames / fps)}:"
                         f"offset={_num(offset)}[vx{i}]")
            graph.append(f"[{alast}][a{i}]acrossfade=ns={p.fade_in_samples}:c1=tri:c2=tri[ax{i}]")
            vlast, alast = f"vx{i}", f"ax{i}"
            acc += p.frames - p.fade_in_frames

    if edit.music is not None:
        music_path = resolve_music(edit.music.track, Path(music_dir), Path(media_root))
        m = n
        args += ["-stream_loop", "-1", "-i", str(music_path)]
        duration = total_samples / AUDIO_RATE
        fade = min(edit.music.fade_out, duration)
        fade_filter = (f",afade=t=out:st={_num(duration - fade)}:d={_num(fade)}" if fade > 0 else "")
        graph.append(
            f"[{m}:a:0]aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
            f"atrim=end_sample={total_samples},asetpts=PTS-STARTPTS,volume={_num(edit.music.volume)}"
            f"{fade_filter}[mus]"
        )
        graph.append(f"[{alast}][mus]amix=inputs=2:duration=first:normalize=0[amix]")
        alast = "amix"

    graph.append(f"[{vlast}]trim=end_frame={total_frames},setpts=PTS-STARTPTS[vout]")
    graph.append(f"[{alast}]atrim=end_sample={total_samples},asetpts=PTS-STARTPTS[aout]")
    args += [
        "-filter_complex", ";".join(graph),
        "-map", "[vout]", "-map", "[aout]",
        "-c:v", "libx264", "-preset", preset, "-crf", str(int(crf)), "-pix_fmt", "yuv420p",
        "-r", str(fps), "-fps_mode", "cfr", "-frames:v", str(total_frames),
        "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(AUDIO_RATE), "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4",
        "-progress", "pipe:1", "-nostats",
        str(output_path),
    ]
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
    preset: str = "veryfast",
    crf: int = 23,
    progress: ProgressFn | None = None,
) -> ExportResult:
    """Render the edit list to an MP4 at ``output_path`` (written atomically: a temp file, then os.replace).

    Paths in the edit list are relative to ``media_root``; music track ids are looked up in ``music_dir``.
    ``long_side`` names the size family by its 16:9 width (1920 = 1080p: 1920x1080, 1080x1920, 1080x1080);
    ``fit`` "crop" fills the frame, "letterbox" pads with black. veryfast is the natural preset on 2 cores
    (see shared/notes/performance.md).

    ``progress(percent, step)`` is called as ffmpeg works; if it raises (e.g. JobCancelled) ffmpeg is killed,
    the partial file is removed and the exception propagates. Bad data raises TimelineError; an ffmpeg failure
    raises ExportError.
    """
    report = progress or (lambda percent, step: None)
    output_path = Path(output_path)
    report(0.0, "Preparing export")
    output_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = output_path.with_name(f".{output_path.stem}.{uuid.uuid4().hex[:8]}.part.mp4")
    args, total_frames = build_command(
        edit_list, tmp, Path(media_root), Path(music_dir),
        long_side=long_side, fit=fit, preset=preset, crf=crf,
    )
    duration = total_frames / edit_list.fps
    proc: subprocess.Popen[str] | None = None
    with tempfile.TemporaryFile() as errlog:
        try:
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errlog, stdin=subprocess.DEVNULL,
                                    text=True, bufsize=1)
            assert proc.stdout is not None
            last = -1.0
            for line in proc.stdout:
                key, _, value = line.strip().partition("=")
                if key == "out_time_us" and value.isdigit():
                    percent = min(99.0, int(value) / 1e6 / max(duration, 1e-6) * 99.0)
                    if percent > last:
                        last = percent
                        report(percent, "Encoding video")
                elif key == "progress" and value == "end":
                    report(99.0, "Finishing")
            code = proc.wait()
            if code != 0:
                errlog.seek(0)
                tail = errlog.read()[-3000:].decode("utf-8", "replace").strip()
                raise ExportError(f"ffmpeg failed (exit code {code}) while exporting the timeline: {tail}")
            if not tmp.is_file() or tmp.stat().st_size == 0:
                raise ExportError("ffmpeg finished but wrote no file.")
            info = probe(tmp)
            report(100.0, "Export finished")
            os.replace(tmp, output_path)
        except BaseException:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
            tmp.unlink(missing_ok=True)
            raise
        finally:
            if proc is not None and proc.stdout is not None:
                proc.stdout.close()
    return ExportResult(
        path=output_path,
        duration=info.duration,
        width=info.width,
        height=info.height,
        fps=info.fps,
        frame_count=info.frame_count,
    )
