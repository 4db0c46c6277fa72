"""GPU smoke run: tiny random copies of every pipeline class the studio runs (SD, SVD, Wan 2.2 TI2V saved as
WanPipeline, LTX-Video saved as LTXPipeline, Wan 2.1 I2V, Wan 2.2 A14B, LTX condition, LTX-2, CogVideoX I2V,
HunyuanVideo 1.5 I2V, SDXL, SD3, FLUX.1 dev/schnell, Qwen-Image, FLUX.2, Z-Image; see
tests/providers/tiny_model_zoo.py), each rendered on CUDA under every memory profile, with the peak VRAM of each
run. Prints a Markdown table for docs/BENCHMARKS.md (with the card's name).
`--cpu` runs the same code on the CPU with the profiles that mean something there (cpu, fp8 storage): a check that
the script works on a machine without a GPU; no VRAM figures. `--only wan22,sdxl` limits it to some models.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CPU_PROFILES = ["cpu", "fp8_offload"]


def build_models(folder: Path, only: set[str] | None = None) -> dict[str, Path]:
    from pipeline.providers.diffusers_run import import_diffusers
    from tests.providers.tiny_model_zoo import FRAME_BUILDERS, VIDEO_BUILDERS
    from tests.providers.tiny_pipelines import build_image_to_video, build_text_to_image
    from tests.providers.tiny_video_models import build_ltx, build_wan_ti2v

    import_diffusers()
    builders = {"sd": build_text_to_image, "svd": build_image_to_video, "wan_ti2v": build_wan_ti2v,
                "ltx": build_ltx, **VIDEO_BUILDERS, **FRAME_BUILDERS}
    return {key: build(folder) for key, build in builders.items() if not only or key in only}


def render_once(folder: Path, profile: str, device: str, hero: Path) -> tuple[float, float]:
    """(seconds, peak VRAM MiB) of one load + render under a forced profile."""
    import torch

    from pipeline.engines import registry
    from pipeline.engines.interfaces import FrameRequest, VideoRequest
    from pipeline.providers.diffusers_run import release
    from tests.conftest import make_settings

    release()
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    from pipeline.models.registry import read_folder

    kind = read_folder(folder).task
    setting = "diffusers_image_model" if kind == "text-to-image" else "diffusers_video_model"
    with tempfile.TemporaryDirectory() as data:
        settings = make_settings(Path(data), **{setting: folder}, diffusers_device=device, diffusers_steps=2,
                                 diffusers_long_side=64, diffusers_profiles={"*": profile} if profile != "cpu" else {})
        if kind is None:
            raise ValueError(f"{folder.name} is not a model the studio runs")
        start = time.perf_counter()
        if kind == "text-to-image":
            engine = registry.create("frame", "diffusers:text-to-image", settings)
            engine.render(FrameRequest("a red shoe", "16:9", seed=1))
        else:
            registry.create("video", "diffusers:image-to-video", settings).animate(
                VideoRequest(hero, "slow push in", seed=1, duration=0.3, prompt="a red shoe. Camera: slow push in."),
                Path(data) / "clip.mp4")
        seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.startswith("cuda") else 0.0
    release()
    return seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpu", action="store_true", help="run on the CPU: cpu and fp8 storage (no GPU needed)")
    parser.add_argument("--only", default="", help="comma-separated model keys (default: all)")
    args = parser.parse_args()
    import torch

    from pipeline.models import planner
    from tests.providers.fakes import write_hero

    if not args.cpu and not torch.cuda.is_available():
        print("No CUDA device: run this on the GPU box (or --cpu to check the script).", file=sys.stderr)
        return 2
    device = "cpu" if args.cpu else "cuda"
    profiles = CPU_PROFILES if args.cpu else list(planner.available_profiles())
    card = torch.cuda.get_device_name(0) if device == "cuda" else "CPU"
    print(f"# GPU smoke on {card}, torch {torch.__version__}\n")
    print("| model | profile | seconds | peak VRAM MiB |\n|---|---|---|---|")
    failures = 0
    with tempfile.TemporaryDirectory() as root:
        hero = write_hero(Path(root) / "hero.png", (640, 360))
        only = {key.strip() for key in args.only.split(",") if key.strip()}
        for name, folder in build_models(Path(root), only).items():
            for profile in profiles:
                try:
                    seconds, peak = render_once(folder, profile, device, hero)
                    print(f"| {name} | {profile} | {seconds:.2f} | {peak:.1f} |", flush=True)
                except Exception as exc:  # report every profile, then fail at the end
                    failures += 1
                    print(f"| {name} | {profile} | failed: {type(exc).__name__}: {str(exc)[:120]} | — |", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
