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

The reason names the dimensions with the largest weighted advantage of the
winner over the mean of the other passing attempts, and whether it does the
camera move that was asked for, e.g. ``"Best of 3: smoother motion (0.996 vs
0.984) and steadier frames, follows 'push-in'; first frame matches the hero"``
(the numbers: the winner's value vs. the others' mean).

``weights`` is the complete mapping to use (dimensions not in it get no
weight); a project's partial overrides go through
:func:`scoring.config.resolve_weights` first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .config import DEFAULT_RANK_SCALE_FLOOR, RANK_SCALE_FLOOR
from .scorer import ScoreReport, effective_weights

__all__ = ["PHRASES", "Ranking", "rank"]

#: (advantage phrase, deficit phrase) per dimension, for the reasons.
PHRASES: dict[str, tuple[str, str]] = {
    "motion_smoothness": ("smoother motion", "less smooth motion"),
    "temporal_flickering": ("steadier frames", "more flicker"),
    "i2v_subject": ("stays closer to the hero", "drifts from the hero"),
    "i2v_background": ("keeps the hero's colours", "colours drift from the hero"),
    "camera_motion": ("follows the camera move", "does not follow the camera move"),
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
        relative[i] = 100.0 if len(eligible) == 1 else round(100.0 * 0.5 * (1.0 + math.erf(group[i] / math.sqrt(2.0))), 1)

    best = order[0] if eligible else None
    reasons = [""] * n
    pos = {i: k + 1 for k, i in enumerate(order)}
    for i in gated:
        reasons[i] = f"Rank {pos[i]} of {n}: failed checks — " + "; ".join(reps[i].gate_failures)

    if best is None:
        summary = "; ".join(f"#{i + 1} {_gate_codes(reps[i])}" for i in gated)
        reason = f"No attempt passed the checks ({summary})."
        return Ranking(None, order, relative, reason, reasons, [None] * n, w)

    b = reps[best]
    others = [i for i in eligible if i != best]
    parts: list[str] = []
    if others:
        adv = {}
        for d in dims:
            if d not in b.dimensions:
                continue
            adv[d] = w[d] * (z[best][d] - sum(z[o][d] for o in others) / len(others))
        deciding = [d for d, a in sorted(adv.items(), key=lambda kv: (-kv[1], kv[0])) if a > MIN_REASON_ADVANTAGE][:2]
        if deciding:
            d0 = deciding[0]
            ov = [reps[o].dimensions[d0] for o in others if d0 in reps[o].dimensions]
            first = _phrase(d0, True, b)
            if ov and d0 != "camera_motion":
                first += f" ({_fmt(b.dimensions[d0])} vs {_fmt(sum(ov) / len(ov))})"
            head = first if len(deciding) == 1 else f"{first} and {_phrase(deciding[1], True, b)}"
        else:
            deciding = []
            head = f"attempts scored alike; highest overall ({b.overall:.1f})"
        follows = _follows(b)
        if follows and "camera_motion" not in deciding:
            head += f", {follows}"
        parts.append(f"Best of {n}: {head}")
    else:
        deciding = []
        follows = _follows(b)
        parts.append(("Only attempt" if n == 1 else f"Only attempt of {n} that passed the checks")
                     + (f", {follows}" if follows else ""))
    ff = b.details.get("first_frame_score")
    if ff is not None and ff >= FIRST_FRAME_MATCH and "i2v_subject" not in deciding:
        parts.append("first frame matches the hero")
    if gated and others:
        codes = sorted({c.strip() for i in gated for c in _gate_codes(reps[i]).split(",")})
        k = len(gated)
        parts.append(f"{k} attempt{'s' if k > 1 else ''} failed checks ({', '.join(codes)})")
    elif gated:
        codes = sorted({c.strip() for i in gated for c in _gate_codes(reps[i]).split(",")})
        parts.append(f"others failed checks ({', '.join(codes)})")
    reason = "; ".join(parts)
    reasons[best] = reason

    for i in others:
        deficit = {d: w[d] * (z[best][d] - z[i][d]) for d in dims if d in reps[i].dimensions and d in b.dimensions}
        worst = [d for d, a in sorted(deficit.items(), key=lambda kv: (-kv[1], kv[0])) if a > MIN_REASON_ADVANTAGE][:2]
        if worst:
            d0 = worst[0]
            text = _phrase(d0, False, reps[i])
            if d0 != "camera_motion":
                text += f" ({_fmt(reps[i].dimensions[d0])} vs {_fmt(b.dimensions[d0])} for the best)"
            if len(worst) > 1:
                text += f" and {_phrase(worst[1], False, reps[i])}"
        else:
            text = f"close to the best (overall {reps[i].overall:.1f} vs {b.overall:.1f})"
        reasons[i] = f"Rank {pos[i]} of {n}: {text}"

    group_scores = [round(group[i], 6) if i in group else None for i in range(n)]
    return Ranking(best, order, relative, reason, reasons, group_scores, w)
