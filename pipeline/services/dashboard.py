"""Numbers for the quality dashboard: scores per group, auto-vs-user agreement, the best-score trend."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.models import GenerationGroup, SelectionEvent, VideoAttempt


class DashboardService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def summary(self, project_id: int | None = None) -> dict[str, Any]:
        with self.db.session() as session:
            query = select(GenerationGroup).order_by(GenerationGroup.id)
            if project_id is not None:
                query = query.where(GenerationGroup.project_id == project_id)
            groups = session.scalars(query).all()
            rows, trend = [], []
            for group in groups:
                best = None
                for attempt in group.attempts:
                    rows.append(_attempt_row(group, attempt))
                    if attempt.overall_score is not None and (best is None or attempt.overall_score > best):
                        best = attempt.overall_score
                if best is not None:
                    trend.append({"group_id": group.id, "iteration": group.iteration_index,
                                  "created_at": group.created_at.isoformat(timespec="seconds"),
                                  "best_score": round(best, 2)})
            group_ids = [g.id for g in groups]
            agreement = self._agreement(session, group_ids)
        scored = [r["overall_score"] for r in rows if r["overall_score"] is not None]
        return {
            "groups": len(groups),
            "attempts": len(rows),
            "scored_attempts": len(scored),
            "mean_score": round(sum(scored) / len(scored), 2) if scored else None,
            "agreement": agreement,
            "attempt_rows": rows,
            "trend": trend,
        }

    def _agreement(self, session, group_ids: list[int]) -> dict[str, Any]:
        """For each group the user decided on, does their latest pick equal the system's pick?"""
        if not group_ids:
            return {"decided_groups": 0, "agreed": 0, "rate": None}
        events = session.scalars(select(SelectionEvent).where(SelectionEvent.group_id.in_(group_ids),
                                                              SelectionEvent.actor == "user")
                                 .order_by(SelectionEvent.id)).all()
        latest: dict[int, SelectionEvent] = {}
        for event in events:
            latest[event.group_id] = event
        agreed = sum(1 for e in latest.values() if e.system_attempt_id is not None and e.system_attempt_id == e.attempt_id)
        decided = len(latest)
        return {"decided_groups": decided, "agreed": agreed, "rate": round(agreed / decided, 3) if decided else None}


def _attempt_row(group: GenerationGroup, attempt: VideoAttempt) -> dict[str, Any]:
    row = {
        "group_id": group.id,
        "iteration": group.iteration_index,
        "attempt_id": attempt.id,
        "attempt": attempt.index,
        "engine": group.engine,
        "status": attempt.status,
        "overall_score": round(attempt.overall_score, 2) if attempt.overall_score is not None else None,
        "relative_score": round(attempt.relative_score, 1) if attempt.relative_score is not None else None,
        "system_pick": attempt.is_system_selected_best,
        "user_pick": attempt.is_user_selected_best,
    }
    row.update({f"dim:{m.name}": round(m.value, 4) for m in attempt.metrics})
    return row
