"""The project's timeline: every edit saves a new version (the truth survives restarts); export runs as a job."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select

from pipeline.errors import NotFound, StudioError
from pipeline.jobs import JobContext
from pipeline.services.jobs import JobService
from pipeline.services.views import timeline_version_view
from pipeline.settings import Settings
from pipeline.timeline import operations as ops
from pipeline.timeline.edit_list import EditList, TimelineError
from storage.db import Database
from storage.media import MediaStore
from storage.models import AttemptStatus, GenerationGroup, JobStatus, Project, TimelineVersion, VideoAttempt

FITS = ("crop", "letterbox")


class TimelineService:
    def __init__(self, db: Database, media: MediaStore, jobs: JobService, settings: Settings) -> None:
        self.db = db
        self.media = media
        self.jobs = jobs
        self.settings = settings

    # ------------------------------------------------------------ reading
    def get(self, project_id: int) -> dict[str, Any]:
        """The newest version; a project without one starts from its picked attempts."""
        with self.db.session() as session:
            version = self._latest(session, project_id)
            if version is not None:
                return self._view(version)
        return self.rebuild_from_picks(project_id)

    def versions(self, project_id: int) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.scalars(select(TimelineVersion).where(TimelineVersion.project_id == project_id)
                                   .order_by(TimelineVersion.version.desc())).all()
            return [self._view(v) for v in rows]

    def music_tracks(self) -> list[dict[str, Any]]:
        from pipeline.timeline.music import load_manifest

        return [{"id": t.id, "title": t.title, "mood": t.mood, "tempo_bpm": t.tempo_bpm,
                 "length_seconds": t.length_seconds, "file": str(Path(self.settings.music_dir) / t.file)}
                for t in load_manifest(Path(self.settings.music_dir))]

    # ------------------------------------------------------------ editing
    def rebuild_from_picks(self, project_id: int) -> dict[str, Any]:
        """One clip per generation group: the user's pick, else the system's, in the order the groups were made."""
        with self.db.session() as session:
            project = _project(session, project_id)
            groups = session.scalars(select(GenerationGroup).where(GenerationGroup.project_id == project.id)
                                     .order_by(GenerationGroup.id)).all()
            edit = EditList(aspect_ratio=project.aspect_ratio if project.aspect_ratio != "4:5" else "9:16")
            previous = self._latest(session, project.id)
            if previous is not None and previous.edit_list.get("music"):
                edit = ops.set_music(edit, previous.edit_list["music"]["track"],
                                     volume=previous.edit_list["music"].get("volume"))
            for group in groups:
                done = [a for a in group.attempts if a.status == AttemptStatus.done.value and a.video_path]
                pick = next((a for a in done if a.is_user_selected_best), None) or \
                    next((a for a in done if a.is_system_selected_best), None)
                if pick is not None:
                    edit = ops.add_clip(edit, pick.video_path, float(pick.duration or 0.0),
                                        label=f"Group {group.id} · attempt {pick.index}", attempt_id=pick.id)
            return self._save(session, project.id, edit, "Built from the picked attempts")

    def apply(self, project_id: int, operation: str, **arguments: Any) -> dict[str, Any]:
        """Apply one named edit to the newest version and save the result as a new version."""
        operations: dict[str, Callable[..., EditList]] = {
            "trim": ops.trim, "split": ops.split, "split_at_time": ops.split_at_time, "merge": ops.merge,
            "delete": ops.delete, "move": ops.move, "set_music": ops.set_music, "set_crossfade": ops.set_crossfade,
            "set_aspect_ratio": ops.set_aspect_ratio, "add_attempt": None,
        }
        if operation not in operations:
            raise StudioError(f"Unknown timeline operation '{operation}'. Known: {', '.join(sorted(operations))}.")
        self.get(project_id)  # make sure a first version exists
        with self.db.session() as session:
            latest = self._latest(session, project_id)
            edit = EditList.from_dict(latest.edit_list)
            try:
                if operation == "add_attempt":
                    edit = self._add_attempt(session, edit, project_id, int(arguments["attempt_id"]))
                else:
                    edit = operations[operation](edit, **arguments)
            except TimelineError as exc:
                raise StudioError(str(exc)) from exc
            except TypeError as exc:
                raise StudioError(f"Wrong arguments for '{operation}': {exc}") from exc
            note = operation + (" " + ", ".join(f"{k}={v}" for k, v in arguments.items()) if arguments else "")
            return self._save(session, project_id, edit, note[:300])

    def restore(self, project_id: int, version: int) -> dict[str, Any]:
        """Make an older version the newest again (as a new version, so nothing is lost)."""
        with self.db.session() as session:
            old = session.scalar(select(TimelineVersion).where(TimelineVersion.project_id == project_id,
                                                               TimelineVersion.version == int(version)))
            if old is None:
                raise NotFound(f"Timeline version {version} does not exist in this project.")
            return self._save(session, project_id, EditList.from_dict(old.edit_list), f"Restored version {version}")

    # ------------------------------------------------------------ export
    def export(self, project_id: int, fit: str = "crop", version: int | None = None) -> dict[str, Any]:
        if fit not in FITS:
            raise StudioError(f"Fit must be 'crop' or 'letterbox'; got '{fit}'.")
        self.get(project_id)
        with self.db.session() as session:
            row = self._latest(session, project_id) if version is None else session.scalar(
                select(TimelineVersion).where(TimelineVersion.project_id == project_id,
                                              TimelineVersion.version == int(version)))
            if row is None:
                raise NotFound(f"Timeline version {version} does not exist in this project.")
            if not row.edit_list.get("clips"):
                raise StudioError("The timeline is empty: pick an attempt in the workspace first.")
            for clip in row.edit_list["clips"]:
                if not self.media.exists(clip["source"]):
                    raise StudioError(f"Clip '{clip.get('label') or clip['source']}' is missing from the media folder.")
            job = self.jobs.create(session, "export", {"timeline_version_id": row.id, "fit": fit}, project_id)
            row.export_job_id = job.id
            job_id, version_number = job.id, row.version
        self.jobs.enqueue(job_id)
        return {"job_id": job_id, "version": version_number}

    # ------------------------------------------------------------ internals
    def _add_attempt(self, session, edit: EditList, project_id: int, attempt_id: int) -> EditList:
        attempt = session.get(VideoAttempt, attempt_id)
        if attempt is None or attempt.group.project_id != project_id:
            raise NotFound(f"Attempt {attempt_id} is not part of this project.")
        if attempt.status != AttemptStatus.done.value or not attempt.video_path:
            raise StudioError(f"Attempt {attempt_id} has not finished yet.")
        return ops.add_clip(edit, attempt.video_path, float(attempt.duration or 0.0),
                            label=f"Group {attempt.group_id} · attempt {attempt.index}", attempt_id=attempt.id)

    def _latest(self, session, project_id: int) -> TimelineVersion | None:
        return session.scalar(select(TimelineVersion).where(TimelineVersion.project_id == project_id)
                              .order_by(TimelineVersion.version.desc()).limit(1))

    def _save(self, session, project_id: int, edit: EditList, note: str) -> dict[str, Any]:
        number = (session.scalar(select(func.max(TimelineVersion.version))
                                 .where(TimelineVersion.project_id == project_id)) or 0) + 1
        row = TimelineVersion(project_id=project_id, version=number, edit_list=edit.to_dict(), note=note)
        session.add(row)
        session.flush()
        return self._view(row)

    def _view(self, row: TimelineVersion) -> dict[str, Any]:
        view = timeline_version_view(row, self.media)
        edit = EditList.from_dict(row.edit_list)
        starts = edit.starts()
        view["duration"] = round(edit.duration, 3)
        view["clips"] = [{"id": c.id, "label": c.display_name, "attempt_id": c.attempt_id,
                          "in_point": c.in_point, "out_point": c.out_point, "length": round(c.length, 3),
                          "source_duration": c.source_duration, "start": round(start, 3),
                          "source": str(self.media.absolute(c.source))}
                         for c, start in zip(edit.clips, starts)]
        return view


class ExportJob:
    def __init__(self, service: TimelineService) -> None:
        self.service = service

    def run(self, ctx: JobContext) -> dict[str, Any]:
        from pipeline.timeline.export import export

        service = self.service
        with service.db.session() as session:
            row = session.get(TimelineVersion, ctx.payload["timeline_version_id"])
            if row is None:
                raise NotFound("The timeline version to export was deleted.")
            edit = EditList.from_dict(row.edit_list)
            name = _slug(session.get(Project, row.project_id).name)
            relative = f"exports/ad_{name}_{row.version}.mp4"
            row_id = row.id
        result = export(edit, service.media.absolute(relative), service.media.root, Path(service.settings.music_dir),
                        long_side=service.settings.export_long_side, fit=ctx.payload.get("fit", "crop"),
                        progress=ctx.progress)
        with service.db.session() as session:
            row = session.get(TimelineVersion, row_id)
            row.exported_path = relative
        return {"file": str(service.media.absolute(relative)), "duration": result.duration,
                "width": result.width, "height": result.height, "fps": result.fps}

    def on_end(self, ctx: JobContext, status: JobStatus, error: str | None) -> None:
        """A failed or cancelled export leaves no file behind (export writes atomically)."""


def _project(session, project_id) -> Project:
    project = session.get(Project, int(project_id)) if project_id is not None else None
    if project is None:
        raise NotFound(f"Project {project_id} does not exist.")
    return project


def _slug(name: str) -> str:
    slug = "".join(ch.lower() if ch.isalnum() else "-" for ch in name).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    return slug[:40] or "project"
