"""The project bar: title, project switcher, new project / rename, and an honest badge of the engines in use."""
import gradio as gr

from pipeline.engines import base as engines
from pipeline.engines.base import ASPECT_RATIOS
from studio.components import private, user_errors
from studio.components.html import badge, esc

ENGINE_KINDS = (("prompt", "prompt_engine"), ("frame", "frame_engine"), ("photo", "photo_engine"),
                ("video", "video_engine"))


def build(services, project_id, demo):
    settings = services.settings
    with gr.Row(elem_classes="project-bar", equal_height=True):
        gr.HTML("<h2>Hero Frame Studio</h2>", elem_classes="studio-title", scale=2, padding=False)
        project_dd = gr.Dropdown(label="Project", choices=[], scale=3, interactive=True, filterable=True)
        engine_html = gr.HTML(scale=4, padding=False)
    with gr.Accordion("Projects & settings", open=False):
        with gr.Row(elem_classes="bottom-row"):
            new_name = gr.Textbox(label="New project name", placeholder="e.g. Perfume launch", scale=3)
            new_ratio = gr.Radio(list(ASPECT_RATIOS), value="16:9", label="Aspect ratio", scale=3)
            create_btn = gr.Button("New project", variant="primary", scale=1)
        with gr.Row(elem_classes="bottom-row"):
            rename_box = gr.Textbox(label="Rename the current project", scale=6)
            rename_btn = gr.Button("Rename", scale=1)
        summary_html = gr.HTML()

    def engine_badges():
        labels, local = [], True
        for kind, field in ENGINE_KINDS:
            name = getattr(settings, field)
            local = local and name.startswith("local")
            try:
                labels.append(f"{kind}: {engines.create(kind, name).label}")
            except Exception:  # noqa: BLE001 - an engine that cannot load is shown as such, never hidden
                labels.append(f"{kind}: {name} (unavailable)")
        head = badge("Local engines (offline)" if local else "Cloud engines configured", "engine-badge",
                     "\n".join(labels))
        details = "".join(f"<li>{esc(label)}</li>" for label in labels)
        return f"<div>{head}<details><summary><small>engines</small></summary><ul>{details}</ul></details></div>"

    def choices():
        return [(f"{p['name']} · {p['aspect_ratio']}", p["id"]) for p in services.projects.list()]

    def summary():
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in settings.public_summary().items())
        return f"<table class='score-table details-table'>{rows}</table>"

    @user_errors
    def on_load():
        project = services.projects.latest_or_new()
        return (project["id"], gr.Dropdown(choices=choices(), value=project["id"]), engine_badges(),
                project["name"], summary())

    @user_errors
    def on_switch(selected):
        project = services.projects.get(selected)
        return project["id"], project["name"]

    @user_errors
    def on_create(name, ratio):
        project = services.projects.create(name, ratio)
        gr.Info(f"Created project '{project['name']}'.")
        return project["id"], gr.Dropdown(choices=choices(), value=project["id"]), "", project["name"]

    @user_errors
    def on_rename(pid, name):
        project = services.projects.rename(pid, name)
        return gr.Dropdown(choices=choices(), value=project["id"]), project["name"]

    demo.load(on_load, None, [project_id, project_dd, engine_html, rename_box, summary_html], **private)
    project_dd.input(on_switch, project_dd, [project_id, rename_box], **private)
    create_btn.click(on_create, [new_name, new_ratio], [project_id, project_dd, new_name, rename_box], **private)
    new_name.submit(on_create, [new_name, new_ratio], [project_id, project_dd, new_name, rename_box], **private)
    rename_btn.click(on_rename, [project_id, rename_box], [project_dd, rename_box], **private)
