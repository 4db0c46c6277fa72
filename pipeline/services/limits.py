"""Team-mode limits: generations per user per hour and monthly spend caps (per user and for the whole team).

Every place that queues new frames or videos calls ``reserve`` inside the transaction that creates the work: it
checks the limits against the usage ledger and records the new generation there, so a refused request queues
nothing, and two requests racing past a limit are caught by the recheck after the insert. Single-user mode records
usage (the dashboard shows spend) but never refuses.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from pipeline.access import Access, month_start
from pipeline.errors import StudioError
from pipeline.settings import Settings
from storage.db import Database
from storage.models import UsageEvent, User, VideoAttempt, utcnow


class LimitExceeded(StudioError):
    """A generation limit or a spend cap would be passed; the message says which, and when it frees up."""


def spend_of(estimate: dict[str, Any] | None) -> float:
    """The USD a request reserves: the estimate, else its upper bound, else 0 (local engines cost nothing)."""
    if not estimate:
        return 0.0
    for key in ("usd", "upper_bound"):
        value = estimate.get(key)
        if isinstance(value, (int, float)) and value >= 0:
            return float(value)
    return 0.0


class LimitsService:
    def __init__(self, db: Database, access: Access, settings: Settings) -> None:
        self.db = db
        self.access = access
        self.settings = settings

    def reserve(self, session, kind: str, project_id: int | None, estimated_usd: float = 0.0, engine: str = "",
                generations: int = 1, group_id: int | None = None, job_id: int | None = None) -> UsageEvent:
        """Check the actor's limits for one more generation costing ``estimated_usd`` and record it, in the
        caller's transaction. Raises LimitExceeded (nothing recorded) when a limit would be passed."""
        actor = self.access.actor()
        estimated_usd = max(0.0, float(estimated_usd or 0.0))
        enforce = self.settings.team_mode and not actor.unrestricted
        if enforce:
            self._check(session, actor.user_id, generations, estimated_usd)
        event = UsageEvent(user_id=actor.user_id, project_id=project_id, kind=kind, generations=int(generations),
                           estimated_usd=round(estimated_usd, 6), engine=engine or "", group_id=group_id,
                           job_id=job_id)
        session.add(event)
        session.flush()
        if enforce:
            # Two requests can pass the check at once; the one that finds itself over the limit after both
            # inserts rolls back (the caller's transaction), so the limit holds without a table lock.
            self._check(session, actor.user_id, 0, 0.0)
        return event

    def _check(self, session, user_id: int | None, generations: int, usd: float) -> None:
        now = utcnow()
        per_hour = self.settings.generations_per_hour
        if per_hour:
            since = now - timedelta(hours=1)
            rows = session.execute(select(UsageEvent.generations, UsageEvent.created_at)
                                   .where(UsageEvent.user_id == user_id, UsageEvent.created_at >= since)
                                   .order_by(UsageEvent.created_at)).all()
            used = sum(r.generations for r in rows)
            if used + generations > per_hour:
                frees_at = rows[0].created_at + timedelta(hours=1) if rows else now
                minutes = max(1, int((frees_at - now).total_seconds() // 60) + 1)
                raise LimitExceeded(f"You have queued {used} of your {per_hour} generations this hour. The next one "
                                    f"frees up in about {minutes} min; an admin can raise "
                                    "HFS_GENERATIONS_PER_HOUR.")
        start = month_start(now)
        user_cap = self._user_cap(session, user_id)
        if user_cap is not None:
            spent = self._spent(session, start, user_id)
            if spent + usd > user_cap + 1e-9:
                raise LimitExceeded(f"This would take your spend this month to ${spent + usd:,.2f}, over your "
                                    f"${user_cap:,.2f} monthly cap (spent so far ${spent:,.2f}). Use a local "
                                    "engine (free) or ask an admin to raise your cap.")
        team_cap = self.settings.team_monthly_cap_usd
        if team_cap is not None:
            spent = self._spent(session, start, None)
            if spent + usd > team_cap + 1e-9:
                raise LimitExceeded(f"This would take the team's spend this month to ${spent + usd:,.2f}, over the "
                                    f"${team_cap:,.2f} team cap. Use a local engine (free) or ask an admin.")

    def _user_cap(self, session, user_id: int | None) -> float | None:
        user = session.get(User, user_id) if user_id is not None else None
        if user is not None and user.monthly_cap_usd is not None:
            return float(user.monthly_cap_usd)
        return self.settings.user_monthly_cap_usd

    @staticmethod
    def _spent(session, since, user_id: int | None) -> float:
        """Spend since ``since``: per generation the larger of what was reserved and what providers reported."""
        amount = func.coalesce(func.max(UsageEvent.estimated_usd, func.coalesce(UsageEvent.actual_usd, 0.0)), 0.0)
        if session.bind.dialect.name == "postgresql":
            amount = func.greatest(UsageEvent.estimated_usd, func.coalesce(UsageEvent.actual_usd, 0.0))
        query = select(func.coalesce(func.sum(amount), 0.0)).where(UsageEvent.created_at >= since)
        if user_id is not None:
            query = query.where(UsageEvent.user_id == user_id)
        return float(session.scalar(query) or 0.0)

    def record_actual(self, session, group_id: int) -> None:
        """Copy what the providers reported for a group's attempts onto its ledger row (called as attempts end)."""
        actual = session.scalar(select(func.coalesce(func.sum(VideoAttempt.cost_usd), 0.0))
                                .where(VideoAttempt.group_id == group_id))
        for event in session.scalars(select(UsageEvent).where(UsageEvent.group_id == group_id)).all():
            event.actual_usd = float(actual or 0.0)

    # --- what users and admins see ------------------------------------------------------------------------------
    def my_usage(self) -> dict[str, Any]:
        """The actor's own usage: generations this hour, spend this month, and their limits."""
        actor = self.access.actor()
        with self.db.session() as session:
            return self._usage_row(session, actor.user_id, actor.username)

    def spend_by_user(self) -> dict[str, Any]:
        """Admin view: per user, generations in the last hour and this month, spend this month (reserved and
        reported), the cap; plus the team total and cap."""
        self.access.require_admin()
        with self.db.session() as session:
            users = session.scalars(select(User).order_by(User.username)).all()
            rows = [self._usage_row(session, u.id, u.username, role=u.role, disabled=u.disabled) for u in users]
            start = month_start()
            team = {"spent_usd": round(self._spent(session, start, None), 4),
                    "cap_usd": self.settings.team_monthly_cap_usd}
        rows.sort(key=lambda r: (-r["spent_usd"], r["username"]))
        return {"month": start.strftime("%Y-%m"), "users": rows, "team": team, "enforced": self.settings.team_mode,
                "generations_per_hour": self.settings.generations_per_hour or None}

    def _usage_row(self, session, user_id: int | None, username: str, **extra) -> dict[str, Any]:
        now = utcnow()
        start = month_start(now)
        hour = session.scalar(select(func.coalesce(func.sum(UsageEvent.generations), 0))
                              .where(UsageEvent.user_id == user_id,
                                     UsageEvent.created_at >= now - timedelta(hours=1))) or 0
        month = session.execute(select(func.coalesce(func.sum(UsageEvent.generations), 0),
                                       func.coalesce(func.sum(UsageEvent.estimated_usd), 0.0),
                                       func.coalesce(func.sum(UsageEvent.actual_usd), 0.0))
                                .where(UsageEvent.user_id == user_id, UsageEvent.created_at >= start)).one()
        return {"username": username, "generations_last_hour": int(hour),
                "generations_per_hour": self.settings.generations_per_hour or None,
                "generations_this_month": int(month[0]), "estimated_usd": round(float(month[1]), 4),
                "reported_usd": round(float(month[2]), 4),
                "spent_usd": round(self._spent(session, start, user_id), 4),
                "cap_usd": self._user_cap(session, user_id), **extra}
