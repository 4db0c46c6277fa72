"""The timeline: the current edit, edits (one named operation with JSON arguments), versions, preview, gaps,
export, your own clips and music."""
from __future__ import annotations

from gradio.data_classes import FileData

from pipeline.services.views import TimelineVersionView
from studio.api.door import json_object
from studio.api.endpoint import Resource, endpoint


class TimelineApi(Resource):
    @endpoint
    def timeline(self, project_id: int) -> TimelineVersionView:
        """The current timeline version: edit list, clips (start times, transitions, thumbnails), overlays,
        duration, can_undo / can_redo, exported file."""
        return self.s.timeline.get(project_id)

    @endpoint
    def timeline_edit(self, project_id: int, operation: str, arguments: str = "{}") -> TimelineVersionView:
        """Apply one edit and save it as the new current version. operation: trim, split, split_at_time, merge,
        delete, move, duplicate, set_transition, set_all_transitions, set_crossfade, add_overlay,
        update_overlay, remove_overlay, set_music, music_by_mood, set_grade, set_fades, set_aspect_ratio,
        set_fps, add_attempt; arguments: a JSON object, e.g. {"clip_id": "...", "in_point": 0.5,
        "out_point": 3.0}. See docs/API.md."""
        parsed = json_object(arguments)
        return self.s.timeline.apply(project_id, operation, **parsed)

    @endpoint
    def rebuild_timeline(self, project_id: int) -> TimelineVersionView:
        """A new timeline version with one clip per group: the user's pick, else the system's. Uploaded clips and
        stills (an ad's end card) stay next to the shot they followed."""
        return self.s.timeline.rebuild_from_picks(project_id)

    @endpoint(blank=("version", "aspect_ratio", "fps", "quality"))
    def export_timeline(self, project_id: int, fit: str = "crop", version: int = 0, aspect_ratio: str = "",
                        fps: int = 0, quality: str = "draft") -> dict:
        """Queue a 1080p H.264/AAC MP4 export (version 0 = the current one; aspect_ratio "" and fps 0 keep the
        edit's; quality "draft", the default, or "delivery"). Returns {job_id, version}; /job gives the file, its
        readable download_name, its thumbnail, its quality and whether it was stream-copied."""
        return self.s.timeline.export(project_id, fit, version, aspect_ratio, fps, quality or "draft")

    @endpoint
    def timeline_undo(self, project_id: int) -> TimelineVersionView:
        """Go back to the version the current timeline was made from."""
        return self.s.timeline.undo(project_id)

    @endpoint
    def timeline_redo(self, project_id: int) -> TimelineVersionView:
        """Go forward again after an undo."""
        return self.s.timeline.redo(project_id)

    @endpoint
    def timeline_save(self, project_id: int, name: str = "", version: int = 0) -> TimelineVersionView:
        """Mark the current version (or `version`) as a saved, named version that can be reopened later."""
        return self.s.timeline.save(project_id, name, version)

    @endpoint
    def timeline_versions(self, project_id: int, saved_only: bool = False) -> list[TimelineVersionView]:
        """Every timeline version (or only the saved ones), newest first, with kind, name and note."""
        return self.s.timeline.versions(project_id, saved_only)

    @endpoint
    def timeline_open(self, project_id: int, version: int) -> TimelineVersionView:
        """Continue editing from an older version (it becomes a new current version; nothing is lost)."""
        return self.s.timeline.open_version(project_id, version)

    @endpoint
    def timeline_compare(self, project_id: int, version_a: int, version_b: int = 0) -> dict:
        """What changed from version A to version B (0 = current): clips, transitions, overlays, music,
        settings, durations, and one sentence per change."""
        return self.s.timeline.compare(project_id, version_a, version_b)

    @endpoint
    def timeline_preview(self, project_id: int, version: int = 0) -> tuple[dict, list[FileData]]:
        """A quick 640 px proxy render of the current version (cached while the edit is unchanged)."""
        result = self.s.timeline.preview(project_id, version)
        return result, self.files(result["file"])

    @endpoint
    def timeline_gap(self, project_id: int) -> dict:
        """The gap the last edit left (a delete or a shortening trim): {position, duration, reason}, or {}."""
        return self.s.timeline.suggest_gap(project_id) or {}

    @endpoint(blank=("seed",))
    def fill_gap(self, project_id: int, position: int, duration: float, prompt: str, frame_from: str = "previous",
                 attempt_count: int = 2, seed: int = -1) -> TimelineVersionView:
        """Generate a clip of exactly `duration` s for the gap at `position` from the neighbouring frame
        (frame_from: previous or next) and a motion prompt, through the attempts pipeline. The timeline gets a
        still placeholder at once, replaced by the best attempt when the group finishes."""
        return self.s.timeline.fill_gap(project_id, position, duration, prompt, frame_from, attempt_count,
                                   seed=seed)

    @endpoint(blank=("index",))
    def upload_clip(self, project_id: int, video: FileData, label: str = "", index: int = -1) -> TimelineVersionView:
        """Add your own video (mp4, mov, m4v, webm, mkv; ≤ 500 MB, ≤ 2 min) as a clip (index -1 = at the end)."""
        return self.s.timeline.upload_clip(project_id, self.upload_path(video), label, index)

    @endpoint
    def upload_music(self, project_id: int, audio: FileData, use: bool = True) -> dict:
        """Add your own audio file (m4a, mp3, wav, flac, ogg, opus, aac; ≤ 50 MB) to the music list and, with
        `use`, make it the music bed. Returns {track, timeline}."""
        return self.s.timeline.upload_music(project_id, self.upload_path(audio), use)

    @endpoint
    def music_tracks(self) -> list[dict]:
        """The music library (assets/music): id, title, mood, tempo, length."""
        return self.s.timeline.music_tracks()
