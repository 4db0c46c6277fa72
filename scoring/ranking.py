"""Rank the attempts of one generation group and explain the pick.

Dimensions saturate (94–99.7 % for modern models) and attempts of one group
differ by fractions of a percent, so attempts are compared *within the group*,
never against fixed cut-offs:

1. Attempts with gate failures are set aside; they go last (fewest failures
   first, then by ``overall``) and get a relative score of 0.
2. For each weighted dimension, the passing attempts' values become z-scores
   ``(v − mean) / max(sd, floor_d)``, clipped to ±3, where ``floor_d``
   (``RANK_SCALE_FLOOR``) is the smallest difference that counts — so encoder
   noise on a saturated dimension cannot decide the pick. A missing value
   counts as the group mean (z = 0).
3. The group score of an attempt is the weighted mean of its z-scores
   (``DEFAULT_WEIGHTS`` unless ``weights`` is given; motion weights are dropped
   when the motion prompt asked for a still shot). Order: group score, then
   ``overall``, then index — fully deterministic.
4. ``relative_scores`` = 100 · Φ(group score) (Φ: standard normal CDF), so 50
   is the group's average; a lone passing attempt gets 100.

Confidence: the winner is compared with the runner-up dimension by dimension
against the measurement noise (``scoring.config.NOISE_BAND``, measured by
``benchmarks/score_noise.py``). When no weighted dimension differs by more than
its noise band the pick is **a tie** ("these are equally good on every
measure; choose by eye") — the order stays deterministic, but every caller is
told. Otherwise the weighted advantage in noise units (each dimension's
difference / its band, clipped to ±3) makes it a **clear pick** (≥
``CLEAR_MARGIN``, or ≥ ``DECISIVE_BANDS`` bands ahead on one measure and
behind beyond the noise on none — e.g. it follows the asked camera move and the
runner-up does not) or else a **slight edge**.

The reason names only differences beyond the noise band that are visible at
the three decimals shown, with both values and the difference, against the
runner-up, e.g. ``"Best of 3 (clear pick): smoother motion (0.996 vs 0.984 for
the runner-up, +0.012) and steadier frames (…), follows 'push-in'; first frame
matches the hero"``.

The score the studio shows for an attempt is ``relative_scores`` (the "rank
score"): it orders exactly like the ranking, so the pick always has the
highest shown rank score.

``weights`` is the complete mapping to use (dimensions not in it get no
weight); a project's partial overrides go through
:func:`scoring.config.resolve_weights` first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .config import DEFAULT_RANK_SCALE_FLOOR, NOISE_BAND, RANK_SCALE_FLOOR
from .scorer import ScoreReport, effective_weights

__all__ = ["CONFIDENCE_LABELS", "PHRASES", "Ranking", "rank"]

#: Margin band of a pick → what the studio says about it.
CONFIDENCE_LABELS: dict[str, str] = {
    "clear": "clear pick",
    "slight": "slight edge",
    "tie": "a tie — these are equally good on every measure; choose by eye",
}
#: Weighted advantage over the runner-up, in noise bands, from which a pick is clear.
CLEAR_MARGIN = 1.0
#: ... or when it is ahead by this many noise bands on one measure and behind beyond the noise on none.
DECISIVE_BANDS = 2.0
#: A noise-band ratio counts at most this much either way in the margin.
MARGIN_CLIP = 3.0
#: Values are shown with this many decimals; a difference must be visible at it to be named.
SHOWN_DECIMALS = 3

#: (advantage phrase, deficit phrase) per dimension, for the reasons.
PHRASES: dict[str, tuple[str, str]] = {
    "motion_smoothness": ("smoother motion", "less smooth motion"),
    "temporal_flickering": ("steadier frames", "more flicker"),
    "i2v_subject": ("stays closer to the hero", "drifts from the hero"),
    "i2v_background": ("keeps the hero's colours", "colours drift from the hero"),
    "camera_motion": ("follows the camera move", "does not follow the camera move"),
    "motion_continuity": ("the move runs through the whole clip", "the move stalls or starts late"),
    "imaging_quality": ("cleaner frames", "noisier or blockier frames"),
    "aesthetic_quality": ("more aesthetic frames", "less aesthetic frames"),
    "clip_score": ("closer to the prompt", "further from the prompt"),
    "motion_amount": ("more motion", "less motion"),
    "dynamic_degree": ("more dynamic", "less dynamic"),
}

#: A dimension is named in a reason only if its weighted z advantage exceeds this.
MIN_REASON_ADVANTAGE = 0.02
#: The first frame "matches the hero" at or above this ``first_frame_score`` (i2v_subject detail).
FIRST_FRAME_MATCH = 0.80
Z_CLIP = 3.0
DEFAULT_METHOD = "z"


@dataclass
class Ranking:
    """The ranking of one group of attempts (indices refer to the input list)."""

    #: Index of the auto-selected attempt; ``None`` when no attempt passed the gates
    #: (or the list is empty) — ``order`` still ranks them.
    best_index: int | None
    #: All indices, best first; gated attempts last.
    order: list[int]
    #: Per attempt (input order), 0–100 within the group (50 = group average,
    #: 0 = failed a gate).
    relative_scores: list[float]
    #: One short line explaining the pick.
    reason: str
    #: One short line per attempt (input order).
    reasons: list[str]
    #: Per attempt (input order): weighted mean z-score within the group
    #: (``None`` for gated attempts).
    group_scores: list[float | None] = field(default_factory=list)
    #: The weights actually used.
    weights: dict[str, float] = field(default_factory=dict)
    #: Margin band of the pick: "clear", "slight" or "tie" (``None`` without a pick).
    confidence: str | None = None
    #: What to tell the user about it (``CONFIDENCE_LABELS``).
    confidence_label: str = ""
    #: Weighted advantage of the pick over the runner-up in noise bands
    #: (``None`` when no other attempt passed).
    margin: float | None = None
    #: Indices of the attempts tied with the pick (the pick included) when it is a tie, else ``[]``.
    tied: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fmt(v: float) -> str:
    return f"{v:.3f}"


def _phrase(d: str, good: bool, report: ScoreReport | None = None) -> str:
    if d == "camera_motion" and report is not None and report.labels.get("camera_motion_phrase"):
        asked = report.labels["camera_motion_phrase"]
        if good:
            return f"follows '{asked}'"
        seen = report.labels.get("camera_motion_detected", "")
        return f"does not follow '{asked}'" + (f" ({seen.replace('_', ' ')})" if seen and seen != "None" else "")
    pair = PHRASES.get(d, (f"better {d.replace('_', ' ')}", f"worse {d.replace('_', ' ')}"))
    return pair[0] if good else pair[1]


def _follows(report: ScoreReport) -> str | None:
    """``"follows '<phrase>'"`` when the attempt does the camera move asked for."""
    if report.dimensions.get("camera_motion") == 1.0 and report.labels.get("camera_motion_phrase"):
        return _phrase("camera_motion", True, report)
    return None


def _gate_codes(report: ScoreReport) -> str:
    return ", ".join(g.split(":", 1)[0] for g in report.gate_failures)


def normalise(values: list[float | None], d: str, method: str = "z") -> list[float]:
    """Per-attempt normalised scores of one dimension within the group.

    * ``"z"`` — ``(v − mean) / max(sd, floor_d)``;
    * ``"jnd"`` — ``(v − median) / floor_d``: differences counted in
      just-noticeable steps, robust to one outlier;
    * ``"rank"`` — rank-average: each attempt's share of the others it beats
      by more than ``floor_d`` minus the share that beat it (−1 … 1) × ``Z_CLIP``.

    Clipped to ±``Z_CLIP``; a missing value scores 0 (the group's middle)."""
    floor = RANK_SCALE_FLOOR.get(d, DEFAULT_RANK_SCALE_FLOOR)
    vals = [v for v in values if v is not None]
    if not vals:
        return [0.0] * len(values)
    if method == "rank":
        others = max(1, len(vals) - 1)
        out = []
        for v in values:
            if v is None:
                out.append(0.0)
                continue
            beats = sum(1 for u in vals if v - u > floor) - sum(1 for u in vals if u - v > floor)
            out.append(Z_CLIP * beats / others)
        return out
    if method == "jnd":
        srt = sorted(vals)
        k = len(srt)
        centre = srt[k // 2] if k % 2 else 0.5 * (srt[k // 2 - 1] + srt[k // 2])
        scale = max(floor, 1e-12)
    elif method == "z":
        centre = sum(vals) / len(vals)
        sd = math.sqrt(sum((v - centre) ** 2 for v in vals) / len(vals))
        scale = max(sd, floor, 1e-12)
    else:
        raise ValueError(f"unknown ranking method {method!r}; use 'z', 'jnd' or 'rank'")
    return [0.0 if v is None else max(-Z_CLIP, min(Z_CLIP, (v - centre) / scale)) for v in values]


def _band(d: str) -> float:
    return NOISE_BAND.get(d, RANK_SCALE_FLOOR.get(d, DEFAULT_RANK_SCALE_FLOOR))


def _visible(a: float, b: float) -> bool:
    return f"{a:.{SHOWN_DECIMALS}f}" != f"{b:.{SHOWN_DECIMALS}f}"


def compare(a: ScoreReport, b: ScoreReport, dims: Sequence[str],
            w: Mapping[str, float]) -> tuple[float, dict[str, float]]:
    """How ``a`` compares with ``b``: the weighted advantage in noise bands
    (each dimension's difference / its band, clipped to ±``MARGIN_CLIP``) and,
    per dimension where they differ beyond the band *and* visibly at the shown
    precision, ``a − b``."""
    num = den = 0.0
    beyond: dict[str, float] = {}
    for d in dims:
        if d not in a.dimensions or d not in b.dimensions:
            continue
        diff = a.dimensions[d] - b.dimensions[d]
        num += w[d] * max(-MARGIN_CLIP, min(MARGIN_CLIP, diff / _band(d)))
        den += w[d]
        if abs(diff) > _band(d) and _visible(a.dimensions[d], b.dimensions[d]):
            beyond[d] = diff
    return (num / den if den > 0 else 0.0), beyond


def _named(beyond: Mapping[str, float], w: Mapping[str, float], sign: int) -> list[str]:
    """Dimensions of ``beyond`` on one side (+1: ahead, −1: behind), biggest weighted difference first."""
    side = {d: sign * v / _band(d) * w[d] for d, v in beyond.items() if sign * v > 0}
    return [d for d, _ in sorted(side.items(), key=lambda kv: (-kv[1], kv[0]))]


def _difference(d: str, good: bool, mine: ScoreReport, theirs: ScoreReport, whose: str) -> str:
    """``"smoother motion (0.996 vs 0.984 for the runner-up, +0.012)"``; camera moves are named, not numbered."""
    text = _phrase(d, good, mine)
    if d == "camera_motion":
        return text
    v, u = mine.dimensions[d], theirs.dimensions[d]
    return text + f" ({_fmt(v)} vs {_fmt(u)} for {whose}, {v - u:+.{SHOWN_DECIMALS}f})"


def _pick_reason(reps, best: int, runner: int | None, n: int, confidence: str, dims, w) -> tuple[list[str], list[str]]:
    """The first part of the pick's reason and the dimensions it names."""
    b = reps[best]
    follows = _follows(b)
    if runner is None:
        head = "Only attempt" if n == 1 else f"Only attempt of {n} that passed the checks"
        return [head + (f", {follows}" if follows else "")], []
    label = CONFIDENCE_LABELS[confidence]
    if confidence == "tie":
        head = f"Best of {n}: {label} (picked by rank order)"
        both = follows and _follows(reps[runner])
        return [head + (f"; {follows.replace('follows', 'all follow', 1)}" if both else "")], []
    _, beyond = compare(b, reps[runner], dims, w)
    ahead = _named(beyond, w, +1)[:2]
    behind = _named(beyond, w, -1)[:1]
    if ahead:
        text = " and ".join(_difference(d, True, b, reps[runner], "the runner-up") for d in ahead)
    else:
        text = "ahead on the balance of small differences, each within its measurement noise"
        if behind:
            text += "; the runner-up has " + _difference(behind[0], True, reps[runner], b, "the pick")
    if follows and "camera_motion" not in ahead:
        text += f", {follows}"
    return [f"Best of {n} ({label}): {text}"], ahead


def _other_reason(reps, i: int, best: int, pos: int, n: int, tied: bool, dims, w) -> str:
    if tied:
        return f"Rank {pos} of {n}: a tie with the pick — equally good on every measure"
    _, beyond = compare(reps[i], reps[best], dims, w)
    behind = _named(beyond, w, -1)[:2]
    if not behind:
        return f"Rank {pos} of {n}: close to the best — no measure behind by more than its noise"
    first = _difference(behind[0], False, reps[i], reps[best], "the best")
    more = f" and {_phrase(behind[1], False, reps[i])}" if len(behind) > 1 else ""
    return f"Rank {pos} of {n}: {first}{more}"


def _confidence(reps, best: int, eligible: list[int], dims, w) -> tuple[str, float | None, list[int]]:
    """Margin band of the pick, its margin over the runner-up, and who ties with it."""
    others = [i for i in eligible if i != best]
    if not others:
        return "clear", None, []
    tied = [i for i in others if not compare(reps[best], reps[i], dims, w)[1]]
    runner = others[0]
    margin, beyond = compare(reps[best], reps[runner], dims, w)
    margin = round(margin, 4)
    if runner in tied:
        return "tie", margin, [best, *tied]
    decisive = any(v >= DECISIVE_BANDS * _band(d) for d, v in beyond.items())
    behind = any(v < 0 for v in beyond.values())
    return ("clear" if margin >= CLEAR_MARGIN or (decisive and not behind) else "slight"), margin, []


def rank(
    reports: Sequence[ScoreReport | Mapping[str, Any]],
    weights: Mapping[str, float] | None = None,
    method: str = DEFAULT_METHOD,
) -> Ranking:
    """Rank the attempts of one group (see module doc). Accepts reports or
    their ``to_dict()`` form. ``method``: how each dimension is normalised
    within the group (:func:`normalise`)."""
    reps = [r if isinstance(r, ScoreReport) else ScoreReport.from_dict(r) for r in reports]
    n = len(reps)
    if n == 0:
        return Ranking(None, [], [], "No attempts to rank.", [], [], {})
    still = any(r.motion_expected is False for r in reps)
    w = effective_weights(weights, False if still else None)

    eligible = [i for i, r in enumerate(reps) if not r.gate_failures]
    gated = [i for i, r in enumerate(reps) if r.gate_failures]
    dims = [d for d, wd in w.items() if wd > 0 and any(d in reps[i].dimensions for i in eligible)]

    z: dict[int, dict[str, float]] = {i: {} for i in eligible}
    for d in dims:
        for i, v in zip(eligible, normalise([reps[i].dimensions.get(d) for i in eligible], d, method)):
            z[i][d] = v
    wsum = sum(w[d] for d in dims)
    group = {i: (sum(w[d] * z[i][d] for d in dims) / wsum if wsum > 0 else 0.0) for i in eligible}

    order = sorted(eligible, key=lambda i: (-round(group[i], 9), -reps[i].overall, i))
    order += sorted(gated, key=lambda i: (len(reps[i].gate_failures), -reps[i].overall, i))

    relative = [0.0] * n
    for i in eligible:
        cdf = 0.5 * (1.0 + math.erf(group[i] / math.sqrt(2.0)))
        relative[i] = 100.0 if len(eligible) == 1 else round(100.0 * cdf, 1)

    reasons = [""] * n
    pos = {i: k + 1 for k, i in enumerate(order)}
    for i in gated:
        reasons[i] = f"Rank {pos[i]} of {n}: failed checks — " + "; ".join(reps[i].gate_failures)

    if not eligible:
        summary = "; ".join(f"#{i + 1} {_gate_codes(reps[i])}" for i in gated)
        reason = f"No attempt passed the checks ({summary})."
        return Ranking(None, order, relative, reason, reasons, [None] * n, w)

    best = order[0]
    ordered_passing = [i for i in order if i in group]
    confidence, margin, tied = _confidence(reps, best, ordered_passing, dims, w)
    runner = ordered_passing[1] if len(ordered_passing) > 1 else None
    parts, named = _pick_reason(reps, best, runner, n, confidence, dims, w)
    ff = reps[best].details.get("first_frame_score")
    if ff is not None and ff >= FIRST_FRAME_MATCH and "i2v_subject" not in named:
        parts.append("first frame matches the hero")
    if gated:
        codes = sorted({c.strip() for i in gated for c in _gate_codes(reps[i]).split(",")})
        k = len(gated)
        parts.append(f"{k} attempt{'s' if k > 1 else ''} failed checks ({', '.join(codes)})" if runner is not None
                     else f"others failed checks ({', '.join(codes)})")
    reason = "; ".join(parts)
    reasons[best] = reason
    for i in ordered_passing[1:]:
        reasons[i] = _other_reason(reps, i, best, pos[i], n, i in tied, dims, w)

    group_scores = [round(group[i], 6) if i in group else None for i in range(n)]
    return Ranking(best, order, relative, reason, reasons, group_scores, w, confidence, CONFIDENCE_LABELS[confidence],
                   margin, tied)
