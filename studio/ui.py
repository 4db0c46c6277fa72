"""build_demo(services): one gr.Blocks with the project bar, the six tabs and the named API endpoints."""
from __future__ import annotations

import gradio as gr

from pipeline.services import Services
from studio import api, api_workspace
from studio.tabs import attempts, dashboard, hero_frames, library, project_bar, timeline, workspace
from studio.tabs import ad_composer
from studio.theme import CSS

TITLE = "Hero Frame Studio"


def build_demo(services: Services) -> gr.Blocks:
    with gr.Blocks(title=TITLE) as demo:
        # The current project id lives per browser session; everything else is read from the database.
        project_id = gr.State(None)
        project_bar.build(services, project_id, demo)
        with gr.Tabs(selected="hero") as tabs:
            with gr.Tab("1 · Hero frames", id="hero"):
                hero_frames.build(services, project_id, tabs)
            with gr.Tab("✦ Ad composer", id="ads"):
                ad_composer.build(services, project_id, tabs)
            with gr.Tab("2 · Attempts", id="attempts"):
                attempts.build(services, project_id, tabs)
            with gr.Tab("3 · Workspace", id="workspace"):
                workspace.build(services, project_id, tabs)
            with gr.Tab("4 · Timeline", id="timeline"):
                timeline.build(services, project_id, tabs)
            with gr.Tab("5 · Dashboard", id="dashboard"):
                dashboard.build(services, project_id, tabs)
            with gr.Tab("6 · Library", id="library"):
                library.build(services, project_id, tabs)
        api.register(services)
        api_workspace.register(services)
    return demo


def launch_options(services: Services) -> dict:
    """Arguments for demo.launch(): media are served only from the studio's own media folder."""
    settings = services.settings
    return {
        "server_name": settings.host,
        "server_port": settings.port or None,
        "allowed_paths": [str(services.media.root), str(settings.music_dir)],
        "max_file_size": f"{int(settings.max_upload_mb)}mb",
        "css": CSS,
        "theme": gr.themes.Soft(primary_hue="amber", neutral_hue="slate"),
        "footer_links": ["api", "settings"],
        "show_error": True,
    }
