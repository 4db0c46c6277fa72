"""The project's timeline editor. Every edit saves a new version that becomes the current one (the truth lives in
the database and survives restarts); undo/redo, save and compare walk those versions (timeline_history.py);
uploads, music, thumbnails and the quick preview are in timeline_media.py; gap filling through the attempts
pipeline in timeline_gaps.py. Export runs as a job and records the file on the version it rendered."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from pipeline.access import Access
from pipeline.errors import NotFound, StudioError
from pipeline.jobs import JobContext
from pipeline.services.attempts import AttemptService
from pipeline.services.jobs import JobService
from pipeline.services.library_queries import paths_in
from pipeline.services.limits import LimitsService
from pipeline.services.lookups import get_project as _project
from pipeline.services.timeline_gaps import TimelineGaps
from pipeline.services.timeline_history import SAVED, TimelineHistory, TimelineVersions
from pipeline.services.timeline_media import TimelineMedia
from pipeline.services.timeline_picks import AUTOMATIC_NOTE, Pick, group_of_attempts, new_picks, shot_picks
from pipeline.services.views import NewPick, TimelineVersionView, download_name
from pipeline.settings import Settings
from pipeline.timeline import operations as ops
from pipeline.timeline.edit_list import ASPECT_RATIOS, EditList, TimelineError
from pipeline.timeline.export import DEFAULT_QUALITY, QUALITIES
from pipeline.timeline.music import MusicLibraryError, pick_by_mood
from pipeline.validation import as_id, check_keywords
from storage.db import Database
from storage.media import MediaStore
from storage.models import AttemptStatus, JobStatus, Project, TimelineVersion, VideoAttempt, utcnow

FITS = ("crop", "letterbox")

# name -> operation on an EditList; the arguments are the operation's keyword arguments (docs/API.md)
OPERATIONS: dict[str, Callable[..., EditList]] = {
    "trim": ops.trim, "split": ops.split, "split_at_time": ops.split_at_time, "merge": ops.merge,
    "delete": ops.delete, "move": ops.move, "duplicate": ops.duplicate,
    "set_transition": ops.set_transition, "set_all_transitions": ops.set_all_transitions,
    "set_crossfade": ops.set_crossfade,
    "add_overlay": ops.add_overlay, "update_overlay": ops.update_overlay, "remove_overlay": ops.remove_overlay,
    "set_music": ops.set_music, "set_grade": ops.set_grade, "set_fades": ops.set_fades, "set_look": ops.set_look,
    "set_aspect_ratio": ops.set_aspect_ratio, "set_fps": ops.set_fps,
}
SPECIAL_OPERATIONS = ("add_attempt", "music_by_mood")


def _add_attempt_arguments(edit: EditList, attempt_id: int, index: int | None = None) -> None:
    """The arguments of the add_attempt edit (checked at the door like the other operations')."""


def _music_by_mood_arguments(edit: EditList, mood: str = "") -> None:
    """The arguments of the music_by_mood edit."""


SPECIAL_SIGNATURES: dict[str, Callable[..., None]] = {"add_attempt": _add_attempt_arguments,
                                                      "music_by_mood": _music_by_mood_arguments}


class TimelineService:
    def __init__(self, db: Database, media: MediaStore, jobs: JobService, settings: Settings, attempts: AttemptService,
                 access: Access | None = None, limits: LimitsService | None = None) -> None:
        self.db, self.media, self.jobs, self.settings = db, media, jobs, settings
        self.access = access or Access(db, settings)
        self.limits = limits or LimitsService(db, self.access, settings)
        # Small services over one version store; they call back into this editor only for get/apply.
        self.store = TimelineVersions(db, media, self.access)
        self.history = TimelineHistory(self.store, self)
        self.media_service = TimelineMedia(self.store, self, settings)
        self.gaps = TimelineGaps(self.store, self, attempts)  # gap fills start their groups through ``attempts``

    # ------------------------------------------------------------ the parts' public methods
    def versions(self, project_id: int, saved_only: bool = False) -> list[TimelineVersionView]:
        return self.history.versions(project_id, saved_only)

    def version(self, project_id: int, version: int) -> TimelineVersionView:
        return self.history.version(project_id, version)

    def compare(self, project_id: int, version_a: int, version_b: int = 0) -> dict[str, Any]:
        return self.history.compare(project_id, version_a, version_b)

    def undo(self, project_id: int) -> TimelineVersionView:
        return self.history.undo(project_id)

    def redo(self, project_id: int) -> TimelineVersionView:
        return self.history.redo(project_id)

    def save(self, project_id: int, name: str = "", version: int = 0) -> TimelineVersionView:
        return self.history.save(project_id, name, version)

    def open_version(self, project_id: int, version: int) -> TimelineVersionView:
        return self.history.open_version(project_id, version)

    def music_tracks(self) -> list[dict[str, Any]]:
        return self.media_service.music_tracks()

    def upload_music(self, project_id: int, file_path: str | Path, use: bool = True) -> dict[str, Any]:
        return self.media_service.upload_music(project_id, file_path, use)

    def upload_clip(self, project_id: int, file_path: str | Path, label: str = "",
                    index: int | None = None) -> TimelineVersionView:
        return self.media_service.upload_clip(project_id, file_path, label, index)

    def preview(self, project_id: int, version: int = 0) -> dict[str, Any]:
        return self.media_service.preview(project_id, version)

    def suggest_gap(self, project_id: int) -> dict[str, Any] | None:
        return self.gaps.suggest_gap(project_id)

    def fill_gap(self, project_id: int, position: int, duration: float, prompt: str, frame_from: str = "previous",
                 attempt_count: int = 2, engine: str | None = None, seed: int | None = None) -> TimelineVersionView:
        return self.gaps.fill_gap(project_id, position, duration, prompt, frame_from, attempt_count, engine, seed)

    def resolve_gaps(self, project_id: int) -> TimelineVersionView | None:
        return self.gaps.resolve_gaps(project_id)


    # ------------------------------------------------------------ reading
    def get(self, project_id: int) -> TimelineVersionView:
        """The current version (with thumbnails, can_undo, can_redo); a project without one starts from its
        picked attempts. Gap clips whose generation finished are put in first. Needs view access: the first
        version and finished gap clips are derived automatically, whoever looks."""
        with self.db.session() as session:
            project = self.store.project(session, project_id)
            head = self.store.head(session, project_id)
            pending = head is not None and self.gaps.has_pending(head)
            if head is not None and not pending:
                picks = new_picks(session, project, self.store.edit_of(head))
                if not (picks and head.note == AUTOMATIC_NOTE):
                    return self._with_picks(self.store.view(head, detail=True, session=session), head, picks)
        if head is None:
            return self._with_picks(self._rebuild_from_picks(project_id, only_if_missing=True), None, [])
        if not pending:  # an automatic timeline follows the picks
            return self._with_picks(self._rebuild_from_picks(project_id), None, [])
        self.gaps.resolve_pending(project_id)
        with self.db.session() as session:
            head = self.store.require_head(session, project_id)
            picks = new_picks(session, _project(session, project_id), self.store.edit_of(head))
            return self._with_picks(self.store.view(head, detail=True, session=session), head, picks)

    @staticmethod
    def _with_picks(view: TimelineVersionView, head: TimelineVersion | None, picks: list[Pick]) -> TimelineVersionView:
        """The view plus whether it follows the picks and the picks it does not show yet."""
        view.follows_picks = head is None or head.note == AUTOMATIC_NOTE
        view.new_picks = [NewPick(group_id=p.group_id, attempt_id=p.attempt_id, label=p.label) for p in picks]
        return view

    def add_new_picks(self, project_id: int) -> TimelineVersionView:
        """Put the picks the timeline does not show on it: a shot whose clip is an older pick gets the new pick in
        its place (its transition kept), a new shot goes at the end. Other edits stay as they are."""
        self.store.check(project_id, "edit")
        with self.store.editing(project_id) as session:
            project = _project(session, project_id)
            head = self.store.require_head(session, project_id)
            edit = self.store.edit_of(head)
            picks = new_picks(session, project, edit)
            if not picks:
                raise StudioError("The timeline already shows every pick.")
            groups = group_of_attempts(session, {c.attempt_id for c in edit.clips if c.attempt_id is not None})
            for pick in picks:
                old = next((c for c in edit.clips if c.attempt_id is not None
                            and groups.get(c.attempt_id) == pick.group_id), None)
                clip = ops.make_clip(pick.video_path, pick.duration, label=pick.label, attempt_id=pick.attempt_id)
                if old is not None:
                    edit = ops.replace_clip(edit, old.id, clip)  # keeps the old clip's place and transition
                else:
                    edit = ops.add_clip(edit, clip)
            note = f"Added {len(picks)} new pick{'s' if len(picks) > 1 else ''}"
            view = self.store.save_version(session, project_id, edit, note)
            return self._with_picks(view, None, [])

    # ------------------------------------------------------------ editing
    def rebuild_from_picks(self, project_id: int) -> TimelineVersionView:
        """One clip per generation group (the user's pick, else the system's, in the order the groups were made);
        music, overlays, grade, fades and frame rate of the current version are kept, and so are your uploaded
        clips and stills (an ad's end card), next to the shot they followed."""
        self.store.check(project_id, "edit")
        return self._rebuild_from_picks(project_id)

    def _rebuild_from_picks(self, project_id: int, only_if_missing: bool = False) -> TimelineVersionView:
        with self.store.editing(project_id) as session:
            project = _project(session, project_id)
            if only_if_missing and (first := self.store.head(session, project.id)) is not None:
                return self.store.view(first, detail=True, session=session)  # another request made it meanwhile
            previous = self.store.head(session, project.id)
            if previous is not None:
                edit = self.store.edit_of(previous).model_copy(update={"clips": []})
            else:
                edit = EditList(aspect_ratio=project.aspect_ratio if project.aspect_ratio in ASPECT_RATIOS else "16:9")
            previous_clips = self.store.edit_of(previous).clips if previous else []
            gap_groups = {c.generation_group_id for c in previous_clips}
            kept = _kept_clips(session, previous_clips)
            for clip in kept.pop(None, []):
                edit = ops.add_clip(edit, clip)
            for pick in shot_picks(session, project, gap_groups):
                edit = ops.add_clip(edit, pick.video_path, pick.duration, label=pick.label, attempt_id=pick.attempt_id)
                for clip in kept.pop(pick.group_id, []):
                    edit = ops.add_clip(edit, clip)
            for clips in kept.values():  # anchored to a group with no pick now: keep them, at the end
                for clip in clips:
                    edit = ops.add_clip(edit, clip)
            return self.store.save_version(session, project.id, edit, AUTOMATIC_NOTE)

    def apply(self, project_id: int, operation: str, **arguments: Any) -> TimelineVersionView:
        """Apply one named edit to the current version and save the result as a new current version."""
        if operation not in OPERATIONS and operation not in SPECIAL_OPERATIONS:
            known = ", ".join(sorted([*OPERATIONS, *SPECIAL_OPERATIONS]))
            raise StudioError(f"Unknown timeline operation '{operation}'. Known: {known}.")
        check_keywords(SPECIAL_SIGNATURES.get(operation) or OPERATIONS[operation], operation, arguments)
        self.store.check(project_id, "edit")
        self.get(project_id)  # make sure a first version exists
        with self.store.editing(project_id) as session:
            head = self.store.require_head(session, project_id)
            edit = before = self.store.edit_of(head)
            try:
                if operation == "add_attempt":
                    edit = self._add_attempt(session, edit, project_id, as_id(arguments["attempt_id"]),
                                             arguments.get("index"))
                elif operation == "music_by_mood":
                    edit = self._music_by_mood(edit, str(arguments.get("mood", "")))
                else:
                    if operation == "set_music" and "track" in arguments:
                        arguments = {**arguments, "track": self.media_service.checked_track(arguments["track"], before)}
                    edit = OPERATIONS[operation](edit, **arguments)
            except (TimelineError, MusicLibraryError) as exc:
                raise StudioError(str(exc)) from exc
            except (TypeError, KeyError, ValueError) as exc:
                raise StudioError(f"Wrong arguments for '{operation}': {exc}") from exc
            if edit == before:  # nothing changed: no new version (undo stays meaningful)
                return self.store.view(head, detail=True, session=session)
            return self.store.save_version(session, project_id, edit, _note(operation, arguments, before))

    def apply_edit(self, project_id: int, edit: EditList | Callable[[EditList], EditList],
                    note: str) -> TimelineVersionView:
        """Save ``edit`` as the new head; a callable is applied to the head under the timeline lock (so a change
        made from the head can't overwrite an edit made meanwhile)."""
        with self.store.editing(project_id) as session:
            if callable(edit):
                edit = edit(self.store.edit_of(self.store.require_head(session, project_id)))
            return self.store.save_version(session, project_id, edit, note)

    # ------------------------------------------------------------ export
    def export(self, project_id: int, fit: str = "crop", version: int | None = None, aspect_ratio: str | None = None,
               fps: int | None = None, quality: str = DEFAULT_QUALITY) -> dict[str, Any]:
        """Queue the MP4 export of the current version (or ``version``). A different aspect ratio or frame rate
        is first saved as a new version (so the record matches the file). ``quality`` is "draft" (the default:
        fast, small) or "delivery" (for upload: CRF 18, BT.709 tags; see pipeline/timeline/export.py). The
        finished job marks the version saved, with the file exports/p<project id>-v<version>-<random>.mp4 and
        its thumbnail; its result's ``download_name`` is the readable name to hand the file over by."""
        if fit not in FITS:
            raise StudioError(f"Fit must be 'crop' or 'letterbox'; got '{fit}'.")
        quality = str(quality or DEFAULT_QUALITY).strip().lower()
        if quality not in QUALITIES:
            raise StudioError(f"Quality must be one of {', '.join(QUALITIES)}; got '{quality}'.")
        self.store.check(project_id, "edit")  # may save a version, and writes a file of the project
        self.get(project_id)
        with self.store.editing(project_id) as session:
            row = self.store.row(session, project_id, version) if version else \
                self.store.require_head(session, project_id)
            edit = self.store.edit_of(row)
            changes = {}
            if aspect_ratio and aspect_ratio != edit.aspect_ratio:
                changes["aspect_ratio"] = aspect_ratio
            if fps and int(fps) != edit.fps:
                changes["fps"] = int(fps)
            if changes:
                try:
                    if "aspect_ratio" in changes:
                        edit = ops.set_aspect_ratio(edit, changes["aspect_ratio"])
                    if "fps" in changes:
                        edit = ops.set_fps(edit, changes["fps"])
                except TimelineError as exc:
                    raise StudioError(str(exc)) from exc
                self.store.save_version(session, project_id, edit, f"Export settings of version {row.version}: "
                           + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in changes.items()))
                row = self.store.require_head(session, project_id)
            if not edit.clips:
                raise StudioError("The timeline is empty: pick an attempt in the workspace first.")
            self.media_service.check_stored_bed(session, project_id, edit)
            for clip in edit.clips:
                if not self.media.exists(clip.source):
                    raise StudioError(f"Clip '{clip.display_name}' is missing from the media folder.")
            job = self.jobs.create(session, "export", {"timeline_version_id": row.id, "fit": fit, "quality": quality},
                                   project_id)
            row.export_job_id = job.id
            job_id, version_number = job.id, row.version
        self.jobs.enqueue(job_id)
        return {"job_id": job_id, "version": version_number}

    # ------------------------------------------------------------ internals
    def _add_attempt(self, session, edit: EditList, project_id: int, attempt_id: int | None,
                     index: Any = None) -> EditList:
        attempt = session.get(VideoAttempt, attempt_id) if attempt_id is not None else None
        if attempt is None or attempt.group.project_id != int(project_id):
            raise NotFound(f"Attempt {attempt_id} is not part of this project.")
        if attempt.status != AttemptStatus.done.value or not attempt.video_path:
            raise StudioError(f"Attempt {attempt_id} has not finished yet.")
        return ops.add_clip(edit, attempt.video_path, float(attempt.duration or 0.0),
                            label=f"Group {attempt.group_id} · attempt {attempt.index}", attempt_id=attempt.id,
                            index=None if index is None else int(index))

    def _music_by_mood(self, edit: EditList, mood: str) -> EditList:
        """The planner's pick: the first library track whose mood or tags match."""
        if not mood.strip():
            raise StudioError("Name a mood, e.g. luxury, calm, energetic, tech.")
        track = pick_by_mood(Path(self.settings.music_dir), mood)
        return ops.set_music(edit, track.id)


