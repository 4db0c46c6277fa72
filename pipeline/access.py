"""Who is acting, and what they may do to a project: the one place ownership and sharing are decided.

Every project has an owner; frames, groups, attempts, timelines, jobs and files belong to a project, so one rule
covers them all. In single-user mode (``auth=none``) the local user may do everything, as before. In team mode a
project is private to its owner unless the owner shares it with the team as ``viewer`` or ``editor``.

Services call ``access.get(session, Model, id, need)`` instead of ``session.get``: a row the actor may not see is
reported exactly like a row that does not exist, so ids of other people's work reveal nothing.

The actor comes from ``acting_as`` (workers, CLI, tests) or from the Gradio request being served (its logged-in
username), so service signatures stay free of request objects.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterator

from sqlalchemy import or_, select

from pipeline.errors import Forbidden, NotFound
from pipeline.validation import as_id, shown
from storage.models import (
    AdPlan,
    GenerationGroup,
    HeroFrame,
    Job,
    Project,
    SelectionEvent,
    TimelineVersion,
    User,
    VideoAttempt,
    utcnow,
)

if TYPE_CHECKING:
    from pipeline.settings import Settings
    from storage.db import Database

LOCAL_USERNAME = "local"
LEVELS = {"none": 0, "view": 1, "edit": 2, "own": 3}
# Deleting is the owner's right: an editor of a shared project adds and changes work in it, but deleting its
# frames, groups, attempts (or the project) would destroy the owner's work beyond undo. docs/DEPLOY.md, team mode.
DELETE = "own"
TEAM_ACCESS = {None: "none", "viewer": "view", "editor": "edit"}
SHARING_CHOICES = ("private", "viewer", "editor")


class NotAuthorized(Forbidden):
    """Nobody is logged in, the account is disabled, or the action needs an admin."""


class ReadOnly(Forbidden):
    """The project is shared with the actor for viewing only."""


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str  # "admin" | "member" | "system" (workers, migrations) | "local" (single-user mode)

    @property
    def unrestricted(self) -> bool:
        """Workers and the single local user are not subject to ownership checks."""
        return self.role in ("system", "local")

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "system", "local")


SYSTEM = Actor(None, "system", "system")
_explicit_actor: ContextVar[Actor | None] = ContextVar("hfs_actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Run a block as ``actor`` (workers run as SYSTEM; tests and the CLI as a given user)."""
    token = _explicit_actor.set(actor)
    try:
        yield actor
    finally:
        _explicit_actor.reset(token)


def request_identity() -> dict[str, Any] | None:
    """The Gradio request being served, as {"username", "oauth"}; None outside a request. Gradio sets its request
    context in the worker thread before calling a handler, so this works for every event and API endpoint."""
    try:
        from gradio.context import LocalContext
    except ImportError:  # pragma: no cover - the studio always has gradio
        return None
    request = LocalContext.request.get(None)
    if request is None:
        return None
    # gr.Request wraps the Starlette request; its own `.session` is a lossy copy, so read the raw session that
    # Gradio's OAuth (session middleware) fills, where present.
    underlying = getattr(request, "request", None) or request
    scope = getattr(underlying, "scope", None)
    session = scope.get("session") if isinstance(scope, dict) else None
    oauth = session.get("oauth_info") if session else None
    return {"username": getattr(request, "username", None), "oauth": oauth}


