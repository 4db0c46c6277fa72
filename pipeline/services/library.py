"""The library: every project, hero frame and attempt findable later (search by prompt, filter by status, newest
first, paginated), with re-run, clone settings, download and delete.

Delete removes rows and their files together. Rules (docs/API.md, "Library"):
- work still queued or running is never deleted: cancel it first;
- a hero frame used by generation groups is refused (delete those groups, or the whole project);
- deleting an attempt re-ranks the rest of its group; a group left without attempts is deleted too; a final
  version pointing at it is cleared (the project has no final until one is set again);
- a file still referenced by another row (e.g. an attempt video used by a timeline version) is kept;
- deleting a project removes its frames, groups, attempts, scores, picks, timeline versions, exports, uploaded
  clips, previews and jobs.
`audit()` lists files under the media root no row references and rows whose file is missing (admins only).

Ownership (pipeline/access.py): search covers only the projects the actor may see; reading, cloning and
downloading an item need "view" on its project, re-running and starting from settings need "edit"; deleting
anything (frames, groups, attempts, the whole project) is the owner's right ("own": an editor of a shared project
gets a clear refusal). Items of other people's private projects are reported exactly like missing ones.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from pipeline.errors import InvalidInput, StudioError
from pipeline.services.hero_fit import fitted_paths
from pipeline.services.library_queries import (
    attempt_query,
    clip_thumb,
    created_column,
    frame_query,
    id_column,
    like,
    paths_in,
    project_query,
)
from pipeline.services.views import StartedGroup, _iso
from pipeline.validation import MAX_WHOLE, require_whole, shown
from storage.models import (
    FINISHED_ATTEMPT_STATES,
    GenerationGroup,
    HeroFrame,
    Job,
    JobStatus,
    Project,
    QualityMetric,
    SelectionEvent,
    TimelineVersion,
    VideoAttempt,
)

KINDS = ("project", "frame", "group", "attempt")
SEARCH_KINDS = ("all", "projects", "frames", "attempts")
STATUSES = ("any", "done", "running", "failed", "cancelled", "favourite", "final")
# derived caches and shared libraries under the media root: not owned by any row (the audit skips them)
UNOWNED = ("downloads/", "timeline/thumbs/", "timeline/previews/", "uploads/music/")
MAX_PAGE_SIZE = 100
CLONE_KINDS = ("project", "frame", "group", "attempt")


class LibraryService:
    def __init__(self, db, media, jobs, hero_frames, attempts, history, *, access) -> None:
        self.db, self.media, self.jobs = db, media, jobs
        self.hero_frames, self.attempts, self.history = hero_frames, attempts, history
        self.access = access

    def _get(self, session, model: type, item_id: Any, need: str = "view"):
        """The row if the actor may ``need`` it; NotFound (as for a missing row) otherwise."""
        return self.access.get(session, model, item_id, need)

    # ------------------------------------------------------------ search
    def search(self, query: str = "", kind: str = "all", status: str = "any", page: int = 1,
               page_size: int = 24) -> dict[str, Any]:
        """Projects (by name or any prompt in them), hero frames (prompt) and attempts (motion or negative prompt),
        newest first. status: any, done, running, failed, cancelled (attempts), favourite (frames), final
        (projects with a final version, and the final attempts)."""
        if kind not in SEARCH_KINDS:
            raise StudioError(f"kind must be one of {', '.join(SEARCH_KINDS)}; got '{kind}'.")
        status = status or "any"
        if status not in STATUSES:
            raise StudioError(f"status must be one of {', '.join(STATUSES)}; got '{status}'.")
        page = require_whole(1 if page is None else page, "page", 1, MAX_WHOLE)
        size = require_whole(24 if page_size is None else page_size, "page size", 1, MAX_PAGE_SIZE)
        needle = like((query or "").strip().lower())
        wanted = {"projects": project_query, "frames": frame_query, "attempts": attempt_query}
        kinds = list(wanted) if kind == "all" else [kind]
        items, total = [], 0
        with self.db.session() as session:
            for name in kinds:
                q = wanted[name](needle, status)
                if q is None:
                    continue
                q = self.access.filter_projects(q, Project.id)  # every query joins its project
                total += session.scalar(select(func.count()).select_from(q.subquery()))
                items += [self._item(session, name, row) for row in session.execute(
                    q.order_by(created_column(name).desc(), id_column(name).desc()).limit(page * size)).all()]
        items.sort(key=lambda i: (i["created_at"] or "", i["id"]), reverse=True)
        pages = max(1, -(-total // size))
        return {"items": items[(page - 1) * size: page * size], "total": total, "page": page, "pages": pages,
                "page_size": size, "query": query or "", "kind": kind, "status": status}

    def _item(self, session, kind: str, row) -> dict[str, Any]:
        m = self.media
        if kind == "projects":
            p, final_poster, thumb = row
            return {"kind": "project", "id": p.id, "project_id": p.id, "project": p.name, "title": p.name,
                    "text": f"{p.aspect_ratio} project", "status": "final" if p.final_attempt_id else "in progress",
                    "created_at": _iso(p.created_at), "thumbnail": _abs(m, final_poster or thumb), "score": None}
        if kind == "frames":
            f, project = row
            return {"kind": "frame", "id": f.id, "project_id": f.project_id, "project": project,
                    "title": f"Frame #{f.id}", "text": f.prompt or "(uploaded photo)",
                    "status": "favourite" if f.is_favourite else f.source, "created_at": _iso(f.created_at),
                    "thumbnail": _abs(m, f.thumbnail_path), "score": None}
        a, g, project, final = row
        return {"kind": "attempt", "id": a.id, "project_id": g.project_id, "project": project,
                "title": f"G{g.id} · A{a.index}" + (" · FINAL" if final == a.id else ""), "text": g.motion_prompt,
                "status": a.status, "created_at": _iso(a.created_at), "thumbnail": _abs(m, a.poster_path),
                "score": a.overall_score, "group_id": g.id}

    # ------------------------------------------------------------ actions
    def rerun(self, kind: str, item_id: int) -> dict[str, Any]:
        """Same settings, fresh seeds: a frame's prompt → new candidates (job); an attempt → re-rolled in a new
        iteration (the others carried over); a group → a new iteration with all attempts. Needs "edit" on the
        item's project; the service that queues the work reserves it against the actor's limits."""
        models = {"frame": HeroFrame, "attempt": VideoAttempt, "group": GenerationGroup}
        if kind not in models:
            raise StudioError("Re-run works on a hero frame, an attempt or a group.")
        with self.db.session() as session:
            row = self._get(session, models[kind], item_id, "edit")
            group_id = row.group_id if kind == "attempt" else None
        if kind == "frame":
            return {"kind": kind, **self.hero_frames.regenerate(int(item_id))}
        if kind == "attempt":
            return {"kind": kind, **self.history.rerun_attempts(group_id, [int(item_id)]).to_json()}
        return {"kind": kind, **self.attempts.regenerate(int(item_id)).to_json()}

    def clone_settings(self, kind: str, item_id: int) -> dict[str, Any]:
        """The settings that made an item, to start new work from: hero frame and prompt, motion and negative
        prompts, attempt count, clip length, engine (a project gives its newest group's)."""
        if kind not in CLONE_KINDS:
            raise InvalidInput(f"Settings can be cloned from a {', '.join(CLONE_KINDS)}; got '{shown(kind)}'.")
        with self.db.session() as session:
            if kind == "project":
                self._get(session, Project, item_id)
                gid = session.scalar(select(func.max(GenerationGroup.id)).where(GenerationGroup.project_id == item_id))
                if gid is None:
                    raise StudioError("This project has no attempts yet: nothing to clone.")
                kind, item_id = "group", gid
            if kind == "frame":
                frame = self._get(session, HeroFrame, item_id)
                group = None
            else:
                group = (self._get(session, VideoAttempt, item_id).group if kind == "attempt"
                         else self._get(session, GenerationGroup, item_id))
                frame = session.get(HeroFrame, group.hero_frame_id)
            out = {"source_kind": kind, "source_id": int(item_id), "project_id": frame.project_id,
                   "hero_frame_id": frame.id, "hero_prompt": frame.prompt, "enhanced_prompt": frame.enhanced_prompt,
                   "aspect_ratio": frame.aspect_ratio}
            if group is not None:
                out.update({"motion_prompt": group.motion_prompt, "negative_prompt": group.negative_prompt,
                            "attempt_count": group.attempt_count, "duration": group.duration, "engine": group.engine})
            return out

    def start_from_settings(self, project_id: int, settings: dict[str, Any]) -> StartedGroup:
        """Start attempts in a project with cloned settings; a hero frame of another project is copied in first.
        Needs "edit" on the project and "view" on the frame's project."""
        used = self.use_settings(project_id, settings, select_frame=False)
        return self.attempts.start_group(int(project_id), used["motion_prompt"], used["negative_prompt"],
                                         used["attempt_count"], used["hero_frame_id"], used["duration"],
                                         used["engine"])

    def use_settings(self, project_id: int, settings: dict[str, Any], select_frame: bool = True) -> dict[str, Any]:
        """Bring cloned settings into a project, to edit them in the Attempts tab: the hero frame (copied in when it
        belongs to another project) becomes the project's hero, and the settings come back cleaned: {hero_frame_id,
        motion_prompt, negative_prompt, attempt_count, duration, engine (None when not usable here)}."""
        if not isinstance(settings, dict):
            raise StudioError("Settings must be an object like the one /clone_settings returns.")
        with self.db.session() as session:
            self._get(session, Project, project_id, "edit")
        try:
            source_frame = int(settings["hero_frame_id"])
        except (KeyError, TypeError, ValueError):
            raise StudioError("The settings need a hero_frame_id (a frame number, as /clone_settings returns); "
                              f"got {settings.get('hero_frame_id')!r}.") from None
        frame_id = self._frame_in(int(project_id), source_frame)
        if select_frame:
            with self.db.session() as session:
                self._get(session, Project, project_id, "edit").selected_hero_frame_id = frame_id
        engines = {e["name"] for e in self.attempts.engines()}
        return {"hero_frame_id": frame_id, "motion_prompt": settings.get("motion_prompt") or "",
                "negative_prompt": settings.get("negative_prompt") or "",
                "attempt_count": int(settings.get("attempt_count") or 3),
                "duration": float(settings.get("duration") or 5.0),
                "engine": settings.get("engine") if settings.get("engine") in engines else None}

    def _frame_in(self, project_id: int, frame_id: int) -> int:
        with self.db.session() as session:
            self._get(session, Project, project_id, "edit")
            frame = self._get(session, HeroFrame, frame_id)
            if frame.project_id == project_id:
                return frame.id
            stem = f"p{project_id}-clone-{frame.id}"
            copy = HeroFrame(project_id=project_id, prompt=frame.prompt, enhanced_prompt=frame.enhanced_prompt,
                             source=frame.source, engine=frame.engine, model=frame.model, seed=frame.seed,
                             aspect_ratio=frame.aspect_ratio, width=frame.width, height=frame.height,
                             image_path=self.media.import_file(self.media.absolute(frame.image_path),
                                                               self.media.new_path("frames", stem, ".png")),
                             thumbnail_path=self.media.import_file(self.media.absolute(frame.thumbnail_path),
                                                                   self.media.new_path("thumbs", stem, ".jpg")),
                             parameters={**(frame.parameters or {}), "cloned_from_frame_id": frame.id})
            session.add(copy)
            session.flush()
            return copy.id

    def download(self, kind: str, item_id: int) -> list[str]:
        """Files of an item: a frame's image, an attempt's video, a group's videos, a project's final version
        and newest exported timeline. Needs "view" on the item's project."""
        with self.db.session() as session:
            if kind == "frame":
                paths = [self._get(session, HeroFrame, item_id).image_path]
            elif kind == "attempt":
                paths = [self._get(session, VideoAttempt, item_id).video_path]
            elif kind == "group":
                paths = [a.video_path for a in self._get(session, GenerationGroup, item_id).attempts]
            elif kind == "project":
                project = self._get(session, Project, item_id)
                final = session.get(VideoAttempt, project.final_attempt_id) if project.final_attempt_id else None
                export = session.scalar(select(TimelineVersion.exported_path).where(
                    TimelineVersion.project_id == project.id, TimelineVersion.exported_path.is_not(None))
                    .order_by(TimelineVersion.version.desc()).limit(1))
                paths = [final.video_path if final else None, export]
            else:
                raise StudioError(f"kind must be one of {', '.join(KINDS)}; got '{kind}'.")
        files = [str(self.media.absolute(p)) for p in paths if p and self.media.exists(p)]
        if not files:
            raise StudioError("Nothing to download yet" + (": set a final version or export the timeline."
                                                           if kind == "project" else "."))
        return files

    # ------------------------------------------------------------ delete
    def delete(self, kind: str, item_id: int, confirm: bool = False) -> dict[str, Any]:
        """Delete an item with its rows and files (see the module docstring for what is refused or cascaded).
        Deleting is the owner's right (pipeline/access.py DELETE): an editor of a shared project can't delete
        its frames, groups, attempts or the project itself."""
        if kind not in KINDS:
            raise StudioError(f"kind must be one of {', '.join(KINDS)}; got '{kind}'.")
        if not confirm:
            raise StudioError("Deleting removes rows and files for good: confirm it first.")
        notes: list[str] = []
        regroup = None  # a group whose remaining attempts are re-ranked
        with self.db.session() as session:
            if kind == "project":
                paths, counts = self._delete_project(session, int(item_id))
            elif kind == "frame":
                paths, counts = self._delete_frame(session, int(item_id))
            else:
                if kind == "attempt":
                    attempt = self.access.get_to_delete(session, VideoAttempt, item_id)
                    targets, group = [attempt], attempt.group
                else:
                    group = self.access.get_to_delete(session, GenerationGroup, item_id)
                    targets = list(group.attempts)
                paths, counts, regroup = self._delete_attempts(session, group, targets, kind == "group", notes)
        if regroup is not None:
            self.attempts.selection.select_if_complete(regroup)
        kept = self._remove_files(paths)
        if kept:
            notes.append(f"{len(kept)} file(s) kept: still used by other rows (e.g. a timeline version).")
        return {"kind": kind, "id": int(item_id), "deleted": counts, "files_deleted": len(set(paths)) - len(kept),
                "files_kept": kept, "notes": notes}

    def _delete_attempts(self, session, group, targets, whole_group, notes):
        busy = [a for a in targets if a.status not in FINISHED_ATTEMPT_STATES]
        if busy:
            raise StudioError(f"Attempt {busy[0].index} of group {group.id} is still {busy[0].status}: "
                              "cancel it first, then delete.")
        ids = [a.id for a in targets]
        finals = session.scalars(select(Project).where(Project.final_attempt_id.in_(ids))).all()
        for project in finals:
            project.final_attempt_id, project.final_set_at = None, None
            notes.append(f"The final version of '{project.name}' was this attempt: the project has no final now.")
        paths = [p for a in targets for p in (a.video_path, a.poster_path) if p]
        for attempt in targets:
            group.attempts.remove(attempt)
        session.flush()
        regroup = group.id
        if whole_group or not group.attempts:
            if not whole_group:
                notes.append(f"Group {group.id} had no attempts left and was deleted too.")
            session.delete(group)
            regroup = None
        return paths, {"attempts": len(ids), "groups": 1 if regroup is None else 0}, regroup

    def _delete_frame(self, session, frame_id: int):
        frame = self.access.get_to_delete(session, HeroFrame, frame_id)
        users = session.scalars(select(GenerationGroup.id).where(GenerationGroup.hero_frame_id == frame.id)).all()
        if users:
            raise StudioError(f"Hero frame #{frame.id} was animated by group(s) {', '.join(map(str, users))}: "
                              "delete those groups first (or the whole project).")
        paths = [frame.image_path, frame.thumbnail_path, *fitted_paths(self.media, frame.project_id, frame.id)]
        session.delete(frame)
        return paths, {"frames": 1}

    def _delete_project(self, session, project_id: int):
        project = self.access.get_to_delete(session, Project, project_id)
        busy = session.scalar(select(func.count(Job.id)).where(Job.project_id == project.id, Job.status.in_(
            [JobStatus.queued.value, JobStatus.running.value])))
        if busy:
            raise StudioError(f"'{project.name}' still has {busy} job(s) queued or running: cancel them first.")
        group_ids = select(GenerationGroup.id).where(GenerationGroup.project_id == project.id)
        attempt_ids = select(VideoAttempt.id).where(VideoAttempt.group_id.in_(group_ids))
        paths = [p for row in session.execute(select(VideoAttempt.video_path, VideoAttempt.poster_path).where(
            VideoAttempt.group_id.in_(group_ids))) for p in row if p]
        paths += [p for row in session.execute(select(HeroFrame.image_path, HeroFrame.thumbnail_path).where(
            HeroFrame.project_id == project.id)) for p in row if p]
        versions = session.execute(select(TimelineVersion.exported_path, TimelineVersion.thumbnail_path,
                                          TimelineVersion.edit_list).where(TimelineVersion.project_id == project.id))
        for exported, thumb, edit in versions:
            paths += [p for p in (exported, thumb) if p]
            paths += [s for s in paths_in(edit) if s.startswith("uploads/clips/")]
            paths += [clip_thumb(c) for c in (edit or {}).get("clips", []) if isinstance(c, dict)]
        paths += [p.relative_to(self.media.root).as_posix()
                  for p in self.media.absolute("timeline/previews").glob(f"p{project.id}-*.mp4")]
        paths += fitted_paths(self.media, project.id)
        counts = {"groups": session.scalar(select(func.count()).select_from(group_ids.subquery())),
                  "attempts": session.scalar(select(func.count()).select_from(attempt_ids.subquery()))}
        session.execute(update(Project).where(Project.id == project.id).values(
            final_attempt_id=None, selected_hero_frame_id=None))
        session.execute(delete(QualityMetric).where(QualityMetric.attempt_id.in_(attempt_ids)))
        session.execute(delete(SelectionEvent).where(SelectionEvent.group_id.in_(group_ids)))
        session.execute(delete(VideoAttempt).where(VideoAttempt.group_id.in_(group_ids)))
        session.execute(update(GenerationGroup).where(GenerationGroup.project_id == project.id).values(
            parent_group_id=None))
        session.execute(delete(GenerationGroup).where(GenerationGroup.project_id == project.id))
        session.execute(update(HeroFrame).where(HeroFrame.project_id == project.id).values(parent_frame_id=None))
        counts["frames"] = session.execute(delete(HeroFrame).where(HeroFrame.project_id == project.id)).rowcount
        counts["timeline_versions"] = session.execute(delete(TimelineVersion).where(
            TimelineVersion.project_id == project.id)).rowcount
        counts["jobs"] = session.execute(delete(Job).where(Job.project_id == project.id)).rowcount
        session.execute(delete(Project).where(Project.id == project.id))
        counts["projects"] = 1
        return paths, counts

    def _remove_files(self, paths: list[str]) -> list[str]:
        """Delete the files no remaining row references; return the ones kept."""
        candidates = set(paths)
        still = self._referenced() & candidates
        for path in candidates - still:
            self.media.delete(path)
        return sorted(still)

    # ------------------------------------------------------------ audit
    def _referenced(self) -> set[str]:
        with self.db.session() as session:
            refs = {p for row in session.execute(select(HeroFrame.image_path, HeroFrame.thumbnail_path))
                    for p in row if p}
            refs |= {p for row in session.execute(select(VideoAttempt.video_path, VideoAttempt.poster_path))
                     for p in row if p}
            for exported, thumb, edit in session.execute(select(
                    TimelineVersion.exported_path, TimelineVersion.thumbnail_path, TimelineVersion.edit_list)):
                refs |= {p for p in (exported, thumb) if p} | paths_in(edit)
                refs |= {clip_thumb(c) for c in (edit or {}).get("clips", []) if isinstance(c, dict)}
        return refs

    def audit(self) -> dict[str, Any]:
        """Files under the media root that no row references (caches and shared folders aside) and row paths
        whose file is missing. Both lists are empty in a healthy studio. It covers everyone's files: admins only."""
        self.access.require_admin()
        refs = self._referenced()
        files = {p.relative_to(self.media.root).as_posix() for p in self.media.root.rglob("*")
                 if p.is_file() and not p.name.startswith(".tmp-")}
        if self.media.remote is not None:  # with a bucket the media folder is a cache: the bucket is the truth
            files |= set(self.media.remote.list())
        owned = {f for f in files if not f.startswith(UNOWNED)}
        missing = sorted(r for r in refs if not r.startswith(UNOWNED) and r not in files)
        return {"orphan_files": sorted(owned - refs), "missing_files": missing, "files": len(owned)}



def _abs(media, relative: str | None) -> str | None:
    return str(media.absolute(relative)) if relative and media.exists(relative) else None
