"""Degradation benchmark: does the scorer pick the clean attempt, and does each
degradation lower the dimension meant to catch it?

    python -m benchmarks.degradation                  # 12 photos, 640×360, 2.5 s (≈ 2–4 min on 2 cores)
    python -m benchmarks.degradation --photos 3 --size 320x180 --seconds 2 --json out.json

Built from real photographs that ship inside installed wheels (no download):
scikit-image's sample photos and pyiqa's reference images
(``ResultsCalibra/ref_dir``). For each photo a clean attempt is rendered — a
smooth, eased camera move over the photo (push-in, pull-out, pan or tilt),
H.264 at CRF 18 — with the photo's first view as the hero image (at 960 px,
unlike the video) and a motion prompt naming the move. Ten variants each add one
degradation (``DEGRADATIONS``). Every clip of the photo's group is scored
(weight-free tier plus pyiqa PIQE unless ``--no-pyiqa``) and ranked with
:func:`scoring.rank`, as the studio does.

Reported: the clean-first rate over full groups (clean + 10 variants), over
every triplet (clean + 2 variants, like a real group of 3) and pairwise; and
per degradation, how often and by how much its target dimension dropped below
the clean attempt's.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: degradation → the dimension meant to catch it.
DEGRADATIONS = {
    "flicker": "temporal_flickering",
    "jitter": "motion_smoothness",
    "blur": "i2v_subject",
    "frozen_frames": "motion_smoothness",
    "dropped_frames": "motion_smoothness",
    "colour_drift": "i2v_background",
    "exposure_pumping": "temporal_flickering",
    "compression_blocking": "imaging_quality",
    "wrong_camera_move": "camera_motion",
    "wrong_first_frame": "i2v_subject",
}

#: (camera move, motion prompt, the move used for the wrong-camera variant).
MOVES = [
    ("zoom_in", "slow push-in toward the subject", "pan_right"),
    ("pan_left", "slow pan left across the scene", "tilt_up"),
    ("zoom_out", "gentle pull out revealing the scene", "pan_left"),
    ("pan_right", "slow pan right across the scene", "zoom_in"),
    ("tilt_up", "slow tilt up, steady", "zoom_out"),
    ("tilt_down", "slow tilt down", "pan_right"),
]

SKIMAGE_PHOTOS = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png", "camera.png", "grass.png"]
PYIQA_PHOTOS = ["I03.bmp", "I04.bmp", "I06.bmp", "I08.bmp", "I19.bmp"]
ORDER = ["chelsea", "I04", "coffee", "I19", "astronaut", "I03", "rocket", "I06", "motorcycle_left", "I08", "camera", "grass"]  # interleaved: small runs mix both sources


def photo_paths() -> dict[str, Path]:
    """Photos found in installed wheels, by name (in ``ORDER``)."""
    found: dict[str, Path] = {}
    spec = importlib.util.find_spec("skimage")
    if spec and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations))) / "data"
        for f in SKIMAGE_PHOTOS:
            if (root / f).is_file():
                found[Path(f).stem] = root / f
    spec = importlib.util.find_spec("pyiqa")
    if spec and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations))).parent / "ResultsCalibra" / "ref_dir"
        for f in PYIQA_PHOTOS:
            if (root / f).is_file():
                found[Path(f).stem] = root / f
    return {k: found[k] for k in ORDER if k in found}


def load_photo(path: Path) -> np.ndarray:
    from PIL import Image

    return np.ascontiguousarray(np.asarray(Image.open(path).convert("RGB")))


def _ease(t: float) -> float:  # smoothstep
    return t * t * (3.0 - 2.0 * t)


def camera_path(move: str, n: int, pan: float = 0.12, zoom: float = 0.15):
    """Per frame ``(cx, cy, s)``: window centre offset (fraction of the window
    size) and window scale (1 = base window) for an eased camera move. Every
    move starts from the same view (the hero)."""
    out = []
    for i in range(n):
        p = _ease(i / max(1, n - 1))
        cx = cy = 0.0
        s = 1.0
        if move == "zoom_in":
            s = 1.0 - zoom * p
        elif move == "zoom_out":
            s = 1.0 + zoom * p
        elif move in ("pan_left", "pan_right"):
            cx = pan * p * (1 if move == "pan_right" else -1)
        elif move in ("tilt_up", "tilt_down"):
            cy = pan * p * (1 if move == "tilt_down" else -1)
        out.append((cx, cy, s))
    return out


def render(photo: np.ndarray, path, size: tuple[int, int], jitter_px: float = 0.0, seed: int = 0):
    """Yield RGB frames of ``photo`` seen through the moving window ``path``."""
    import cv2

    w, h = size
    ph, pw = photo.shape[:2]
    base_w = 0.74 * min(pw, ph * w / h)
    if base_w > w:  # downscaling: area-average first so that frames are not aliased
        f = w / base_w
        photo = cv2.resize(photo, (max(2, round(pw * f)), max(2, round(ph * f))), interpolation=cv2.INTER_AREA)
        ph, pw = photo.shape[:2]
        base_w = 0.74 * min(pw, ph * w / h)
    rng = np.random.default_rng(seed)
    for cx, cy, s in path:
        win_w = base_w * s
        k = win_w / w  # photo px per output px
        x0 = pw / 2 + cx * base_w - win_w / 2
        y0 = ph / 2 + cy * base_w * h / w - win_w * h / w / 2
        dx, dy = rng.normal(0.0, jitter_px, 2) if jitter_px else (0.0, 0.0)
        m = np.array([[k, 0, x0 + dx * k], [0, k, y0 + dy * k]], np.float64)
        yield cv2.warpAffine(photo, m, (w, h), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT)


def _gain(frame: np.ndarray, gains) -> np.ndarray:  # multiply, clip to uint8
    return np.clip(frame.astype(np.float32) * np.asarray(gains, np.float32), 0, 255).astype(np.uint8)


def variant_frames(name: str, photo, other, move: str, wrong_move: str, size, n: int, seed: int):
    """Frames of one attempt: ``"clean"`` or a name from ``DEGRADATIONS``."""
    import cv2

    rng = np.random.default_rng(seed)
    clean = lambda: render(photo, camera_path(move, n), size)
    if name == "clean":
        yield from clean()
    elif name == "jitter":
        yield from render(photo, camera_path(move, n), size, jitter_px=1.5 * size[0] / 640, seed=seed)
    elif name == "wrong_camera_move":
        yield from render(photo, camera_path(wrong_move, n), size)
    elif name == "wrong_first_frame":
        yield from render(other, camera_path(move, n), size)
    elif name == "frozen_frames":  # stutter: every 12 frames, 3 repeat the previous one
        frames = list(clean())
        yield from (frames[i - (i % 12) if i % 12 in (1, 2, 3) else i] for i in range(n))
    elif name == "dropped_frames":  # every 6th frame of a slightly longer take is missing
        longer = n + n // 5 + 1
        frames = [f for i, f in enumerate(render(photo, camera_path(move, longer), size)) if i % 6 != 5]
        yield from frames[:n]
    else:
        for i, f in enumerate(clean()):
            t = i / max(1, n - 1)
            if name == "flicker":
                yield _gain(f, 1.0 + 0.05 * (1 if i % 2 else -1) * (0.5 + 0.5 * rng.random()))
            elif name == "blur":
                sigma = 0.6 + 1.6 * t
                yield cv2.GaussianBlur(f, (0, 0), sigma * size[0] / 640)
            elif name == "colour_drift":
                yield _gain(f, (1.0 + 0.14 * t, 1.0, 1.0 - 0.14 * t))
            elif name == "exposure_pumping":
                yield _gain(f, 1.0 + 0.10 * math.sin(2 * math.pi * 1.5 * i / 24.0))
            elif name == "compression_blocking":
                _, buf = cv2.imencode(".jpg", cv2.cvtColor(f, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 12])
                yield cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
            else:
                raise ValueError(f"unknown variant {name!r}")


def write_video(path: Path, frames, fps: int = 24, crf: int = 18) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = None
        for frame in frames:
            if stream is None:
                h, w = frame.shape[:2]
                stream = container.add_stream("libx264", rate=fps)
                stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
                stream.options = {"crf": str(crf), "preset": "veryfast", "threads": "1"}
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@dataclass
class Group:
    photo: str
    move: str
    prompt: str
    hero: Path
    clips: dict[str, Path] = field(default_factory=dict)
    reports: dict[str, object] = field(default_factory=dict)


def build_group(k: int, names: list[str], photos: dict[str, np.ndarray], out: Path, size, seconds: float, fps: int = 24) -> Group:
    """Render the clean attempt and the ten variants of photo number ``k``."""
    from PIL import Image

    name = names[k]
    photo, other = photos[name], photos[names[(k + 1) % len(names)]]
    move, prompt, wrong = MOVES[k % len(MOVES)]
    n = round(seconds * fps)
    group = Group(name, move, prompt, out / f"{name}_hero.png")
    hero = next(render(photo, camera_path(move, n), (960, round(960 * size[1] / size[0]))))
    Image.fromarray(hero).save(group.hero)
    for variant in ["clean", *DEGRADATIONS]:
        frames = variant_frames(variant, photo, other, move, wrong, size, n, seed=1000 * k + len(group.clips))
        group.clips[variant] = write_video(out / f"{name}_{variant}.mp4", frames, fps)
    return group


def score_group(group: Group, enable_pyiqa: bool, workers: int = 2) -> None:
    from scoring import score_videos

    variants = list(group.clips)
    reports = score_videos([group.clips[v] for v in variants], group.hero, group.prompt, workers=workers, enable_pyiqa=enable_pyiqa)
    for v, r in zip(variants, reports):
        if isinstance(r, Exception):
            raise r
        group.reports[v] = r


def evaluate(groups: list[Group], weights=None, method: str = "z") -> dict:
    """Clean-first rates and per-degradation drops of the target dimension."""
    from functools import partial

    from scoring import rank

    rank = partial(rank, weights=weights, method=method)

    full = full_ok = triplets = triplets_ok = pairs = pairs_ok = 0
    misses: list[str] = []
    pair_misses: list[str] = []
    drops = {d: [] for d in DEGRADATIONS}
    every: dict[str, dict[str, list[float]]] = {d: {} for d in DEGRADATIONS}
    lowered = {d: 0 for d in DEGRADATIONS}
    available = {d: 0 for d in DEGRADATIONS}
    gated = {d: 0 for d in DEGRADATIONS}
    for g in groups:
        variants = list(g.reports)
        reps = [g.reports[v] for v in variants]
        r = rank(reps)
        full += 1
        full_ok += r.best_index == 0
        if r.best_index != 0:
            misses.append(f"{g.photo}: picked {variants[r.best_index] if r.best_index is not None else None}")
        clean = g.reports["clean"]
        for d, dim in DEGRADATIONS.items():
            rep = g.reports[d]
            gated[d] += bool(rep.gate_failures)
            pr = rank([clean, rep])
            pairs += 1
            pairs_ok += pr.best_index == 0
            if pr.best_index != 0:
                pair_misses.append(f"{g.photo}: {d}")
            for k, v in clean.dimensions.items():
                if k in rep.dimensions:
                    every[d].setdefault(k, []).append(v - rep.dimensions[k])
            if dim in clean.dimensions and dim in rep.dimensions:
                available[d] += 1
                diff = clean.dimensions[dim] - rep.dimensions[dim]
                drops[d].append(diff)
                lowered[d] += diff > 0
        for a, b in itertools.combinations(DEGRADATIONS, 2):
            tr = rank([clean, g.reports[a], g.reports[b]])
            triplets += 1
            triplets_ok += tr.best_index == 0
    per = {}
    for d, dim in DEGRADATIONS.items():
        v = drops[d]
        per[d] = {
            "dimension": dim,
            "lowered": lowered[d],
            "groups": available[d],
            "mean_drop": float(np.mean(v)) if v else None,
            "min_drop": float(np.min(v)) if v else None,
            "gated": gated[d],
            "mean_drop_all": {k: float(np.mean(v)) for k, v in every[d].items()},
        }
    return {
        "groups": full,
        "clean_first_full_group": full_ok / full if full else None,
        "clean_first_triplets": triplets_ok / triplets if triplets else None,
        "triplets": triplets,
        "clean_wins_pairwise": pairs_ok / pairs if pairs else None,
        "pairs": pairs,
        "misses": misses,
        "pair_misses": pair_misses,
        "per_degradation": per,
    }


def alternatives(groups: list[Group]) -> dict:
    """The same reports ranked other ways: normalisation methods, equal weights."""
    from scoring import DEFAULT_WEIGHTS

    equal = {d: (1.0 if w > 0 else 0.0) for d, w in DEFAULT_WEIGHTS.items()}
    out = {}
    for name, kw in {"method jnd": {"method": "jnd"}, "method rank": {"method": "rank"},
                     "equal weights": {"weights": equal}}.items():
        r = evaluate(groups, **kw)
        out[name] = {k: r[k] for k in ("clean_first_full_group", "clean_first_triplets", "clean_wins_pairwise")}
    return out


def run(n_photos: int = 12, size=(640, 360), seconds: float = 2.5, enable_pyiqa: bool = True, workers: int = 2,
        tmp: Path | None = None) -> tuple[dict, list[Group]]:
    paths = photo_paths()
    names = list(paths)[:n_photos]
    if len(names) < 2:
        raise RuntimeError("need at least 2 photos from installed wheels (scikit-image or pyiqa)")
    photos = {n: load_photo(paths[n]) for n in names}
    with tempfile.TemporaryDirectory() as td:
        out = Path(tmp or td)
        groups = []
        t0 = time.perf_counter()
        for k in range(len(names)):
            g = build_group(k, names, photos, out, size, seconds)
            score_group(g, enable_pyiqa, workers)
            groups.append(g)
        result = evaluate(groups)
        result["alternatives"] = alternatives(groups)
    result.update(photos=names, size=list(size), seconds=seconds, pyiqa=enable_pyiqa, wall_seconds=round(time.perf_counter() - t0, 1))
    return result, groups


def markdown(result: dict) -> str:
    lines = [
        (f"Photos: {', '.join(result['photos'])} — {result['size'][0]}×{result['size'][1]}, {result['seconds']} s, "
         f"pyiqa {'on' if result['pyiqa'] else 'off'}; {result['wall_seconds']} s wall."),
        "",
        "| clean attempt ranked first | rate |",
        "|---|---|",
        f"| full groups (clean + 10 variants), {result['groups']} | {result['clean_first_full_group']:.1%} |",
        f"| triplets (clean + 2 variants), {result['triplets']} | {result['clean_first_triplets']:.1%} |",
        f"| pairs (clean vs 1 variant), {result['pairs']} | {result['clean_wins_pairwise']:.1%} |",
        "",
        "| degradation | target dimension | lowered in | mean drop | smallest drop | gated |",
        "|---|---|---|---|---|---|",
    ]
    for d, p in result["per_degradation"].items():
        fmt = lambda v: "–" if v is None else f"{v:+.4f}"
        lines.append(f"| {d} | {p['dimension']} | {p['lowered']}/{p['groups']} | {fmt(p['mean_drop'])} | {fmt(p['min_drop'])} | {p['gated']} |")
    if result.get("alternatives"):
        lines += ["", "Same reports, ranked other ways (full groups / triplets / pairs):", ""]
        for name, a in result["alternatives"].items():
            lines.append(f"- {name}: {a['clean_first_full_group']:.1%} / {a['clean_first_triplets']:.1%} / "
                         f"{a['clean_wins_pairwise']:.1%}")
    dims = [k for k in ("temporal_flickering", "motion_smoothness", "camera_motion", "i2v_subject", "i2v_background",
                        "imaging_quality", "motion_amount")
            if any(k in p["mean_drop_all"] for p in result["per_degradation"].values())]
    lines += ["", "Mean drop of every dimension (clean − degraded; positive = the degradation lowered it):", "",
              "| degradation | " + " | ".join(dims) + " |", "|---|" + "---|" * len(dims)]
    for d, p in result["per_degradation"].items():
        cells = [f"{p['mean_drop_all'][k]:+.4f}" if k in p["mean_drop_all"] else "–" for k in dims]
        lines.append(f"| {d} | " + " | ".join(cells) + " |")
    if result["misses"]:
        lines += ["", "Full groups where the clean attempt was not picked: " + "; ".join(result["misses"])]
    if result["pair_misses"]:
        lines += ["", "Pairs the degraded attempt won: " + "; ".join(result["pair_misses"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=int, default=12)
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--seconds", type=float, default=2.5)
    ap.add_argument("--no-pyiqa", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", metavar="FILE", help="also write the result as JSON")
    args = ap.parse_args(argv)
    w, h = (int(x) for x in args.size.lower().split("x"))
    result, _ = run(args.photos, (w, h), args.seconds, not args.no_pyiqa, args.workers)
    print(markdown(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    ok = result["clean_first_full_group"] >= 0.95 and all(p["lowered"] == p["groups"] for p in result["per_degradation"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
