"""Cost from a model's price rule: an estimate before work starts, the actual charge from the provider's billing data.

Nothing is invented: the actual cost is None ("unknown") unless the provider's own numbers (Replicate's
`prediction.metrics`, the images an OpenAI response returned) and an unambiguous rate give it. Zero is recorded only
when those numbers say nothing billable was produced.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.providers.catalog import ModelSpec, PriceRule
from pipeline.providers.inputs import length_note

# Replicate's billing metrics, by the unit they bill.
OUTPUT_METRICS = {
    "second": ("video_output_duration_seconds",),
    "video": ("video_output_count",),
    "image": ("image_output_count",),
    "gpu_second": ("predict_time",),
}


@dataclass(frozen=True)
class Estimate:
    usd: float | None  # None: the rule gives no estimate (GPU time, unknown price)
    text: str  # how it was worked out, for the UI
    upper_bound: bool = False  # the price varies; usd is the most it can be

    def as_dict(self) -> dict[str, Any]:
        return {"usd": None if self.usd is None else round(self.usd, 4), "rule_text": self.text,
                "upper_bound": self.upper_bound}


def rate(rule: PriceRule, inputs: dict[str, Any] | None = None, *, for_estimate: bool = False) -> float | None:
    """The price per unit for these inputs; None when it cannot be known exactly (or, for an estimate, at all)."""
    if rule.unit == "free":
        return 0.0
    if rule.unit == "unknown":
        return None
    if rule.tiers:
        return rule.tiers.get(tier_key(rule, inputs or {}))  # options without a listed price: unknown
    if rule.usd_max is not None and rule.usd_max != rule.usd:
        return rule.usd_max if for_estimate else None
    return rule.usd


def tier_key(rule: PriceRule, inputs: dict[str, Any]) -> str:
    """The tier a request falls in: the value of the tier input(s), e.g. "standard" or "medium@1024x1024"."""
    values = [inputs.get(name.strip()) for name in (rule.tier_input or "").split(",")]
    return "@".join(str(v).lower() if isinstance(v, bool) else str(v) for v in values)


def estimate(spec: ModelSpec, count: int, duration: float | None = None,
             inputs: dict[str, Any] | None = None) -> Estimate:
    """What `count` outputs (attempts or images) of `duration` seconds should cost under the model's rule."""
    rule = spec.price
    inputs = {**spec.inputs.fixed, **(inputs or {})}
    per = rate(rule, inputs, for_estimate=True)
    varies = rule.unit not in ("free", "unknown") and rate(rule, inputs) is None
    if rule.unit == "free":
        return Estimate(0.0, "free: runs on your own GPU")
    if per is None:
        return Estimate(None, f"no estimate: {rule.text()}")
    if rule.unit == "gpu_second":
        return Estimate(None, f"no estimate before the first run: billed by GPU time ({rule.text()})")
    prefix = "up to " if varies else ""
    if rule.unit == "second":
        seconds = spec.snap_duration(duration or 0.0)
        usd = count * seconds * per
        note = length_note(spec, duration) if duration else ""
        return Estimate(usd, f"{prefix}{count} × {seconds:g} s × ${per:g}/s = ${usd:.2f}"
                        + (f" ({note})" if note else ""), varies)
    noun = "video" if rule.unit == "video" else "image"
    usd = count * per
    return Estimate(usd, f"{prefix}{count} {noun}{'s' if count != 1 else ''} × ${per:g} = ${usd:.2f}", varies)


def actual(spec: ModelSpec, metrics: dict[str, Any] | None, inputs: dict[str, Any] | None = None) -> float | None:
    """The charge for one finished (or failed, or cancelled) prediction from its billing metrics; None = unknown."""
    rule = spec.price
    if rule.unit == "free":
        return 0.0
    per = rate(rule, {**spec.inputs.fixed, **(inputs or {})})
    if per is None or not metrics:
        return None
    for name in OUTPUT_METRICS.get(rule.unit, ()):
        value = metrics.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return round(float(value) * per, 8)
    seconds = metrics.get("video_output_duration_seconds")
    if rule.unit == "video" and isinstance(seconds, (int, float)) and seconds >= 0:
        return round(per if seconds > 0 else 0.0, 8)  # billed per video: one video when it output any seconds
    return None


def historical_estimate(costs: list[float], count: int) -> Estimate | None:
    """An estimate from what earlier attempts with the same engine really cost (for GPU-time models)."""
    if not costs:
        return None
    mean = sum(costs) / len(costs)
    return Estimate(count * mean, f"≈ {count} × ${mean:.3f} (the mean of {len(costs)} earlier attempt"
                                  f"{'s' if len(costs) != 1 else ''} with this model)")
