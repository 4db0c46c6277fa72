"""Every supported pipeline class as a tiny random copy in its real folder layout (tests/providers/tiny_model_zoo.py):
scanned by the registry, each variant's argument mapping read from its configs, and rendered through the engines on
CPU (a GPU when present). Built once per test session (a few seconds in all).

Not built here: HunyuanVideo 1.0 I2V, whose default prompt template hard-codes token positions of the real Llava
tokenizer (a tiny copy runs only with a custom template the engine does not send); it is listed as supported by
class name, marked not checked by the registry (docs/DEPLOY.md says so).
"""
from __future__ import annotations

import pytest

from pipeline import errors
from pipeline.engines import registry
from pipeline.engines.interfaces import FrameRequest, VideoRequest
from tests.conftest import make_settings
from tests.providers.fakes import write_hero


@pytest.fixture(scope="session")
def zoo(tmp_path_factory):
    from tests.providers.tiny_model_zoo import build_zoo

    folder = tmp_path_factory.mktemp("zoo")
    return folder, build_zoo(folder)


pytestmark = pytest.mark.usefixtures("empty_pipeline_cache")


def _settings(tmp_path, models_dir, **overrides):
    values = {"models_dir": models_dir, "diffusers_steps": 2, "diffusers_long_side": 32}
    values.update(overrides)
    return make_settings(tmp_path / "studio-data", **values)


def _real_params(path):
    from safetensors.torch import load_file

    return sum(t.numel() for weights in path.rglob("*.safetensors") for t in load_file(weights).values())


EXPECTED = {  # key: (model_index.json class, class loaded, task)
    "wan21": ("WanImageToVideoPipeline", "WanImageToVideoPipeline", "image-to-video"),
    "wan22": ("WanImageToVideoPipeline", "WanImageToVideoPipeline", "image-to-video"),
    "ltx_condition": ("LTXConditionPipeline", "LTXConditionPipeline", "image-to-video"),
    "cogvideox": ("CogVideoXImageToVideoPipeline", "CogVideoXImageToVideoPipeline", "image-to-video"),
    "hunyuan15": ("HunyuanVideo15ImageToVideoPipeline", "HunyuanVideo15ImageToVideoPipeline", "image-to-video"),
    "ltx2": ("LTX2ImageToVideoPipeline", "LTX2ImageToVideoPipeline", "image-to-video"),
    "sdxl": ("StableDiffusionXLPipeline", "StableDiffusionXLPipeline", "text-to-image"),
    "sd3": ("StableDiffusion3Pipeline", "StableDiffusion3Pipeline", "text-to-image"),
    "flux_dev": ("FluxPipeline", "FluxPipeline", "text-to-image"),
    "flux_schnell": ("FluxPipeline", "FluxPipeline", "text-to-image"),
    "qwen_image": ("QwenImagePipeline", "QwenImagePipeline", "text-to-image"),
    "flux2": ("Flux2Pipeline", "Flux2Pipeline", "text-to-image"),
    "z_image": ("ZImagePipeline", "ZImagePipeline", "text-to-image"),
}


def test_the_registry_reads_every_tiny_model_and_its_variant(zoo):
    from pipeline.models.registry import scan

    models_dir, paths = zoo
    folders = {f.name: f for f in scan(models_dir)}
    for key, (folder_class, load_class, task) in EXPECTED.items():
        folder = folders[paths[key].name]
        assert (folder.folder_class, folder.load_class, folder.task, folder.supported) == (
            folder_class, load_class, task, True), key
        assert folder.params == _real_params(paths[key]) > 0, key
    wan21, wan22 = folders[paths["wan21"].name], folders[paths["wan22"].name]
    assert "image_encoder" in {c.name for c in wan21.components} and "cfg_2" not in wan21.limits
    assert {"transformer", "transformer_2"} <= {c.name for c in wan22.components}
    assert wan22.limits == {"cfg": 3.5, "cfg_2": 3.5} and wan22.label.startswith("Wan 2.2 I2V A14B")
    schnell, dev = folders[paths["flux_schnell"].name], folders[paths["flux_dev"].name]
    assert (schnell.limits, schnell.fixed) == ({"steps": 4, "cfg": 0.0}, {"max_sequence_length": 256})
    assert (dev.limits, dev.fixed) == ({}, {"max_sequence_length": 512})
    cog = folders[paths["cogvideox"].name]
    assert cog.limits == {"fixed_size": [48, 32], "max_frames": 9} and cog.fixed == {"max_sequence_length": 16}
    assert all(folders[path.name].checked for path in paths.values())


