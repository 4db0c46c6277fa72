"""Local models: the models directory as the studio sees it (docs/DEPLOY.md, "One machine with a GPU")."""
from __future__ import annotations

from studio.api.endpoint import Resource, endpoint


class ModelsApi(Resource):
    @endpoint
    def models(self) -> dict:
        """Model folders in HFS_MODELS_DIR: models (runnable: name, task, folder_class, load_class, size_bytes,
        params, components, vram_gib per memory profile, the profile this machine uses, engine) and unsupported
        (name, folder_class, reason); device, free_vram_gib, profiles. Folder names only, never server paths."""
        from pipeline.models.report import models_report

        return models_report(self.s.settings)
