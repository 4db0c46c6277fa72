"""The models directory as a registry, the memory planner, and the local GPU engines on tiny pipelines saved in the
layouts real downloads have (CPU here; GPU memory is simulated through the planner's settings)."""
from __future__ import annotations

import json

import pytest

from pipeline import errors
from pipeline.engines import registry
from pipeline.engines.interfaces import VideoRequest
from tests.conftest import make_settings
from tests.providers.fakes import write_hero


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    from pipeline.providers.diffusers_run import import_diffusers
    from tests.providers.tiny_pipelines import build_image_to_video, build_text_to_image
    from tests.providers.tiny_video_models import build_ltx, build_wan_ti2v, write_unsupported

    import_diffusers()
    folder = tmp_path_factory.mktemp("models")
    build_text_to_image(folder)
    build_image_to_video(folder)
    build_wan_ti2v(folder)
    build_ltx(folder)
    write_unsupported(folder)
    (folder / "tiny-sd" / "vocab.json").unlink(missing_ok=True)  # the tokenizer files live in tokenizer/
    return folder


pytestmark = pytest.mark.usefixtures("empty_pipeline_cache")


def _settings(tmp_path, models_dir, **overrides):
    values = {"models_dir": models_dir, "diffusers_steps": 2, "diffusers_long_side": 64, "diffusers_device": "cpu"}
    values.update(overrides)
    return make_settings(tmp_path / "studio-data", **values)


def _real_params(folder, name):
    """Parameters counted by loading the weights (what the registry must read from the headers alone)."""
    from safetensors.torch import load_file

    return sum(t.numel() for weights in (folder / name).rglob("*.safetensors") for t in load_file(weights).values())


def test_the_registry_reads_each_folder_in_place(models_dir):
    from pipeline.models.registry import scan

    folders = {f.name: f for f in scan(models_dir)}
    assert set(folders) == {"tiny-sd", "tiny-svd", "Wan2.2-TI2V-5B-tiny", "LTX-Video-tiny", "kandinsky-2-2-decoder",
                            "half-downloaded"}
    wan = folders["Wan2.2-TI2V-5B-tiny"]
    assert (wan.folder_class, wan.load_class, wan.task) == ("WanPipeline", "WanImageToVideoPipeline", "image-to-video")
    assert wan.limits["fps"] == 24 and wan.limits["max_frames"] == 121
    assert {c.name for c in wan.components} == {"transformer", "text_encoder", "vae"}
    ltx = folders["LTX-Video-tiny"]
    assert (ltx.folder_class, ltx.load_class, ltx.task) == ("LTXPipeline", "LTXImageToVideoPipeline", "image-to-video")
    for name in ("tiny-sd", "tiny-svd", "Wan2.2-TI2V-5B-tiny", "LTX-Video-tiny"):
        assert folders[name].params == _real_params(models_dir, name) > 0
        assert folders[name].size_bytes >= sum(c.stored_bytes for c in folders[name].components)
    assert folders["tiny-sd"].task == "text-to-image"
    kandinsky, broken = folders["kandinsky-2-2-decoder"], folders["half-downloaded"]
    assert not kandinsky.supported and "KandinskyV22Pipeline" in kandinsky.reason
    assert not broken.supported and "model_index.json" in broken.reason


def test_models_report_and_cli_list_only_what_runs(models_dir, tmp_path, monkeypatch, capsys):
    from pipeline.models.__main__ import main
    from pipeline.models.report import models_report

    report = models_report(_settings(tmp_path, models_dir, diffusers_vram_gb=12.0))
    runnable = {m["name"]: m for m in report["models"]}
    assert set(runnable) == {"tiny-sd", "tiny-svd", "Wan2.2-TI2V-5B-tiny", "LTX-Video-tiny"}
    assert {m["name"] for m in report["unsupported"]} == {"kandinsky-2-2-decoder", "half-downloaded"}
    assert runnable["tiny-svd"]["profile"] == "gpu" and set(runnable["tiny-svd"]["vram_gib"]) == set(report["profiles"])
    assert str(models_dir) not in json.dumps(report)  # folder names only, never server paths
    monkeypatch.setenv("HFS_MODELS_DIR", str(models_dir))
    monkeypatch.setenv("HFS_DATA_DIR", str(tmp_path / "cli-data"))
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "Wan2.2-TI2V-5B-tiny: image-to-video · WanPipeline → WanImageToVideoPipeline" in out
    assert "kandinsky-2-2-decoder: not offered (KandinskyV22Pipeline is not a pipeline the studio can run)" in out


