"""Projects: create, rename, list, the selected hero frame, and the weights its attempts are ranked with."""
from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select

from pipeline.access import SHARING_CHOICES, Access
from pipeline.errors import NotFound, StudioError
from pipeline.services.lookups import check_aspect_ratio as _check_ratio
from pipeline.services.views import ProjectView, project_view
from pipeline.validation import as_id
from storage.db import Database
from storage.models import HeroFrame, Project, User


class ProjectService:
    def __init__(self, db: Database, access: Access) -> None:
        self.db = db
        self.access = access

    def create(self, name: str, aspect_ratio: str = "16:9") -> ProjectView:
        name = _clean_name(name)
        _check_ratio(aspect_ratio)
        owner_id = self.access.user_id()
        with self.db.session() as session:
            project = Project(name=name, aspect_ratio=aspect_ratio, owner_id=owner_id)
            session.add(project)
            session.flush()
            return self._view(session, project)

    def rename(self, project_id: int, name: str) -> ProjectView:
        name = _clean_name(name)
        with self.db.session() as session:
            project = self._get(session, project_id, "edit")
            project.name = name
            session.flush()
            return self._view(session, project)

    def set_aspect_ratio(self, project_id: int, aspect_ratio: str) -> ProjectView:
        _check_ratio(aspect_ratio)
        with self.db.session() as session:
            project = self._get(session, project_id, "edit")
            project.aspect_ratio = aspect_ratio
            session.flush()
            return self._view(session, project)

    def get(self, project_id: int) -> ProjectView:
        with self.db.session() as session:
            return self._view(session, self._get(session, project_id))

    def list(self) -> list[ProjectView]:
        """The projects the actor may see (their own and those shared with the team), most recent first."""
        with self.db.session() as session:
            query = select(Project).order_by(Project.updated_at.desc(), Project.id.desc())
            clause = self.access.visible_projects()
            if clause is not None:
                query = query.where(clause)
            return [self._view(session, p) for p in session.scalars(query).all()]

    def share(self, project_id: int, team_access: str) -> ProjectView:
        """Share a project with the whole team as "viewer" or "editor", or make it "private" again (owner only)."""
        if team_access not in SHARING_CHOICES:
            raise StudioError(f"Sharing is one of {', '.join(SHARING_CHOICES)}; got '{team_access}'.")
        with self.db.session() as session:
            project = self._get(session, project_id, "own")
            project.team_access = None if team_access == "private" else team_access
            session.flush()
            return self._view(session, project)

    def _get(self, session, project_id: Any, need: str = "view") -> Project:
        return self.access.get(session, Project, project_id, need)

    def _view(self, session, project: Project) -> ProjectView:
        """The project as the API shows it, plus who owns it, how it is shared and what the actor may do."""
        owner = session.get(User, project.owner_id) if project.owner_id is not None else None
        return project_view(project, owner.username if owner is not None else None, self.access.project_level(project))

    def latest_or_new(self) -> ProjectView:
        projects = self.list()
        return projects[0] if projects else self.create("My first project")

    def open_or_latest(self, project_id: Any = None) -> ProjectView:
        """The project a browser had open last, if it still exists and the actor may see it; else the newest (or a
        new one). A remembered id is a hint from the browser, never trusted: it goes through the access check."""
        if as_id(project_id) is not None:
            try:
                return self.get(project_id)
            except StudioError:
                pass  # deleted meanwhile, or another account signed in on this browser
        return self.latest_or_new()

    def select_hero_frame(self, project_id: int, frame_id: int) -> ProjectView:
        with self.db.session() as session:
            project = self._get(session, project_id, "edit")
            frame = session.get(HeroFrame, int(frame_id)) if frame_id is not None else None
            if frame is None or frame.project_id != project.id:
                raise NotFound(f"Hero frame {frame_id} is not part of project '{project.name}'.")
            project.selected_hero_frame_id = frame.id
            session.flush()
            return self._view(session, project)


    def get_scoring_weights(self, project_id: int) -> dict[str, Any]:
        """The weights the project's groups are ranked with: ``weights`` (every dimension, the defaults updated
        with the project's overrides), ``overrides`` (what the project changed) and ``defaults``."""
        import scoring

        with self.db.session() as session:
            stored = self._get(session, project_id).scoring_weights or {}
        overrides = {k: v for k, v in scoring.resolve_weights(stored, strict=False).items() if k in stored}
        return {"project_id": int(project_id), "weights": scoring.resolve_weights(overrides),
                "overrides": overrides, "defaults": dict(scoring.DEFAULT_WEIGHTS)}

    def set_scoring_weights(self, project_id: int, weights: dict[str, float] | None) -> dict[str, Any]:
        """Change how much each scoring dimension counts when this project's attempts are ranked. Dimensions not
        named keep their default; ``{}`` or ``None`` restores all defaults. Applies to groups picked from now on."""
        import scoring

        if weights is not None and not isinstance(weights, dict):
            raise StudioError("Scoring weights must be a mapping of dimension name to weight.")
        weights = dict(weights or {})
        unknown = [name for name in weights if name not in scoring.DIMENSIONS]
        if unknown:
            raise StudioError(f"Unknown scoring dimension{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(repr(str(u)) for u in unknown)}; "
                              f"known: {', '.join(scoring.DIMENSIONS)}.")
        clean: dict[str, float] = {}
        for name, value in weights.items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            if isinstance(value, bool) or not math.isfinite(number) or number < 0:
                raise StudioError(f"The weight of '{name}' must be a number of 0 or more; got {value!r}.")
            clean[name] = number
        if not any(w > 0 for w in scoring.resolve_weights(clean, strict=False).values()):
            raise StudioError("At least one scoring weight must be above 0.")
        with self.db.session() as session:
            project = self._get(session, project_id, "edit")
            project.scoring_weights = clean or None
            session.flush()
        return self.get_scoring_weights(project_id)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise StudioError("A project needs a name.")
    if len(name) > 200:
        raise StudioError("Project names can be at most 200 characters.")
    return name

