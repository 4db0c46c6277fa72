"""The models directory as a registry: each diffusers folder in it, what it is, and whether the studio can run it.

A folder is read in place (no copy, nothing loaded): its model_index.json names the pipeline class, which maps to
the class to load for the studio's task (a real LTX-Video download says `LTXPipeline`, loaded as
`LTXImageToVideoPipeline`); parameter counts come from the safetensors headers (a JSON header before the tensors),
so a 40 GiB folder is measured in milliseconds. Folders the studio cannot run are listed with the reason.
"""
from __future__ import annotations

import json
import re
import struct
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TEXT_TO_IMAGE, IMAGE_TO_VIDEO = "text-to-image", "image-to-video"
DENOISERS = ("transformer", "transformer_2", "unet")  # the big parts: quantised / cast first
VARIANT = re.compile(r"\.(fp16|bf16|fp32|fp8|non_ema|ema)[.-]")  # diffusers' weight variants
BYTES_PER_DTYPE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I64": 8, "I32": 4,
                   "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


@dataclass(frozen=True)
class Family:
    """How the studio runs a folder class: its task and the diffusers class to load it with."""

    task: str
    load_class: str
    label: str
    limits: dict[str, Any] = field(default_factory=dict)  # catalog limits this variant changes (fps, frames, ...)
    fixed: dict[str, Any] = field(default_factory=dict)  # constant call arguments this variant adds
    checked: bool = True  # rendered from a tiny random copy in the CPU tests (False: mapped by its docs only)


# folder class (model_index.json "_class_name") -> how to run it; only classes diffusers 0.42.1 has
FAMILIES: dict[str, Family] = {
    "StableDiffusionPipeline": Family(TEXT_TO_IMAGE, "StableDiffusionPipeline", "Stable Diffusion 1.x/2.x"),
    "StableDiffusionXLPipeline": Family(TEXT_TO_IMAGE, "StableDiffusionXLPipeline", "Stable Diffusion XL"),
    "StableDiffusion3Pipeline": Family(TEXT_TO_IMAGE, "StableDiffusion3Pipeline", "Stable Diffusion 3 / 3.5"),
    "FluxPipeline": Family(TEXT_TO_IMAGE, "FluxPipeline", "FLUX.1"),
    "Flux2Pipeline": Family(TEXT_TO_IMAGE, "Flux2Pipeline", "FLUX.2"),
    "QwenImagePipeline": Family(TEXT_TO_IMAGE, "QwenImagePipeline", "Qwen-Image"),
    "ZImagePipeline": Family(TEXT_TO_IMAGE, "ZImagePipeline", "Z-Image"),
    "StableVideoDiffusionPipeline": Family(IMAGE_TO_VIDEO, "StableVideoDiffusionPipeline", "Stable Video Diffusion"),
    "WanImageToVideoPipeline": Family(IMAGE_TO_VIDEO, "WanImageToVideoPipeline", "Wan 2.1/2.2 image-to-video"),
    "LTXPipeline": Family(IMAGE_TO_VIDEO, "LTXImageToVideoPipeline", "LTX-Video"),
    "LTXImageToVideoPipeline": Family(IMAGE_TO_VIDEO, "LTXImageToVideoPipeline", "LTX-Video"),
    "LTXConditionPipeline": Family(IMAGE_TO_VIDEO, "LTXConditionPipeline", "LTX-Video 0.9.5+ (condition)"),
    "LTX2Pipeline": Family(IMAGE_TO_VIDEO, "LTX2ImageToVideoPipeline", "LTX-2"),
    "LTX2ImageToVideoPipeline": Family(IMAGE_TO_VIDEO, "LTX2ImageToVideoPipeline", "LTX-2"),
    "CogVideoXImageToVideoPipeline": Family(IMAGE_TO_VIDEO, "CogVideoXImageToVideoPipeline",
                                            "CogVideoX image-to-video"),
    "HunyuanVideoImageToVideoPipeline": Family(IMAGE_TO_VIDEO, "HunyuanVideoImageToVideoPipeline",
                                               "HunyuanVideo image-to-video", checked=False),
    "HunyuanVideo15ImageToVideoPipeline": Family(IMAGE_TO_VIDEO, "HunyuanVideo15ImageToVideoPipeline",
                                                 "HunyuanVideo 1.5 image-to-video"),
}
# Wan 2.2 TI2V-5B is saved as a WanPipeline with expand_timesteps: its transformer also takes a first frame
WAN_TI2V = Family(IMAGE_TO_VIDEO, "WanImageToVideoPipeline", "Wan 2.2 TI2V-5B",
                  {"fps": 24, "max_frames": 121, "size_multiple": 32, "long_side": 1280})
