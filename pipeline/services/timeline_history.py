"""Timeline versions as an editor's history: every edit is a new row that becomes the head; undo moves the head
to the version it was made from, redo to the newest version made from the head; "save" names a version so it
can be reopened later; any two versions can be compared. Rows are never changed by edits or deleted, so the
whole history survives restarts, and source videos are never touched."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from pipeline.access import Access
from pipeline.errors import Conflict, NotFound, StudioError
from pipeline.services.lookups import get_project
from pipeline.services.views import TimelineClipView, TimelineVersionView, download_name, timeline_version_fields
from pipeline.timeline.diff import compare as compare_edits
from pipeline.timeline.edit_list import Clip, EditList, TimelineError
from storage.db import Database
from storage.media import MediaStore
from storage.models import Project, TimelineVersion, utcnow

SAVED, DRAFT = "saved", "draft"
THUMBS = "timeline/thumbs"
CHANGED = "The timeline changed while you were editing; try again."


class TimelineChanged(Conflict):
    """Another edit of the same timeline came first; the caller's edit was based on an older version."""


class TimelineVersions:
    """The store every timeline service shares: version rows, the head, the per-project edit lock, saving a new
    version, and a version's view. It checks access (``project``/``check``); nothing else."""

    def __init__(self, db: Database, media: MediaStore, access: Access) -> None:
        self.db, self.media, self.access = db, media, access

    def project(self, session, project_id: Any, need: str = "view") -> Project:
        """The project if the actor may ``need`` it (NotFound for missing or not shared, ReadOnly for viewers)."""
        return get_project(session, project_id, self.access, need)

    def check(self, project_id: Any, need: str) -> None:
        with self.db.session() as session:
            self.project(session, project_id, need)

    # ------------------------------------------------------------ serialising edits
    @contextmanager
    def editing(self, project_id: Any) -> Iterator[Any]:
        """A session that holds the project's timeline lock from its first statement: edits of one timeline run
        one after another, each reading the head its predecessor left (no duplicate version numbers, no edit
        made from a stale head and saved over another)."""
        with self.db.session() as session:
            self.lock(session, project_id)
            yield session

    def lock(self, session, project_id: Any) -> None:
        """PostgreSQL: a row lock on the project (other projects' edits go on). SQLite: a write transaction, taken
        by a no-op write before anything is read (SQLite has one writer at a time; taken first, it waits for the
        lock instead of failing on a stale read snapshot)."""
        try:
            project_key = int(project_id)
        except (TypeError, ValueError):
            return  # not an id: the access check that follows reports it
        if self.db.is_sqlite:
            session.execute(text("UPDATE projects SET updated_at = updated_at WHERE id = :id"), {"id": project_key})
        else:
            session.execute(select(Project.id).where(Project.id == project_key).with_for_update())

    # ------------------------------------------------------------ thumbnails
    def clip_thumbnail(self, clip: Clip) -> str | None:
        """A small JPEG of the clip's first frame (cached by source and in point), or None if it can't be made."""
        from pipeline.timeline.export import poster

        key = hashlib.sha1(f"{clip.source}|{clip.in_point:.3f}|{clip.still}".encode()).hexdigest()[:20]
        relative = f"{THUMBS}/{key}.jpg"
        target = self.media.absolute(relative)
        if target.is_file():
            return str(target)
        try:
            source = self.media.absolute(clip.source)
            if not source.is_file():
                return None
            from PIL import Image

            if clip.still:
                with Image.open(source) as image:
                    thumb = image.convert("RGB")
            else:
                tmp = target.with_name(f".{key}.part.png")  # a temp name: swept if a kill leaves it
                poster(source, tmp, at=clip.in_point + 0.02, max_side=240)
                with Image.open(tmp) as image:
                    thumb = image.convert("RGB")
                tmp.unlink(missing_ok=True)
            thumb.thumbnail((240, 240))
            self.media.save_image(thumb, relative, quality=80)
            return str(target)
        except (OSError, ValueError, TimelineError):
            return None

    # ------------------------------------------------------------ internals
    def row(self, session, project_id: int, version: int) -> TimelineVersion:
        row = session.scalar(select(TimelineVersion).where(TimelineVersion.project_id == int(project_id),
                                                           TimelineVersion.version == int(version)))
        if row is None:
            raise NotFound(f"Timeline version {version} does not exist in this project.")
        return row

    def latest(self, session, project_id: int) -> TimelineVersion | None:
        return session.scalar(select(TimelineVersion).where(TimelineVersion.project_id == int(project_id))
                              .order_by(TimelineVersion.version.desc()).limit(1))

    def head(self, session, project_id: int) -> TimelineVersion | None:
        head = session.scalar(select(TimelineVersion).where(TimelineVersion.project_id == int(project_id),
                                                            TimelineVersion.is_head.is_(True))
                              .order_by(TimelineVersion.version.desc()).limit(1))
        return head if head is not None else self.latest(session, project_id)

    def require_head(self, session, project_id: int) -> TimelineVersion:
        head = self.head(session, project_id)
        if head is None:
            raise NotFound("This project has no timeline yet: open the Timeline tab or rebuild it from the picks.")
        return head

    def newest_child(self, session, project_id: int, version: int) -> TimelineVersion | None:
        return session.scalar(select(TimelineVersion).where(TimelineVersion.project_id == int(project_id),
                                                            TimelineVersion.parent_version == int(version))
                              .order_by(TimelineVersion.version.desc()).limit(1))

    def set_head(self, session, project_id: int, row: TimelineVersion) -> None:
        self.lock(session, project_id)
        session.execute(update(TimelineVersion).where(TimelineVersion.project_id == int(project_id),
                                                      TimelineVersion.id != row.id).values(is_head=False))
        row.is_head = True
        session.flush()

    def save_version(self, session, project_id: int, edit: EditList, note: str,
              based_on: int | None = None) -> TimelineVersionView:
        """A new version made from the current head; it becomes the head. ``based_on``: the head version the
        edit was made from when that was read outside this session (compare-and-set: TimelineChanged if another
        edit came in between). Sessions opened with ``_editing`` read the head under the lock already."""
        self.lock(session, project_id)
        head = self.head(session, project_id)
        if based_on is not None and (head is None or head.version != based_on):
            raise TimelineChanged(CHANGED)
        number = (session.scalar(select(func.max(TimelineVersion.version))
                                 .where(TimelineVersion.project_id == int(project_id))) or 0) + 1
        row = TimelineVersion(project_id=int(project_id), version=number, edit_list=edit.to_dict(), note=note[:300],
                              parent_version=head.version if head is not None else None, kind=DRAFT)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # a writer that bypassed the lock took the number: never shown as SQL
            raise TimelineChanged(CHANGED) from None
        self.set_head(session, project_id, row)
        return self.view(row, detail=True, session=session)

    @staticmethod
    def edit_of(row: TimelineVersion) -> EditList:
        try:
            return EditList.from_dict(row.edit_list)
        except TimelineError as exc:
            raise StudioError(f"Timeline version {row.version} can't be read: {exc}") from exc

    def view(self, row: TimelineVersion, detail: bool = False, session=None) -> TimelineVersionView:
        """A version's view; ``detail`` adds clip thumbnails and whether undo/redo are possible."""
        edit = self.edit_of(row)
        view = TimelineVersionView(
            **{**timeline_version_fields(row, self.media),
               "edit_list": edit.to_dict()},  # always the current schema, whatever the row was written with
            kind=row.kind, name=row.name, parent_version=row.parent_version, is_head=bool(row.is_head),
            saved_at=row.saved_at.isoformat(timespec="seconds") + "Z" if row.saved_at else None,
            thumbnail=str(self.media.absolute(row.thumbnail_path)) if row.thumbnail_path else None,
            duration=round(edit.duration, 3), overlays=[o.model_dump() for o in edit.overlays],
            clips=[TimelineClipView(
                id=c.id, label=c.display_name, attempt_id=c.attempt_id, in_point=c.in_point, out_point=c.out_point,
                length=round(c.length, 3), source_duration=c.source_duration, start=round(start, 3),
                source=str(self.media.absolute(c.source)), transition=c.transition.model_dump(), still=c.still,
                pending=c.pending, generation_group_id=c.generation_group_id,
                thumbnail=self.clip_thumbnail(c) if detail else None)
                for c, start in zip(edit.clips, edit.starts())])
        if detail and session is not None:
            view.can_undo = row.parent_version is not None
            view.can_redo = self.newest_child(session, row.project_id, row.version) is not None
        return view


