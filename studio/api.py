"""The named API endpoints (gradio_client / HTTP): thin typed adapters over the same services as the UI.

Long work returns a job id at once; `/job` reports status, progress and result. Responses are JSON objects with
ids; media come back as files. See docs/API.md.
"""
from __future__ import annotations

from typing import Any, Callable

import gradio as gr
from gradio.data_classes import FileData

from pipeline.errors import StudioError
from pipeline.services import Services
from studio.api_door import api_endpoint, json_object


# Every endpoint goes through the one door: arguments checked by type hint, one error mapping (studio/errors.py).
user_errors = api_endpoint


def _files(*paths: str | None) -> list[FileData]:
    """Files to return. In team mode as FileData dicts, which Gradio copies into its cache and hands out by the
    copy's URL (a list of FileData objects would go out by media path, which the media gate refuses)."""
    from studio.media_gate import serving_copies

    if serving_copies():
        return [FileData(path=p).model_dump() for p in paths if p]
    return [FileData(path=p) for p in paths if p]


def _file_path(upload: Any, team_mode: bool = False) -> str:
    """The local path of an uploaded file (FileData, its dict, or a path). In team mode it must lie in Gradio's
    upload folder — where the client's upload put it — or anyone could pass another user's media path as an
    "upload"."""
    if isinstance(upload, dict):
        path = upload.get("path") or ""
    else:
        path = getattr(upload, "path", None) or str(upload or "")
    if team_mode and path:
        from gradio.utils import get_upload_folder, is_in_or_equal

        if "://" in path or not is_in_or_equal(path, get_upload_folder()):
            raise StudioError("Upload the file with the request (gradio_client: handle_file(...)); a path on the "
                              "server is not accepted as an upload.")
    return path


# Cheap read-only polls that also answer a direct one-round-trip POST /gradio_api/run/<name> (queue=False: allowed
# even where Gradio closes the direct routes of queued endpoints, as on Spaces). The request context — and so the
# logged-in user and every ownership check — is the same as on the queue (tests/team/test_direct_endpoints.py).
# gradio_client still calls them through the queue; its floor there is ~50 ms (see docs/BENCHMARKS.md, Load).
DIRECT = frozenset({"job", "jobs", "generation_group"})


