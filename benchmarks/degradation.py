"""Degradation benchmark: does the scorer pick the clean attempt, does each
degradation lower the dimension meant to catch it, and are near-identical
attempts called a tie?

    python -m benchmarks.degradation          # 12 photos × 3 strengths, 640×360, 2.5 s (≈ 10 min, 2 busy cores)
    python -m benchmarks.degradation --photos 3 --size 320x180 --seconds 2 --strengths 1 --json out.json

Built from real photographs that ship inside installed wheels (no download):
scikit-image's sample photos and pyiqa's reference images
(``ResultsCalibra/ref_dir``). For each photo a clean attempt is rendered — a
smooth, eased camera move over the photo (push-in, pull-out, pan or tilt),
H.264 at CRF 18 — with the photo's first view as the hero image (at 960 px,
unlike the video) and a motion prompt naming the move; a second clean attempt
(``clean_b``) differs only by seed-level variation (speed, easing, framing;
``seed_variation``). Sixteen variants each add one degradation
(``DEGRADATIONS``); the per-frame ones at three strengths (``STRENGTHS``), so
12 photos give 36 groups. Every clip is scored (weight-free tier plus pyiqa
PIQE unless ``--no-pyiqa``) and ranked with :func:`scoring.rank`, as the
studio does.

Reported: the clean-first rate over full groups (clean + 16 variants), over
every group of 3 (clean + 2 variants, like a real group) overall and per
degradation, and pairwise; per degradation, how often and by how much its
target dimension dropped below the clean attempt's; and over near-tie groups
(clean + ``clean_b`` + one variant) how often a clean one is picked and the
pick is called a tie.
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
    "stutter": "motion_smoothness",
    "colour_drift": "i2v_background",
    "exposure_pumping": "temporal_flickering",
    "compression_blocking": "imaging_quality",
    "mild_blocking": "imaging_quality",
    "stall_quarter": "motion_continuity",
    "stall_third": "motion_continuity",
    "stall_half": "motion_continuity",
    "late_start": "motion_continuity",
    "wrong_camera_move": "camera_motion",
    "wrong_first_frame": "i2v_subject",
}

#: Degradations whose size scales with the strength (the timing faults — stalls,
#: late start, stutter, frozen/dropped frames — and the wrong move/first frame are
#: the same at every strength).
SCALED = ("flicker", "jitter", "blur", "colour_drift", "exposure_pumping", "compression_blocking", "mild_blocking")
#: Strengths of a full run (1 = the sizes in the table of docs/SCORING.md).
STRENGTHS = (0.5, 1.0, 1.5)
#: Stall variants: the share of the clip after which the camera stops and holds.
STALLS = {"stall_quarter": 1 / 4, "stall_third": 1 / 3, "stall_half": 1 / 2}
#: Late start: the camera holds the first view for this share, then does the whole move.
LATE_START = 1 / 3

#: (camera move, motion prompt, the move used for the wrong-camera variant).
MOVES = [
    ("zoom_in", "slow push-in toward the subject", "pan_right"),
    ("pan_left", "slow pan left across the scene", "tilt_up"),
    ("zoom_out", "gentle pull out revealing the scene", "pan_left"),
    ("pan_right", "slow pan right across the scene", "zoom_in"),
    ("tilt_up", "slow tilt up, steady", "zoom_out"),
    ("tilt_down", "slow tilt down", "pan_right"),
]

SKIMAGE_PHOTOS = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png", "camera.png",
                  "grass.png"]
PYIQA_PHOTOS = ["I03.bmp", "I04.bmp", "I06.bmp", "I08.bmp", "I19.bmp"]
# interleaved: small runs mix both sources
ORDER = ["chelsea", "I04", "coffee", "I19", "astronaut", "I03", "rocket", "I06", "motorcycle_left", "I08", "camera",
         "grass"]


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


def _ease(t: float, power: float = 1.0) -> float:
    """Smoothstep; ``power`` ≠ 1 bends it (a seed-level easing variation)."""
    t = min(1.0, max(0.0, t))
    return t * t * (3.0 - 2.0 * t) if power == 1.0 else _ease(t ** power)


def camera_path(move: str, n: int, pan: float = 0.12, zoom: float = 0.15, timing=None, power: float = 1.0,
                offset: tuple[float, float] = (0.0, 0.0)):
    """Per frame ``(cx, cy, s)``: window centre offset (fraction of the window
    size) and window scale (1 = base window) for an eased camera move. Every
    move starts from the same view (the hero), shifted by ``offset``.
    ``timing(t)`` maps clip time (0–1) to move time (stalls, late starts)."""
    out = []
    for i in range(n):
        t = i / max(1, n - 1)
        p = _ease(timing(t) if timing else t, power)
        cx, cy = offset
        s = 1.0
        if move == "zoom_in":
            s = 1.0 - zoom * p
        elif move == "zoom_out":
            s = 1.0 + zoom * p
        elif move in ("pan_left", "pan_right"):
            cx += pan * p * (1 if move == "pan_right" else -1)
        elif move in ("tilt_up", "tilt_down"):
            cy += pan * p * (1 if move == "tilt_down" else -1)
        out.append((cx, cy, s))
    return out


def seed_variation(k: int) -> dict:
    """A second clean attempt of photo ``k``: the same move with seed-level
    differences — a little faster or slower (±6–10 %), a slightly different
    easing, a framing shifted by ≤ 1 % (what a model's seed changes)."""
    rng = np.random.default_rng(7000 + k)
    sign = 1 if rng.random() < 0.5 else -1
    return {"pan": 0.12 * (1 + sign * rng.uniform(0.06, 0.10)), "zoom": 0.15 * (1 + sign * rng.uniform(0.06, 0.10)),
            "power": float(rng.uniform(0.85, 1.15)), "offset": tuple(float(v) for v in rng.uniform(-0.01, 0.01, 2))}


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
        yield cv2.warpAffine(photo, m, (w, h), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
                             borderMode=cv2.BORDER_REFLECT)


def _gain(frame: np.ndarray, gains) -> np.ndarray:  # multiply, clip to uint8
    return np.clip(frame.astype(np.float32) * np.asarray(gains, np.float32), 0, 255).astype(np.uint8)


def _stall_timing(at: float):
    return lambda t: min(t, at)


def _late_timing(start: float):
    return lambda t: max(0.0, (t - start) / (1.0 - start))


def variant_frames(name: str, photo, other, move: str, wrong_move: str, size, n: int, seed: int, strength: float = 1.0,
                   variation: dict | None = None):
    """Frames of one attempt: ``"clean"``, ``"clean_b"`` (the seed-level
    ``variation``) or a name from ``DEGRADATIONS`` at ``strength``."""
    rng = np.random.default_rng(seed)
    clean = lambda: render(photo, camera_path(move, n), size)
    if name == "clean":
        yield from clean()
    elif name == "clean_b":
        yield from render(photo, camera_path(move, n, **(variation or {})), size)
    elif name == "jitter":
        yield from render(photo, camera_path(move, n), size, jitter_px=1.5 * strength * size[0] / 640, seed=seed)
    elif name == "wrong_camera_move":
        yield from render(photo, camera_path(wrong_move, n), size)
    elif name == "wrong_first_frame":
        yield from render(other, camera_path(move, n), size)
    elif name in STALLS:  # the move runs at its normal pace, stops at the given share and holds
        yield from render(photo, camera_path(move, n, timing=_stall_timing(STALLS[name])), size)
    elif name == "late_start":  # holds the first view, then does the whole move in the rest of the clip
        yield from render(photo, camera_path(move, n, timing=_late_timing(LATE_START)), size)
    elif name == "stutter":  # every 3rd frame dropped and the gap held (the previous frame repeats)
        frames = list(clean())
        yield from (frames[i - 1] if i % 3 == 2 else frames[i] for i in range(n))
    elif name == "frozen_frames":  # every 12 frames, 3 repeat the previous one
        frames = list(clean())
        yield from (frames[i - (i % 12) if i % 12 in (1, 2, 3) else i] for i in range(n))
    elif name == "dropped_frames":  # every 6th frame of a slightly longer take is missing
        longer = n + n // 5 + 1
        frames = [f for i, f in enumerate(render(photo, camera_path(move, longer), size)) if i % 6 != 5]
        yield from frames[:n]
    else:
        for i, f in enumerate(clean()):
            yield _degrade_frame(name, f, i, n, size, strength, rng)


def _jpeg(frame: np.ndarray, quality: int) -> np.ndarray:
    import cv2

    _, buf = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _degrade_frame(name: str, f: np.ndarray, i: int, n: int, size, strength: float, rng) -> np.ndarray:
    """One frame of a per-frame degradation at ``strength`` (1 = the documented size)."""
    import cv2

    t = i / max(1, n - 1)
    if name == "flicker":
        return _gain(f, 1.0 + 0.05 * strength * (1 if i % 2 else -1) * (0.5 + 0.5 * rng.random()))
    if name == "blur":
        return cv2.GaussianBlur(f, (0, 0), (0.6 + 1.6 * t) * strength * size[0] / 640)
    if name == "colour_drift":
        return _gain(f, (1.0 + 0.14 * strength * t, 1.0, 1.0 - 0.14 * strength * t))
    if name == "exposure_pumping":
        return _gain(f, 1.0 + 0.10 * strength * math.sin(2 * math.pi * 1.5 * i / 24.0))
    if name == "compression_blocking":  # JPEG quality 12 at strength 1 (24 at 0.5, 8 at 1.5)
        return _jpeg(f, round(12 / strength))
    if name == "mild_blocking":  # JPEG quality 30 at strength 1 (45 at 0.5, 20 at 1.5): visible, but mild
        return _jpeg(f, min(45, round(30 / strength)))
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
    """One photo at one strength: the clean attempt, its seed-level twin
    (``clean_b``) and every degradation."""

    photo: str
    move: str
    prompt: str
    hero: Path
    strength: float = 1.0
    clips: dict[str, Path] = field(default_factory=dict)
    reports: dict[str, object] = field(default_factory=dict)


def build_photo(k: int, names: list[str], photos: dict[str, np.ndarray], out: Path, size, seconds: float,
                strengths=STRENGTHS, fps: int = 24) -> list[Group]:
    """Render the attempts of photo number ``k``: clean, ``clean_b`` and the
    timing faults once, the scaled degradations once per strength."""
    from PIL import Image

    name = names[k]
    photo, other = photos[name], photos[names[(k + 1) % len(names)]]
    move, prompt, wrong = MOVES[k % len(MOVES)]
    n = round(seconds * fps)
    hero = out / f"{name}_hero.png"
    Image.fromarray(next(render(photo, camera_path(move, n), (960, round(960 * size[1] / size[0]))))).save(hero)
    variation = seed_variation(k)

    def clip(variant: str, strength: float, tag: str) -> Path:
        frames = variant_frames(variant, photo, other, move, wrong, size, n, seed=1000 * k + len(variant),
                                strength=strength, variation=variation)
        return write_video(out / f"{name}_{variant}{tag}.mp4", frames, fps)

    shared = {v: clip(v, 1.0, "") for v in ["clean", "clean_b", *DEGRADATIONS] if v not in SCALED}
    groups = []
    for s in strengths:
        g = Group(name, move, prompt, hero, s)
        for v in ["clean", "clean_b", *DEGRADATIONS]:
            g.clips[v] = shared[v] if v in shared else clip(v, s, f"_s{s:g}")
        groups.append(g)
    return groups


def score_groups(groups: list[Group], enable_pyiqa: bool, workers: int = 2) -> None:
    """Score every distinct clip of the groups once."""
    from scoring import score_videos

    g0 = groups[0]
    clips = sorted({p for g in groups for p in g.clips.values()})
    reports = score_videos(clips, g0.hero, g0.prompt, workers=workers, enable_pyiqa=enable_pyiqa)
    by_clip = {}
    for c, r in zip(clips, reports):
        if isinstance(r, Exception):
            raise r
        by_clip[c] = r
    for g in groups:
        g.reports = {v: by_clip[p] for v, p in g.clips.items()}


def _rate(ok: int, total: int) -> float | None:
    return ok / total if total else None


def _near_ties(groups: list[Group], rank) -> dict:
    """Groups of two clean attempts (seed-level twins) plus one degraded one:
    is a clean one picked, and is the pick called a tie?"""
    total = picked_clean = ties = 0
    not_tied: list[str] = []
    for g in groups:
        a, b = g.reports["clean"], g.reports["clean_b"]
        for d in DEGRADATIONS:
            r = rank([a, b, g.reports[d]])
            total += 1
            picked_clean += r.best_index in (0, 1)
            tie = r.confidence == "tie" and {0, 1} <= set(r.tied)
            ties += tie
            if not tie and d == "flicker":  # once per group, for the record
                not_tied.append(f"{g.photo}@{g.strength:g}: {r.confidence} ({r.reason[:90]})")
    return {"near_tie_groups": total, "near_tie_clean_first": _rate(picked_clean, total),
            "near_tie_reported_tie": _rate(ties, total), "near_tie_misses": not_tied}


def evaluate(groups: list[Group], weights=None, method: str | None = None) -> dict:
    """Clean-first rates (full groups, groups of 3, pairs; per degradation) and
    per-degradation drops of the target dimension."""
    from functools import partial

    from scoring import rank
    from scoring.ranking import DEFAULT_METHOD

    rank = partial(rank, weights=weights, method=method or DEFAULT_METHOD)
    kinds = list(DEGRADATIONS)
    full_ok = 0
    misses: list[str] = []
    pair_misses: list[str] = []
    tri = {d: [0, 0] for d in kinds}
    pair = {d: [0, 0] for d in kinds}
    triplets = triplets_ok = 0
    drops = {d: [] for d in kinds}
    every: dict[str, dict[str, list[float]]] = {d: {} for d in kinds}
    gated = {d: 0 for d in kinds}
    for g in groups:
        reps = [g.reports["clean"], *(g.reports[d] for d in kinds)]
        r = rank(reps)
        full_ok += r.best_index == 0
        if r.best_index != 0:
            picked = ["clean", *kinds][r.best_index] if r.best_index is not None else None
            misses.append(f"{g.photo}@{g.strength:g}: picked {picked}")
        clean = g.reports["clean"]
        for d, dim in DEGRADATIONS.items():
            rep = g.reports[d]
            gated[d] += bool(rep.gate_failures)
            won = rank([clean, rep]).best_index == 0
            pair[d][0] += won
            pair[d][1] += 1
            if not won:
                pair_misses.append(f"{g.photo}@{g.strength:g}: {d}")
            for k, v in clean.dimensions.items():
                if k in rep.dimensions:
                    every[d].setdefault(k, []).append(v - rep.dimensions[k])
            if dim in clean.dimensions and dim in rep.dimensions:
                drops[d].append(clean.dimensions[dim] - rep.dimensions[dim])
        for a, b in itertools.combinations(kinds, 2):
            ok = rank([clean, g.reports[a], g.reports[b]]).best_index == 0
            triplets += 1
            triplets_ok += ok
            for d in (a, b):
                tri[d][0] += ok
                tri[d][1] += 1
    per = {}
    for d, dim in DEGRADATIONS.items():
        v = drops[d]
        per[d] = {
            "dimension": dim, "lowered": int(sum(x > 0 for x in v)), "groups": len(v),
            "mean_drop": float(np.mean(v)) if v else None, "min_drop": float(np.min(v)) if v else None,
            "gated": gated[d], "clean_first_triplets": _rate(*tri[d]), "clean_wins_pairwise": _rate(*pair[d]),
            "mean_drop_all": {k: float(np.mean(x)) for k, x in every[d].items()},
        }
    return {
        "groups": len(groups), "clean_first_full_group": _rate(full_ok, len(groups)),
        "clean_first_triplets": _rate(triplets_ok, triplets), "triplets": triplets,
        "clean_wins_pairwise": _rate(sum(p[0] for p in pair.values()), sum(p[1] for p in pair.values())),
        "pairs": sum(p[1] for p in pair.values()), "misses": misses, "pair_misses": pair_misses,
        "per_degradation": per, **_near_ties(groups, rank),
    }


def alternatives(groups: list[Group]) -> dict:
    """The same reports ranked other ways: normalisation methods, equal weights."""
    from scoring import DEFAULT_WEIGHTS

    equal = {d: (1.0 if w > 0 else 0.0) for d, w in DEFAULT_WEIGHTS.items()}
    out = {}
    for name, kw in {"method z": {"method": "z"}, "method jnd": {"method": "jnd"}, "method rank": {"method": "rank"},
                     "equal weights": {"weights": equal}}.items():
        r = evaluate(groups, **kw)
        out[name] = {k: r[k] for k in ("clean_first_full_group", "clean_first_triplets", "clean_wins_pairwise",
                                       "near_tie_reported_tie")}
    return out


def run(n_photos: int = 12, size=(640, 360), seconds: float = 2.5, enable_pyiqa: bool = True, workers: int = 2,
        tmp: Path | None = None, strengths=STRENGTHS) -> tuple[dict, list[Group]]:
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
            photo_groups = build_photo(k, names, photos, out, size, seconds, strengths)
            score_groups(photo_groups, enable_pyiqa, workers)
            groups += photo_groups
        result = evaluate(groups)
        result["alternatives"] = alternatives(groups)
    result.update(photos=names, size=list(size), seconds=seconds, pyiqa=enable_pyiqa, strengths=list(strengths),
                  wall_seconds=round(time.perf_counter() - t0, 1))
    return result, groups


def _pct(v) -> str:
    return "–" if v is None else f"{v:.1%}"


def markdown(result: dict) -> str:
    n = len(DEGRADATIONS)
    lines = [
        (f"Photos: {', '.join(result['photos'])} — {result['size'][0]}×{result['size'][1]}, {result['seconds']} s, "
         f"strengths {', '.join(f'{s:g}' for s in result['strengths'])}, pyiqa {'on' if result['pyiqa'] else 'off'}; "
         f"{result['wall_seconds']} s wall."),
        "",
        "| clean attempt ranked first | rate |",
        "|---|---|",
        f"| full groups (clean + {n} variants), {result['groups']} | {_pct(result['clean_first_full_group'])} |",
        f"| groups of 3 (clean + 2 variants), {result['triplets']} | {_pct(result['clean_first_triplets'])} |",
        f"| pairs (clean vs 1 variant), {result['pairs']} | {_pct(result['clean_wins_pairwise'])} |",
        f"| near-tie groups (clean + seed-level twin + 1 variant), {result['near_tie_groups']}: a clean one picked "
        f"| {_pct(result['near_tie_clean_first'])} |",
        f"| near-tie groups reported as a tie | {_pct(result['near_tie_reported_tie'])} |",
        "",
        "| degradation | target dimension | lowered in | mean drop | smallest drop | gated | clean first, groups of 3 "
        "| clean wins, pairs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for d, p in result["per_degradation"].items():
        fmt = lambda v: "–" if v is None else f"{v:+.4f}"
        lines.append(f"| {d} | {p['dimension']} | {p['lowered']}/{p['groups']} | {fmt(p['mean_drop'])} | "
                     f"{fmt(p['min_drop'])} | {p['gated']} | {_pct(p['clean_first_triplets'])} | "
                     f"{_pct(p['clean_wins_pairwise'])} |")
    if result.get("alternatives"):
        lines += ["", "Same reports, ranked other ways (full groups / groups of 3 / pairs / near-ties called a tie):",
                  ""]
        for name, a in result["alternatives"].items():
            lines.append(f"- {name}: {_pct(a['clean_first_full_group'])} / {_pct(a['clean_first_triplets'])} / "
                         f"{_pct(a['clean_wins_pairwise'])} / {_pct(a['near_tie_reported_tie'])}")
    dims = [k for k in ("temporal_flickering", "motion_smoothness", "camera_motion", "motion_continuity", "i2v_subject",
                        "i2v_background", "imaging_quality", "motion_amount")
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
    if result["near_tie_misses"]:
        lines += ["", "Near-tie groups not called a tie (with flicker as the third): "
                  + "; ".join(result["near_tie_misses"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--photos", type=int, default=12)
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--seconds", type=float, default=2.5)
    ap.add_argument("--strengths", default=",".join(f"{s:g}" for s in STRENGTHS),
                    help="comma-separated, e.g. 0.5,1,1.5")
    ap.add_argument("--no-pyiqa", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", metavar="FILE", help="also write the result as JSON")
    args = ap.parse_args(argv)
    w, h = (int(x) for x in args.size.lower().split("x"))
    strengths = tuple(float(x) for x in args.strengths.split(","))
    result, _ = run(args.photos, (w, h), args.seconds, not args.no_pyiqa, args.workers, strengths=strengths)
    print(markdown(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    per_kind = [p["clean_first_triplets"] or 0.0 for p in result["per_degradation"].values()]
    ok = (result["clean_first_triplets"] >= 0.97 and min(per_kind) >= 0.90
          and (result["near_tie_reported_tie"] or 0.0) >= 0.80)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
