"""Measurement noise of the scorer: how much does a dimension move when nothing
that matters changes?

    python -m benchmarks.score_noise                 # 8 photos, 640×360, 2.5 s (≈ 2 min on 2 cores)
    python -m benchmarks.score_noise --photos 4 --json out.json

Two sources, on the degradation benchmark's real photographs and clean camera
moves (:mod:`benchmarks.degradation`):

* **re-encoding** — the same frames encoded with H.264 at CRF 16, 18, 20 and
  23 (what a different encoder setting or upload path does): neighbouring
  settings (16↔18, 18↔20, 20↔23) and the widest pair (16↔23) apart;
* **near-identical attempts** — the clean attempt against a second clean
  attempt with seed-level differences (±6–10 % speed, a slightly different
  easing, framing shifted ≤ 1 %; ``degradation.seed_variation``).

For each dimension it prints the median and the 95th percentile of the
absolute differences, and the noise band the ranking uses
(``scoring.config.NOISE_BAND``): differences within the band are "equal" for
the tie call and count as at most one step when ranking.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import degradation as deg

CRFS = (16, 18, 20, 23)


def measure(n_photos: int = 8, size=(640, 360), seconds: float = 2.5, enable_pyiqa: bool = True,
            workers: int = 2) -> dict:
    from PIL import Image

    from scoring import score_videos

    paths = deg.photo_paths()
    names = list(paths)[:n_photos]
    photos = {n: deg.load_photo(paths[n]) for n in names}
    n = round(seconds * 24)
    reencode: dict[str, list[float]] = {}
    wide: dict[str, list[float]] = {}
    variation: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as td:
        out = Path(td)
        for k, name in enumerate(names):
            move, prompt, wrong = deg.MOVES[k % len(deg.MOVES)]
            hero = out / f"{name}_hero.png"
            hero_size = (960, round(960 * size[1] / size[0]))
            Image.fromarray(next(deg.render(photos[name], deg.camera_path(move, n), hero_size))).save(hero)
            frames = list(deg.variant_frames("clean", photos[name], None, move, wrong, size, n, seed=k))
            clips = [deg.write_video(out / f"{name}_crf{c}.mp4", frames, crf=c) for c in CRFS]
            other = deg.variant_frames("clean_b", photos[name], None, move, wrong, size, n, seed=k,
                                       variation=deg.seed_variation(k))
            clips.append(deg.write_video(out / f"{name}_b.mp4", other))
            reps = score_videos(clips, hero, prompt, workers=workers, enable_pyiqa=enable_pyiqa)
            for r in reps:
                if isinstance(r, Exception):
                    raise r
            for a in range(len(CRFS) - 1):
                _collect(reencode, reps[a], reps[a + 1])
            _collect(wide, reps[0], reps[len(CRFS) - 1])
            _collect(variation, reps[1], reps[-1])  # CRF 18 clean vs the seed variation (also CRF 18)
    return {"photos": names, "size": list(size), "seconds": seconds, "pyiqa": enable_pyiqa,
            "wall_seconds": round(time.perf_counter() - t0, 1),
            "reencode": _stats(reencode), "reencode_wide": _stats(wide), "near_identical": _stats(variation)}


def _collect(into: dict[str, list[float]], a, b) -> None:
    for d, v in a.dimensions.items():
        if d in b.dimensions:
            into.setdefault(d, []).append(abs(v - b.dimensions[d]))


def _stats(diffs: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {d: {"median": float(np.median(v)), "p95": float(np.percentile(v, 95)), "max": float(np.max(v)), "n": len(v)}
            for d, v in diffs.items()}


def markdown(result: dict) -> str:
    from scoring.config import NOISE_BAND

    lines = [f"Photos: {', '.join(result['photos'])} — {result['size'][0]}×{result['size'][1]}, {result['seconds']} s, "
             f"pyiqa {'on' if result['pyiqa'] else 'off'}; {result['wall_seconds']} s wall.", "",
             "| dimension | re-encode, neighbouring CRFs: median / p95 / max | CRF 16 vs 23: median / max "
             "| near-identical attempts: median / p95 / max | noise band |",
             "|---|---|---|---|---|"]
    fmt = lambda s: f"{s['median']:.4f} / {s['p95']:.4f} / {s['max']:.4f}" if s else "–"
    for d in sorted(set(result["reencode"]) | set(result["near_identical"])):
        wide = result["reencode_wide"].get(d)
        wide_text = f"{wide['median']:.4f} / {wide['max']:.4f}" if wide else "–"
        lines.append(f"| {d} | {fmt(result['reencode'].get(d))} | {wide_text} | "
                     f"{fmt(result['near_identical'].get(d))} | "
                     f"{NOISE_BAND.get(d, '–')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=int, default=8)
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--seconds", type=float, default=2.5)
    ap.add_argument("--no-pyiqa", action="store_true")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)
    w, h = (int(x) for x in args.size.lower().split("x"))
    result = measure(args.photos, (w, h), args.seconds, not args.no_pyiqa)
    print(markdown(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
