"""Named API endpoints of the iteration workspace, history, final version, library and dashboard export
(docs/API.md, "Workspace, history and library"). Thin typed adapters over the services, like studio/api.py."""
from __future__ import annotations

import gradio as gr
from gradio.data_classes import FileData

from pipeline.services import Services
from studio.api import _files, user_errors


def register(services: Services) -> None:
    s = services

    def accept_system_pick(group_id: int, reason: str = "", tags: list[str] | None = None) -> dict:
        """Confirm the system's pick of a group (logged as a user pick that agrees)."""
        return s.selection.accept_system_pick(group_id, reason, tags or [])

    def group_decision(group_id: int) -> dict:
        """The user's latest pick of a group: {attempt_id, system_attempt_id, reason, tags, agrees_with_system}
        (empty when the user has not decided)."""
        return s.history.decision(group_id) or {}

    def suggest_improvements(group_id: int) -> dict:
        """Prompt changes for the next iteration from the scores and feedback tags: {source (llm|rules), changes,
        current, proposed: {motion_prompt, negative_prompt}, diff: word ops per prompt}."""
        return s.history.suggest(group_id)

    def rerun_attempts(group_id: int, attempt_ids: list[int]) -> dict:
        """Re-roll only these attempts of a finished group: a new iteration where they get new seeds and the
        other finished attempts are carried over. Returns the new group with job_ids; poll /job."""
        return s.history.rerun_attempts(group_id, attempt_ids)

    def iterations(project_id: int) -> dict:
        """The project's iteration timeline: versions with iteration number, chosen attempt, prompt diff, best
        score, feedback, is_final; the final version; the score trend."""
        return s.history.iterations(project_id)

    def compare_attempts(attempt_ids: list[int]) -> tuple[dict, list[FileData]]:
        """1–4 attempts side by side: their views and a metrics table (values and deltas to the first); plus
        their videos in the same order."""
        result = s.history.compare_attempts(attempt_ids)
        return result, _files(*[a["video"] for a in result["attempts"]])

    def compare_versions(project_id: int, version_a: int, version_b: int) -> dict:
        """The chosen attempts of two versions (numbers from /iterations) side by side, with metrics."""
        return s.history.compare_versions(project_id, version_a, version_b)

    def set_final_version(project_id: int, attempt_id: int = 0) -> dict:
        """Make a finished attempt the project's final version (attempt_id 0 clears it)."""
        return s.history.set_final(project_id, attempt_id or None)

    def final_version(project_id: int) -> dict:
        """The project's final version {attempt_id, group_id, version, iteration, overall_score, video, label}
        (empty when none)."""
        return s.history.final(project_id) or {}

    def search(query: str = "", kind: str = "all", status: str = "any", page: int = 1, page_size: int = 24) -> dict:
        """Find projects, hero frames and attempts by prompt (newest first). kind: all, projects, frames, attempts;
        status: any, done, running, failed, cancelled, favourite, final. Returns {items, total, page, pages}."""
        return s.library.search(query, kind, status, page, page_size)

    def rerun_item(kind: str, item_id: int) -> dict:
        """Re-run with the same settings and fresh seeds: kind frame (new candidates), attempt (re-rolled in a
        new iteration) or group (a new iteration)."""
        return s.library.rerun(kind, item_id)

    def clone_settings(kind: str, item_id: int) -> dict:
        """The settings that made a project, frame, group or attempt (hero frame, prompts, count, length, engine)."""
        return s.library.clone_settings(kind, item_id)

    def start_from_settings(project_id: int, settings: dict) -> dict:
        """Start attempts in a project from (edited) cloned settings; a frame of another project is copied in."""
        return s.library.start_from_settings(project_id, settings)

    def download_item(kind: str, item_id: int) -> list[FileData]:
        """The files of a frame (image), attempt (video), group (videos) or project (final video, newest export)."""
        return _files(*s.library.download(kind, item_id))

    def delete_item(kind: str, item_id: int, confirm: bool = False) -> dict:
        """Delete a project, frame, group or attempt with its files (confirm must be true). Running work and
        frames used by groups are refused; see docs/API.md."""
        return s.library.delete(kind, item_id, confirm)

    def media_audit() -> dict:
        """Files under the media root no row references, and rows whose file is missing (both empty if healthy)."""
        return s.library.audit()

    def dashboard_csv(project_id: int = 0, date_from: str = "", date_to: str = "", engine: str = "",
                      model: str = "", tag: str = "") -> FileData:
        """The dashboard's attempt table under the same filters as /dashboard, with every score dimension, as CSV."""
        return FileData(path=s.dashboard.export_csv(project_id=project_id or None, date_from=date_from or None,
                                                    date_to=date_to or None, engine=engine or None,
                                                    model=model or None, tag=tag or None))

    for fn in (accept_system_pick, group_decision, suggest_improvements, rerun_attempts, iterations,
               compare_attempts, compare_versions, set_final_version, final_version, search, rerun_item,
               clone_settings, start_from_settings, download_item, delete_item, media_audit, dashboard_csv):
        gr.api(user_errors(fn), api_name=fn.__name__, concurrency_limit=None)
