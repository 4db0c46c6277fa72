"""Numbers for the quality dashboard: scores per group, auto-vs-user agreement, the best-score trend."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.models import GenerationGroup, HeroFrame, Job, JobStatus, SelectionEvent, VideoAttempt


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
            costs = self._costs(session, groups, project_id)
        scored = [r["overall_score"] for r in rows if r["overall_score"] is not None]
        return {
            "groups": len(groups),
            "attempts": len(rows),
            "scored_attempts": len(scored),
            "mean_score": round(sum(scored) / len(scored), 2) if scored else None,
            "agreement": agreement,
            "attempt_rows": rows,
            "trend": trend,
            **costs,
        }

    def _costs(self, session, groups: list[GenerationGroup], project_id: int | None) -> dict[str, Any]:
        """What the providers charged: per group (estimate vs actual) and in total, hero frames included.

        Attempts whose charge the provider did not report count as unknown, never as zero."""
        per_group = []
        for group in groups:
            unknown = sum(1 for a in group.attempts if not (a.parameters or {}).get("cost_known", True))
            per_group.append({"group_id": group.id, "engine": group.engine, "estimated_usd": group.estimated_cost_usd,
                              "actual_usd": round(sum(a.cost_usd or 0.0 for a in group.attempts), 4),
                              "unknown_attempts": unknown})
        frame_query = select(HeroFrame.parameters, HeroFrame.job_id, HeroFrame.seed)
        job_query = select(Job).where(Job.kind == "hero_frames", Job.engine_state.is_not(None),
                                      Job.status.in_([JobStatus.failed.value, JobStatus.cancelled.value]))
        if project_id is not None:
            frame_query = frame_query.where(HeroFrame.project_id == project_id)
            job_query = job_query.where(Job.project_id == project_id)
        frames_usd, frames_unknown, stored = 0.0, 0, set()
        for parameters, job_id, seed in session.execute(frame_query).all():
            stored.add((job_id, seed))
            cost = (parameters or {}).get("cost_usd")
            if (parameters or {}).get("cost_known") is False:
                frames_unknown += 1
            frames_usd += cost or 0.0
        for job in session.scalars(job_query).all():  # candidates that failed or were cancelled but were charged
            for key, state in (job.engine_state or {}).items():
                if isinstance(state, dict) and key.startswith("seed-") and (job.id, _seed(key)) not in stored:
                    frames_usd += state.get("cost_usd") or 0.0
                    frames_unknown += state.get("prediction_id") is not None and state.get("cost_usd") is None
        attempts_usd = sum(g["actual_usd"] for g in per_group)
        return {"cost_usd": round(attempts_usd + frames_usd, 4), "attempts_cost_usd": round(attempts_usd, 4),
                "hero_frames_cost_usd": round(frames_usd, 4),
                "estimated_cost_usd": round(sum(g["estimated_usd"] or 0.0 for g in per_group), 4),
                "cost_unknown_items": sum(g["unknown_attempts"] for g in per_group) + int(frames_unknown),
                "group_costs": per_group}

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
        "cost_usd": round(attempt.cost_usd or 0.0, 4),
        "cost_known": (attempt.parameters or {}).get("cost_known", True),
    }
    row.update({f"dim:{m.name}": round(m.value, 4) for m in attempt.metrics})
    return row


def _seed(key: str) -> int | None:
    text = key.removeprefix("seed-")
    return int(text) if text.lstrip("-").isdigit() else None
