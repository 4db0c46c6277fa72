"""Picking the best attempt of a group: the system's pick (from scoring's ranking) and the user's override."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pipeline.access import Access
from pipeline.errors import InvalidInput, StudioError
from pipeline.services.lookups import get_row
from pipeline.validation import shown
from storage.db import Database
from storage.models import (
    FINISHED_ATTEMPT_STATES,
    AttemptStatus,
    GenerationGroup,
    Project,
    SelectionEvent,
    VideoAttempt,
)

MAX_TAGS, MAX_TAG_LENGTH = 12, 40


def clean_tags(tags: list[str] | None) -> list[str]:
    """A pick's tags (why the user chose it: "better motion", "brand colours"): short words, a few of them."""
    cleaned = [" ".join(str(tag).split()) for tag in (tags or [])]
    cleaned = list(dict.fromkeys(tag for tag in cleaned if tag))
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(f"A pick can have at most {MAX_TAGS} tags; got {len(cleaned)}.")
    too_long = next((tag for tag in cleaned if len(tag) > MAX_TAG_LENGTH), None)
    if too_long is not None:
        raise InvalidInput(f"Tags are at most {MAX_TAG_LENGTH} characters; '{shown(too_long)}' is longer.")
    return cleaned


class SelectionService:
    def __init__(self, db: Database, access: Access | None = None) -> None:
        self.db = db
        self.access = access

    def _get(self, session, model: type, item_id: Any, need: str, what: str):
        return get_row(session, model, item_id, what, self.access, need)

    def select_if_complete(self, group_id: int) -> bool:
        """Once every attempt has finished (done, failed or cancelled), rank the scored ones and mark the best.
        Internal (workers and the services that end attempts call it): no ownership check."""
        import scoring

        with self.db.session() as session:
            group = session.get(GenerationGroup, group_id)
            if group is None or any(a.status not in FINISHED_ATTEMPT_STATES for a in group.attempts):
                return False
            scored = [a for a in group.attempts if a.status == AttemptStatus.done.value and a.metrics]
            for attempt in group.attempts:
                attempt.is_system_selected_best = False
            if not scored:
                group.selection_reason = "No attempt finished, so nothing could be picked."
                return True
            project = session.get(Project, group.project_id)
            stored = project.scoring_weights if project is not None else None
            weights = scoring.resolve_weights(stored, strict=False) if stored else None
            ranking = scoring.rank([_report(a) for a in scored], weights=weights)
            position = {i: k + 1 for k, i in enumerate(ranking.order)}
            for i, (attempt, relative, reason) in enumerate(zip(scored, ranking.relative_scores, ranking.reasons)):
                attempt.relative_score = float(relative)
                attempt.score_reason = reason
                # the pick's margin band travels with every scored attempt (no group column for it)
                attempt.score_details = {**(attempt.score_details or {}),
                                         "ranking": ranking_facts(ranking, i, position[i], len(scored))}
            best = scored[ranking.best_index] if ranking.best_index is not None else None
            group.selection_reason = ranking.reason
            if best is not None:
                best.is_system_selected_best = True
                already = session.scalar(select(SelectionEvent).where(
                    SelectionEvent.group_id == group.id, SelectionEvent.actor == "system",
                    SelectionEvent.attempt_id == best.id))
                if already is None:
                    session.add(SelectionEvent(group_id=group.id, attempt_id=best.id, system_attempt_id=best.id,
                                               actor="system", reason=ranking.reason))
            return True

    def select_attempt(self, attempt_id: int, reason: str = "", tags: list[str] | None = None) -> dict[str, Any]:
        """The user's pick; it overrides the system's for the timeline and is logged for the agreement rate."""
        with self.db.session() as session:
            attempt = self._get(session, VideoAttempt, attempt_id, "edit", "Attempt")
            if attempt.status != AttemptStatus.done.value:
                raise StudioError(f"Attempt {attempt.index} is {attempt.status}; only finished attempts can be picked.")
            group = attempt.group
            system = next((a for a in group.attempts if a.is_system_selected_best), None)
            for other in group.attempts:
                other.is_user_selected_best = other.id == attempt.id
            session.add(SelectionEvent(group_id=group.id, attempt_id=attempt.id,
                                       system_attempt_id=system.id if system else None, actor="user",
                                       reason=(reason or "").strip()[:1000], tags=clean_tags(tags)))
            band = ((system.score_details or {}).get("ranking") or {}).get("pick_confidence") if system else None
            return {"group_id": group.id, "attempt_id": attempt.id, "system_attempt_id": system.id if system else None,
                    "agrees_with_system": system is not None and system.id == attempt.id,
                    "system_pick_confidence": band}

    def accept_system_pick(self, group_id: int, reason: str = "", tags: list[str] | None = None) -> dict[str, Any]:
        """The user confirms the system's pick (logged like any user pick, so it counts as agreement)."""
        with self.db.session() as session:
            group = self._get(session, GenerationGroup, group_id, "edit", "Generation group")
            system = next((a for a in group.attempts if a.is_system_selected_best), None)
            if system is None:
                raise StudioError("This group has no system pick yet: wait until its attempts are scored.")
            attempt_id = system.id
        return self.select_attempt(attempt_id, reason or "Accepted the system pick", tags)


def ranking_facts(ranking, index: int, position: int, count: int) -> dict[str, Any]:
    """What an attempt stores about its group's ranking: its place and rank score, and the pick's margin band
    ("clear" / "slight" / "tie") with the words to show for it."""
    return {"rank": position, "of": count, "rank_score": ranking.relative_scores[index],
            "picked": ranking.best_index == index, "tied_with_pick": index in ranking.tied,
            "pick_confidence": ranking.confidence, "pick_confidence_label": ranking.confidence_label,
            "pick_margin": ranking.margin}


def _report(attempt: VideoAttempt):
    """Rebuild the scorer's report from what was stored: values per dimension plus the rest of the report."""
    import scoring

    details = attempt.score_details or {}
    version = details.get("scorer_version")  # values of older scorer versions are not mixed in
    stored = {**details, "overall": attempt.overall_score or 0.0,
              "dimensions": {m.name: m.value for m in attempt.metrics
                             if version is None or m.scorer_version == version}}
    return scoring.ScoreReport.from_dict(stored)
