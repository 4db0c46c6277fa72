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
        with gr.Row(elem_classes="bottom-row"):
            repo_id = gr.Textbox(label="Download from the Hugging Face Hub (online; admins in team mode)", scale=3,
                                 placeholder="e.g. Wan-AI/Wan2.2-TI2V-5B-Diffusers", max_lines=1)
            download = gr.Button("Download", size="sm", scale=1)
        pull_log = gr.Markdown(elem_id="hub-pull-log")

    refresh.click(bind(on_refresh, services), None, panel, **quick)
    download.click(bind(on_pull, services), repo_id, pull_log, **quick).then(
        bind(on_refresh, services), None, panel, **quick)


@user_errors
def on_refresh(services):
    from pipeline.models.report import models_report

    return models_html(models_report(services.settings))


def on_pull(services, repo_id):
    """Stream the pull's progress lines; a refusal (offline, gated, not a diffusers folder) ends it as a message."""
    from pipeline.errors import StudioError
    from pipeline.models.pull import pull_progress

    shown: list[str] = []
    try:
        for line in pull_progress(repo_id, services.settings, services.access):
            shown = [*shown[-5:], line]
            yield "\n\n".join(shown)
    except StudioError as exc:  # offline, gated, not a diffusers folder, not an admin: said, not raised
        yield "\n\n".join([*shown[-5:], f"**Not downloaded:** {exc}"])