def test_engines_are_listed_only_for_runnable_folders(models_dir, tmp_path):
    settings = _settings(tmp_path, models_dir, diffusers_video_model="kandinsky-2-2-decoder")
    assert "diffusers:image-to-video" not in registry.available("video", settings)
    with pytest.raises(errors.EngineInputError, match="KandinskyV22Pipeline is not a pipeline the studio can run"):
        registry.create("video", "diffusers:image-to-video", settings)
    named = _settings(tmp_path, models_dir, diffusers_video_model="tiny-svd")
    assert registry.create("video", "diffusers:image-to-video", named).folder.name == "tiny-svd"
    first = registry.create("video", "diffusers:image-to-video", _settings(tmp_path, models_dir))
    assert first.folder.name == "LTX-Video-tiny"  # blank: the first runnable folder, by name
    assert registry.create("frame", "diffusers:text-to-image", _settings(tmp_path, models_dir)).folder.name == "tiny-sd"


def test_wan_ti2v_saved_as_wan_pipeline_renders_with_its_own_lengths(models_dir, tmp_path):
    from pipeline.providers.engine_info import engine_info

    settings = _settings(tmp_path, models_dir, diffusers_video_model="Wan2.2-TI2V-5B-tiny")
    info = engine_info("video", "diffusers:image-to-video", settings)
    assert info["lengths"] == {"durations": None, "fps": 24, "max_frames": 121, "frame_rule": "4k+1",
                               "max_seconds": 5.04}
    engine = registry.create("video", "diffusers:image-to-video", settings)
    hero = write_hero(tmp_path / "hero.png", (640, 360))
    request = VideoRequest(hero, "slow push in", "blur", seed=2, duration=0.3,
                           prompt="a red shoe. Camera: slow push in.")
    result = engine.animate(request, tmp_path / "clip.mp4")
    assert result.model == "WanImageToVideoPipeline" and result.fps == 24 and result.frame_count == 9
    assert (result.width, result.height) == (64, 32)  # TI2V sizes are multiples of 32
    assert result.parameters["inputs"]["prompt"] == "a red shoe. Camera: slow push in."
    assert result.parameters["inputs"]["negative_prompt"] == "blur" and result.parameters["memory_profile"] == "cpu"
    with pytest.raises(errors.EngineInputError, match=r"gives at most 5.04 s \(121 frames at 24 fps\)"):
        engine.animate(VideoRequest(hero, "slow push in", duration=10.0), tmp_path / "long.mp4")
    assert not (tmp_path / "long.mp4").exists()


def test_ltx_saved_as_ltx_pipeline_renders_image_to_video(models_dir, tmp_path):
    settings = _settings(tmp_path, models_dir, diffusers_video_model="LTX-Video-tiny")
    hero = write_hero(tmp_path / "hero.png", (640, 360))
    result = registry.create("video", "diffusers:image-to-video", settings).animate(
        VideoRequest(hero, "slow push in", seed=3, duration=0.3, prompt="a lamp. Camera: slow push in."),
        tmp_path / "ltx.mp4")
    assert result.model == "LTXImageToVideoPipeline" and result.frame_count == 9 and result.fps == 24
    assert result.parameters["inputs"]["frame_rate"] == 24 and (result.width, result.height) == (64, 32)


def test_the_pipeline_stays_loaded_and_another_model_releases_it(models_dir, tmp_path):
    from pipeline.engines.interfaces import FrameRequest
    from pipeline.models.cache import CACHE

    hero = write_hero(tmp_path / "hero.png", (640, 360))
    steps: list[str] = []
    settings = _settings(tmp_path, models_dir, diffusers_video_model="Wan2.2-TI2V-5B-tiny")
    for seed in (1, 2):  # two attempts of a group: separate engines, as separate jobs have
        registry.create("video", "diffusers:image-to-video", settings).animate(
            VideoRequest(hero, "push in", seed=seed, duration=0.3), tmp_path / f"wan{seed}.mp4",
            lambda p, s: steps.append(s))
    assert len([s for s in steps if "loading" in s]) == 1 and len(CACHE.keys()) == 1
    registry.create("frame", "diffusers:text-to-image", settings).render(FrameRequest("a lamp", "1:1", seed=1))
    assert [key[1] for key in CACHE.keys()] == ["StableDiffusionPipeline"]  # capacity 1: Wan was released


