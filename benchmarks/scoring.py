"""Scoring speed: seconds per clip and the ratio to plain decoding, same run.

    python -m benchmarks.scoring               # from the repo root (≈ 1–2 min)
    python -m benchmarks.scoring --json out.json

Makes a 5 s 1280×720 24 fps H.264 clip (a pan + zoom over a textured canvas,
the hero = its first frame) and, in a fresh Python process per tier, measures:

* plain decoding of the same clip with PyAV (every frame decoded, and decoded
  + converted to RGB at full size), best of 3;
* the first score in the process ("cold": imports and, with pyiqa, the torch
  import included) and the best of 3 warm scores, weight-free tier without and
  with pyiqa (PIQE);
* three attempts scored in parallel (``scoring.score_videos(workers=3)``) vs.
  one after another.

Wall-clock seconds and process CPU seconds (user + sys of all threads) are
printed; on a shared machine the CPU figure is the load-independent one, and
on 2 idle cores the wall time is at most about it. The load average at the
start is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
video, hero, pyiqa = sys.argv[1], sys.argv[2], sys.argv[3] == "1"

def timed(fn, n=3):
    best = None
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        item = (time.perf_counter() - t, time.process_time() - c)
        best = item if best is None or item[0] < best[0] else best
    return best, out

from scoring import score_video, score_videos
r = score_video(video, hero, "slow pan right and push in", enable_pyiqa=pyiqa)
cold = (time.perf_counter() - t0, time.process_time() - c0)

import av
def decode(convert):
    n = 0
    with av.open(video) as c:
        s = c.streams.video[0]; s.thread_type = "AUTO"
        for f in c.decode(s):
            if convert:
                f.to_ndarray(format="rgb24")
            n += 1
    return n
dec, frames = timed(lambda: decode(False))
dec_rgb, _ = timed(lambda: decode(True))
warm, rep = timed(lambda: score_video(video, hero, "slow pan right and push in", enable_pyiqa=pyiqa))
seq, _ = timed(lambda: [score_video(video, hero, "slow pan right and push in", enable_pyiqa=pyiqa)
                        for _ in range(3)], 1)
par, _ = timed(lambda: score_videos([video] * 3, hero, "slow pan right and push in", workers=3, enable_pyiqa=pyiqa), 1)
print(json.dumps(dict(pyiqa=pyiqa, frames=frames, cold=cold, decode=dec, decode_rgb=dec_rgb, warm=warm,
                      three_sequential=seq, three_parallel=par, metrics_used=rep.metrics_used,
                      dimensions=rep.dimensions)))
"""


def make_clip(folder: Path) -> tuple[Path, Path]:
    sys.path.insert(0, str(REPO))
    from tests.scoring import synth

    canvas = synth.make_canvas(1920, 900, seed=3)
    clip = synth.write_video(folder / "pan720.mp4", synth.render_frames(canvas, 1280, 720, 120, pan=0.25, zoom=0.1), 24)
    hero = synth.write_image(folder / "hero.png", next(synth.render_frames(canvas, 1280, 720, 1, pan=0.25, zoom=0.1)))
    return clip, hero


def measure(clip: Path, hero: Path, pyiqa: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(clip), str(hero), "1" if pyiqa else "0"],
        cwd=REPO, capture_output=True, text=True, check=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Scoring speed vs. plain decoding (5 s 720p clip)")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--no-pyiqa", action="store_true", help="only the weight-free tier")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"CPU cores: {os.cpu_count()}, load average (1 min) at start: {load:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        clip, hero = make_clip(Path(tmp))
        rows = [measure(clip, hero, p) for p in ((False,) if args.no_pyiqa else (False, True))]
    f = lambda pair: f"{pair[0]:.2f} s ({pair[1]:.2f} s CPU)"
    print(f"clip: 5 s 1280×720 24 fps H.264, {rows[0]['frames']} frames")
    print(f"plain decode: {f(rows[0]['decode'])}; decode + RGB at full size: {f(rows[0]['decode_rgb'])}")
    print()
    print("| tier | cold (first score, imports incl.) | warm score | × decode "
          "| 3 attempts: sequential | 3 in parallel |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        ratio = r["warm"][0] / max(r["decode"][0], 1e-9)
        tier = "weight-free + pyiqa PIQE" if r["pyiqa"] else "weight-free (no pyiqa)"
        print(f"| {tier} | {f(r['cold'])} | {f(r['warm'])} | {ratio:.1f}× "
              f"| {f(r['three_sequential'])} | {f(r['three_parallel'])} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"load_average": load, "rows": rows}, indent=2))
    worst = max(r["warm"][0] for r in rows)
    return 0 if worst <= 2.5 else 1


if __name__ == "__main__":
    sys.exit(main())
