"""The library's search queries and the file paths hidden in timeline edit lists (helpers of library.py)."""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, or_, select

from storage.models import GenerationGroup, HeroFrame, Project, VideoAttempt

RUNNING = ("queued", "rendering", "scoring")


def like(needle: str) -> str | None:
    return None if not needle else "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _match(column, needle):
    return func.lower(column).like(needle, escape="\\")


def project_query(needle, status):
    if status not in ("any", "final"):
        return None
    final_poster = select(VideoAttempt.poster_path).where(VideoAttempt.id == Project.final_attempt_id) \
        .correlate(Project).scalar_subquery()
    thumb = select(HeroFrame.thumbnail_path).where(HeroFrame.project_id == Project.id) \
        .order_by(HeroFrame.id.desc()).limit(1).correlate(Project).scalar_subquery()
    q = select(Project, final_poster, thumb)
    if status == "final":
        q = q.where(Project.final_attempt_id.is_not(None))
    if needle:
        frames = select(HeroFrame.id).where(HeroFrame.project_id == Project.id, or_(
            _match(HeroFrame.prompt, needle), _match(func.coalesce(HeroFrame.enhanced_prompt, ""), needle)))
        groups = select(GenerationGroup.id).where(GenerationGroup.project_id == Project.id,
                                                  _match(GenerationGroup.motion_prompt, needle))
        q = q.where(or_(_match(Project.name, needle), frames.exists(), groups.exists()))
    return q


def frame_query(needle, status):
    if status not in ("any", "favourite"):
        return None
    q = select(HeroFrame, Project.name).join(Project, HeroFrame.project_id == Project.id)
    if status == "favourite":
        q = q.where(HeroFrame.is_favourite.is_(True))
    if needle:
        q = q.where(or_(_match(HeroFrame.prompt, needle), _match(func.coalesce(HeroFrame.enhanced_prompt, ""), needle)))
    return q


def attempt_query(needle, status):
    if status == "favourite":
        return None
    q = (select(VideoAttempt, GenerationGroup, Project.name, Project.final_attempt_id)
         .join(GenerationGroup, VideoAttempt.group_id == GenerationGroup.id)
         .join(Project, GenerationGroup.project_id == Project.id))
    if status == "running":
        q = q.where(VideoAttempt.status.in_(RUNNING))
    elif status == "final":
        q = q.where(Project.final_attempt_id == VideoAttempt.id)
    elif status != "any":
        q = q.where(VideoAttempt.status == status)
    if needle:  # an attempt's prompts: its group's motion and negative prompts and its hero frame's prompt
        frame = select(HeroFrame.id).where(HeroFrame.id == GenerationGroup.hero_frame_id, or_(
            _match(HeroFrame.prompt, needle), _match(func.coalesce(HeroFrame.enhanced_prompt, ""), needle)))
        q = q.where(or_(_match(GenerationGroup.motion_prompt, needle), _match(GenerationGroup.negative_prompt, needle),
                        frame.exists()))
    return q


def created_column(kind):
    return {"projects": Project.created_at, "frames": HeroFrame.created_at, "attempts": VideoAttempt.created_at}[kind]


def id_column(kind):
    return {"projects": Project.id, "frames": HeroFrame.id, "attempts": VideoAttempt.id}[kind]


def paths_in(value: Any) -> set[str]:
    """Relative file paths inside an edit list (clip sources, uploaded music): strings like 'folder/name.ext'."""
    found: set[str] = set()
    if isinstance(value, dict):
        for item in value.values():
            found |= paths_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= paths_in(item)
    elif isinstance(value, str) and "/" in value and "." in value.rsplit("/", 1)[-1] and "://" not in value \
            and not value.startswith("/"):
        found.add(value)
    return found


def clip_thumb(clip: dict[str, Any]) -> str:
    """The strip thumbnail the timeline caches for a clip (same key as TimelineMedia._clip_thumbnail)."""
    key = f"{clip.get('source')}|{float(clip.get('in_point') or 0.0):.3f}|{bool(clip.get('still', False))}"
    return f"timeline/thumbs/{hashlib.sha1(key.encode()).hexdigest()[:20]}.jpg"