class ExportJob:
    def __init__(self, service: TimelineService) -> None:
        self.service = service

    def run(self, ctx: JobContext) -> dict[str, Any]:
        from pipeline.timeline.export import export, poster

        service = self.service
        with service.db.session() as session:
            row = session.get(TimelineVersion, ctx.payload["timeline_version_id"])
            if row is None:
                raise NotFound("The timeline version to export was deleted.")
            edit = service.store.edit_of(row)
            project = session.get(Project, row.project_id)
            readable = download_name(project.name if project is not None else "", row.version)
            relative = export_name(service.media, row.project_id, row.version)
            thumb = relative.removesuffix(".mp4") + ".jpg"
            row_id = row.id
        # With an object store, this worker may never have seen the clips and music: fetch them first.
        service.media.ensure_local(*sorted(paths_in(edit.to_dict())))
        result = export(edit, service.media.absolute(relative), service.media.root, Path(service.settings.music_dir),
                        long_side=service.settings.export_long_side, fit=ctx.payload.get("fit", "crop"),
                        quality=ctx.payload.get("quality", DEFAULT_QUALITY), progress=ctx.progress,
                        stall_seconds=service.settings.export_stall_seconds)
        service.media.publish(relative)
        still = service.media.absolute(thumb)  # the poster's PNG goes by a temp name: swept if a kill leaves it
        image = poster(result.path, still.with_name(f".{still.stem}.poster.part.png"), max_side=640)
        from PIL import Image

        with Image.open(image) as img:
            service.media.save_image(img.convert("RGB"), thumb, quality=88)
        image.unlink(missing_ok=True)
        with service.db.session() as session:
            row = session.get(TimelineVersion, row_id)
            replaced = [p for p in (row.exported_path, row.thumbnail_path) if p and p not in (relative, thumb)]
            row.exported_path = relative
            row.thumbnail_path = thumb
            if row.kind != SAVED:
                row.kind = SAVED
                row.name = row.name or f"Export of version {row.version}"
                row.saved_at = utcnow()
        for old in replaced:  # a re-export of the version: its earlier file is no longer anyone's
            service.media.delete(old)
        return {"file": str(service.media.absolute(relative)), "thumbnail": str(service.media.absolute(thumb)),
                "duration": result.duration, "width": result.width, "height": result.height, "fps": result.fps,
                "frames": result.frame_count, "method": result.method, "note": result.note,
                "quality": result.quality, "download_name": readable}

    def on_end(self, ctx: JobContext, status: JobStatus, error: str | None) -> None:
        """A failed or cancelled export leaves no file behind (export writes atomically)."""


