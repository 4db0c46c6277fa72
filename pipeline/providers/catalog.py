"""The provider catalog: every supported model, its input mapping, limits and price rule, as data (catalog.json).

Engines never branch on a model's name: they read its ModelSpec. To add a model, add an entry to catalog.json
(and a line to docs/PROVIDERS.md); the engine named "<provider>:<model>" appears once the provider is configured.
"""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

CATALOG_PATH = Path(__file__).with_name("catalog.json")

Kind = Literal["text-to-image", "image-edit", "image-to-video", "llm"]
Provider = Literal["replicate", "openai", "diffusers"]


class InputMapping(BaseModel):
    """Which input field of the model carries each studio value; None = the model has no such input."""

    model_config = ConfigDict(extra="forbid")
    prompt: str | None = "prompt"
    negative_prompt: str | None = None
    seed: str | None = None
    image: str | None = None  # the start image (image-to-video) or the image to edit
    duration: str | None = None
    fps: str | None = None
    frames: str | None = None  # frame count, computed as duration × fps
    aspect_ratio: str | None = None
    width: str | None = None
    height: str | None = None
    cfg: str | None = None
    cfg_2: str | None = None  # a second guidance scale (Wan 2.2 A14B's low-noise expert)
    num_outputs: str | None = None
    steps: str | None = None
    fixed: dict[str, Any] = Field(default_factory=dict)  # constant inputs sent with every request


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    durations: list[float] | None = None  # the clip lengths the model accepts; others snap to the nearest
    fps: int | None = None  # the frame rate it renders (or is asked for)
    max_frames: int | None = None
    aspect_ratios: list[str] | None = None  # accepted ratios; others use the nearest and are cropped after
    max_outputs: int = 1
    cfg: float | None = None  # default guidance scale
    cfg_2: float | None = None  # default second guidance scale (only for models that have one)
    steps: int | None = None  # default denoising steps (local pipelines)
    size_multiple: int = 8  # width and height are rounded to a multiple of this
    long_side: int | None = None  # the long side the model renders best (local pipelines)
    frame_multiple: int | None = None  # frame counts must be k × this + 1 (Wan: 4, LTX: 8)
    sizes: dict[str, str] = Field(default_factory=dict)  # aspect ratio -> the provider's size value
    fixed_size: list[int] | None = None  # [width, height]: the only size the model runs at (CogVideoX I2V)
    prompt_words: int | None = None  # words of scene + motion the model reads well (image-to-video; default 120)


class PriceRule(BaseModel):
    """How the provider bills: per output second, per video, per image, per GPU second, free, or unknown."""

    model_config = ConfigDict(extra="forbid")
    unit: Literal["second", "video", "image", "gpu_second", "free", "unknown"]
    usd: float | None = None  # price per unit (the lower end when the price varies)
    usd_max: float | None = None  # upper end when the price varies with options we do not send
    tier_input: str | None = None  # input field whose value selects a price from `tiers`
    tiers: dict[str, float] = Field(default_factory=dict)
    hardware: str | None = None  # for gpu_second: the GPU the model runs on
    note: str = ""

    def text(self) -> str:
        """The rule in words, for the UI and the docs."""
        per = {"second": "per second of video", "video": "per video", "image": "per image",
               "gpu_second": "per second of GPU time"}.get(self.unit, "")
        if self.unit == "free":
            return "free (runs on your own GPU)"
        if self.unit == "unknown":
            return "price not in the catalog; cost recorded as unknown" + (f" ({self.note})" if self.note else "")
        if self.tiers:
            prices = ", ".join(f"{self._tier_label(name)} ${usd:g}" for name, usd in self.tiers.items())
            text = f"{prices} {per} (by {self.tier_input})"
        elif self.usd_max is not None and self.usd is not None:
            text = f"${self.usd:g}–{self.usd_max:g} {per}"
        else:
            text = f"${self.usd:g} {per}"
        if self.hardware:
            text += f" on {self.hardware}"
        return text + (f"; {self.note}" if self.note else "")


    def _tier_label(self, name: str) -> str:
        return f"{self.tier_input}={name}" if name in ("true", "false") else name.replace("@", " ")


class ModelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str  # the engine name: "<provider>:<model>"
    provider: Provider
    kinds: list[Kind]
    label: str
    model: str  # provider model ("owner/name"), OpenAI model name, or diffusers pipeline class
    official: bool = True  # Replicate: official models run by name; community models need a version
    version: str | None = None  # Replicate community models: a version id (None = the model's latest version)
    inputs: InputMapping = Field(default_factory=InputMapping)
    limits: Limits = Field(default_factory=Limits)
    price: PriceRule
    checked: date  # when the price and inputs were last checked against the provider's page
    notes: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def negative_prompt(self) -> bool:
        return self.inputs.negative_prompt is not None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def seed(self) -> bool:
        return self.inputs.seed is not None

    @property
    def takes_prompt(self) -> bool:
        return self.inputs.prompt is not None

    def snap_duration(self, duration: float) -> float:
        """The clip length the model is asked for: the shortest accepted length at least as long as the request
        (rounded up, never down: a 7 s request to a 5-or-10 s model is made as 10 s, and the estimate and the
        attempt say so); beyond the longest, the longest (such requests are refused before queueing)."""
        allowed = sorted(self.limits.durations or [])
        if not allowed:
            return float(duration)
        return float(next((d for d in allowed if d >= duration - 0.01), allowed[-1]))

    def nearest_ratio(self, aspect_ratio: str) -> str:
        allowed = self.limits.aspect_ratios
        if not allowed or aspect_ratio in allowed:
            return aspect_ratio
        target = _ratio(aspect_ratio)
        return min(allowed, key=lambda r: abs(_ratio(r) - target))

    @property
    def max_seconds(self) -> float | None:
        """The longest clip the model gives: its longest accepted length, or max frames / fps."""
        limits = self.limits
        if limits.durations:
            return float(max(limits.durations))
        if limits.max_frames and limits.fps:
            return round(limits.max_frames / limits.fps, 2)
        return None

    def lengths(self) -> dict[str, Any] | None:
        """The clip lengths a video model can give, in words and numbers (None for image models)."""
        if "image-to-video" not in self.kinds:
            return None
        limits = self.limits
        rule = f"{limits.frame_multiple}k+1" if limits.frame_multiple else "any"
        return {"durations": limits.durations, "fps": limits.fps, "max_frames": limits.max_frames,
                "frame_rule": rule if limits.max_frames else None, "max_seconds": self.max_seconds}

    def capabilities(self) -> dict[str, Any]:
        """What the UI needs to know about the model."""
        return {"negative_prompt": self.negative_prompt, "seed": self.seed, "prompt": self.takes_prompt,
                "price_rule": self.price.text(), "durations": self.limits.durations, "provider": self.provider,
                "checked": self.checked.isoformat(), "lengths": self.lengths(), "max_seconds": self.max_seconds}


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")
    checked: date
    models: list[ModelSpec]

    def get(self, model_id: str) -> ModelSpec:
        for spec in self.models:
            if spec.id == model_id:
                return spec
        raise KeyError(model_id)

    def select(self, provider: str | None = None, kind: str | None = None) -> list[ModelSpec]:
        return [m for m in self.models if (provider is None or m.provider == provider)
                and (kind is None or kind in m.kinds)]

    def by_model(self, provider: str, model: str) -> ModelSpec | None:
        return next((m for m in self.models if m.provider == provider and m.model == model), None)


@lru_cache(maxsize=1)
def load_catalog(path: str | None = None) -> Catalog:
    data = json.loads(Path(path or CATALOG_PATH).read_text(encoding="utf-8"))
    catalog = Catalog.model_validate(data)
    ids = [m.id for m in catalog.models]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"Duplicate model ids in the provider catalog: {duplicates}")
    return catalog


def _ratio(text: str) -> float:
    width, _, height = text.partition(":")
    return float(width) / float(height)
