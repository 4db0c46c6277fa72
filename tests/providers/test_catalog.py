"""The provider catalog is data: every model has its mapping, limits, price rule and check date, and the docs match."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.engines import registry
from pipeline.providers import price
from pipeline.providers.catalog import load_catalog
from pipeline.providers.docs import DOC_PATH, render_table
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_model_is_complete_and_the_docs_list_it():
    catalog = load_catalog()
    assert len(catalog.models) >= 25
    docs = DOC_PATH.read_text(encoding="utf-8")
    assert render_table() in docs, "docs/PROVIDERS.md is stale: run python -m pipeline.providers.docs --write"
    for spec in catalog.models:
        assert spec.price.text() and spec.checked.year >= 2026
        assert spec.price.text() in docs and spec.checked.isoformat() in docs
        if "image-to-video" in spec.kinds:
            assert spec.inputs.image, f"{spec.id} has no start-image field"


@pytest.mark.parametrize("model_id,negative,seed,image", [
    ("replicate:kwaivgi/kling-v2.1", True, False, "start_image"),
    ("replicate:wan-video/wan-2.2-i2v-fast", False, True, "image"),
    ("replicate:minimax/hailuo-02", False, False, "first_frame_image"),
    ("replicate:pixverse/pixverse-v4", True, True, "image"),
    ("replicate:bytedance/seedance-2.0", False, True, "image"),
    ("replicate:google/veo-3.1", True, True, "image"),
    ("replicate:stability-ai/stable-video-diffusion", False, True, "input_image"),
])
def test_input_mappings_follow_the_providers_docs(model_id, negative, seed, image):
    spec = load_catalog().get(model_id)
    assert (spec.negative_prompt, spec.seed, spec.inputs.image) == (negative, seed, image)


def test_required_models_are_in_the_catalog():
    ids = {m.id for m in load_catalog().models}
    for wanted in ("replicate:black-forest-labs/flux-schnell", "replicate:black-forest-labs/flux-dev",
                   "replicate:black-forest-labs/flux-1.1-pro", "replicate:google/imagen-4",
                   "replicate:stability-ai/sdxl", "replicate:lightricks/ltx-video", "replicate:minimax/hailuo-2.3-fast",
                   "openai:gpt-image-1.5", "openai:gpt-image-1-mini", "openai:gpt-image-2", "openai:llm"):
        assert wanted in ids


def test_estimates_and_actual_costs_never_invent_numbers():
    catalog = load_catalog()
    kling, kling26 = catalog.get("replicate:kwaivgi/kling-v2.1"), catalog.get("replicate:kwaivgi/kling-v2.6")
    assert price.estimate(kling, 3, 6.0).usd == pytest.approx(1.5)  # 6 s is made (and billed) as 10 s, never 5
    ranged = price.estimate(kling26, 2, 10.0)
    assert ranged.upper_bound and ranged.usd == pytest.approx(2 * 10 * 0.14)
    assert price.actual(kling, {"video_output_duration_seconds": 5.0}) == pytest.approx(0.25)
    assert price.actual(kling, {"video_output_duration_seconds": 0}) == 0.0  # the provider says: nothing billable
    assert price.actual(kling, {"predict_time": 40}) is None  # no output metric: unknown
    assert price.actual(kling26, {"video_output_duration_seconds": 5.0}) is None  # ambiguous rate: unknown
    ltx = catalog.get("replicate:lightricks/ltx-video")
    assert price.estimate(ltx, 3, 5.0).usd is None and price.actual(ltx, {"predict_time": 10}) == pytest.approx(0.01525)
    assert price.historical_estimate([0.02, 0.04], 3).usd == pytest.approx(0.09)
    wan = catalog.get("replicate:wan-video/wan-2.2-i2v-fast")
    assert price.estimate(wan, 2, 5.0).usd == pytest.approx(0.22)  # 720p tier, fixed in the mapping
    free = catalog.get("diffusers:StableDiffusionXLPipeline")
    assert price.estimate(free, 4).usd == 0.0 and price.actual(free, None) == 0.0


def test_remote_engines_are_listed_only_when_configured(tmp_path):
    bare = make_settings(tmp_path / "a")
    assert registry.available("video", bare) == ["local-camera-motion"]
    assert registry.available("frame", bare) == ["local-previz"]
    keyed = make_settings(tmp_path / "b", replicate_api_token="r8_x", openai_base_url="http://127.0.0.1:9/v1")
    assert "replicate:kwaivgi/kling-v2.1" in registry.available("video", keyed)
    assert "openai:gpt-image-1.5" in registry.available("photo", keyed)
    assert "openai:llm" in registry.available("prompt", keyed)
    assert registry.create("video", "local-camera-motion", keyed).name == "local-camera-motion"  # local ignore settings


def test_importing_the_provider_engines_does_not_import_the_sdks():
    code = ("import sys; from pipeline.engines import registry; "
            "registry.available('video'); registry.available('frame'); "
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers', 'openai', 'replicate') "
            "if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert output.strip() == "[]"
