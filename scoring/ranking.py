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
winner over the mean of the other passing attempts, e.g.
``"Best of 3: smoother motion (0.996 vs 0.984) and steadier frames; first frame
matches the hero"`` (the numbers: the winner's value vs. the others' mean).
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
    "i2v_first_frame": ("first frame closer to the hero", "first frame further from the hero"),
    "imaging_quality": ("cleaner frames", "noisier or blockier frames"),
    "motion_amount": ("more motion", "less motion"),
    "hero_consistency": ("colours closer to the hero", "colours drifting from the hero"),
    "dynamic_degree": ("more dynamic", "less dynamic"),
}

#: A dimension is named in a reason only if its weighted z advantage exceeds this.
MIN_REASON_ADVANTAGE = 0.02
#: The first frame "matches the hero" at or above this ``i2v_first_frame``.
FIRST_FRAME_MATCH = 0.80
Z_CLIP = 3.0


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


def _phrase(d: str, good: bool) -> str:
    pair = PHRASES.get(d, (f"better {d.replace('_', ' ')}", f"worse {d.replace('_', ' ')}"))
    return pair[0] if good else pair[1]


def _gate_codes(report: ScoreReport) -> str:
    return ", ".join(g.split(":", 1)[0] for g in report.gate_failures)


def rank(reports: Sequence[ScoreReport | Mapping[str, Any]], weights: Mapping[str, float] | None = None) -> Ranking:
    """Rank the attempts of one group (see module doc). Accepts reports or
    their ``to_dict()`` form."""
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
        vals = [reps[i].dimensions[d] for i in eligible if d in reps[i].dimensions]
        mean = sum(vals) / len(vals)
        sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
        scale = max(sd, RANK_SCALE_FLOOR.get(d, DEFAULT_RANK_SCALE_FLOOR), 1e-12)
        for i in eligible:
            v = reps[i].dimensions.get(d)
            z[i][d] = 0.0 if v is None else max(-Z_CLIP, min(Z_CLIP, (v - mean) / scale))
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
            first = _phrase(d0, True)
            if ov:
                first += f" ({_fmt(b.dimensions[d0])} vs {_fmt(sum(ov) / len(ov))})"
            head = first if len(deciding) == 1 else f"{first} and {_phrase(deciding[1], True)}"
        else:
            deciding = []
            head = f"attempts scored alike; highest overall ({b.overall:.1f})"
        parts.append(f"Best of {n}: {head}")
    else:
        deciding = []
        parts.append("Only attempt" if n == 1 else f"Only attempt of {n} that passed the checks")
    ff = b.dimensions.get("i2v_first_frame")
    if ff is not None and ff >= FIRST_FRAME_MATCH and "i2v_first_frame" not in deciding:
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
            text = f"{_phrase(d0, False)} ({_fmt(reps[i].dimensions[d0])} vs {_fmt(b.dimensions[d0])} for the best)"
            if len(worst) > 1:
                text += f" and {_phrase(worst[1], False)}"
        else:
            text = f"close to the best (overall {reps[i].overall:.1f} vs {b.overall:.1f})"
        reasons[i] = f"Rank {pos[i]} of {n}: {text}"

    group_scores = [round(group[i], 6) if i in group else None for i in range(n)]
    return Ranking(best, order, relative, reason, reasons, group_scores, w)
