"""The project bar: title, project switcher, new project / rename, and an honest badge of the engines in use.

In team mode (HFS_AUTH=local|hf) also: who is signed in (with their usage this hour and month) and the way out
(a Log out link to Gradio's /logout, or the Hugging Face LoginButton), and the current project's sharing — a
Private / Team can view / Team can edit control for its owner, the owner's name for everyone else. The switcher
lists only the projects the user may see, and follows when another tab opens a project."""
from functools import partial
from types import SimpleNamespace

import gradio as gr

from pipeline.access import NotAuthorized
from pipeline.engines import registry
from pipeline.engines.interfaces import ASPECT_RATIOS
from studio.components import bind, poll, private, user_errors
from studio.components.html import badge, esc
from studio.components.team import (
    SHARING_CHOICES,
    SHARING_LABELS,
    identity_html,
    owner_html,
    project_label,
    signed_out_html,
)
from studio.health import banner_html, status_summary

USAGE_REFRESH_SECONDS = 30
HEALTH_REFRESH_SECONDS = 5

ENGINE_KINDS = (("prompt", "prompt_engine"), ("frame", "frame_engine"), ("photo", "photo_engine"),
                ("video", "video_engine"))


def build(services, project_id, demo, memory=None):
    ui = layout(services.settings)
    wire(services, ui, project_id, demo, memory)


# ------------------------------------------------------------ layout
def layout(settings) -> SimpleNamespace:
    """Create the bar's components and return them by name (the team-mode ones only in team mode)."""
    team = settings.team_mode
    # Empty while all is well; says at once when the worker stopped (and that it is restarting) or the queue or
    # database does not answer (studio/health.py, also GET /health).
    health_html = gr.HTML(padding=False, elem_id="health-banner")
    with gr.Row(elem_classes="project-bar", equal_height=True):
        gr.HTML("<h2>Hero Frame Studio</h2>", elem_classes="studio-title", scale=2, padding=False)
        project_dd = gr.Dropdown(label="Project", choices=[], scale=2 if team else 3, interactive=True,
                                 filterable=True)
        if team:
            with gr.Column(scale=1, min_width=150):
                sharing_dd = gr.Dropdown(SHARING_CHOICES, label="Sharing", visible=False, interactive=True,
                                         elem_id="project-sharing")
                owner_box = gr.HTML(visible=False, padding=False, elem_id="project-owner")
        engine_html = gr.HTML(scale=2 if team else 4, padding=False)
        if team:
            user_html = gr.HTML(scale=3, min_width=280, padding=False, elem_id="signed-in",
                                elem_classes="identity-box")
            if settings.auth == "hf":
                # Attaches Gradio's OAuth routes and session; it does not guard anything by itself — every handler
                # checks the signed-in user through services.access.
                gr.LoginButton(size="sm", scale=1, min_width=120)
    with gr.Accordion("Projects & settings", open=False):
        with gr.Row(elem_classes="bottom-row"):
            new_name = gr.Textbox(label="New project name", placeholder="e.g. Perfume launch", scale=3)
            new_ratio = gr.Radio(list(ASPECT_RATIOS), value="16:9", label="Aspect ratio", scale=3)
            create_btn = gr.Button("New project", variant="primary", scale=1)
        with gr.Row(elem_classes="bottom-row"):
            rename_box = gr.Textbox(label="Rename the current project", scale=6)
            rename_btn = gr.Button("Rename", scale=1)
        summary_html = gr.HTML()
    return SimpleNamespace(**locals())