class Access:
    """The access policy of one studio: who the actor is and what they may do. One per Services."""

    CACHE_SECONDS = 5.0  # a disabled account or a changed role takes effect within this

    def __init__(self, db: "Database", settings: "Settings") -> None:
        self.db = db
        self.team_mode = settings.team_mode
        self.auth = settings.auth
        self.hf_org = (settings.hf_oauth_org or "").strip().lower() or None
        self._users: dict[str, tuple[float, Actor | None]] = {}
        self._lock = threading.Lock()
        self._local: Actor | None = None
        self.identity_source: Callable[[], dict[str, Any] | None] = request_identity

    # --- who -------------------------------------------------------------------------------------------------
    def actor(self) -> Actor:
        explicit = _explicit_actor.get()
        if explicit is not None:
            return explicit
        if not self.team_mode:
            return self.local_actor()
        identity = self.identity_source() or {}
        username = identity.get("username")
        if not username and self.auth == "hf":
            username = self.hf_username(identity.get("oauth"))
        if not username:
            raise NotAuthorized("Log in to use the studio.")
        actor = self.user_actor(username, create_hf=self.auth == "hf")
        if actor is None:
            raise NotAuthorized(f"The account '{username}' is disabled or does not exist. Ask an admin.")
        return actor

    def local_actor(self) -> Actor:
        if self._local is None:
            with self.db.session() as session:
                user = session.scalar(select(User).where(User.username == LOCAL_USERNAME))
                if user is None:
                    user = User(username=LOCAL_USERNAME, display_name="Local user", role="admin")
                    session.add(user)
                    session.flush()
                self._local = Actor(user.id, LOCAL_USERNAME, "local")
        return self._local

    def user_actor(self, username: str, create_hf: bool = False) -> Actor | None:
        """The enabled account ``username`` (cached briefly); Hugging Face logins get an account on first use."""
        now = time.monotonic()
        with self._lock:
            hit = self._users.get(username)
        if hit is not None and now - hit[0] < self.CACHE_SECONDS:
            return hit[1]
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None and create_hf:
                user = User(username=username, display_name=username, role="member", auth_source="hf",
                            last_login_at=utcnow())
                session.add(user)
                session.flush()
            actor = None if user is None or user.disabled else Actor(user.id, user.username, user.role)
        with self._lock:
            self._users[username] = (now, actor)
        return actor

    def forget(self, username: str | None = None) -> None:
        with self._lock:
            if username is None:
                self._users.clear()
            else:
                self._users.pop(username, None)

    def hf_username(self, oauth: dict[str, Any] | None) -> str | None:
        if not oauth:
            return None
        expires_at = oauth.get("expires_at")
        if expires_at is not None and float(expires_at) < time.time():
            return None
        info = oauth.get("userinfo") or {}
        username = info.get("preferred_username")
        if not username:
            return None
        if self.hf_org is not None:
            orgs = {str(o.get("preferred_username") or o.get("name") or "").lower()
                    for o in info.get("orgs") or [] if isinstance(o, dict)}
            if self.hf_org not in orgs:
                raise NotAuthorized(f"Only members of the Hugging Face organisation '{self.hf_org}' may use "
                                    "this studio.")
        return f"hf:{username}"

    def user_id(self) -> int | None:
        """The id new rows are owned by (None for SYSTEM)."""
        return self.actor().user_id

    def require_admin(self) -> Actor:
        actor = self.actor()
        if not actor.is_admin:
            raise NotAuthorized("Only an admin can do this.")
        return actor

    # --- what ------------------------------------------------------------------------------------------------
    def project_level(self, project: Project, actor: Actor | None = None) -> str:
        actor = actor or self.actor()
        if actor.unrestricted:
            return "own"
        if project.owner_id is not None and project.owner_id == actor.user_id:
            return "own"
        return TEAM_ACCESS.get(project.team_access, "none")

    def require_project(self, project: Project, need: str = "view", actor: Actor | None = None) -> Project:
        level = self.project_level(project, actor)
        if LEVELS[level] >= LEVELS[need]:
            return project
        if level == "none":
            raise NotFound(f"Project {project.id} does not exist.")
        if need == "own":
            raise ReadOnly(f"Only the owner of project '{project.name}' can do this.")
        raise ReadOnly(f"Project '{project.name}' is shared with you for viewing only; ask its owner for edit "
                       "access or duplicate what you need into your own project.")

    def get(self, session, model: type, item_id: Any, need: str = "view", what: str | None = None):
        """The row ``model``/``item_id`` if the actor may ``need`` it; NotFound (same message as a missing row)
        if it does not exist or belongs to someone who did not share it."""
        what = what or _LABELS.get(model, model.__name__)
        row = find_row(session, model, item_id, what)
        self.require_row(session, row, need, what=what, item_id=item_id)
        return row

    def get_to_delete(self, session, model: type, item_id: Any, what: str | None = None):
        """The row ``model``/``item_id`` if the actor may delete it (owns its project): NotFound as ``get`` for
        rows they can't see, ReadOnly saying so for rows of a project shared with them."""
        what = what or _LABELS.get(model, model.__name__)
        row = find_row(session, model, item_id, what)
        try:
            self.require_row(session, row, DELETE, what=what, item_id=item_id)
        except ReadOnly:
            project = self.project_of(session, row)
            raise ReadOnly(f"Only the owner of project '{project.name if project else ''}' can delete its "
                           f"{_PLURAL.get(model, 'items')}; ask them, or duplicate what you need into your own "
                           "project.") from None
        return row

    def require_row(self, session, row: Any, need: str = "view", what: str | None = None, item_id: Any = None) -> Any:
        actor = self.actor()
        if actor.unrestricted:
            return row
        project = self.project_of(session, row)
        if project is not None:
            try:
                self.require_project(project, need, actor)
            except NotFound:
                raise NotFound(f"{what or _LABELS.get(type(row), 'Item')} {item_id if item_id is not None else row.id} "
                               "does not exist.") from None
            return row
        owner_id = _direct_owner(row)
        if owner_id is not None and owner_id == actor.user_id:
            return row
        raise NotFound(f"{what or _LABELS.get(type(row), 'Item')} {item_id if item_id is not None else row.id} "
                       "does not exist.")

    def project_of(self, session, row: Any) -> Project | None:
        if isinstance(row, Project):
            return row
        if isinstance(row, VideoAttempt):
            return session.get(Project, row.group.project_id)
        if isinstance(row, SelectionEvent):
            group = session.get(GenerationGroup, row.group_id)
            return session.get(Project, group.project_id) if group is not None else None
        project_id = getattr(row, "project_id", None)
        return session.get(Project, project_id) if project_id is not None else None

    def visible_projects(self, actor: Actor | None = None):
        """A WHERE clause on Project for what the actor may see, or None when there is nothing to filter."""
        actor = actor or self.actor()
        if actor.unrestricted:
            return None
        return or_(Project.owner_id == actor.user_id, Project.team_access.in_(("viewer", "editor")))

    def visible_project_ids(self, actor: Actor | None = None):
        """A scalar subquery of the project ids the actor may see, or None when there is nothing to filter."""
        clause = self.visible_projects(actor)
        return None if clause is None else select(Project.id).where(clause).scalar_subquery()

    def filter_projects(self, query, project_column, actor: Actor | None = None):
        """Restrict ``query`` to rows whose ``project_column`` is a project the actor may see."""
        clause = self.visible_projects(actor)
        if clause is None:
            return query
        return query.where(project_column.in_(select(Project.id).where(clause)))


def find_row(session, model: type, item_id: Any, what: str):
    """The row, or NotFound "<what> <id> does not exist." (also for ids that are not numbers). No access check."""
    key = as_id(item_id)  # 1.5, "12abc", 10**30: no such row (never a rounding, never an overflow error)
    row = session.get(model, key) if key is not None else None
    if row is None:
        raise NotFound(f"{what} {shown(item_id)} does not exist.")
    return row


def _direct_owner(row: Any) -> int | None:
    if isinstance(row, Job):
        return row.user_id
    if isinstance(row, AdPlan):
        return row.owner_id
    return getattr(row, "owner_id", None)


_LABELS = {Project: "Project", HeroFrame: "Hero frame", GenerationGroup: "Generation group",
           VideoAttempt: "Attempt", TimelineVersion: "Timeline version", Job: "Job", AdPlan: "Ad plan",
           SelectionEvent: "Selection"}


_PLURAL = {Project: "work", HeroFrame: "hero frames", GenerationGroup: "generation groups",
           VideoAttempt: "attempts"}


def month_start(now: datetime | None = None) -> datetime:
    now = now or utcnow()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
