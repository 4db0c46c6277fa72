"""The "Local GPU models" panel under the attempts form: what HFS_MODELS_DIR holds, what runs, the memory profile
each model gets here and why a folder is not offered. Reads pipeline.models.report; no logic of its own."""
from __future__ import annotations

from html import escape

import gradio as gr

from studio.components.errors import user_errors
from studio.components.layout import bind, quick

GIB = 1024 ** 3


def models_html(report: dict) -> str:
    if not report["models_dir_set"]:
        return "<div class='muted'>No models folder: set HFS_MODELS_DIR to a folder of diffusers model folders.</div>"
    rows = []
    for m in report["models"]:
        vram = ", ".join(f"{escape(p)} {v:g}" for p, v in m["vram_gib"].items())
        rows.append(f"<tr><td>{escape(m['name'])}</td><td>{escape(m['task'])}</td><td>{escape(m['load_class'])}</td>"
                    f"<td>{m['size_bytes'] / GIB:.1f} GiB</td><td>{m['params'] / 1e9:.2f}B</td>"
                    f"<td><b>{escape(m['profile'])}</b></td><td class='muted'>{vram}</td></tr>")
    for m in report["unsupported"]:
        rows.append(f"<tr><td>{escape(m['name'])}</td><td colspan='6' class='muted'>not offered: "
                    f"{escape(m['reason'])}</td></tr>")
    free = report["free_vram_gib"]
    head = (f"<div class='muted'>Device {escape(report['device'])}"
            f"{f', {free:g} GiB VRAM free' if free is not None else ''}. VRAM estimates in GiB per profile.</div>")
    table = ("<table><tr><th>folder</th><th>task</th><th>runs as</th><th>on disk</th><th>params</th>"
             "<th>profile here</th><th>VRAM by profile</th></tr>" + "".join(rows) + "</table>")
    return head + (table if rows else "<div class='muted'>The models folder holds no model folders.</div>")


def build(services) -> None:
    with gr.Accordion("Local GPU models", open=False):
        panel = gr.HTML()
        refresh = gr.Button("Scan the models folder", size="sm")

    refresh.click(bind(on_refresh, services), None, panel, **quick)


@user_errors
def on_refresh(services):
    from pipeline.models.report import models_report

    return models_html(models_report(services.settings))
