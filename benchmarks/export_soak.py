"""Export soak: does ffmpeg ever hang at the end of an export? The project's command against the old one whose
music input was cut off by the filter graph (``-stream_loop -1``), run alternately in the same run.

    .venv/bin/python benchmarks/export_soak.py                 # 100 runs of each (about 10 minutes on 2 cores)
    .venv/bin/python benchmarks/export_soak.py --runs 300 --json out.json

The edit is shaped like the ad composer's: three textured clips with crossfades, a still end card, text overlays,
the "velvet-hour" music bed and a grade, 9:16 at 480x854 (the hang is a race at the end of the run, not a matter
of size). Each ffmpeg gets ``--timeout`` seconds (ten times a normal run); one still running then is counted as
hung and killed. Re-run this after changing the bundled ffmpeg (imageio-ffmpeg). Target: 0 hangs for the project's
command. With ffmpeg 9.0.2 the cut-off command hung in about 1 run of 70 (docs/BENCHMARKS.md, Export soak).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.export import make_sources  # noqa: E402
from pipeline.timeline import (  # noqa: E402
    Clip,
    EditList,
    add_clip,
    add_overlay,
    set_crossfade,
    set_grade,
    set_music,
)
from pipeline.timeline.export import build_command, plan_clips  # noqa: E402

MUSIC_DIR = REPO / "assets" / "music"


def ad_like_edit(folder: Path) -> EditList:
    from PIL import Image

    clips = make_sources(folder, "480x854", audio=False, prefix="soak")
    card = folder / "card.png"
    Image.new("RGB", (480, 854), (18, 16, 14)).save(card)
    edit = EditList(aspect_ratio="9:16")
    for i, clip in enumerate(clips):
        edit = add_clip(edit, clip.name, 5.0, in_point=0.0, out_point=4.0, label=f"Scene {i + 1}")
    edit = add_clip(edit, Clip(source=card.name, source_duration=3600.0, out_point=1.5, still=True, label="End card"))
    edit = set_crossfade(edit, 0.4)
    for k, (text, start) in enumerate([("Timeless", 0.2), ("Crafted", 3.8), ("Discover", 9.5)]):
        edit = add_overlay(edit, text, start, start + 2.5, animation="slide_up" if k % 2 else "fade")
    edit = set_music(edit, "velvet-hour", volume=0.4)
    return set_grade(edit, "luxury")


def cut_off(args: list[str]) -> list[str]:
    """The old command: the music looped for ever and cut off by the graph."""
    at = args.index("-stream_loop")
    return [*args[:at], "-stream_loop", "-1", *args[at + 4:]]


def run_once(args: list[str], timeout: float) -> tuple[str, float]:
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return "hung", timeout
    return ("ok" if code == 0 else f"exit {code}"), time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100, help="runs of each command")
    parser.add_argument("--timeout", type=float, default=None, help="seconds before a run counts as hung")
    parser.add_argument("--json", type=Path, help="write the results here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hfs-soak-") as tmp:
        folder = Path(tmp)
        print("Making sources…", flush=True)
        edit = ad_like_edit(folder)
        args, frames = build_command(edit, folder / "out.mp4", folder, MUSIC_DIR, long_side=854,
                                     work_dir=folder, plans=plan_clips(edit, folder))
        commands = {"project": args, "cut_off": cut_off(args)}
        _, first = run_once(args, 600)
        timeout = options.timeout or max(30.0, 10 * first)
        print(f"{frames} frames; a normal run takes {first:.1f} s; hung after {timeout:.0f} s", flush=True)
        outcomes: dict[str, dict[str, int]] = {name: {} for name in commands}
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        for k in range(options.runs):
            for name, command in commands.items():  # alternate, so load changes hit both alike
                outcome, took = run_once(command, timeout)
                outcomes[name][outcome] = outcomes[name].get(outcome, 0) + 1
                if outcome == "ok":
                    seconds[name].append(took)
                elif outcome == "hung":
                    print(f"run {k + 1}: the {name} command hung", flush=True)
            if (k + 1) % 10 == 0:
                print(f"{k + 1} runs: " + "  ".join(f"{n} {o}" for n, o in outcomes.items()), flush=True)
    hangs = {name: o.get("hung", 0) for name, o in outcomes.items()}
    result = {"runs": options.runs, "outcomes": outcomes, "hangs": hangs, "timeout_s": timeout,
              "median_s": {n: sorted(s)[len(s) // 2] if s else None for n, s in seconds.items()},
              "meets_target": hangs["project"] == 0 and outcomes["project"].get("ok", 0) == options.runs}
    print(f"hangs in {options.runs} runs: project {hangs['project']}, cut-off music (baseline) {hangs['cut_off']}"
          f"  ->  target 0 hangs: {'met' if result['meets_target'] else 'MISSED'}")
    if options.json:
        options.json.write_text(json.dumps(result, indent=2))
    return 0 if result["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
