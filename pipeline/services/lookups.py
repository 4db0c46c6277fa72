"""Row lookups and checks the services share, with the user-facing messages in one place."""
from __future__ import annotations

from typing import Any

from pipeline.engines.base import ASPECT_RATIOS
from pipeline.errors import NotFound, StudioError
from storage.models import HeroFrame, Project


def get_row(session, model: type, item_id: Any, what: str):
    row = session.get(model, int(item_id)) if item_id is not None else None
    if row is None:
        raise NotFound(f"{what} {item_id} does not exist.")
    return row


def get_project(session, project_id: Any) -> Project:
    return get_row(session, Project, project_id, "Project")


def get_frame(session, frame_id: Any) -> HeroFrame:
    return get_row(session, HeroFrame, frame_id, "Hero frame")


def check_aspect_ratio(aspect_ratio: str) -> None:
    if aspect_ratio not in ASPECT_RATIOS:
        raise StudioError(f"Aspect ratio must be one of {', '.join(ASPECT_RATIOS)}; got '{aspect_ratio}'.")
