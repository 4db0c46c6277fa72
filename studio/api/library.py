"""The library: search, re-run, clone settings and start from them, download, delete, the media audit; and the
dashboard with its CSV export."""
from __future__ import annotations

from gradio.data_classes import FileData

from pipeline.services.views import StartedGroup
from studio.api.endpoint import Resource, endpoint


class LibraryApi(Resource):
    @endpoint
    def search(self, query: str = "", kind: str = "all", status: str = "any", page: int = 1,
               page_size: int = 24) -> dict:
        """Find projects, hero frames and attempts by prompt (newest first). kind: all, projects, frames, attempts;
        status: any, done, running, failed, cancelled, favourite, final. Returns {items, total, page, pages}."""
        return self.s.library.search(query, kind, status, page, page_size)

    @endpoint
    def rerun_item(self, kind: str, item_id: int) -> dict:
        """Re-run with the same settings and fresh seeds: kind frame (new candidates), attempt (re-rolled in a
        new iteration) or group (a new iteration)."""
        return self.s.library.rerun(kind, item_id)

    @endpoint
    def clone_settings(self, kind: str, item_id: int) -> dict:
        """The settings that made a project, frame, group or attempt (hero frame, prompts, count, length, engine)."""
        return self.s.library.clone_settings(kind, item_id)

    @endpoint
    def start_from_settings(self, project_id: int, settings: dict) -> StartedGroup:
        """Start attempts in a project from (edited) cloned settings; a frame of another project is copied in."""
        return self.s.library.start_from_settings(project_id, settings)

    @endpoint
    def download_item(self, kind: str, item_id: int) -> list[FileData]:
        """The files of a frame (image), attempt (video), group (videos) or project (final video, newest export)."""
        return self.files(*self.s.library.download(kind, item_id))

    @endpoint
    def delete_item(self, kind: str, item_id: int, confirm: bool = False) -> dict:
        """Delete a project, frame, group or attempt with its files (confirm must be true). Running work and
        frames used by groups are refused; see docs/API.md."""
        return self.s.library.delete(kind, item_id, confirm)

    @endpoint
    def media_audit(self) -> dict:
        """Files under the media root no row references, and rows whose file is missing (both empty if healthy)."""
        return self.s.library.audit()

    @endpoint(blank=("project_id", "date_from", "date_to", "engine", "model", "tag", "row_limit"))
    def dashboard(self, project_id: int = 0, date_from: str = "", date_to: str = "", engine: str = "",
                  model: str = "", tag: str = "", row_limit: int = 0) -> dict:
        """Scores per attempt, agreement (overall and per engine), distributions, finals, iterations per final and
        trends (project_id 0 = all projects; blank filters are ignored; dates YYYY-MM-DD, both inclusive;
        row_limit 0 = every attempt row, else only the newest)."""
        return self.s.dashboard.summary(project_id, date_from, date_to, engine, model, tag, row_limit=row_limit)

    @endpoint(blank=("project_id", "date_from", "date_to", "engine", "model", "tag"))
    def dashboard_csv(self, project_id: int = 0, date_from: str = "", date_to: str = "", engine: str = "",
                      model: str = "", tag: str = "") -> FileData:
        """The dashboard's attempt table under the same filters as /dashboard, with every score dimension, as CSV."""
        return FileData(path=self.s.dashboard.export_csv(project_id=project_id, date_from=date_from,
                                                         date_to=date_to, engine=engine, model=model, tag=tag))
