"""Timeline export speed against ffmpeg itself, measured in the same run.

    .venv/bin/python benchmarks/export.py            # from the repo root (about 2–3 minutes on 2 cores)
    .venv/bin/python benchmarks/export.py --runs 5 --json out.json

1. The reference edit (shared/notes/performance.md): three 5 s 1280x720 24 fps H.264 clips with AAC audio,
   each trimmed to 4 s, joined with 0.5 s crossfades (video and audio), the "velvet-hour" music bed at 30 %
   with a 2 s fade-out, scaled to 1920x1080, libx264 veryfast CRF 23 + AAC 192k: 11.0 s, 264 frames.
   Timed: the project's export (``pipeline.timeline.export.export``, edit list -> MP4, probing included)
   against ONE hand-written ffmpeg command doing the same work. Target: ratio <= 1.15.
2. A cut-only edit: three whole 5 s 1920x1080 clips encoded alike, hard cuts, no effects. Timed: the export
   by stream copy (the default for such an edit) against the same export forced to re-encode
   (``allow_copy=False``). Target: copy >= 20x faster.
3. Export quality: draft (the default, veryfast CRF 23) against delivery (medium CRF 18, 12M cap, High
   profile, BT.709): wall and CPU time, file size and video bitrate of each, on the reference edit (synthetic
   test patterns: far more detail than real footage, the worst case) and on generated footage (three 4.5 s
   720p clips of the local previz + camera-motion engines, the app's own offline output, same crossfades and
   music). No target: the figures say what delivery costs. ``--quality-only`` runs just this part.

Runs alternate (hand, project, hand, project, ...) so load changes on a shared machine hit both. Reported:
the median and the best of N wall times, and the median process CPU seconds (this process + its ffmpeg
children), which do not depend on the load. The ratio target is judged on the CPU ratio and the best-run
ratio (on an idle machine all three agree; on a busy shared one a median of wall times swings by seconds).
Every output is checked (codecs, size, frame count) before it counts.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipeline.timeline import EditList, add_clip, probe, set_crossfade, set_music  # noqa: E402
from pipeline.timeline.export import export, ffmpeg_exe  # noqa: E402

MUSIC_DIR = REPO / "assets" / "music"
TRACK = "velvet-hour"
SOURCES = ("testsrc2", "mandelbrot", "life=ratio=0.5:mold=10:life_color=#c08040:death_color=#203040")
RATIO_TARGET, COPY_TARGET = 1.15, 20.0


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn) -> tuple[float, float]:
    t, c = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - t, _cpu() - c


def make_sources(folder: Path, size: str, audio: bool, prefix: str) -> list[Path]:
    """Three 5 s 24 fps clips with moving, textured content (x264 has real work), optionally with a tone."""
    paths = []
    for i, source in enumerate(SOURCES):
        path = folder / f"{prefix}{i}.mp4"
        spec = f"{source}:size={size}:rate=24" if "=" in source else f"{source}=size={size}:rate=24"
        args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", spec]
        if audio:
            args += ["-f", "lavfi", "-i", f"sine=frequency={220 * (i + 2)}:sample_rate=48000"]
        args += ["-t", "5", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
        if audio:
            args += ["-c:a", "aac", "-b:a", "128k", "-ac", "2"]
        subprocess.run(args + [str(path)], check=True)
        paths.append(path)
    return paths


def hand_command(clips: list[Path], music: Path, out: Path) -> list[str]:
    """What a person would type for the reference edit: one filter graph, nothing else."""
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    for clip in clips:
        args += ["-ss", "0.5", "-t", "4", "-i", str(clip)]
    args += ["-stream_loop", "-1", "-i", str(music)]
    graph = ";".join([
        *(f"[{i}:v]settb=AVTB,fps=24,format=yuv420p[v{i}]" for i in range(3)),
        "[v0][v1]xfade=transition=fade:duration=0.5:offset=3.5[x1]",
        "[x1][v2]xfade=transition=fade:duration=0.5:offset=7[x2]",
        "[x2]scale=1920:1080,setsar=1[vout]",
        "[0:a][1:a]acrossfade=d=0.5[a01]",
        "[a01][2:a]acrossfade=d=0.5[a012]",
        "[3:a]atrim=0:11,asetpts=PTS-STARTPTS,volume=0.3,afade=t=out:st=9:d=2[m]",
        "[a012][m]amix=inputs=2:duration=first:normalize=0[aout]",
    ])
    return args + ["-filter_complex", graph, "-map", "[vout]", "-map", "[aout]", "-c:v", "libx264",
                   "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-frames:v", "264",
                   "-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart", str(out)]


def check(path: Path, size: tuple[int, int], frames: int) -> None:
    info = probe(path)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac"), info
    assert (info.width, info.height) == size, info
    assert abs(info.frame_count - frames) <= 1, (path, info.frame_count, frames)


def summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    return {"wall_median": statistics.median(s[0] for s in samples),
            "wall_best": min(s[0] for s in samples),
            "cpu_median": statistics.median(s[1] for s in samples),
            "wall_all": [round(s[0], 3) for s in samples]}


def reference_edit(clips: list[Path]) -> EditList:
    edit = EditList(fps=24)
    for clip in clips:
        edit = add_clip(edit, clip.name, 5.0, in_point=0.5, out_point=4.5)
    edit = set_music(set_crossfade(edit, 0.5), TRACK, volume=0.3, fade_out=2.0)
    assert abs(edit.duration - 11.0) < 1e-9
    return edit


def generated_edit(folder: Path) -> EditList:
    """Three clips as the offline engines make them (previz hero frame, then a camera move), with the reference
    edit's crossfades and music: the bitrate a user's own footage needs."""
    from pipeline.engines.interfaces import FrameRequest, VideoRequest
    from pipeline.engines.local_motion import LocalCameraMotionEngine
    from pipeline.engines.local_previz import LocalPrevizRenderer

    prompts = [("a perfume bottle on wet black stone, soft rim light", "slow push in"),
               ("a ceramic teapot on linen, window light", "slow pan left"),
               ("a red sneaker on a concrete plinth, neon city", "orbit right")]
    edit = EditList(fps=24)
    for i, (prompt, motion) in enumerate(prompts):
        frame = LocalPrevizRenderer().render(FrameRequest(prompt, "16:9", seed=i, long_side=1280))
        frame.image.save(folder / f"gen{i}.png")
        LocalCameraMotionEngine().animate(VideoRequest(folder / f"gen{i}.png", motion, seed=i, duration=4.5),
                                          folder / f"gen{i}.mp4")
        edit = add_clip(edit, f"gen{i}.mp4", 4.5, in_point=0.0, out_point=4.0)
    return set_music(set_crossfade(edit, 0.5), TRACK, volume=0.3, fade_out=2.0)


def video_bitrate(path: Path) -> float:
    """Mb/s of the video stream: its packet bytes over its duration."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        size = sum(packet.size for packet in container.demux(stream))
    return size * 8 / probe(path).duration / 1e6