def register(services: Services) -> None:
    s = services
    team = s.settings.team_mode  # uploads must come from Gradio's upload folder (see _file_path)

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
                             seed: int = -1, enhanced_prompt: str = "", engine: str = "",
                             negative_prompt: str = "") -> dict:
        """Queue 4–8 candidate frames. seed -1 = random; engine "" = the configured default (see /engines);
        negative_prompt goes to models that take one (/engines says which). Returns {job_id, seeds}; poll /job."""
        return s.hero_frames.generate(project_id, prompt, count, aspect_ratio or None,
                                      None if seed is None or seed < 0 else seed, enhanced_prompt or None,
                                      engine=engine or None, negative_prompt=negative_prompt)

    def hero_frames(project_id: int) -> tuple[list[dict], list[FileData]]:
        """The project's hero frames (newest first) and their images, in the same order."""
        frames = s.hero_frames.list(project_id)
        return frames, _files(*[f["image"] for f in frames])

    def upload_hero_frame(project_id: int, image: FileData, enhance: bool = False) -> tuple[dict, list[FileData]]:
        """Upload a JPEG/PNG/WebP product photo (≤ 25 MB, ≤ 40 MP); optionally enhance it (a new linked frame)."""
        frame = s.hero_frames.upload(project_id, _file_path(image, team), enhance=enhance)
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

    def estimate_cost(engine: str = "", attempt_count: int = 3, duration: float = 5.0, project_id: int = 0,
                      motion_prompt: str = "") -> dict:
        """Cost estimate of a group before it starts: {engine capabilities (lengths, max_seconds), estimate: {usd,
        rule_text}}; with project_id and motion_prompt also video_prompt, the scene + motion the model is sent.
        A length beyond what the model gives is refused."""
        return s.attempts.engine_details(engine or None, attempt_count, duration, project_id=project_id or None,
                                         motion_prompt=motion_prompt)

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
        """The current timeline version: edit list, clips (start times, transitions, thumbnails), overlays,
        duration, can_undo / can_redo, exported file."""
        return s.timeline.get(project_id)

    def timeline_edit(project_id: int, operation: str, arguments: str = "{}") -> dict:
        """Apply one edit and save it as the new current version. operation: trim, split, split_at_time, merge,
        delete, move, duplicate, set_transition, set_all_transitions, set_crossfade, add_overlay,
        update_overlay, remove_overlay, set_music, music_by_mood, set_grade, set_fades, set_aspect_ratio,
        set_fps, add_attempt; arguments: a JSON object, e.g. {"clip_id": "...", "in_point": 0.5,
        "out_point": 3.0}. See docs/API.md."""
        parsed = json_object(arguments)
        return s.timeline.apply(project_id, operation, **parsed)

    def rebuild_timeline(project_id: int) -> dict:
        """A new timeline version with one clip per group: the user's pick, else the system's. Uploaded clips and
        stills (an ad's end card) stay next to the shot they followed."""
        return s.timeline.rebuild_from_picks(project_id)

    def export_timeline(project_id: int, fit: str = "crop", version: int = 0, aspect_ratio: str = "",
                        fps: int = 0) -> dict:
        """Queue a 1080p H.264/AAC MP4 export (version 0 = the current one; aspect_ratio "" and fps 0 keep the
        edit's). Returns {job_id, version}; /job gives the file, its thumbnail and whether it was stream-copied."""
        return s.timeline.export(project_id, fit, version or None, aspect_ratio or None, fps or None)

    def timeline_undo(project_id: int) -> dict:
        """Go back to the version the current timeline was made from."""
        return s.timeline.undo(project_id)

    def timeline_redo(project_id: int) -> dict:
        """Go forward again after an undo."""
        return s.timeline.redo(project_id)

    def timeline_save(project_id: int, name: str = "", version: int = 0) -> dict:
        """Mark the current version (or `version`) as a saved, named version that can be reopened later."""
        return s.timeline.save(project_id, name, version)

    def timeline_versions(project_id: int, saved_only: bool = False) -> list[dict]:
        """Every timeline version (or only the saved ones), newest first, with kind, name and note."""
        return s.timeline.versions(project_id, saved_only)

    def timeline_open(project_id: int, version: int) -> dict:
        """Continue editing from an older version (it becomes a new current version; nothing is lost)."""
        return s.timeline.open_version(project_id, version)

    def timeline_compare(project_id: int, version_a: int, version_b: int = 0) -> dict:
        """What changed from version A to version B (0 = current): clips, transitions, overlays, music,
        settings, durations, and one sentence per change."""
        return s.timeline.compare(project_id, version_a, version_b)

    def timeline_preview(project_id: int, version: int = 0) -> tuple[dict, list[FileData]]:
        """A quick 640 px proxy render of the current version (cached while the edit is unchanged)."""
        result = s.timeline.preview(project_id, version)
        return result, _files(result["file"])

    def timeline_gap(project_id: int) -> dict:
        """The gap the last edit left (a delete or a shortening trim): {position, duration, reason}, or {}."""
        return s.timeline.suggest_gap(project_id) or {}

    def fill_gap(project_id: int, position: int, duration: float, prompt: str, frame_from: str = "previous",
                 attempt_count: int = 2, seed: int = -1) -> dict:
        """Generate a clip of exactly `duration` s for the gap at `position` from the neighbouring frame
        (frame_from: previous or next) and a motion prompt, through the attempts pipeline. The timeline gets a
        still placeholder at once, replaced by the best attempt when the group finishes."""
        return s.timeline.fill_gap(project_id, position, duration, prompt, frame_from, attempt_count,
                                   seed=None if seed is None or seed < 0 else seed)

    def upload_clip(project_id: int, video: FileData, label: str = "", index: int = -1) -> dict:
        """Add your own video (mp4, mov, m4v, webm, mkv; ≤ 500 MB, ≤ 2 min) as a clip (index -1 = at the end)."""
        return s.timeline.upload_clip(project_id, _file_path(video, team), label, None if index < 0 else index)

    def upload_music(project_id: int, audio: FileData, use: bool = True) -> dict:
        """Add your own audio file (m4a, mp3, wav, flac, ogg, opus, aac; ≤ 50 MB) to the music list and, with
        `use`, make it the music bed. Returns {track, timeline}."""
        return s.timeline.upload_music(project_id, _file_path(audio, team), use)

    def music_tracks() -> list[dict]:
        """The music library (assets/music): id, title, mood, tempo, length."""
        return s.timeline.music_tracks()

    def dashboard(project_id: int = 0, date_from: str = "", date_to: str = "", engine: str = "", model: str = "",
                  tag: str = "", row_limit: int = 0) -> dict:
        """Scores per attempt, agreement (overall and per engine), distributions, finals, iterations per final and
        trends (project_id 0 = all projects; blank filters are ignored; dates YYYY-MM-DD, both inclusive;
        row_limit 0 = every attempt row, else only the newest)."""
        return s.dashboard.summary(project_id or None, date_from or None, date_to or None, engine or None,
                                   model or None, tag or None, row_limit=row_limit or None)

    # ------------------------------------------------------------ ad composer (docs/API.md, "Ad composer")
    def plan_ad(prompt: str, duration: int = 15, aspect_ratio: str = "9:16", framework: str = "",
                planner: str = "auto") -> dict:
        """Plan a video ad from a 10–500 character prompt: duration 15/30/60 s, aspect_ratio 9:16/16:9/1:1,
        framework AIDA/PAS/BAB ("" = chosen from the wording), planner auto/rules/llm. Returns the stored draft
        {id, status, plan: {product, brand, framework, rationale, call_to_action, music_mood, scenes, …}}."""
        return s.ads.plan(prompt, duration, aspect_ratio, framework or None, planner or "auto")

    def ad_plan(plan_id: int) -> tuple[dict, list[FileData]]:
        """An ad plan (or product video) with its job, steps, cost estimate and actual cost, per-scene frames and
        picks, and the exported MP4 once done."""
        view = s.ads.get(plan_id)
        return view, _files((view.get("result") or {}).get("file"))

    def ad_plans(kind: str = "ad") -> list[dict]:
        """Recent plans, newest first (kind: ad, product_video, or "" for both)."""
        return s.ads.list(kind or None)

    def update_storyboard(plan_id: int, operation: str, arguments: str = "{}") -> dict:
        """Edit the storyboard: update_scene {number, type/visual_prompt/motion_prompt/text_overlay/duration/
        transition}, update_plan {product, brand_name, brand_colours, style_keywords, brand_mood, call_to_action,
        music_mood, grade, duration, aspect_ratio, setting}, add_scene {after}, remove_scene {number},
        move_scene {number, to}, switch_framework {framework}, replace {plan_data}. Durations stay consistent."""
        parsed = json_object(arguments)
        return s.ads.update_storyboard(plan_id, operation, **parsed)

    def estimate_ad_cost(plan_id: int, attempts_per_scene: int = 2) -> dict:
        """The cost estimate before generation: {usd, rule_text, frames, video_usd, attempts, …}."""
        return s.ads.estimate_cost(plan_id, attempts_per_scene)

    def generate_ad(plan_id: int, attempts_per_scene: int = 2) -> dict:
        """Generate the approved plan as one job (new project): hero frames, scored attempts, picks, timeline,
        export. Returns {job_id, project_id, plan_id, estimate}; poll /ad_plan or /job."""
        return s.ads.generate(plan_id, attempts_per_scene)

    def cancel_ad(plan_id: int) -> dict:
        """Stop the plan's generation; frames, attempts and a partial timeline are kept."""
        return s.ads.cancel(plan_id)

    def product_video(photo: FileData, title: str = "", description: str = "", duration: float = 10.0,
                      aspect_ratio: str = "1:1", attempts: int = 2, title_overlay: bool = True,
                      project_id: int = 0) -> dict:
        """One product photo (JPEG/PNG/WebP) → enhanced photo → orbit/turntable attempts, best picked → timeline
        with an optional title overlay → MP4. project_id 0 = a new project. Returns {job_id, project_id,
        plan_id, frame_id, estimate}; poll /ad_plan or /job."""
        return s.ads.product_video(project_id or None, _file_path(photo, team), title, description, duration,
                                   aspect_ratio, attempts, title_overlay)

    for fn in (plan_ad, ad_plan, ad_plans, update_storyboard, estimate_ad_cost, generate_ad, cancel_ad,
               product_video):
        gr.api(user_errors(fn), api_name=fn.__name__, concurrency_limit=None)

    for fn in (create_project, list_projects, rename_project, enhance_prompt, generate_hero_frames, hero_frames,
               engines, estimate_cost, upload_hero_frame, enhance_photo, favourite_hero_frame, select_hero_frame, image_to_video,
               regenerate_group, job, cancel_job, jobs, generation_group, generation_groups, select_attempt,
               timeline, timeline_edit, rebuild_timeline, export_timeline, music_tracks, dashboard,
               timeline_undo, timeline_redo, timeline_save, timeline_versions, timeline_open, timeline_compare,
               timeline_preview, timeline_gap, fill_gap, upload_clip, upload_music):
        # Polls and reads must never wait behind each other: no per-endpoint concurrency limit.
        gr.api(user_errors(fn), api_name=fn.__name__, concurrency_limit=None, queue=fn.__name__ not in DIRECT)