class TimelineHistory:
    """Moving in the history: list, read, compare, undo/redo, save (name) and reopen versions. Each method checks
    the project (view to read, edit to change) through the store."""

    def __init__(self, store: TimelineVersions, timeline: Any) -> None:
        self.store, self.timeline, self.db = store, timeline, store.db

    # ------------------------------------------------------------ reading
    def versions(self, project_id: int, saved_only: bool = False) -> list[TimelineVersionView]:
        """Every version of the project's timeline (or only the saved ones), newest first."""
        with self.db.session() as session:
            project = self.store.project(session, project_id)
            query = select(TimelineVersion).where(TimelineVersion.project_id == int(project_id))
            if saved_only:
                query = query.where(TimelineVersion.kind == SAVED)
            rows = session.scalars(query.order_by(TimelineVersion.version.desc())).all()
            return [self.store.view(v).model_copy(update={"download_name": download_name(project.name, v.version)})
                    for v in rows]

    def version(self, project_id: int, version: int) -> TimelineVersionView:
        with self.db.session() as session:
            self.store.project(session, project_id)
            return self.store.view(self.store.row(session, project_id, version), detail=True, session=session)

    def compare(self, project_id: int, version_a: int, version_b: int = 0) -> dict[str, Any]:
        """What changed from version A to version B (0 = the current version): clips added, removed, trimmed,
        moved; transitions; overlays; music; settings; durations; and a sentence per change."""
        with self.db.session() as session:
            self.store.project(session, project_id)
            a = self.store.row(session, project_id, version_a) if version_a else self.store.head(session, project_id)
            b = self.store.row(session, project_id, version_b) if version_b else self.store.head(session, project_id)
            if a is None or b is None:
                raise NotFound("This project has no timeline yet.")
            result = compare_edits(self.store.edit_of(a), self.store.edit_of(b))
            result["a"] = {"version": a.version, "name": a.name, "note": a.note}
            result["b"] = {"version": b.version, "name": b.name, "note": b.note}
            return result

    # ------------------------------------------------------------ moving in the history
    def undo(self, project_id: int) -> TimelineVersionView:
        """Go back to the version the current one was made from."""
        with self.store.editing(project_id) as session:
            self.store.project(session, project_id, "edit")
            head = self.store.require_head(session, project_id)
            if head.parent_version is None:
                raise StudioError("Nothing to undo: this is the first version of the timeline.")
            target = self.store.row(session, project_id, head.parent_version)
            self.store.set_head(session, project_id, target)
            return self.store.view(target, detail=True, session=session)

    def redo(self, project_id: int) -> TimelineVersionView:
        """Go forward again to the newest version made from the current one."""
        with self.store.editing(project_id) as session:
            self.store.project(session, project_id, "edit")
            head = self.store.require_head(session, project_id)
            child = self.store.newest_child(session, project_id, head.version)
            if child is None:
                raise StudioError("Nothing to redo.")
            self.store.set_head(session, project_id, child)
            return self.store.view(child, detail=True, session=session)

    def save(self, project_id: int, name: str = "", version: int = 0) -> TimelineVersionView:
        """Mark the current version (or ``version``) as a saved, named version that can be reopened later."""
        name = " ".join((name or "").split())
        if len(name) > 200:
            raise StudioError("A version name can be at most 200 characters.")
        self.store.check(project_id, "edit")
        self.timeline.get(project_id)  # a timeline exists
        with self.db.session() as session:
            row = self.store.row(session, project_id, version) if version else \
                self.store.require_head(session, project_id)
            row.kind = SAVED
            row.name = name or row.name or f"Version {row.version}"
            row.saved_at = row.saved_at or utcnow()
            session.flush()
            return self.store.view(row, detail=row.is_head, session=session)

    def open_version(self, project_id: int, version: int) -> TimelineVersionView:
        """Continue editing from an older version: its edit list becomes a new current version (nothing is lost;
        undo goes back to where you were)."""
        with self.store.editing(project_id) as session:
            self.store.project(session, project_id, "edit")
            old = self.store.row(session, project_id, version)
            label = f"'{old.name}'" if old.name else f"version {old.version}"
            return self.store.save_version(session, project_id, self.store.edit_of(old), f"Opened {label}")