def quality_runs(edit: EditList, root: Path, runs: int) -> dict[str, dict]:
    """Draft and delivery exports of ``edit``, alternating; wall/CPU summary, file size and bitrate of each."""
    samples: dict[str, list] = {"draft": [], "delivery": []}
    for run in range(runs):
        for quality in samples:
            out = root / f"{quality}.mp4"
            samples[quality].append(timed(lambda: export(edit, out, root, MUSIC_DIR, quality=quality)))
            check(out, (1920, 1080), 264)
        print(f"  quality run {run + 1}: draft {samples['draft'][-1][0]:.2f} s, delivery "
              f"{samples['delivery'][-1][0]:.2f} s (load {os.getloadavg()[0]:.1f})", flush=True)
    return {q: {**summary(s), "bytes": (root / f"{q}.mp4").stat().st_size,
                "video_mbps": round(video_bitrate(root / f"{q}.mp4"), 2)} for q, s in samples.items()}


def print_quality(figures: dict[str, dict], runs: int, load: tuple[float, float], what: str) -> None:
    print(f"Export quality, {what} (11.0 s, 1080p), {runs} runs (load average {load[0]:.1f} -> {load[1]:.1f}):")
    for quality, f in figures.items():
        print(f"  {quality:<8}: median {f['wall_median']:6.2f} s  best {f['wall_best']:6.2f} s  "
              f"CPU {f['cpu_median']:6.2f} s  {f['bytes'] / 1e6:5.2f} MB  video {f['video_mbps']:5.2f} Mb/s")
    d, v = figures["draft"], figures["delivery"]
    print(f"  delivery / draft: time {v['wall_median'] / d['wall_median']:.2f}x wall, "
          f"{v['cpu_median'] / d['cpu_median']:.2f}x CPU; size {v['bytes'] / d['bytes']:.2f}x")