def test_classes_without_a_tiny_copy_say_so(tmp_path):
    import json

    from pipeline.models.registry import read_folder

    folder = tmp_path / "HunyuanVideo-I2V"
    folder.mkdir()
    index = {"_class_name": "HunyuanVideoImageToVideoPipeline"}
    (folder / "model_index.json").write_text(json.dumps(index), encoding="utf-8")
    info = read_folder(folder)
    assert info.supported and info.load_class == "HunyuanVideoImageToVideoPipeline" and not info.checked
    assert info.view()["checked"] is False


@pytest.mark.parametrize("key,frames,size", [
    ("wan21", 5, (32, 16)),  # 16 fps, 4k+1 frames; sizes in multiples of 16
    ("wan22", 5, (32, 16)),
    ("ltx_condition", 9, (32, 32)),  # 24 fps, 8k+1; multiples of 32
    ("cogvideox", 9, (48, 28)),  # its one trained size (48 × 32), cropped back to the 16:9 hero
    ("ltx2", 9, (32, 32)),  # 8k+1 at 24 fps, multiples of 32; its audio track is dropped
    ("hunyuan15", 9, (20, 12)),  # 4k+1 at 24 fps; the size is its own bucket for the image near target_size 16
])
def test_each_video_model_renders_through_the_engine(zoo, tmp_path, key, frames, size):
    models_dir, paths = zoo
    settings = _settings(tmp_path, models_dir, diffusers_video_model=paths[key].name)
    assert "diffusers:image-to-video" in registry.available("video", settings)
    engine = registry.create("video", "diffusers:image-to-video", settings)
    hero = write_hero(tmp_path / "hero.png", (640, 360))
    steps: list[str] = []
    result = engine.animate(VideoRequest(hero, "slow push in", "blur", seed=5, duration=0.3,
                                         prompt="a red shoe. Camera: slow push in."),
                            tmp_path / "clip.mp4", lambda p, s: steps.append(s))
    inputs = result.parameters["inputs"]
    assert result.model == EXPECTED[key][1] and result.frame_count == frames
    assert (result.width, result.height) == size
    assert inputs["prompt"] == "a red shoe. Camera: slow push in." and inputs["negative_prompt"] == "blur"
    assert result.cost_usd == 0.0 and any("decoding" in s for s in steps)
    if key == "hunyuan15":  # no step callback: progress (and cancel) before each denoiser pass instead
        assert "Attempt: denoising (pass 2)" in steps and not any("step" in s for s in steps)
    else:
        assert "Attempt: step 2 of 2" in steps and not any("denoising" in s for s in steps)
    if key == "wan22":  # the low-noise expert's guidance comes from the catalog mapping, only for A14B folders
        assert (inputs["guidance_scale"], inputs["guidance_scale_2"]) == (3.5, 3.5)
    else:
        assert "guidance_scale_2" not in inputs


@pytest.mark.parametrize("hero_size,expected", [((360, 360), (32, 32)), ((360, 640), (18, 32))])
def test_cogvideox_fits_the_hero_to_its_trained_size_and_crops_back(zoo, tmp_path, hero_size, expected):
    from pipeline.providers.common import probe_video

    models_dir, paths = zoo
    settings = _settings(tmp_path, models_dir, diffusers_video_model=paths["cogvideox"].name)
    hero = write_hero(tmp_path / "hero.png", hero_size)
    result = registry.create("video", "diffusers:image-to-video", settings).animate(
        VideoRequest(hero, "orbit", seed=1, duration=1.0), tmp_path / "clip.mp4")
    info = probe_video(result.path)
    assert (info["width"], info["height"]) == expected  # the hero's aspect ratio, not the model's 3:2
    assert (result.parameters["inputs"]["width"], result.parameters["inputs"]["height"]) == (48, 32)
    assert result.parameters["inputs"]["max_sequence_length"] == 16
    box = result.parameters["fixed_size"]["hero_box"]
    assert box[2] - box[0] == expected[0] and box[3] - box[1] == expected[1]


@pytest.mark.parametrize("key,size,negative", [
    ("sdxl", (32, 16), True), ("sd3", (32, 16), True), ("flux_schnell", (32, 16), False),
    ("qwen_image", (32, 16), True), ("flux2", (32, 16), False),
    ("z_image", (32, 16), True),
])
def test_each_frame_model_renders_through_the_engine(zoo, tmp_path, key, size, negative):
    models_dir, paths = zoo
    steps_setting = None if key == "flux_schnell" else 2  # schnell: its own 4 steps, with no setting
    settings = _settings(tmp_path, models_dir, diffusers_image_model=paths[key].name, diffusers_steps=steps_setting)
    engine = registry.create("frame", "diffusers:text-to-image", settings)
    steps: list[str] = []
    first = engine.render(FrameRequest("a red shoe on a plinth", "16:9", seed=3, negative_prompt="blurry"),
                          lambda p, s: steps.append(s))
    assert first.image.size == size and first.model == EXPECTED[key][1]
    assert ("negative_prompt" in first.parameters["inputs"]) is negative
    count = steps_setting or 4
    assert first.parameters["inputs"]["num_inference_steps"] == count
    assert f"Hero frame: step {count} of {count}" in steps


