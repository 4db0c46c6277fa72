"""build_demo(services): one gr.Blocks with the project bar, the six tabs and the named API endpoints."""
from __future__ import annotations

import gradio as gr

from pipeline.services import Services
from studio import api
from studio.api.compat import trailing_defaults_middleware
from studio.components import remember
from studio.health import studio_middleware
from studio.media_gate import SERVE_COPIES
from studio.tabs import (
    ad_composer,
    attempts,
    dashboard,
    hero_frames,
    library,
    models_panel,
    project_bar,
    timeline,
    workspace,
)
from studio.theme import studio_css, studio_theme

TITLE = "Hero Frame Studio"


def build_demo(services: Services) -> gr.Blocks:
    # No telemetry: the studio never calls out (offline machines, client work under NDA).
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        # Team mode: media leave only as Gradio cache copies (studio/media_gate.py); the gate refuses media paths.
        setattr(demo, SERVE_COPIES, services.settings.team_mode)
        # The current project id lives per browser session; everything else is read from the database.
        project_id = gr.State(None)
        memory = remember.browser_memory()  # the project and tab this browser had open, back after a reload
        project_bar.build(services, project_id, demo, memory)
        with gr.Tabs(selected="hero") as tabs:
            with gr.Tab("1 · Hero frames", id="hero") as hero_tab:
                hero_frames.build(services, project_id, tabs)
            with gr.Tab("✦ Ad composer", id="ads") as ads_tab:
                ad_composer.build(services, project_id, tabs)
            with gr.Tab("2 · Attempts", id="attempts") as attempts_tab:
                attempts_form = attempts.build(services, project_id, tabs)
                models_panel.build(services)
            with gr.Tab("3 · Workspace", id="workspace") as workspace_tab:
                workspace.build(services, project_id, tabs)
            with gr.Tab("4 · Timeline", id="timeline") as timeline_tab:
                timeline.build(services, project_id, tabs)
            with gr.Tab("5 · Dashboard", id="dashboard") as dashboard_tab:
                dashboard.build(services, project_id, tabs)
            with gr.Tab("6 · Library", id="library") as library_tab:
                library.build(services, project_id, tabs, attempts_form)
        remember.wire(demo, memory, project_id, tabs, [hero_tab, ads_tab, attempts_tab, workspace_tab, timeline_tab,
                                                        dashboard_tab, library_tab])
        api.register(services)
    return demo


def launch_options(services: Services) -> dict:
    """Arguments for demo.launch(): media are served only from the studio's own media folder. In team mode also the
    login (auth=local: studio accounts; auth=hf: Hugging Face OAuth through the project bar's LoginButton) and the
    media gate (studio/media_gate.py: no media fetched by path, only the cache copies handed to allowed users)."""
    settings = services.settings
    options = {
        "server_name": settings.host,
        "server_port": settings.port or None,
        "allowed_paths": [str(services.media.root), str(settings.music_dir)],
        "max_file_size": f"{int(settings.max_upload_mb)}mb",
        "css": studio_css(),  # with the shipped symbol font
        "theme": studio_theme(),
        "footer_links": ["api", "settings"],
        "show_error": True,
    }
    if settings.auth == "hf":
        check_hf_oauth()
    # /health, and real HTTP statuses for refused direct calls (studio/health.py).
    middleware = [studio_middleware(services), trailing_defaults_middleware()]
    if settings.team_mode:
        from studio.media_gate import media_gate

        middleware.append(media_gate(services))
    options["app_kwargs"] = {"middleware": middleware}
    if settings.auth == "local":
        options["auth"] = login_check(services)
        options["auth_message"] = LOGIN_MESSAGE
    return options


LOGIN_MESSAGE = ("<p><b>Hero Frame Studio</b> — sign in with your studio account.</p>"
                 "<p>No account yet? An admin creates one with <code>python -m storage.users add NAME</code>.</p>")


def check_hf_oauth() -> None:
    """auth=hf needs Gradio's OAuth: real on a Space with `hf_oauth: true`; elsewhere Gradio mocks the login with
    the profile of the machine's Hugging Face token, and without one it cannot start — say so plainly."""
    from gradio.utils import get_space

    if get_space() is not None:
        return
    from huggingface_hub import get_token

    if get_token() is None:
        raise RuntimeError(
            "HFS_AUTH=hf signs people in with Hugging Face OAuth, which works on a Hugging Face Space whose README "
            "metadata has `hf_oauth: true` (see docs/DEPLOY.md). To try it on this machine, log in with "
            "`huggingface-cli login` (Gradio then signs you in as yourself); for a team server elsewhere use "
            "HFS_AUTH=local with accounts from `python -m storage.users`.")


def login_check(services: Services):
    """Gradio's auth= callable for studio accounts (bcrypt; disabled accounts are refused). Async, so the
    deliberately slow hash check runs in a worker thread instead of blocking the server's event loop."""
    import anyio

    from storage.users import UserStore

    store = UserStore(services.db)

    async def check(username: str, password: str) -> bool:
        ok = await anyio.to_thread.run_sync(store.authenticate, username, password)
        if ok and services.access is not None:
            services.access.forget((username or "").strip())  # a re-enabled account works at once
        return ok

    return check
