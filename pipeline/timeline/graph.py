"""The ffmpeg ``-filter_complex`` graph for an edit list. Pure string building: the facts about the sources
(size, audio) come in as ClipPlans made by export.plan_clips.

Video, per clip i (input seeked accurately with ``-ss``/``-t`` before ``-i``; stills are looped images):
    settb=AVTB, fps=N, trim to exactly n_i frames [, fit to the working size], setsar=1, format=yuv420p
Clips joined by crossfades / fades through black form a run chained with ``xfade``; runs are joined by one
``concat`` (cuts). Then, once for the whole video: trim to the exact frame count, the colour grade, the fit to
the output size, the text overlays (PNG + ``overlay``), the global fades.

The working size is the sources' own size when they all share one (join at 720p, scale once at the end: the
cheapest order, see shared/notes/performance.md), else the output size.

Audio, per clip: resample to 48 kHz stereo, pad/trim to exactly the clip's samples (silent clips: anullsrc);
``acrossfade`` inside runs, ``concat`` between them; the music bed (offset, loop, volume, fades, delay,
optional ducking by ``sidechaincompress`` keyed on the clips' audio) mixed in with ``amix ... normalize=0``;
the global fades.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .edit_list import EditList
from .grades import grade_filter
from .overlays import PlacedOverlay, overlay_filters

AUDIO_RATE = 48000


@dataclass(frozen=True)
class ClipPlan:
    """Where one clip lands on the output frame and sample grid, and what its source is like."""

    index: int
    source_path: Path
    has_audio: bool
    seek: float  # source seconds to start reading at
    frames: int  # video frames this clip contributes (including its transition overlaps)
    samples: int  # audio samples, likewise
    fade_in_frames: int  # overlap with the previous clip (0 for the first clip or a cut)
    fade_in_samples: int
    transition: str = "cut"  # into this clip
    still: bool = False
    width: int = 0
    height: int = 0


@dataclass
class Inputs:
    """ffmpeg input arguments, handing out input indexes."""

    args: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, *args: str) -> int:
        self.args += list(args)
        self.count += 1
        return self.count - 1


def num(x: float) -> str:
    """A number for a filter argument: plain decimal, enough digits for microsecond accuracy."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def fit_filter(width: int, height: int, fit: str) -> str:
    if fit == "crop":
        return f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height}"
    return (f"scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black")


def working_size(plans: list[ClipPlan], width: int, height: int) -> tuple[int, int]:
    sizes = {(p.width, p.height) for p in plans}
    if len(sizes) == 1:
        w, h = sizes.pop()
        if w > 0 and h > 0 and w % 2 == 0 and h % 2 == 0:
            return w, h
    return width, height


def runs(plans: list[ClipPlan]) -> list[list[ClipPlan]]:
    """Consecutive clips joined by overlapping transitions; a cut starts a new run."""
    out: list[list[ClipPlan]] = []
    for p in plans:
        if p.fade_in_frames == 0 or not out:
            out.append([p])
        else:
            out[-1].append(p)
    return out


def add_clip_inputs(inputs: Inputs, plans: list[ClipPlan], fps: int, *, video: bool = True) -> dict[int, int]:
    """Input index per clip index (for audio-only graphs, only clips with audio get an input)."""
    index: dict[int, int] = {}
    for p in plans:
        if not video and not p.has_audio:
            continue
        read = (p.frames + 2) / fps  # a little past the clip so rounding never starves it
        if p.still:
            index[p.index] = inputs.add("-loop", "1", "-framerate", str(fps), "-t", num(read), "-i",
                                        str(p.source_path))
            continue
        args = ["-ss", num(p.seek)] if p.seek > 0 else []
        index[p.index] = inputs.add(*args, "-t", num(read), "-i", str(p.source_path))
    return index


def video_graph(graph: list[str], plans: list[ClipPlan], inputs_of: dict[int, int], fps: int,
                working: tuple[int, int], fit: str) -> str:
    """Per-clip video chains and their joins; returns the label of the joined video."""
    ww, wh = working
    for p in plans:
        fit_part = "" if (p.width, p.height) == working else fit_filter(ww, wh, fit) + ","
        graph.append(
            f"[{inputs_of[p.index]}:v:0]settb=AVTB,fps={fps},tpad=stop_mode=clone:stop={fps},"
            f"trim=end_frame={p.frames},setpts=PTS-STARTPTS,{fit_part}setsar=1,format=yuv420p[v{p.index}]"
        )
    labels = []
    for r in runs(plans):
        last = f"v{r[0].index}"
        acc = r[0].frames
        for p in r[1:]:
            kind = "fadeblack" if p.transition == "fade_black" else "fade"
            offset = (acc - p.fade_in_frames) / fps
            graph.append(f"[{last}][v{p.index}]xfade=transition={kind}:duration={num(p.fade_in_frames / fps)}:"
                         f"offset={num(offset)}[vx{p.index}]")
            last = f"vx{p.index}"
            acc += p.frames - p.fade_in_frames
        labels.append(last)
    return labels[0] if len(labels) == 1 else _concat(graph, labels, "v")