def test_flux_dev_and_schnell_get_their_own_steps_guidance_and_text_length(zoo):
    from pipeline.providers.diffusers_run import spec_for
    from pipeline.providers.inputs import build_inputs

    _models_dir, paths = zoo
    built = {}
    for key in ("flux_dev", "flux_schnell"):
        spec = spec_for(paths[key], "text-to-image")
        built[key], _ignored = build_inputs(spec, prompt="a lamp", width=32, height=32)
    assert (built["flux_dev"]["num_inference_steps"], built["flux_dev"]["guidance_scale"]) == (28, 3.5)
    assert (built["flux_schnell"]["num_inference_steps"], built["flux_schnell"]["guidance_scale"]) == (4, 0.0)
    assert built["flux_dev"]["max_sequence_length"] == 512 and built["flux_schnell"]["max_sequence_length"] == 256


def _cancel_when(text):
    seen: list[str] = []

    def progress(percent, step):
        seen.append(step)
        if text in step:
            raise errors.JobCancelled()

    return progress, seen


def test_a_cancel_while_loading_stops_between_parts_and_caches_nothing(zoo, tmp_path):
    from pipeline.models.cache import CACHE

    models_dir, paths = zoo
    settings = _settings(tmp_path, models_dir, diffusers_video_model=paths["wan21"].name)
    engine = registry.create("video", "diffusers:image-to-video", settings)
    hero = write_hero(tmp_path / "hero.png", (640, 360))
    progress, seen = _cancel_when(": text_encoder (")
    with pytest.raises(errors.JobCancelled):
        engine.animate(VideoRequest(hero, "push in", duration=0.3), tmp_path / "clip.mp4", progress)
    parts = [s.split(": ")[-1] for s in seen if ": reading " in s]
    assert len(parts) >= 1 and parts[-1].startswith("text_encoder (")  # stopped at that part, not after the load
    assert not any("step" in s or "loaded" in s for s in seen) and CACHE.loaded() == []
    assert not (tmp_path / "clip.mp4").exists()
    assert engine.animate(VideoRequest(hero, "push in", duration=0.3), tmp_path / "clip.mp4").frame_count == 5


def test_a_cancel_while_denoising_a_model_without_step_callback(zoo, tmp_path):
    models_dir, paths = zoo
    settings = _settings(tmp_path, models_dir, diffusers_video_model=paths["hunyuan15"].name)
    progress, seen = _cancel_when("denoising (pass 1)")
    hero = write_hero(tmp_path / "hero.png", (640, 360))
    with pytest.raises(errors.JobCancelled):
        registry.create("video", "diffusers:image-to-video", settings).animate(
            VideoRequest(hero, "push in", duration=0.3), tmp_path / "clip.mp4", progress)
    assert not any("decoding" in s or "pass 2" in s for s in seen) and not (tmp_path / "clip.mp4").exists()


@pytest.mark.parametrize("key,what", [("wan21", "video"), ("sdxl", "frame")])
def test_a_cancel_during_vae_decode_stops_the_job(zoo, tmp_path, key, what):
    models_dir, paths = zoo
    settings = _settings(tmp_path, models_dir, diffusers_video_model=paths[key].name,
                         diffusers_image_model=paths[key].name)
    progress, seen = _cancel_when("decoding (part 2)" if what == "video" else "decoding (part 1)")
    hero = write_hero(tmp_path / "hero.png", (640, 360))
    with pytest.raises(errors.JobCancelled):
        if what == "video":  # the Wan VAE decodes frame by frame: the cancel lands between two frames
            registry.create("video", "diffusers:image-to-video", settings).animate(
                VideoRequest(hero, "push in", duration=0.3), tmp_path / "clip.mp4", progress)
        else:
            engine = registry.create("frame", "diffusers:text-to-image", settings)
            engine.render(FrameRequest("a lamp", "1:1"), progress)
    label = "Attempt" if what == "video" else "Hero frame"
    assert f"{label}: step 2 of 2" in seen and not any("ready" in s or "Encoding" in s for s in seen)
    assert not (tmp_path / "clip.mp4").exists()
    from pipeline.models.cache import CACHE

    (loaded,) = CACHE.loaded()  # the pipeline stays cached, without the decode hook
    decoder = getattr(loaded.pipe.vae, "decoder", loaded.pipe.vae)
    assert not decoder._forward_pre_hooks


