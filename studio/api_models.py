"""The /models endpoint: the models directory as the studio sees it (docs/API.md, "Local models"). A thin adapter
over pipeline.models.report, like studio/api.py."""
from __future__ import annotations

import gradio as gr

from pipeline.services import Services
from studio.api import user_errors


def register(services: Services) -> None:
    settings = services.settings

    def models() -> dict:
        """Model folders in HFS_MODELS_DIR: models (runnable: name, task, folder_class, load_class, size_bytes,
        params, components, vram_gib per memory profile, profile this machine uses, engine) and unsupported
        (name, folder_class, reason); device, free_vram_gib, profiles. Folder names only, never server paths."""
        from pipeline.models.report import models_report

        return models_report(settings)

    gr.api(user_errors(models), api_name="models", concurrency_limit=None)