# Wan 2.2 I2V A14B: a high-noise and a low-noise expert switched at boundary_ratio, each with its own guidance
WAN_A14B = Family(IMAGE_TO_VIDEO, "WanImageToVideoPipeline", "Wan 2.2 I2V A14B (two experts)",
                  {"cfg": 3.5, "cfg_2": 3.5})
# FLUX.1 [schnell] is timestep-distilled (no guidance embedding): 4 steps, no guidance, 256 T5 tokens
FLUX_SCHNELL = Family(TEXT_TO_IMAGE, "FluxPipeline", "FLUX.1 [schnell]", {"steps": 4, "cfg": 0.0},
                      {"max_sequence_length": 256})
FLUX_DEV = Family(TEXT_TO_IMAGE, "FluxPipeline", "FLUX.1 [dev]", {}, {"max_sequence_length": 512})
KNOWN_UNSUPPORTED = {
    "WanPipeline": "Wan text-to-video without image conditioning (only TI2V folders, with expand_timesteps, run)",
    "CogVideoXPipeline": "CogVideoX text-to-video takes no start image (use a CogVideoX-I2V folder)",
    "HunyuanVideoPipeline": "HunyuanVideo text-to-video takes no start image (use the I2V folder)",
}


@dataclass
class Component:
    name: str  # the subfolder: transformer, text_encoder, vae, ...
    params: int  # from the safetensors headers (0 when the folder has none)
    stored_bytes: int  # tensor bytes as stored (dtype as saved)


@dataclass
class ModelFolder:
    """One folder of the models directory, as the registry read it."""

    name: str
    path: Path
    folder_class: str
    supported: bool
    reason: str = ""  # why it cannot run (unsupported folders only)
    task: str | None = None
    load_class: str | None = None
    label: str = ""
    limits: dict[str, Any] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)  # constant call arguments read from the folder's configs
    checked: bool = False  # its class was rendered from a tiny random copy in the CPU tests
    size_bytes: int = 0
    components: list[Component] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)  # model_index.json, for the argument mapping

    @property
    def params(self) -> int:
        return sum(c.params for c in self.components)

    def view(self) -> dict[str, Any]:
        """What the API and the CLI show (no server path: the folder's name only)."""
        data = {k: v for k, v in asdict(self).items() if k not in ("path", "config", "components")}
        data["params"] = self.params
        data["components"] = {c.name: c.params for c in self.components}
        return data


def family_of(folder_class: str, index: dict[str, Any], path: Path | None = None) -> tuple[Family | None, str]:
    """The family a folder class runs as (the variant read from its configs), or None and the reason it cannot run."""
    if folder_class == "WanPipeline" and index.get("expand_timesteps"):
        return WAN_TI2V, ""
    if folder_class == "WanImageToVideoPipeline" and index.get("boundary_ratio") and _present(index, "transformer_2"):
        return WAN_A14B, ""
    if folder_class == "FluxPipeline" and path is not None:
        return (FLUX_DEV if component_config(path, "transformer").get("guidance_embeds", True) else FLUX_SCHNELL), ""
    if folder_class in FAMILIES:
        return FAMILIES[folder_class], ""
    reason = KNOWN_UNSUPPORTED.get(folder_class)
    if reason is None:
        reason = f"{folder_class or 'an unnamed pipeline'} is not a pipeline the studio can run"
    return None, reason


_READ_CACHE: dict[tuple[str, int, int], ModelFolder] = {}
_READ_LOCK = threading.Lock()


def read_folder(path: Path) -> ModelFolder:
    """One model folder as read (cached until its model_index.json or the folder itself changes): engine lists
    and every job ask, and a big snapshot has dozens of weight files."""
    path = Path(path)
    try:
        changed = max(p.stat().st_mtime_ns for p in [path, *path.iterdir()] if p.is_dir())  # files land in subfolders
        key = (str(path.resolve()), (path / "model_index.json").stat().st_mtime_ns, changed)
    except OSError:
        return _read_folder(path)
    with _READ_LOCK:
        cached = _READ_CACHE.get(key)
    if cached is None:
        cached = _read_folder(path)
        with _READ_LOCK:
            _READ_CACHE[key] = cached
    return cached