def test_the_fp8_storage_profile_renders_a_two_expert_wan_on_the_cpu(zoo, tmp_path):
    """Layerwise fp8 storage (the 8-bit profile without a quantisation package: bitsandbytes quantises only on a
    GPU here, torchao and quanto are not installed): both experts' weights are stored in float8, computed in fp32."""
    import torch

    from pipeline.models.cache import CACHE

    models_dir, paths = zoo
    settings = _settings(tmp_path, models_dir, diffusers_video_model=paths["wan22"].name, diffusers_device="cpu",
                         diffusers_profiles={"*": "fp8_offload"})
    hero = write_hero(tmp_path / "hero.png", (640, 360))
    result = registry.create("video", "diffusers:image-to-video", settings).animate(
        VideoRequest(hero, "push in", seed=2, duration=0.3), tmp_path / "clip.mp4")
    assert result.parameters["memory_profile"] == "fp8_offload" and result.frame_count == 5
    (loaded,) = CACHE.loaded()
    for expert in (loaded.pipe.transformer, loaded.pipe.transformer_2):
        assert expert.blocks[0].ffn.net[2].weight.dtype == torch.float8_e4m3fn
    assert loaded.pipe.text_encoder.dtype == torch.float32 and loaded.pipe.vae.dtype == torch.float32


def test_the_zoo_is_listed_with_estimates_and_renders_through_the_services(zoo, tmp_path):
    from pipeline.models.report import models_report
    from pipeline.services import build_services

    models_dir, paths = zoo
    settings = _settings(tmp_path, models_dir, diffusers_vram_gb=16.0, frame_engine="diffusers:text-to-image",
                         diffusers_frame_long_side=128,  # the hero, fitted to 16:9, must keep 32 px a side
                         diffusers_image_model=paths["qwen_image"].name, video_engine="diffusers:image-to-video",
                         diffusers_video_model=paths["wan22"].name)
    report = models_report(settings)
    listed = {m["name"]: m for m in report["models"]}
    assert {p.name for p in paths.values()} <= set(listed)
    assert all(set(listed[p.name]["vram_gib"]) == set(report["profiles"]) for p in paths.values())
    services = build_services(settings)
    try:
        project = services.projects.create("Zoo", "16:9")
        services.hero_frames.generate(project.id, "a red shoe on a plinth", 4, seed=5, negative_prompt="blurry")
        frames = services.hero_frames.list(project.id)
        assert {f.parameters["pipeline"] for f in frames} == {"QwenImagePipeline"}
        assert {f.parameters["inputs"]["negative_prompt"] for f in frames} == {"blurry"}
        services.projects.select_hero_frame(project.id, frames[0].id)
        started = services.attempts.start_group(project.id, "slow push in", "blur", 2, duration=2.0)
        group = services.attempts.group(started.id)
        assert [a.status for a in group.attempts] == ["done", "done"], group.attempts[0].error
        inputs = group.attempts[0].parameters["provider"]["inputs"]
        assert inputs["guidance_scale_2"] == 3.5 and inputs["prompt"].endswith("Camera: slow push in.")
        assert inputs["num_frames"] == 33 and group.attempts[0].fps == 16  # 2 s at 16 fps, 4k+1
    finally:
        services.close()


def test_only_a_cogvideox_with_learned_position_embeddings_is_held_to_one_size(tmp_path):
    """CogVideoX 1.5 I2V (no learned positional embeddings) follows the hero's size; 5B-I2V keeps 720 × 480."""
    import json

    from pipeline.models.registry import read_folder

    sizes = {}
    for learned in (True, False):
        folder = tmp_path / f"cog-{learned}"
        for part, config in {"transformer": {"sample_width": 90, "sample_height": 60, "sample_frames": 49,
                                             "max_text_seq_length": 226, "use_learned_positional_embeddings": learned},
                             "vae": {"block_out_channels": [128, 256, 256, 512]}}.items():
            (folder / part).mkdir(parents=True)
            (folder / part / "config.json").write_text(json.dumps(config), encoding="utf-8")
        index = {"_class_name": "CogVideoXImageToVideoPipeline", "transformer": ["diffusers", "Transformer"],
                 "vae": ["diffusers", "Vae"]}
        (folder / "model_index.json").write_text(json.dumps(index), encoding="utf-8")
        sizes[learned] = read_folder(folder).limits
    assert sizes[True] == {"fixed_size": [720, 480], "max_frames": 49} and sizes[False] == {"max_frames": 49}