def test_a_group_on_the_local_wan_model_through_the_services(models_dir, tmp_path):
    from pipeline.services import build_services

    settings = _settings(tmp_path, models_dir, diffusers_video_model="Wan2.2-TI2V-5B-tiny",
                         video_engine="diffusers:image-to-video")
    services = build_services(settings)
    try:
        project = services.projects.create("Local GPU", "16:9")
        services.hero_frames.generate(project.id, "a red shoe on a plinth", 4, seed=5)
        frame = services.hero_frames.list(project.id)[0]
        services.projects.select_hero_frame(project.id, frame.id)
        with pytest.raises(errors.EngineInputError, match="gives at most 5.04 s"):
            services.attempts.start_group(project.id, "slow push in", "", 2, duration=10.0)
        started = services.attempts.start_group(project.id, "slow push in", "", 2, duration=2.0)
        group = services.attempts.group(started.id)
        assert [a.status for a in group.attempts] == ["done", "done"]
        provider = group.attempts[0].parameters["provider"]
        assert provider["pipeline"] == "WanImageToVideoPipeline" and provider["inputs"]["num_frames"] == 49
        assert provider["inputs"]["prompt"] == "a red shoe on a plinth. Camera: slow push in."
        assert group.attempts[0].fps == 24 and group.attempts[0].duration == pytest.approx(49 / 24, 0.05)
    finally:
        services.close()


def test_hero_frames_get_the_negative_prompt_and_their_own_steps(models_dir, tmp_path):
    from pipeline.services import build_services

    settings = _settings(tmp_path, models_dir, frame_engine="diffusers:text-to-image", diffusers_frame_steps=1,
                         diffusers_video_steps=3, diffusers_frame_long_side=32)
    services = build_services(settings)
    try:
        project = services.projects.create("Frames", "1:1")
        services.hero_frames.generate(project.id, "a red shoe", 4, seed=5, negative_prompt="blurry, text")
        frames = services.hero_frames.list(project.id)
        inputs = [f.parameters["inputs"] for f in frames]
        assert {i["negative_prompt"] for i in inputs} == {"blurry, text"}
        assert {i["num_inference_steps"] for i in inputs} == {1} and {(i["width"], i["height"]) for i in inputs} == {
            (32, 32)}
    finally:
        services.close()


def test_the_models_endpoint_is_registered(models_dir, tmp_path):
    from pipeline.services import build_services
    from studio.ui import build_demo

    services = build_services(_settings(tmp_path, models_dir))
    try:
        demo = build_demo(services)
        endpoint = next(f for f in demo.fns.values() if getattr(f, "api_name", None) == "models")
        report = endpoint.fn()
        assert [m["name"] for m in report["models"]] == ["LTX-Video-tiny", "tiny-sd", "tiny-svd", "Wan2.2-TI2V-5B-tiny"]
        assert report["unsupported"][0]["name"] == "half-downloaded"
    finally:
        services.close()


def test_every_family_loads_a_real_class_whose_call_takes_the_mapped_inputs():
    import inspect

    from pipeline.models.registry import FAMILIES, KNOWN_UNSUPPORTED, WAN_TI2V
    from pipeline.providers.catalog import load_catalog
    from pipeline.providers.diffusers_run import import_diffusers, pipeline_class

    diffusers = import_diffusers()
    for folder_class in [*FAMILIES, *KNOWN_UNSUPPORTED]:
        assert hasattr(diffusers, folder_class), folder_class  # only classes diffusers really has
    for family in [*FAMILIES.values(), WAN_TI2V]:
        spec = load_catalog().by_model("diffusers", family.load_class)
        assert spec is not None and family.task in spec.kinds, family.load_class
        accepted = inspect.signature(pipeline_class(family.load_class).__call__).parameters
        mapped = {v for k, v in spec.inputs.model_dump().items() if isinstance(v, str) and k != "seed"}
        mapped |= set(spec.inputs.fixed) | {"generator", "output_type"}  # the step callback is sent where taken
        assert mapped <= set(accepted), (family.load_class, mapped - set(accepted))


def test_the_models_panel_shows_profiles_and_reasons(models_dir, tmp_path):
    from pipeline.models.report import models_report
    from studio.tabs.models_panel import models_html

    html = models_html(models_report(_settings(tmp_path, models_dir, diffusers_vram_gb=16.0)))
    assert "<td>Wan2.2-TI2V-5B-tiny</td><td>image-to-video</td><td>WanImageToVideoPipeline</td>" in html
    assert "16 GiB VRAM free" in html and "<b>gpu</b>" in html
    assert "not offered: KandinskyV22Pipeline is not a pipeline the studio can run" in html
    assert "No models folder" in models_html(models_report(make_settings(tmp_path / "none")))


def test_weight_variants_next_to_the_main_weights_are_not_counted_twice(models_dir, tmp_path):
    import shutil

    from pipeline.models.registry import read_folder

    copy = shutil.copytree(models_dir / "tiny-sd", tmp_path / "tiny-sd")
    unet = copy / "unet"
    shutil.copy(unet / "diffusion_pytorch_model.safetensors", unet / "diffusion_pytorch_model.fp16.safetensors")
    assert read_folder(copy).params == read_folder(models_dir / "tiny-sd").params
    (unet / "diffusion_pytorch_model.safetensors").unlink()  # a variant-only download still counts once
    assert read_folder(copy).params == read_folder(models_dir / "tiny-sd").params