def audio_graph(graph: list[str], plans: list[ClipPlan], inputs_of: dict[int, int]) -> str:
    """Per-clip audio chains and their joins; returns the label of the joined audio."""
    fmt = f"aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    for p in plans:
        if p.has_audio:
            graph.append(f"[{inputs_of[p.index]}:a:0]{fmt},apad,atrim=end_sample={p.samples},"
                         f"asetpts=PTS-STARTPTS[a{p.index}]")
        else:
            graph.append(f"anullsrc=r={AUDIO_RATE}:cl=stereo,aformat=sample_fmts=fltp:channel_layouts=stereo,"
                         f"atrim=end_sample={p.samples},asetpts=PTS-STARTPTS[a{p.index}]")
    labels = []
    for r in runs(plans):
        last = f"a{r[0].index}"
        for p in r[1:]:
            graph.append(f"[{last}][a{p.index}]acrossfade=ns={p.fade_in_samples}:c1=tri:c2=tri[ax{p.index}]")
            last = f"ax{p.index}"
        labels.append(last)
    return labels[0] if len(labels) == 1 else _concat(graph, labels, "a")


def _concat(graph: list[str], labels: list[str], kind: str) -> str:
    pads = "".join(f"[{label}]" for label in labels)
    v, a = (1, 0) if kind == "v" else (0, 1)
    graph.append(f"{pads}concat=n={len(labels)}:v={v}:a={a}[{kind}cat]")
    return f"{kind}cat"


def global_fades(edit: EditList, duration: float) -> tuple[float, float]:
    """The global fade in/out, shrunk proportionally when together they are longer than the video."""
    fade_in, fade_out = edit.fade_in, edit.fade_out
    if fade_in + fade_out > duration > 0:
        scale = duration / (fade_in + fade_out)
        fade_in, fade_out = fade_in * scale, fade_out * scale
    return fade_in, fade_out


def video_post(graph: list[str], edit: EditList, vlast: str, total_frames: int, working: tuple[int, int],
               size: tuple[int, int], fit: str, overlays: list[tuple[int, PlacedOverlay]], *,
               bt709: bool = False) -> str:
    """Exact length, grade, fit to the output size, overlays, global fades; returns the output label.
    ``bt709`` converts the picture to BT.709 limited range for the tags a delivery export writes (untagged
    sources, as PyAV and the engines write them, are BT.601 by swscale's convention; tagged ones convert from
    their own matrix; BT.709 sources pass unchanged)."""
    fps = edit.fps
    steps = [f"trim=end_frame={total_frames}", "setpts=PTS-STARTPTS"]
    grade = grade_filter(edit.grade)
    if grade:
        steps.append(grade)
    if working != size:
        steps.append(fit_filter(*size, fit))
        steps.append("setsar=1")
    graph.append(f"[{vlast}]{','.join(steps)}[vpost]")
    last = "vpost"
    duration = total_frames / fps
    for k, (input_index, placed) in enumerate(overlays):
        entries = overlay_filters(placed, input_index, last, f"vo{k}", fps, duration, f"ovl{k}")
        if entries:
            graph += entries
            last = f"vo{k}"
    fade_in, fade_out = global_fades(edit, duration)
    tail = []
    if fade_in > 0:
        tail.append(f"fade=t=in:st=0:d={num(fade_in)}")
    if fade_out > 0:
        tail.append(f"fade=t=out:st={num(duration - fade_out)}:d={num(fade_out)}")
    if bt709:
        tail.append("scale=out_color_matrix=bt709:out_range=tv")
    tail.append("format=yuv420p")
    if bt709:  # the frames' tags: ffmpeg 9 takes them over the encoder options, and scale sets only the matrix
        tail.append("setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709")
    graph.append(f"[{last}]{','.join(tail)}[vout]")
    return "vout"


def audio_post(graph: list[str], edit: EditList, alast: str, total_samples: int, music_input: int | None,
               music_length: float, any_clip_audio: bool) -> str:
    """Exact length, music bed (with ducking), global fades; returns the output label."""
    graph.append(f"[{alast}]atrim=end_sample={total_samples},asetpts=PTS-STARTPTS[apre]")
    last = "apre"
    music = edit.music
    delay_samples = round(music.start * AUDIO_RATE) if music is not None else 0
    if music is not None and music_input is not None and delay_samples < total_samples:
        length = total_samples - delay_samples
        offset = music.start_offset % music_length if music_length > 0 else 0.0
        first = round(offset * AUDIO_RATE)
        seconds = length / AUDIO_RATE
        chain = (f"[{music_input}:a:0]aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
                 f"atrim=start_sample={first},asetpts=PTS-STARTPTS,apad=whole_len={length},atrim=end_sample={length},"
                 f"volume={num(music.volume)}")
        fade_in = min(music.fade_in, seconds)
        fade_out = min(music.fade_out, seconds)
        if fade_in > 0:
            chain += f",afade=t=in:st=0:d={num(fade_in)}"
        if fade_out > 0:
            chain += f",afade=t=out:st={num(seconds - fade_out)}:d={num(fade_out)}"
        if delay_samples > 0:
            chain += f",adelay=delays={delay_samples}S:all=1"
        graph.append(chain + "[mus]")
        bed = "mus"
        if music.ducking > 0 and any_clip_audio:
            ratio = 1 + 19 * music.ducking
            graph.append(f"[{last}]asplit=2[adry][akey]")
            graph.append(f"[mus][akey]sidechaincompress=threshold=0.015:ratio={num(ratio)}:attack=15:release=350"
                         f"[mduck]")
            last, bed = "adry", "mduck"
        graph.append(f"[{last}][{bed}]amix=inputs=2:duration=first:normalize=0[amix]")
        last = "amix"
    duration = total_samples / AUDIO_RATE
    fade_in, fade_out = global_fades(edit, duration)
    tail = []
    if fade_in > 0:
        tail.append(f"afade=t=in:st=0:d={num(fade_in)}")
    if fade_out > 0:
        tail.append(f"afade=t=out:st={num(duration - fade_out)}:d={num(fade_out)}")
    if tail:
        graph.append(f"[{last}]{','.join(tail)}[aout]")
        return "aout"
    return last