# ------------------------------------------------------------ wiring
def wire(services, ui, project_id, demo, memory=None) -> None:
    """Connect the bar's events to the handlers below."""
    team = services.settings.team_mode
    follow_outputs = [ui.project_dd, ui.rename_box] + ([ui.sharing_dd, ui.owner_box] if team else [])
    demo.load(bind(on_load, services), memory, [project_id, ui.project_dd, ui.engine_html, ui.rename_box,
                                                ui.summary_html], **private)
    project_id.change(bind(on_follow, services), project_id, follow_outputs, **private)
    ui.project_dd.input(bind(on_switch, services), ui.project_dd, [project_id, ui.rename_box], **private)
    create = bind(on_create, services)
    create_outputs = [project_id, ui.project_dd, ui.new_name, ui.rename_box]
    ui.create_btn.click(create, [ui.new_name, ui.new_ratio], create_outputs, **private)
    ui.new_name.submit(create, [ui.new_name, ui.new_ratio], create_outputs, **private)
    ui.rename_btn.click(bind(on_rename, services), [project_id, ui.rename_box], [ui.project_dd, ui.rename_box],
                        **private)

    demo.load(partial(banner_html, services), None, ui.health_html, **poll)
    gr.Timer(HEALTH_REFRESH_SECONDS).tick(partial(banner_html, services), None, ui.health_html, **poll)

    if not team:
        return
    identity = bind(on_identity, services)
    demo.load(identity, None, ui.user_html, **private)
    project_id.change(identity, None, ui.user_html, **private)
    gr.Timer(USAGE_REFRESH_SECONDS).tick(identity, None, ui.user_html, **poll)
    ui.sharing_dd.input(bind(on_share, services), [project_id, ui.sharing_dd], ui.project_dd, **private)


# ------------------------------------------------------------ readers
def engine_badges(settings):
    labels, local = [], True
    for kind, field in ENGINE_KINDS:
        name = getattr(settings, field)
        local = local and name.startswith("local")
        try:
            labels.append(f"{kind}: {registry.create(kind, name).label}")
        except Exception:  # noqa: BLE001 - an engine that cannot load is shown as such, never hidden
            labels.append(f"{kind}: {name} (unavailable)")
    head = badge("Local engines (offline)" if local else "Cloud engines configured", "engine-badge",
                 "\n".join(labels))
    details = "".join(f"<li>{esc(label)}</li>" for label in labels)
    return f"<div>{head}<details><summary><small>engines</small></summary><ul>{details}</ul></details></div>"


def choices(services):
    return [(project_label(p, services.settings.team_mode), p.id) for p in services.projects.list()]


def summary(services):
    values = {**status_summary(services), **services.settings.public_summary()}
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in values.items())
    return f"<table class='score-table details-table'>{rows}</table>"


# ------------------------------------------------------------ handlers
@user_errors
def on_load(services, remembered=None):
    project = services.projects.open_or_latest((remembered or {}).get("project_id"))
    return (project.id, gr.Dropdown(choices=choices(services), value=project.id),
            engine_badges(services.settings), project.name, summary(services))


@user_errors
def on_switch(services, selected):
    project = services.projects.get(selected)
    return project.id, project.name


@user_errors
def on_create(services, name, ratio):
    project = services.projects.create(name, ratio)
    gr.Info(f"Created project '{project.name}'.")
    return project.id, gr.Dropdown(choices=choices(services), value=project.id), "", project.name


@user_errors
def on_rename(services, pid, name):
    project = services.projects.rename(pid, name)
    return gr.Dropdown(choices=choices(services), value=project.id), project.name


@user_errors
def on_follow(services, pid):
    """project_id was set (here or by another tab, e.g. "Open in workspace"): the switcher follows."""
    if pid is None:
        return gr.skip()
    project = services.projects.get(pid)
    updates = [gr.Dropdown(choices=choices(services), value=project.id), project.name]
    if services.settings.team_mode:
        own = project.access == "own"
        updates += [gr.Dropdown(value=project.sharing or "private", visible=own),
                    gr.HTML(value="" if own else owner_html(project), visible=not own)]
    return updates


def on_identity(services):
    try:
        actor = services.access.actor()
    except NotAuthorized as exc:
        return signed_out_html(services.settings.auth, str(exc))
    return identity_html(actor, services.limits.my_usage(), services.settings.auth)


@user_errors
def on_share(services, pid, sharing):
    if pid is None or not sharing:
        return gr.skip()
    project = services.projects.share(pid, sharing)
    gr.Info(f"'{project.name}': {SHARING_LABELS[project.sharing].lower()}.")
    return gr.Dropdown(choices=choices(services), value=project.id)
