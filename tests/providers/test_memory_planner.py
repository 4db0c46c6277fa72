"""The memory planner against simulated VRAM and RAM, its hooks on a real tiny pipeline, the out-of-memory retry
with a lighter profile, and concurrent first loads from two worker threads."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.models import planner
from pipeline.models.registry import Component
from tests.conftest import make_settings

B = 1_000_000_000
WAN_14B = [Component("transformer", int(16.39 * B), 0), Component("text_encoder", int(5.68 * B), 0),
           Component("image_encoder", int(0.63 * B), 0)]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def empty_pipeline_cache():
    from pipeline.providers.diffusers_run import release

    release()
    yield
    release()


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory):
    from pipeline.providers.diffusers_run import import_diffusers
    from tests.providers.tiny_pipelines import build_text_to_image

    import_diffusers()
    return build_text_to_image(tmp_path_factory.mktemp("models"))


def test_more_free_vram_never_gets_a_lighter_profile():
    order = planner.available_profiles()
    picked = [planner.choose(WAN_14B, "image-to-video", gib, 256.0).profile for gib in (4, 8, 12, 16, 24, 48, 80)]
    ranks = [order.index(p) for p in picked]
    assert ranks == sorted(ranks, reverse=True)
    assert picked[-1] == "gpu" and picked[0] == order[-1]
    for gib, profile in zip((4, 8, 12, 16, 24, 48, 80), picked):  # what it picked fits, with the margin
        assert profile == order[-1] or planner.estimate_vram(WAN_14B, "image-to-video", profile) <= gib * 0.9


def test_ram_too_small_for_bf16_offload_picks_fp8_storage():
    plan = planner.choose(WAN_14B, "image-to-video", 12.0, 36.0)
    assert plan.profile == "fp8_group_offload" and "GiB" in plan.reason
    fp8_ram, bf16_ram = (planner.estimate_ram(WAN_14B, p) for p in ("fp8_group_offload", "group_offload"))
    assert fp8_ram <= 36 * 0.9 < bf16_ram


def test_override_and_cpu():
    assert planner.choose(WAN_14B, "image-to-video", None, 8.0).profile == "cpu"
    assert planner.choose(WAN_14B, "image-to-video", 80.0, 256.0, override="sequential_offload").profile == \
        "sequential_offload"
    with pytest.raises(ValueError, match="not one of"):
        planner.choose(WAN_14B, "image-to-video", 80.0, 256.0, override="turbo")
    settings = make_settings(Path("/tmp/unused"), diffusers_profiles={"*": "model_offload", "wan": "fp8_offload"})
    assert planner.profile_override(settings, "wan") == "fp8_offload"
    assert planner.profile_override(settings, "sdxl") == "model_offload"


def test_plan_table_prints_every_published_model_and_card():
    from pipeline.models.report import PUBLISHED_MODELS, plan_table

    table = plan_table().splitlines()
    assert table[0] == "| model | params | 12 GB | 16 GB | 24 GB | 80 GB |"
    assert len(table) == 2 + len(PUBLISHED_MODELS)
    wan = next(line for line in table if line.startswith("| Wan 2.1 I2V 14B |"))
    cells = [cell.strip() for cell in wan.split("|")[3:-1]]
    assert cells[-1].startswith("gpu (") and not cells[0].startswith("gpu (")  # 80 GB all on the GPU, 12 GB not


def test_profiles_use_diffusers_hooks_on_a_real_pipeline(tiny_sd, monkeypatch):
    import torch

    from pipeline.providers.diffusers_run import pipeline_class

    pipe = pipeline_class("StableDiffusionPipeline").from_pretrained(str(tiny_sd), local_files_only=True)
    calls = []
    monkeypatch.setattr(type(pipe), "enable_model_cpu_offload", lambda self, device=None: calls.append(device))
    planner.apply_profile(pipe, "fp8_offload", "cuda", torch.float32)
    assert calls == ["cuda"]
    assert pipe.unet.conv_in.weight.dtype == torch.float8_e4m3fn  # stored in fp8, computed in fp32 here
    assert pipe.text_encoder.dtype == torch.float32 and pipe.vae.use_tiling
    recorded = []
    fake = type("Pipe", (), {"enable_sequential_cpu_offload":
                             lambda self, device=None: recorded.append(("seq", device)),
                             "enable_group_offload": lambda self, **kw: recorded.append(("group", kw["offload_type"])),
                             "to": lambda self, device: recorded.append(("to", device))})()
    for profile in ("sequential_offload", "group_offload", "gpu"):
        planner.apply_profile(fake, profile, "cuda", torch.float32)
    assert recorded == [("seq", "cuda"), ("group", "block_level"), ("to", "cuda")]


class FakeFramePipe:
    """Stands in for a loaded pipeline: out of GPU memory under the profiles in `fails`."""

    def __init__(self, profile, fails):
        self.profile, self.fails = profile, fails

    def __call__(self, **kwargs):
        import torch
        from PIL import Image

        if self.profile in self.fails:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return type("Out", (), {"images": [Image.new("RGB", (kwargs["width"], kwargs["height"]))]})()


def _fake_loads(monkeypatch, fails):
    from pipeline.models.cache import LoadedPipeline
    from pipeline.providers import diffusers_run

    loads = []

    def load(info, plan, device, dtype, progress, what):
        loads.append(plan.profile)
        return LoadedPipeline(FakeFramePipe(plan.profile, fails), device, dtype, plan)

    monkeypatch.setattr(diffusers_run, "_load", load)
    return loads


def test_out_of_memory_retries_once_with_the_next_lighter_profile(tiny_sd, tmp_path, monkeypatch):
    from pipeline.engines import registry
    from pipeline.engines.interfaces import FrameRequest

    loads = _fake_loads(monkeypatch, fails={"gpu"})
    settings = make_settings(tmp_path / "d", diffusers_image_model=tiny_sd, diffusers_vram_gb=80.0,
                             diffusers_steps=1, diffusers_long_side=64)
    steps: list[str] = []
    frame = registry.create("frame", "diffusers:text-to-image", settings).render(
        FrameRequest("a lamp", "1:1"), lambda p, s: steps.append(s))
    assert loads == ["gpu", "model_offload"] and frame.parameters["memory_profile"] == "model_offload"
    assert "Hero frame: not enough GPU memory with gpu; retrying with model_offload" in steps


def test_out_of_memory_twice_is_a_clear_message(tiny_sd, tmp_path, monkeypatch):
    from pipeline import errors
    from pipeline.engines import registry
    from pipeline.engines.interfaces import FrameRequest

    loads = _fake_loads(monkeypatch, fails=set(planner.PROFILES))
    settings = make_settings(tmp_path / "d", diffusers_image_model=tiny_sd, diffusers_vram_gb=80.0,
                             diffusers_steps=1, diffusers_long_side=64)
    with pytest.raises(errors.EngineInputError) as caught:
        registry.create("frame", "diffusers:text-to-image", settings).render(FrameRequest("a lamp", "16:9"))
    assert str(caught.value) == ("Not enough GPU memory for Stable Diffusion 1.x/2.x at 64×32: try profile "
                                 f"{planner.lighter('model_offload')} or a shorter clip.")
    assert loads == ["gpu", "model_offload"]


def test_two_worker_threads_load_a_fresh_process_safely(tiny_sd, tmp_path):
    """The first diffusers import and load from two threads at once (it crashed with 'Only a single
    TORCH_LIBRARY can be used to register the namespace torchvision'): both render, the model loads once."""
    script = textwrap.dedent(f"""
        import threading
        from pathlib import Path
        from tests.conftest import make_settings
        from pipeline.engines import registry
        from pipeline.engines.interfaces import FrameRequest
        settings = make_settings(Path({str(tmp_path / 'd')!r}), diffusers_image_model=Path({str(tiny_sd)!r}),
                                 diffusers_steps=1, diffusers_long_side=32)
        errors, loads = [], []
        def render(seed):
            try:
                registry.create("frame", "diffusers:text-to-image", settings).render(
                    FrameRequest("a lamp", "1:1", seed=seed), lambda p, s: loads.append(s) if "loading" in s else None)
            except Exception as exc:
                errors.append(repr(exc)[:300])
        threads = [threading.Thread(target=render, args=(seed,)) for seed in (1, 2)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        print("errors", errors, "loads", len(loads))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert "errors [] loads 1" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]


def test_a_job_waiting_for_the_device_reports_it_and_can_be_cancelled(tiny_sd, tmp_path):
    from pipeline.engines import registry
    from pipeline.engines.interfaces import FrameRequest
    from pipeline.errors import JobCancelled
    from pipeline.models.cache import device_lock

    settings = make_settings(tmp_path / "d", diffusers_image_model=tiny_sd, diffusers_steps=1, diffusers_long_side=32,
                             diffusers_device="cpu")
    engine = registry.create("frame", "diffusers:text-to-image", settings)
    seen: list[str] = []

    def progress(percent, step):
        seen.append(step)
        if "waiting" in step:
            raise JobCancelled()

    with device_lock("cpu"):  # another job is rendering on this device
        with pytest.raises(JobCancelled):
            engine.render(FrameRequest("a lamp", "1:1"), progress)
    assert seen == ["Hero frame: waiting for the CPU (another job is rendering)"]
    assert engine.render(FrameRequest("a lamp", "1:1")).image.size == (32, 32)  # the lock was given back
