"""Memory profiles for the local GPU: which of diffusers' own hooks a model needs to fit the card, chosen from the
folder's real parameter counts and the free VRAM and RAM before loading (overridable per model by a setting).

Profiles, heaviest VRAM use (and fastest) first; the planner takes the first that fits with a 10 % margin:
- gpu: everything on the GPU (`pipe.to("cuda")`);
- model_offload: one component on the GPU at a time (`enable_model_cpu_offload`), VAE tiling;
- fp8_offload: the transformer stored in fp8, computed in bf16 (`enable_layerwise_casting`), plus model_offload;
- nf4_offload: the transformer quantised to 4 bit at load (`PipelineQuantizationConfig`, bitsandbytes), plus
  model_offload; offered only where bitsandbytes imports;
- group_offload: blocks streamed to the GPU as they run (`enable_group_offload`, block level, CUDA stream);
- fp8_group_offload: fp8 storage of the transformer and group offload (half the RAM for the transformer);
- sequential_offload: every layer streamed (`enable_sequential_cpu_offload`): the least VRAM, the slowest.
The estimates are plain arithmetic on parameter counts (bf16 = 2 bytes) plus a working allowance per task; they
are estimates, and an out-of-memory at run time retries once with the next lighter profile.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any, Iterable

from pipeline.models.registry import DENOISERS, IMAGE_TO_VIDEO, Component

GIB = 1024 ** 3
PROFILES = ("gpu", "model_offload", "fp8_offload", "nf4_offload", "group_offload", "fp8_group_offload",
            "sequential_offload")
CPU_PROFILE = "cpu"
FP8_PROFILES = ("fp8_offload", "fp8_group_offload")  # the denoisers stored in fp8 (enable_layerwise_casting)
WORKING_GIB = {IMAGE_TO_VIDEO: 5.0, "text-to-image": 2.0}  # activations + VAE decode at the default size
MARGIN = 0.9  # use at most 90 % of the free VRAM / RAM
GROUP_FRACTION = 0.125  # block-level group offload keeps about one block group of the largest part resident


@dataclass(frozen=True)
class Plan:
    profile: str
    vram_gib: float | None  # estimated peak VRAM of the chosen profile (None on CPU)
    free_vram_gib: float | None
    reason: str  # why this profile, in words


def available_profiles() -> tuple[str, ...]:
    """The profiles this installation can apply (4-bit needs bitsandbytes)."""
    has_bnb = importlib.util.find_spec("bitsandbytes") is not None
    return tuple(p for p in PROFILES if p != "nf4_offload" or has_bnb)


def _bytes(parts: Iterable[Component], per_param: float) -> float:
    return sum(c.params for c in parts) * per_param / GIB


def estimate_vram(parts: list[Component], task: str, profile: str) -> float:
    """Estimated peak VRAM in GiB of a model under a profile."""
    working = WORKING_GIB.get(task, 2.0)
    denoisers = [c for c in parts if c.name in DENOISERS]
    others = [c for c in parts if c.name not in DENOISERS]
    largest = max((c.params for c in parts), default=0) * 2 / GIB
    largest_other = max((c.params for c in others), default=0) * 2 / GIB
    largest_denoiser = max((c.params for c in denoisers), default=0)
    if profile == "gpu":
        return _bytes(parts, 2) + working
    if profile == "model_offload":
        return largest + working
    if profile == "fp8_offload":
        return max(largest_denoiser * 1 / GIB, largest_other) + working
    if profile == "nf4_offload":
        return max(largest_denoiser * 0.55 / GIB, largest_other) + working
    if profile == "group_offload":
        return largest * GROUP_FRACTION + working
    if profile == "fp8_group_offload":
        return max(largest_denoiser * 1 / GIB, largest_other) * GROUP_FRACTION + working
    if profile == "sequential_offload":
        return 0.5 + working
    raise ValueError(f"unknown memory profile {profile!r}")


def estimate_ram(parts: list[Component], profile: str) -> float:
    """RAM in GiB that offloaded weights need (they wait in RAM while not on the GPU)."""
    denoisers = [c for c in parts if c.name in DENOISERS]
    others = [c for c in parts if c.name not in DENOISERS]
    if profile == "gpu":
        return 2.0
    per_param = {"fp8_offload": 1.0, "nf4_offload": 0.55, "fp8_group_offload": 1.0}.get(profile, 2.0)
    return _bytes(denoisers, per_param) + _bytes(others, 2) + 2.0


def estimates(parts: list[Component], task: str) -> dict[str, float]:
    """{profile: estimated VRAM GiB} for every available profile."""
    return {p: round(estimate_vram(parts, task, p), 1) for p in available_profiles()}


def choose(parts: list[Component], task: str, free_vram_gib: float | None, free_ram_gib: float | None,
           override: str | None = None) -> Plan:
    """The first profile that fits the free VRAM (and whose offloaded weights fit the RAM)."""
    if override and override not in available_profiles():
        raise ValueError(f"memory profile {override!r} is not one of {', '.join(available_profiles())}")
    if free_vram_gib is None:
        if override in FP8_PROFILES:  # fp8 storage halves the RAM a CPU run needs; offload has no meaning there
            return Plan(override, None, None, "set in the settings: on the CPU only its fp8 storage applies")
        return Plan(CPU_PROFILE, None, None, "no GPU: runs on the CPU")
    if override:
        return Plan(override, round(estimate_vram(parts, task, override), 1), free_vram_gib, "set in the settings")
    for profile in available_profiles():
        need = estimate_vram(parts, task, profile)
        ram_ok = free_ram_gib is None or estimate_ram(parts, profile) <= free_ram_gib * MARGIN
        if need <= free_vram_gib * MARGIN and ram_ok:
            return Plan(profile, round(need, 1), free_vram_gib, f"needs ≈ {need:.1f} GiB of {free_vram_gib:.1f} free")
    last = available_profiles()[-1]
    need = estimate_vram(parts, task, last)
    return Plan(last, round(need, 1), free_vram_gib,
                f"needs ≈ {need:.1f} GiB, more than the {free_vram_gib:.1f} GiB free: the lightest profile is tried")


def lighter(profile: str) -> str | None:
    """The next profile that uses less VRAM (None: there is none)."""
    options = available_profiles()
    if profile not in options:
        return None
    index = options.index(profile)
    return options[index + 1] if index + 1 < len(options) else None


def free_memory(settings: Any, device: str) -> tuple[float | None, float | None]:
    """(free VRAM GiB or None without CUDA, available RAM GiB); settings can simulate either (tests, dry runs)."""
    vram = getattr(settings, "diffusers_vram_gb", None)
    ram = getattr(settings, "diffusers_ram_gb", None)
    if vram is None and device.startswith("cuda"):
        import torch

        free, _total = torch.cuda.mem_get_info(torch.device(device))
        vram = free / GIB
    if ram is None:
        import psutil

        ram = psutil.virtual_memory().available / GIB
    return (float(vram) if vram is not None else None), float(ram)


def profile_override(settings: Any, folder_name: str) -> str | None:
    """The profile the settings pin for a model folder (by name, or "*" for every model)."""
    pinned = getattr(settings, "diffusers_profiles", None) or {}
    return pinned.get(folder_name) or pinned.get("*")


def load_options(profile: str, parts: list[Component], dtype: Any) -> dict[str, Any]:
    """Extra from_pretrained arguments of a profile (4-bit quantisation happens while loading)."""
    if profile != "nf4_offload":
        return {}
    from diffusers import PipelineQuantizationConfig

    names = [c.name for c in parts if c.name in DENOISERS]
    return {"quantization_config": PipelineQuantizationConfig(
        quant_backend="bitsandbytes_4bit", components_to_quantize=names,
        quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": dtype})}


def apply_profile(pipe: Any, profile: str, device: str, dtype: Any) -> None:
    """Place a loaded pipeline as the profile says, through diffusers' own hooks (on the CPU: only fp8 storage)."""
    if profile in FP8_PROFILES:
        import torch

        for name in DENOISERS:  # weights stored in fp8, each layer cast up to `dtype` while it computes
            part = getattr(pipe, name, None)
            if part is not None and hasattr(part, "enable_layerwise_casting"):
                part.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=dtype)
    if profile in (CPU_PROFILE, "gpu") or not device.startswith("cuda"):
        pipe.to(device)
        return
    if profile in ("model_offload", "fp8_offload", "nf4_offload"):
        pipe.enable_model_cpu_offload(device=device)
    elif profile in ("group_offload", "fp8_group_offload"):
        pipe.enable_group_offload(onload_device=device, offload_device="cpu", offload_type="block_level",
                                  num_blocks_per_group=1, use_stream=device.startswith("cuda"))
    elif profile == "sequential_offload":
        pipe.enable_sequential_cpu_offload(device=device)
    vae = getattr(pipe, "vae", None)
    for hook in ("enable_tiling", "enable_slicing"):  # decode in tiles: the VAE peak stays small
        if vae is not None and hasattr(vae, hook):
            try:
                getattr(vae, hook)()
            except (NotImplementedError, ValueError):  # some VAEs (SVD's temporal decoder) have no tiling
                pass