def quality_main(runs: int, json_path: Path | None) -> int:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="hfs-bench-") as tmp:
        root = Path(tmp)
        print(f"Making sources in {root} (load average {load:.1f}, {os.cpu_count()} CPUs)…", flush=True)
        figures = quality_runs(reference_edit(make_sources(root, "1280x720", audio=True, prefix="ref")), root, runs)
        middle = os.getloadavg()[0]
        generated = quality_runs(generated_edit(root), root, runs)
    loads = (load, middle, os.getloadavg()[0])
    print()
    print_quality(figures, runs, loads[:2], "reference edit, synthetic patterns")
    print_quality(generated, runs, loads[1:], "generated footage")
    if json_path:
        json_path.write_text(json.dumps({"load_average": list(loads), "runs": runs, "quality": figures,
                                         "quality_generated": generated}, indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--quality-only", action="store_true", help="only time draft against delivery")
    args = parser.parse_args()
    if args.quality_only:
        return quality_main(args.runs, args.json)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="hfs-bench-") as tmp:
        root = Path(tmp)
        print(f"Making sources in {root} (load average {load:.1f}, {os.cpu_count()} CPUs)…", flush=True)
        clips = make_sources(root, "1280x720", audio=True, prefix="ref")
        full = make_sources(root, "1920x1080", audio=False, prefix="full")

        edit = reference_edit(clips)
        from pipeline.timeline.music import find_track

        music = find_track(MUSIC_DIR, TRACK).path
        hand_out, ours_out = root / "hand.mp4", root / "ours.mp4"
        hand, ours = [], []
        for run in range(args.runs):
            hand.append(timed(lambda: subprocess.run(hand_command(clips, music, hand_out), check=True)))
            check(hand_out, (1920, 1080), 264)
            ours.append(timed(lambda: export(edit, ours_out, root, MUSIC_DIR, preset="veryfast", crf=23)))
            check(ours_out, (1920, 1080), 264)
            print(f"  reference run {run + 1}: ffmpeg command {hand[-1][0]:.2f} s, project export "
                  f"{ours[-1][0]:.2f} s", flush=True)

        cuts = EditList(fps=24)
        for clip in full:
            cuts = add_clip(cuts, clip.name, 5.0)
        copy_out, encode_out = root / "copy.mp4", root / "encode.mp4"
        copies, encodes = [], []
        for run in range(args.runs):
            encodes.append(timed(lambda: export(cuts, encode_out, root, MUSIC_DIR, allow_copy=False)))
            check(encode_out, (1920, 1080), 360)
            result = {}
            copies.append(timed(lambda: result.update(r=export(cuts, copy_out, root, MUSIC_DIR))))
            assert result["r"].method == "copy", result["r"].note
            check(copy_out, (1920, 1080), 360)
            print(f"  cut-only run {run + 1}: re-encode {encodes[-1][0]:.2f} s, stream copy "
                  f"{copies[-1][0]:.3f} s", flush=True)
        qualities = quality_runs(edit, root, args.runs)

    h, o, c, e = summary(hand), summary(ours), summary(copies), summary(encodes)
    ratio = o["wall_median"] / h["wall_median"]
    best_ratio = o["wall_best"] / h["wall_best"]
    cpu_ratio = o["cpu_median"] / h["cpu_median"]
    speedup = e["wall_median"] / c["wall_median"]
    cpu_speedup = e["cpu_median"] / c["cpu_median"]
    # On an idle machine the three ratios agree. On a shared one, wall medians swing with the neighbours' load
    # (whole seconds either way): the target is judged on the load-independent CPU ratio and the best run.
    ratio_ok = cpu_ratio <= RATIO_TARGET and best_ratio <= RATIO_TARGET
    load_end = os.getloadavg()[0]
    print()
    print(f"Reference edit (11.0 s, 1080p, veryfast), {args.runs} runs (load average {load:.1f} -> {load_end:.1f}):")
    print(f"  one hand-written ffmpeg command : median {h['wall_median']:6.2f} s  best {h['wall_best']:6.2f} s  "
          f"CPU {h['cpu_median']:6.2f} s")
    print(f"  project export (edit list)      : median {o['wall_median']:6.2f} s  best {o['wall_best']:6.2f} s  "
          f"CPU {o['cpu_median']:6.2f} s")
    print(f"  ratio                           : median {ratio:6.3f}    best {best_ratio:6.3f}    CPU {cpu_ratio:6.3f}"
          f"   (target <= {RATIO_TARGET}) {'OK' if ratio_ok else 'MISSED'}")
    print(f"Cut-only edit (3 whole 5 s 1080p clips), {args.runs} runs:")
    print(f"  re-encode (veryfast)            : median {e['wall_median']:6.2f} s  CPU {e['cpu_median']:6.2f} s")
    print(f"  stream copy                     : median {c['wall_median']:6.3f} s  CPU {c['cpu_median']:6.3f} s")
    print(f"  speed-up                        : {speedup:6.1f}x wall  {cpu_speedup:6.1f}x CPU   "
          f"(target >= {COPY_TARGET:g}x) {'OK' if speedup >= COPY_TARGET else 'MISSED'}")
    print_quality(qualities, args.runs, (load, load_end), "reference edit, synthetic patterns")
    if args.json:
        args.json.write_text(json.dumps({"load_average": [load, load_end], "runs": args.runs, "hand": h,
                                         "project": o, "ratio": ratio, "best_ratio": best_ratio,
                                         "cpu_ratio": cpu_ratio, "reencode": e, "copy": c,
                                         "copy_speedup": speedup, "copy_cpu_speedup": cpu_speedup,
                                         "quality": qualities}, indent=2))
    return 0 if ratio_ok and speedup >= COPY_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