def _note(operation: str, arguments: dict[str, Any], before: EditList) -> str:
    """A short human description of an edit, for the version list."""
    names = {c.id: c.display_name for c in before.clips}
    overlays = {o.id: o.short_text for o in before.overlays}
    clip = f"'{names.get(arguments.get('clip_id'), arguments.get('clip_id'))}'"
    a = arguments
    text = {
        "trim": lambda: f"Trim {clip} to {a.get('in_point')}–{a.get('out_point')} s",
        "split": lambda: f"Split {clip} at {a.get('at_seconds')} s",
        "split_at_time": lambda: f"Split at the playhead ({float(a.get('timeline_seconds', 0)):.2f} s)",
        "merge": lambda: f"Merge {clip} with the next clip",
        "delete": lambda: f"Delete {clip}",
        "move": lambda: f"Move {clip} to position {int(a.get('new_index', 0)) + 1}",
        "duplicate": lambda: f"Duplicate {clip}",
        "set_transition": lambda: f"{str(a.get('type', '')).replace('_', ' ').capitalize()} into {clip}"
                                  + (f" ({a.get('duration')} s)" if a.get("type") != "cut" else ""),
        "set_all_transitions": lambda: f"{str(a.get('type', '')).replace('_', ' ').capitalize()} between all clips"
                                       + (f" ({a.get('duration')} s)" if a.get("type") != "cut" else ""),
        "set_crossfade": lambda: f"Crossfades of {a.get('seconds')} s between all clips",
        "add_overlay": lambda: f"Add text '{' '.join(str(a.get('text', '')).split())[:40]}'",
        "update_overlay": lambda: f"Edit text '{overlays.get(a.get('overlay_id'), a.get('overlay_id'))}'",
        "remove_overlay": lambda: f"Remove text '{overlays.get(a.get('overlay_id'), a.get('overlay_id'))}'",
        "set_music": lambda: "Remove the music" if not a.get("track") else
                             f"Music '{str(a['track']).rsplit('/', 1)[-1]}'" + (
                                 f" (volume {a['volume']:.0%}" + (f", ducking {a['ducking']:g}" if a.get("ducking")
                                                                  else "") + ")" if a.get("volume") is not None
                                 else ""),
        "music_by_mood": lambda: f"Music for the mood '{a.get('mood')}'",
        "set_grade": lambda: f"Colour grade: {a.get('preset')}",
        "set_fades": lambda: f"Global fades: in {a.get('fade_in')} s, out {a.get('fade_out')} s",
        "set_look": lambda: f"Look: grade {a.get('grade')}, fades in {a.get('fade_in')} s, out {a.get('fade_out')} s",
        "set_aspect_ratio": lambda: f"Aspect ratio {a.get('aspect_ratio')}",
        "set_fps": lambda: f"Frame rate {a.get('fps')} fps",
        "add_attempt": lambda: f"Add attempt {a.get('attempt_id')}",
    }.get(operation)
    if text is not None:
        return text()
    return operation.replace("_", " ").capitalize() + (
        " " + ", ".join(f"{k}={' '.join(str(v).split())}" for k, v in arguments.items()) if arguments else "")


def _kept_clips(session, clips) -> dict[int | None, list]:
    """The clips a rebuild keeps: your uploads and stills (an ad's end card), i.e. clips that are neither an attempt
    nor a gap fill, keyed by the group of the attempt clip they followed (None: before the first attempt)."""
    kept: dict[int | None, list] = {}
    anchor: int | None = None
    for clip in clips:
        if clip.attempt_id is not None:
            attempt = session.get(VideoAttempt, clip.attempt_id)
            anchor = attempt.group_id if attempt is not None else anchor
        elif clip.generation_group_id is None:
            kept.setdefault(anchor, []).append(clip)
    return kept


def export_name(media: MediaStore, project_id: int, version: int) -> str:
    """Where an export of ``version`` goes: named by ids and a random part (never the project's name, which two
    users, or two projects of one user, may share), so no export can overwrite or be guessed from another."""
    return media.new_path("exports", f"p{int(project_id)}-v{int(version)}", ".mp4")
