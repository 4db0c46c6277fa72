"""What the models directory holds, for the /models endpoint, the Models panel and `python -m pipeline.models`:
each folder with its task, class, size, parameter count, estimated VRAM per memory profile and the profile this
machine would use; unsupported folders with the reason. Plus the planner's table for the published models."""
from __future__ import annotations

from typing import Any

from pipeline.models import planner
from pipeline.models.registry import IMAGE_TO_VIDEO, TEXT_TO_IMAGE, Component, ModelFolder, scan

B = 1_000_000_000
# Published parameter counts (docs: /work/shared/notes/gpu-box.md; counted on the meta device, VAE and CLIP-L left
# out): name, task, {component: params}
PUBLISHED_MODELS: list[tuple[str, str, dict[str, float]]] = [
    ("Wan 2.1 I2V 14B", IMAGE_TO_VIDEO, {"transformer": 16.39, "text_encoder": 5.68, "image_encoder": 0.63}),
    ("Wan 2.2 I2V A14B", IMAGE_TO_VIDEO, {"transformer": 14.29, "transformer_2": 14.29, "text_encoder": 5.68}),
    ("Wan 2.2 TI2V 5B", IMAGE_TO_VIDEO, {"transformer": 5.00, "text_encoder": 5.68}),
    ("LTX-Video 2B", IMAGE_TO_VIDEO, {"transformer": 1.92, "text_encoder": 4.76}),
    ("CogVideoX-5B-I2V", IMAGE_TO_VIDEO, {"transformer": 5.57, "text_encoder": 4.76}),
    ("SVD", IMAGE_TO_VIDEO, {"unet": 1.52, "image_encoder": 0.63}),
    ("FLUX.1-dev", TEXT_TO_IMAGE, {"transformer": 11.90, "text_encoder_2": 4.76}),
    ("SDXL", TEXT_TO_IMAGE, {"unet": 2.57}),
    # below: rounded counts from the model cards (not counted on the meta device like the rows above)
    ("LTX-Video 13B (0.9.7/0.9.8)", IMAGE_TO_VIDEO, {"transformer": 13.0, "text_encoder": 4.76}),
    ("HunyuanVideo 1.5 I2V", IMAGE_TO_VIDEO, {"transformer": 8.3, "text_encoder": 7.6, "image_encoder": 0.4}),
    ("SD 3.5 Large", TEXT_TO_IMAGE, {"transformer": 8.1, "text_encoder_3": 4.76, "text_encoder_2": 0.69}),
    ("Qwen-Image", TEXT_TO_IMAGE, {"transformer": 20.4, "text_encoder": 8.3}),
    ("FLUX.2-dev", TEXT_TO_IMAGE, {"transformer": 32.0, "text_encoder": 24.0}),
]
TABLE_VRAM_GB = (12, 16, 24, 80)
TABLE_RAM_GB = 64


def _machine(settings: Any) -> tuple[str, float | None, float | None]:
    from pipeline.providers.diffusers_run import device_and_dtype

    try:
        device, _ = device_and_dtype(settings)
    except ValueError:
        device = "cpu"
    vram, ram = planner.free_memory(settings, device)
    return device, vram, ram


def folder_report(folder: ModelFolder, vram: float | None, ram: float | None, settings: Any) -> dict[str, Any]:
    view = folder.view()
    if not folder.supported:
        return view
    task = folder.task or ""
    plan = planner.choose(folder.components, task, vram, ram, planner.profile_override(settings, folder.name))
    view.update({"engine": f"diffusers:{task}", "vram_gib": planner.estimates(folder.components, task),
                 "profile": plan.profile, "profile_reason": plan.reason})
    return view


def models_report(settings: Any) -> dict[str, Any]:
    """{models: runnable folders, unsupported: folders with the reason, device, free_vram_gib, profiles}."""
    folders = scan(getattr(settings, "models_dir", None))
    device, vram, ram = _machine(settings)
    if not device.startswith("cuda") and getattr(settings, "diffusers_vram_gb", None) is None:
        vram = None
    views = [folder_report(f, vram, ram, settings) for f in folders]
    return {"models_dir_set": getattr(settings, "models_dir", None) is not None, "device": device,
            "free_vram_gib": None if vram is None else round(vram, 1), "profiles": list(planner.available_profiles()),
            "models": [v for v in views if v["supported"]], "unsupported": [v for v in views if not v["supported"]]}


def plan_table(vram_sizes: tuple[int, ...] = TABLE_VRAM_GB, ram_gb: float = TABLE_RAM_GB) -> str:
    """Markdown: each published model × card size → the profile the planner picks (and its estimate)."""
    head = "| model | params | " + " | ".join(f"{v} GB" for v in vram_sizes) + " |"
    rows = [head, "|---|---|" + "---|" * len(vram_sizes)]
    for name, task, parts in PUBLISHED_MODELS:
        components = [Component(part, int(count * B), int(count * B * 2)) for part, count in parts.items()]
        cells = []
        for size in vram_sizes:
            # a card of N GB (10^9) shows about N × 0.93 GiB, less what the driver keeps
            plan = planner.choose(components, task, size * B / planner.GIB - 0.5, ram_gb)
            cells.append(f"{plan.profile} (≈ {plan.vram_gib:g} GiB)")
        total = sum(parts.values())
        rows.append(f"| {name} | {total:.1f}B | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def list_text(report: dict[str, Any]) -> str:
    """The report as plain text for the terminal."""
    lines = [f"device: {report['device']}, free VRAM: {report['free_vram_gib'] or '—'} GiB"]
    for m in report["models"]:
        gib = ", ".join(f"{p} {v:g}" for p, v in m["vram_gib"].items())
        lines.append(f"{m['name']}: {m['task']} · {m['folder_class']} → {m['load_class']} · "
                     f"{m['size_bytes'] / planner.GIB:.2f} GiB on disk · {m['params'] / B:.3f}B params · "
                     f"profile {m['profile']} · VRAM GiB by profile: {gib}"
                     + ("" if m["checked"] else " · not yet checked with a tiny copy of its class"))
    for m in report["unsupported"]:
        lines.append(f"{m['name']}: not offered ({m['reason']})")
    if not report["models"] and not report["unsupported"]:
        lines.append("no model folders (set HFS_MODELS_DIR to a folder of diffusers model folders)")
    return "\n".join(lines)
