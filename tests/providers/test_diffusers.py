"""The local GPU engines with tiny random pipelines loaded from a folder (CPU here; CUDA when a GPU is present)."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from pipeline import errors
from pipeline.engines import registry
from pipeline.engines.interfaces import FrameRequest, VideoRequest
from pipeline.errors import JobCancelled
from tests.conftest import make_settings
from tests.providers.fakes import write_hero


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    from pipeline.providers.diffusers_run import import_diffusers
    from tests.providers.tiny_pipelines import build_image_to_video, build_text_to_image

    import_diffusers()  # the torchvision shim, before transformers' image processors import
    folder = tmp_path_factory.mktemp("models")
    return {"image": build_text_to_image(folder), "video": build_image_to_video(folder)}


@pytest.fixture
def gpu_settings(models, tmp_path):
    def build(**overrides):
        values = {"diffusers_image_model": models["image"], "diffusers_video_model": models["video"],
                      "diffusers_steps": 2, "diffusers_long_side": 64}
        values.update(overrides)
        return make_settings(tmp_path / "studio-data", **values)

    return build


def _cuda_allocated() -> int:
    import torch

    return torch.cuda.memory_allocated() if torch.cuda.is_available() else 0


@pytest.fixture(autouse=True)
def empty_pipeline_cache():
    from pipeline.providers.diffusers_run import release

    release()
    yield
    release()


def _cached_pipes() -> list:
    from pipeline.models.cache import CACHE

    return [loaded.pipe for loaded in CACHE.loaded()]


def test_text_to_image_from_a_local_folder(gpu_settings):
    from pipeline.providers.diffusers_run import release

    settings = gpu_settings()
    assert "diffusers:text-to-image" in registry.available("frame", settings)
    engine = registry.create("frame", "diffusers:text-to-image", settings)
    steps: list[str] = []
    first = engine.render(FrameRequest("a red shoe on a plinth", "16:9", seed=3), lambda p, s: steps.append(s))
    again = registry.create("frame", "diffusers:text-to-image", settings).render(
        FrameRequest("a red shoe on a plinth", "16:9", seed=3), lambda p, s: steps.append(s))
    assert first.image.size == (64, 32) and first.model == "StableDiffusionPipeline"
    assert [s for s in steps if "step" in s] == ["Hero frame: step 1 of 2", "Hero frame: step 2 of 2"] * 2
    assert len([s for s in steps if "loading" in s]) == 1  # the second job reuses the loaded pipeline
    difference = np.abs(np.asarray(first.image, np.int16) - np.asarray(again.image, np.int16)).mean()
    assert difference == 0 if first.parameters["device"] == "cpu" else difference < 2  # same seed, same frame
    assert first.cost_usd == 0.0 and first.parameters["inputs"]["num_inference_steps"] == 2
    assert first.parameters["device"] in ("cpu", "cuda")
    pipes = [weakref.ref(p) for p in _cached_pipes()]
    assert len(pipes) == 1
    release()
    gc.collect()
    assert pipes[0]() is None  # released: nothing else holds it


def test_cancel_from_the_step_callback_stops_and_keeps_the_pipeline_for_the_next_job(gpu_settings):
    from pipeline.providers.diffusers_run import release

    engine = registry.create("frame", "diffusers:text-to-image", gpu_settings(diffusers_steps=4))
    before = _cuda_allocated()
    seen = []

    def progress(percent, step):
        seen.append(step)
        if "step 2 of 4" in step:
            raise JobCancelled()

    with pytest.raises(JobCancelled):
        engine.render(FrameRequest("a lamp", "1:1", seed=1), progress)
    assert not any("step 3" in s for s in seen)
    pipes = [weakref.ref(p) for p in _cached_pipes()]
    steps: list[str] = []
    engine.render(FrameRequest("a lamp", "1:1", seed=1), lambda p, s: steps.append(s))
    assert not any("loading" in s for s in steps) and "Hero frame: step 4 of 4" in steps
    release()
    gc.collect()
    assert pipes and all(ref() is None for ref in pipes)
    assert _cuda_allocated() <= before


def test_image_to_video_with_tiny_svd(gpu_settings, tmp_path):
    from pipeline.providers.common import probe_video

    engine = registry.create("video", "diffusers:image-to-video", gpu_settings())
    hero = write_hero(tmp_path / "hero.png", (640, 360))
    steps: list[str] = []
    result = engine.animate(VideoRequest(hero, "slow push in", "warping", seed=4, duration=0.3, fps=24),
                            tmp_path / "clip.mp4", lambda p, s: steps.append(s))
    info = probe_video(result.path)
    assert result.model == "StableVideoDiffusionPipeline" and result.fps == 7 and info["frames"] == 2
    assert (result.width, result.height) == (64, 64)  # SVD sizes are multiples of 64
    assert set(result.parameters["ignored_inputs"]) == {"prompt", "negative_prompt"}  # SVD takes no prompt
    assert "Attempt: step 2 of 2" in steps and result.cost_usd == 0.0


def test_video_cancel_writes_no_clip_and_release_frees_the_pipeline(gpu_settings, tmp_path):
    from pipeline.providers.diffusers_run import release

    engine = registry.create("video", "diffusers:image-to-video", gpu_settings())
    hero = write_hero(tmp_path / "hero.png", (640, 360))

    def progress(percent, step):
        if "step 1 of 2" in step:
            raise JobCancelled()

    with pytest.raises(JobCancelled):
        engine.animate(VideoRequest(hero, "push in", duration=0.3), tmp_path / "clip.mp4", progress)
    refs = [weakref.ref(p) for p in _cached_pipes()]
    release()
    gc.collect()
    assert refs and all(ref() is None for ref in refs) and not (tmp_path / "clip.mp4").exists()


def test_hero_frames_through_the_services(gpu_settings):
    from pipeline.services import build_services

    services = build_services(gpu_settings(frame_engine="diffusers:text-to-image"))
    try:
        project = services.projects.create("GPU", "16:9")
        started = services.hero_frames.generate(project.id, "a red shoe", 4, seed=8)
        assert services.jobs.get(started["job_id"]).status == "succeeded" and started["estimate"]["usd"] == 0.0
        frames = services.hero_frames.list(project.id)
        assert len(frames) == 4 and all(f.engine == "diffusers:text-to-image" for f in frames)
        assert {f.parameters["cost_known"] for f in frames} == {True}
        info = {e["name"]: e for e in services.hero_frames.engines("frame")}["diffusers:text-to-image"]
        assert info["negative_prompt"] is True and info["price_rule"].startswith("free")
        video = {e["name"]: e for e in services.attempts.engines()}
        assert video["diffusers:image-to-video"]["prompt"] is False  # the tiny SVD takes no prompt: the UI says so
    finally:
        services.close()


def test_unsupported_or_missing_models_are_explained(models, tmp_path):
    settings = make_settings(tmp_path / "d", diffusers_image_model=models["video"])  # an i2v model as t2i
    assert "diffusers:text-to-image" not in registry.available("frame", settings)  # not listed, then failing later
    with pytest.raises(errors.EngineInputError, match="StableVideoDiffusionPipeline .image-to-video"):
        registry.create("frame", "diffusers:text-to-image", settings)
    empty = make_settings(tmp_path / "e", diffusers_image_model=tmp_path / "nothing-here")
    assert "diffusers:text-to-image" not in registry.available("frame", empty)
