"""Projects: create, rename, list, the selected hero frame, and the weights its attempts are ranked with."""
from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select

from pipeline.errors import NotFound, StudioError
from pipeline.services.views import project_view
from storage.db import Database
from storage.models import HeroFrame, Project, User
from pipeline.services.lookups import check_aspect_ratio as _check_ratio

LOCAL_USERNAME = "local"


class ProjectService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def local_user_id(self) -> int:
        """Single-user mode owns everything through one local user (team mode adds real logins)."""
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == LOCAL_USERNAME))
            if user is None:
                user = User(username=LOCAL_USERNAME, display_name="Local user", role="admin")
                session.add(user)
                session.flush()
            return user.id

    def create(self, name: str, aspect_ratio: str = "16:9") -> dict[str, Any]:
        name = _clean_name(name)
        _check_ratio(aspect_ratio)
        owner_id = self.local_user_id()
        with self.db.session() as session:
            project = Project(name=name, aspect_ratio=aspect_ratio, owner_id=owner_id)
            session.add(project)
            session.flush()
            return project_view(project)

    def rename(self, project_id: int, name: str) -> dict[str, Any]:
        name = _clean_name(name)
        with self.db.session() as session:
            project = _get(session, project_id)
            project.name = name
            session.flush()
            return project_view(project)

    def set_aspect_ratio(self, project_id: int, aspect_ratio: str) -> dict[str, Any]:
        _check_ratio(aspect_ratio)
        with self.db.session() as session:
            project = _get(session, project_id)
            project.aspect_ratio = aspect_ratio
            session.flush()
            return project_view(project)

    def get(self, project_id: int) -> dict[str, Any]:
        with self.db.session() as session:
            return project_view(_get(session, project_id))

    def list(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            projects = session.scalars(select(Project).order_by(Project.updated_at.desc(), Project.id.desc())).all()
            return [project_view(p) for p in projects]

    def latest_or_new(self) -> dict[str, Any]:
        projects = self.list()
        return projects[0] if projects else self.create("My first project")

    def select_hero_frame(self, project_id: int, frame_id: int) -> dict[str, Any]:
        with self.db.session() as session:
            project = _get(session, project_id)
            frame = session.get(HeroFrame, frame_id)
            if frame is None or frame.project_id != project_id:
                raise NotFound(f"Hero frame {frame_id} is not part of project '{project.name}'.")
            project.selected_hero_frame_id = frame.id
            session.flush()
            return project_view(project)


    def get_scoring_weights(self, project_id: int) -> dict[str, Any]:
        """The weights the project's groups are ranked with: ``weights`` (every dimension, the defaults updated
        with the project's overrides), ``overrides`` (what the project changed) and ``defaults``."""
        import scoring

        with self.db.session() as session:
            stored = _get(session, project_id).scoring_weights or {}
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
            project = _get(session, project_id)
            project.scoring_weights = clean or None
            session.flush()
        return self.get_scoring_weights(project_id)


def _get(session, project_id: int) -> Project:
    project = session.get(Project, int(project_id)) if project_id is not None else None
    if project is None:
        raise NotFound(f"Project {project_id} does not exist. Create a project first.")
    return project


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise StudioError("A project needs a name.")
    if len(name) > 200:
        raise StudioError("Project names can be at most 200 characters.")
    return name