def _read_folder(path: Path) -> ModelFolder:
    """Read one model folder (model_index.json, configs, safetensors headers; no weights)."""
    index_file = path / "model_index.json"
    try:
        index = json.loads(index_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ModelFolder(path.name, path, "", False, "model_index.json is missing or not valid JSON")
    folder_class = str(index.get("_class_name", ""))
    family, reason = family_of(folder_class, index, path)
    folder = ModelFolder(path.name, path, folder_class, family is not None, reason, config=index,
                         size_bytes=folder_size(path), components=components(path, index))
    if family is not None:
        folder.task, folder.load_class, folder.label = family.task, family.load_class, family.label
        folder.limits, folder.fixed, folder.checked = dict(family.limits), dict(family.fixed), family.checked
        if folder_class == "CogVideoXImageToVideoPipeline":
            _cogvideox_size(folder)
    return folder


def _present(index: dict[str, Any], name: str) -> bool:
    value = index.get(name)
    return isinstance(value, list) and bool(value) and value[0] is not None


def component_config(path: Path, name: str) -> dict[str, Any]:
    """A component's config.json ({} when absent or unreadable)."""
    try:
        return json.loads((path / name / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _cogvideox_size(folder: ModelFolder) -> None:
    """CogVideoX-5B-I2V has learned positional embeddings: it runs only at its trained size (the transformer's sample
    size × the VAE's spatial factor: 720 × 480) and text length (226). CogVideoX 1.5 (no learned embeddings) takes
    any size. Both are held to their trained frame count (49 and 81)."""
    transformer = component_config(folder.path, "transformer")
    vae = component_config(folder.path, "vae")
    factor = 2 ** (len(vae.get("block_out_channels", [0] * 4)) - 1)
    width, height = transformer.get("sample_width"), transformer.get("sample_height")
    if width and height and transformer.get("use_learned_positional_embeddings"):
        folder.limits["fixed_size"] = [int(width) * factor, int(height) * factor]
    if transformer.get("sample_frames"):
        folder.limits["max_frames"] = int(transformer["sample_frames"])
    if transformer.get("max_text_seq_length"):
        folder.fixed["max_sequence_length"] = int(transformer["max_text_seq_length"])


def scan(models_dir: Path | None) -> list[ModelFolder]:
    """Every folder with a model_index.json directly inside the models directory, by name."""
    if models_dir is None or not Path(models_dir).is_dir():
        return []
    return [read_folder(p) for p in sorted(Path(models_dir).iterdir(), key=lambda p: p.name.lower())
            if (p / "model_index.json").is_file()]


def runnable(models_dir: Path | None, task: str) -> list[ModelFolder]:
    return [f for f in scan(models_dir) if f.supported and f.task == task]


def components(path: Path, index: dict[str, Any]) -> list[Component]:
    """The components named by model_index.json that hold weights, with their parameter counts."""
    result = []
    for name, value in index.items():
        if name.startswith("_") or not isinstance(value, list) or value[0] is None or not (path / name).is_dir():
            continue
        params, stored = 0, 0
        for weights in main_weights(path / name):
            count, size = safetensors_params(weights)
            params, stored = params + count, stored + size
        if params:
            result.append(Component(name, params, stored))
    return result


def main_weights(component: Path) -> list[Path]:
    """The component's safetensors files, without variant copies (model.fp16.safetensors next to model.safetensors
    would count every parameter twice)."""
    files = sorted(component.glob("*.safetensors"))
    main = [f for f in files if not VARIANT.search(f.name)]
    return main or files


def safetensors_params(path: Path) -> tuple[int, int]:
    """(parameters, bytes) of a .safetensors file from its header alone: 8 bytes of length, then JSON."""
    try:
        with open(path, "rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            if length > 100_000_000:  # not a safetensors header
                return 0, 0
            header = json.loads(handle.read(length))
    except (OSError, ValueError, struct.error):
        return 0, 0
    params = stored = 0
    for name, tensor in header.items():
        if name == "__metadata__":
            continue
        count = 1
        for dim in tensor.get("shape", []):
            count *= int(dim)
        params += count
        stored += count * BYTES_PER_DTYPE.get(tensor.get("dtype", "F32"), 4)
    return params, stored


def folder_size(path: Path) -> int:
    """Bytes on disk, following the symlinks of a Hugging Face cache snapshot."""
    total = 0
    for item in path.rglob("*"):
        try:
            if item.is_file():
                total += item.stat().st_size
        except OSError:
            continue
    return total
