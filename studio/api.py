"""The named API endpoints (gradio_client / HTTP): thin typed adapters over the same services as the UI.

Long work returns a job id at once; `/job` reports status, progress and result. Responses are JSON objects with
ids; media come back as files. See docs/API.md.
"""
from __future__ import annotations

import functools
import json
from typing import Any, Callable

import gradio as gr
from gradio.data_classes import FileData

from pipeline.errors import StudioError
from pipeline.services import Services
from pipeline.timeline.edit_list import TimelineError


def user_errors(fn: Callable) -> Callable:
    """Turn the studio's user-facing errors into gr.Error so clients get the message, not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (StudioError, TimelineError) as exc:
            raise gr.Error(str(exc), print_exception=False) from exc

    return wrapper


def _files(*paths: str | None) -> list[FileData]:
    return [FileData(path=p) for p in paths if p]


def _file_path(upload: Any) -> str:
    if isinstance(upload, dict):
        return upload.get("path") or ""
    return getattr(upload, "path", None) or str(upload or "")


def register(services: Services) -> None:
    s = services

    def create_project(name: str, aspect_ratio: str = "16:9") -> dict:
        """Create a project. Returns {id, name, aspect_ratio, ...}."""
        return s.projects.create(name, aspect_ratio)

    def list_projects() -> list[dict]:
        """All projects, most recently changed first."""
        return s.projects.list()

    def rename_project(project_id: int, name: str) -> dict:
        """Rename a project."""
        return s.projects.rename(project_id, name)

    def enhance_prompt(prompt: str, aspect_ratio: str = "16:9") -> dict:
        """Cinematographer prompt enhancement: {original, enhanced, additions: [{category, text}], engine}."""
        return s.hero_frames.enhance_prompt(prompt, aspect_ratio)

    def generate_hero_frames(project_id: int, prompt: str, count: int = 4, aspect_ratio: str = "",
                             seed: int = -1, enhanced_prompt: str = "", engine: str = "") -> dict:
        """Queue 4–8 candidate frames. seed -1 = random; engine "" = the configured default (see /engines).
        Returns {job_id, seeds}; poll /job."""
        return s.hero_frames.generate(project_id, prompt, count, aspect_ratio or None,
                                      None if seed is None or seed < 0 else seed, enhanced_prompt or None,
                                      engine=engine or None)

    def hero_frames(project_id: int) -> tuple[list[dict], list[FileData]]:
        """The project's hero frames (newest first) and their images, in the same order."""
        frames = s.hero_frames.list(project_id)
        return frames, _files(*[f["image"] for f in frames])

    def upload_hero_frame(project_id: int, image: FileData, enhance: bool = False) -> tuple[dict, list[FileData]]:
        """Upload a JPEG/PNG/WebP product photo (≤ 25 MB, ≤ 40 MP); optionally enhance it (a new linked frame)."""
        frame = s.hero_frames.upload(project_id, _file_path(image), enhance=enhance)
        return frame, _files(frame["image"])

    def enhance_photo(frame_id: int, crop_to: str = "") -> tuple[dict, list[FileData]]:
        """Classical photo enhancement of a frame, saved as a new frame linked to it."""
        frame = s.hero_frames.enhance_photo(frame_id, crop_to=crop_to or None)
        return frame, _files(frame["image"])

    def favourite_hero_frame(frame_id: int, favourite: bool = True) -> dict:
        """Mark or unmark a frame as favourite."""
        return s.hero_frames.set_favourite(frame_id, favourite)

    def select_hero_frame(project_id: int, frame_id: int) -> dict:
        """Make a frame the project's hero for image-to-video."""
        return s.projects.select_hero_frame(project_id, frame_id)

    def image_to_video(project_id: int, motion_prompt: str, negative_prompt: str = "", attempt_count: int = 3,
                       duration: float = 5.0, hero_frame_id: int = -1, seed: int = -1, engine: str = "") -> dict:
        """Start a generation group of attempts from the hero frame (engine "" = the configured default).
        Returns the group with job_ids and estimated_cost_usd; poll /job."""
        return s.attempts.start_group(project_id, motion_prompt, negative_prompt, attempt_count,
                                      None if hero_frame_id is None or hero_frame_id < 0 else hero_frame_id,
                                      duration, engine or None, seed=None if seed is None or seed < 0 else seed)

    def engines() -> dict:
        """Engines usable now, per kind (video, frame), with capabilities (negative_prompt, seed, prompt) and
        price rules. Cloud engines appear once their key is configured."""
        return {"video": s.attempts.engines(), "frame": s.hero_frames.engines("frame")}

    def estimate_cost(engine: str = "", attempt_count: int = 3, duration: float = 5.0) -> dict:
        """Cost estimate of a group before it starts: {engine capabilities, estimate: {usd, rule_text}}."""
        return s.attempts.engine_details(engine or None, attempt_count, duration)

    def regenerate_group(group_id: int, motion_prompt: str = "", negative_prompt: str = "",
                         attempt_count: int = 0) -> dict:
        """A new iteration of a group with edited prompts (blank keeps the old value)."""
        return s.attempts.regenerate(group_id, motion_prompt or None, negative_prompt or None, attempt_count or None)

    def job(job_id: int) -> tuple[dict, list[FileData]]:
        """Status, progress (0–100), step, error and result of a job, plus its output files once it succeeded."""
        view = s.jobs.get(job_id)
        result = view.get("result") or {}
        paths = [result.get("file"), result.get("video")] if view["status"] == "succeeded" else []
        return view, _files(*paths)

    def cancel_job(job_id: int) -> dict:
        """Cancel queued or running work (running work stops at its next check)."""
        return s.jobs.cancel(job_id)

    def jobs(project_id: int) -> list[dict]:
        """The project's queue: running and queued jobs first, then recent ones."""
        return s.jobs.active(project_id)

    def generation_group(group_id: int) -> tuple[dict, list[FileData]]:
        """A group with its attempts, scores and picks, plus the finished attempt videos (in attempt order)."""
        group = s.attempts.group(group_id)
        return group, _files(*[a["video"] for a in group["attempts"]])

    def generation_groups(project_id: int) -> list[dict]:
        """All groups of a project, newest first."""
        return s.attempts.groups(project_id)

    def select_attempt(attempt_id: int, reason: str = "", tags: list[str] | None = None) -> dict:
        """The user's pick of a group's best attempt (logged against the system's pick)."""
        return s.selection.select_attempt(attempt_id, reason, tags or [])

    def timeline(project_id: int) -> dict:
        """The newest timeline version: its edit list, clips with start times, duration, exported file."""
        return s.timeline.get(project_id)

    def timeline_edit(project_id: int, operation: str, arguments: str = "{}") -> dict:
        """Apply one edit and save a new version. operation: trim, split, split_at_time, merge, delete, move,
        set_music, set_crossfade, set_aspect_ratio, add_attempt; arguments: a JSON object, e.g.
        {"clip_id": "...", "in_point": 0.5, "out_point": 3.0}."""
        try:
            parsed = json.loads(arguments or "{}")
        except json.JSONDecodeError as exc:
            raise StudioError(f"arguments must be a JSON object: {exc}") from exc
        if not isinstance(parsed, dict):
            raise StudioError("arguments must be a JSON object.")
        return s.timeline.apply(project_id, operation, **parsed)

    def rebuild_timeline(project_id: int) -> dict:
        """A new timeline version with one clip per group: the user's pick, else the system's."""
        return s.timeline.rebuild_from_picks(project_id)

    def export_timeline(project_id: int, fit: str = "crop", version: int = 0) -> dict:
        """Queue a 1080p H.264/AAC MP4 export (version 0 = newest). Returns {job_id}; /job gives the file."""
        return s.timeline.export(project_id, fit, version or None)

    def music_tracks() -> list[dict]:
        """The music library (assets/music): id, title, mood, tempo, length."""
        return s.timeline.music_tracks()

    def dashboard(project_id: int = 0) -> dict:
        """Scores per attempt, auto-vs-user agreement and the best-score trend (project_id 0 = all projects)."""
        return s.dashboard.summary(project_id or None)

    for fn in (create_project, list_projects, rename_project, enhance_prompt, generate_hero_frames, hero_frames,
               engines, estimate_cost, upload_hero_frame, enhance_photo, favourite_hero_frame, select_hero_frame, image_to_video,
               regenerate_group, job, cancel_job, jobs, generation_group, generation_groups, select_attempt,
               timeline, timeline_edit, rebuild_timeline, export_timeline, music_tracks, dashboard):
        # Polls and reads must never wait behind each other: no per-endpoint concurrency limit.
        gr.api(user_errors(fn), api_name=fn.__name__, concurrency_limit=None)
