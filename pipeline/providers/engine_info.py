"""What the UI and the cost estimate need to know about an engine, by name: its catalog entry and capabilities.

Catalog engines ("replicate:...", "openai:...") map to their entry; the diffusers engines to the entry of the
pipeline class in the configured folder; the offline engines are free and take every input they understand.
"""
from __future__ import annotations

from typing import Any

from pipeline.providers import price
from pipeline.providers.catalog import ModelSpec, load_catalog

LOCAL_INFO = {
    "video": {"negative_prompt": True, "seed": True, "prompt": True},
    "frame": {"negative_prompt": False, "seed": True, "prompt": True},
    "photo": {"negative_prompt": False, "seed": False, "prompt": False},
    "prompt": {"negative_prompt": False, "seed": False, "prompt": True},
}
KIND_OF = {"video": "image-to-video", "frame": "text-to-image", "photo": "image-edit", "prompt": "llm"}


def spec_for_engine(kind: str, name: str, settings: Any = None) -> ModelSpec | None:
    """The catalog entry behind an engine name; None for the offline engines (and an unset local model folder)."""
    if name.startswith("diffusers:"):
        from pipeline.providers.diffusers_run import configured, model_folder, spec_for

        catalog_kind = KIND_OF[kind]
        if settings is None or not configured(settings, catalog_kind):
            return None
        try:
            return spec_for(model_folder(settings, catalog_kind), catalog_kind)
        except ValueError:
            return None
    try:
        return load_catalog().get(name)
    except KeyError:
        return None


def engine_info(kind: str, name: str, settings: Any = None) -> dict[str, Any]:
    """negative_prompt / seed / prompt support, the price rule in words, the accepted clip lengths, the provider."""
    spec = spec_for_engine(kind, name, settings)
    if spec is None:
        return {**LOCAL_INFO[kind], "price_rule": "free (runs offline)", "durations": None, "provider": "local",
                "checked": None, "lengths": None, "max_seconds": None}
    return spec.capabilities()


def estimate_cost(kind: str, name: str, count: int, duration: float | None = None, settings: Any = None,
                  aspect_ratio: str | None = None, history: list[float] | None = None) -> dict[str, Any]:
    """{usd, rule_text, upper_bound} for `count` outputs; GPU-time models fall back to the mean of `history`."""
    spec = spec_for_engine(kind, name, settings)
    if spec is None:
        return price.Estimate(0.0, "free: runs offline").as_dict()
    inputs: dict[str, Any] = {}
    if spec.limits.sizes:  # fixed-size image models (OpenAI): priced by quality and size
        inputs["size"] = spec.limits.sizes.get(spec.nearest_ratio(aspect_ratio or "1:1"))
        inputs["quality"] = getattr(settings, "openai_image_quality", None)
    estimate = price.estimate(spec, count, duration, inputs)
    if estimate.usd is None and spec.price.unit == "gpu_second":
        past = price.historical_estimate(history or [], count)
        if past is not None:
            return past.as_dict()
    return estimate.as_dict()
