"""Row lookups and checks the services share, with the user-facing messages in one place.

With ``access`` the lookup is ownership-checked (``Access.get``): a row the actor may not ``need`` is reported
exactly like a missing one. Without it (older callers) it is a plain lookup."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.access import find_row
from pipeline.engines.interfaces import ASPECT_RATIOS
from pipeline.errors import StudioError
from storage.models import HeroFrame, Project

if TYPE_CHECKING:
    from pipeline.access import Access


def get_row(session, model: type, item_id: Any, what: str, access: "Access | None" = None, need: str = "view"):
    if access is not None:
        return access.get(session, model, item_id, need, what=what)
    return find_row(session, model, item_id, what)


def get_project(session, project_id: Any, access: "Access | None" = None, need: str = "view") -> Project:
    return get_row(session, Project, project_id, "Project", access, need)


def get_frame(session, frame_id: Any, access: "Access | None" = None, need: str = "view") -> HeroFrame:
    return get_row(session, HeroFrame, frame_id, "Hero frame", access, need)


def check_aspect_ratio(aspect_ratio: str) -> None:
    if aspect_ratio not in ASPECT_RATIOS:
        raise StudioError(f"Aspect ratio must be one of {', '.join(ASPECT_RATIOS)}; got '{aspect_ratio}'.")
