"""Numbers for the quality dashboard, aggregated from a few SQL queries (no per-group ORM loads): score
distributions across attempts and finals, iterations per final, auto-vs-user agreement (overall and per engine
and model), per-video scores, the best-score trend across iterations, which iteration produced each final,
provider costs — filtered by project, date range, engine, model and feedback tag — and a CSV of the table.

Every number covers only the projects the actor may see (their own and those shared with the team); asking for
one project the actor may not see is answered like a missing project."""
from __future__ import annotations

import csv
import json
import statistics
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import String, and_, case, cast, func, select
from sqlalchemy.orm import aliased

from pipeline.errors import StudioError
from pipeline.validation import MAX_WHOLE, require_whole
from storage.db import Database
from storage.models import (
    GenerationGroup,
    HeroFrame,
    Job,
    JobStatus,
    Project,
    QualityMetric,
    SelectionEvent,
    VideoAttempt,
)

BIN_WIDTH = 5  # overall scores are 0–100
BAR_GROUPS = 12  # groups shown in the per-video bars (the newest)
DOWNLOADS = "downloads"  # transient files under the media root (CSV exports); the newest DOWNLOADS_KEPT stay
DOWNLOADS_KEPT = 10
ROW_FIELDS = ["project_id", "group_id", "iteration", "attempt_id", "attempt", "engine", "model", "created_at",
              "status", "overall_score", "relative_score", "system_pick", "user_pick", "final", "cost_usd",
              "cost_known"]


class DashboardService:
    def __init__(self, db: Database, media=None, access=None) -> None:
        self.db = db
        self.media = media
        self.access = access  # None: no ownership filter (benchmarks on a bare database)

    def _scope(self, session, project_id: Any) -> tuple[int | None, Any]:
        """The project filter (checked: NotFound when the actor may not see it) and the subquery of the project
        ids the actor may see (None: everything)."""
        if self.access is None:
            return (int(project_id) if project_id else None), None
        if project_id:
            return self.access.get(session, Project, project_id, "view").id, None
        return None, self.access.visible_project_ids()

    # ------------------------------------------------------------ the summary
    def summary(self, project_id: int | None = None, date_from: Any = None, date_to: Any = None,
                engine: str | None = None, model: str | None = None, tag: str | None = None,
                dimensions: bool = True, row_limit: int | None = None) -> dict[str, Any]:
        """Everything the dashboard shows. Dates: ISO strings ('2026-11-24'; a date alone includes that whole
        day), datetimes or Unix timestamps. Blank filters are ignored. The numbers are aggregated in SQL;
        ``attempt_rows`` holds every attempt (oldest group first) or, with ``row_limit``, only the newest ones;
        ``dimensions`` adds 'dim:<name>' columns to those rows."""
        if row_limit is not None:
            row_limit = require_whole(row_limit, "row limit", 0, MAX_WHOLE) or None
        filters = {"project_id": project_id or None, "date_from": _when(date_from), "date_to": _when(date_to, True),
                   "engine": engine or None, "model": model or None, "tag": tag or None}
        A, G = VideoAttempt, GenerationGroup
        known = A.parameters["cost_known"].as_boolean()
        with self.db.session() as session:
            filters["project_id"], visible = self._scope(session, filters["project_id"])
            conds = _group_conditions(**filters, visible=visible)
            groups = session.execute(select(G.id, G.project_id, G.iteration_index, G.engine, G.model, G.created_at,
                                            G.estimated_cost_usd).where(*conds).order_by(G.id)).tuples().all()
            per_group = {r[0]: r[1:] for r in session.execute(select(
                A.group_id, func.count(A.id), func.max(A.overall_score), func.sum(A.cost_usd),
                func.sum(case((known.is_(False), 1), else_=0)))
                .join(G, A.group_id == G.id).where(*conds).group_by(A.group_id)).tuples()}
            scored = session.scalars(select(A.overall_score).join(G, A.group_id == G.id)
                                     .where(A.overall_score.is_not(None), *conds)).all()
            events = session.execute(select(SelectionEvent.group_id, SelectionEvent.attempt_id,
                                            SelectionEvent.system_attempt_id)
                                     .join(G, SelectionEvent.group_id == G.id)
                                     .where(SelectionEvent.actor == "user", *conds)
                                     .order_by(SelectionEvent.id)).tuples()
            latest = {e[0]: e for e in events}
            system_ids = {e[2] for e in latest.values() if e[2] is not None}
            stored = session.execute(select(A.id, A.score_details).where(A.id.in_(system_ids))) if system_ids else []
            bands = {aid: (details.get("ranking") or {}).get("pick_confidence") if isinstance(details, dict) else None
                     for aid, details in stored}
            finals = self._finals(session, conds)
            final_ids = {f["attempt_id"] for f in finals}
            row_query = (select(A.id, A.group_id, A.index, A.status, A.overall_score, A.relative_score,
                                A.is_system_selected_best, A.is_user_selected_best, A.cost_usd, known)
                         .join(G, A.group_id == G.id).where(*conds).order_by(A.group_id.desc(), A.index.desc()))
            attempts = session.execute(row_query.limit(row_limit) if row_limit else row_query).tuples().all()[::-1]
            newest = [gid for gid, (_, best, *__) in per_group.items() if best is not None][-BAR_GROUPS:]
            bars = session.execute(select(A.group_id, A.id, A.index, A.overall_score, A.is_system_selected_best,
                                          A.is_user_selected_best).where(A.group_id.in_(newest),
                                                                         A.overall_score.is_not(None))
                                   .order_by(A.group_id, A.index)).tuples().all() if newest else []
            ids = [a[0] for a in attempts] if row_limit else None
            dims = self._dimensions(session, conds, ids) if dimensions else {}
            frames = self._frame_costs(session, filters["project_id"], visible)
        by_group = {g[0]: g for g in groups}
        stamps = {g[0]: g[5].isoformat(timespec="seconds") for g in groups}
        rows = []
        for aid, gid, index, status, overall, relative, system, user, cost, cost_known in attempts:
            _, pid, iteration, engine_name, model_name, *_ = by_group[gid]
            rows.append({"project_id": pid, "group_id": gid, "iteration": iteration, "attempt_id": aid,
                         "attempt": index, "engine": engine_name, "model": model_name, "created_at": stamps[gid],
                         "status": status, "overall_score": _round(overall, 2), "relative_score": _round(relative, 1),
                         "system_pick": bool(system), "user_pick": bool(user), "final": aid in final_ids,
                         "cost_usd": round(cost or 0.0, 4), "cost_known": cost_known is None or bool(cost_known),
                         **dims.get(aid, {})})
        trend = [{"group_id": g[0], "project_id": g[1], "iteration": g[2], "created_at": stamps[g[0]],
                  "best_score": round(per_group[g[0]][1], 2)}
                 for g in groups if g[0] in per_group and per_group[g[0]][1] is not None]
        to_final = [f["iterations_to_final"] for f in finals]
        per_group_costs = [{"group_id": g[0], "engine": g[3], "estimated_usd": g[6],
                            "actual_usd": round((per_group.get(g[0]) or (0, None, 0.0))[2] or 0.0, 4),
                            "unknown_attempts": int((per_group.get(g[0]) or (0, None, 0.0, 0))[3] or 0)}
                           for g in groups]
        attempts_usd = sum(c["actual_usd"] for c in per_group_costs)
        return {
            "filters": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in filters.items()},
            "groups": len(groups), "attempts": sum(v[0] for v in per_group.values()), "scored_attempts": len(scored),
            "mean_score": round(sum(scored) / len(scored), 2) if scored else None,
            "agreement": _agreement(latest.values()),
            "agreement_by_engine": _agreement_by(latest, by_group),
            "agreement_by_confidence": _agreement_by_confidence(latest, bands),
            "attempt_rows": rows,
            "trend": trend,
            "best_by_iteration": _best_by_iteration(trend),
            "per_video": _per_video(bars, final_ids),
            "score_histogram": {"attempts": _histogram(scored),
                                "finals": _histogram([f["overall_score"] for f in finals
                                                      if f["overall_score"] is not None])},
            "finals": finals,
            "iterations_per_final": {"median": statistics.median(to_final) if to_final else None,
                                     "values": to_final, "count": len(to_final)},
            "final_iterations": _counts(f["iteration"] for f in finals),
            "cost_usd": round(attempts_usd + frames[0], 4), "attempts_cost_usd": round(attempts_usd, 4),
            "hero_frames_cost_usd": round(frames[0], 4),
            "estimated_cost_usd": round(sum(c["estimated_usd"] or 0.0 for c in per_group_costs), 4),
            "cost_unknown_items": sum(c["unknown_attempts"] for c in per_group_costs) + frames[1],
            "group_costs": per_group_costs,
        }

    def options(self, project_id: int | None = None) -> dict[str, Any]:
        """Values for the filter dropdowns: engines, models and feedback tags in use, and the date range."""
        from pipeline.services.prompt_tips import FEEDBACK_TAGS

        with self.db.session() as session:
            project_id, visible = self._scope(session, project_id or None)
            conds = _group_conditions(project_id=project_id, visible=visible)
            pairs = session.execute(select(GenerationGroup.engine, GenerationGroup.model).where(*conds)
                                    .distinct()).all()
            span = session.execute(select(func.min(GenerationGroup.created_at), func.max(GenerationGroup.created_at))
                                   .where(*conds)).one()
            tag_lists = session.scalars(select(SelectionEvent.tags).join(GenerationGroup).where(
                SelectionEvent.actor == "user", *conds)).all()  # no DISTINCT: PostgreSQL's json has no equality
        tags = {t for tags in tag_lists for t in (tags or []) if isinstance(t, str)}
        return {"engines": sorted({e for e, _ in pairs if e}), "models": sorted({m for _, m in pairs if m}),
                "tags": sorted(tags | set(FEEDBACK_TAGS)),
                "first": span[0].date().isoformat() if span[0] else None,
                "last": span[1].date().isoformat() if span[1] else None}

    def export_csv(self, **filters: Any) -> str:
        """The attempt table (with every score dimension) under the same filters, as a CSV file in the media
        root's downloads folder; returns its absolute path."""
        if self.media is None:
            raise StudioError("CSV export needs the media folder.")
        rows = self.summary(**filters, dimensions=True)["attempt_rows"]
        dims = sorted({k for r in rows for k in r if k.startswith("dim:")})
        relative = self.media.new_path(DOWNLOADS, f"dashboard-{datetime.now():%Y%m%d-%H%M%S}", ".csv")
        with self.media.atomic_write(relative) as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=ROW_FIELDS + dims, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        _prune(self.media.absolute(DOWNLOADS), "dashboard-*.csv", DOWNLOADS_KEPT)
        return str(self.media.absolute(relative))

    # ------------------------------------------------------------ queries
    def _finals(self, session, conds) -> list[dict[str, Any]]:
        earlier = aliased(GenerationGroup)
        versions = (select(func.count(earlier.id)).where(earlier.project_id == GenerationGroup.project_id,
                                                         earlier.id <= GenerationGroup.id)
                    .correlate(GenerationGroup).scalar_subquery())
        rows = session.execute(select(
            Project.id, Project.name, Project.final_set_at, VideoAttempt.id, VideoAttempt.index,
            VideoAttempt.overall_score, GenerationGroup.id, GenerationGroup.iteration_index, GenerationGroup.engine,
            GenerationGroup.model, versions)
            .join(VideoAttempt, Project.final_attempt_id == VideoAttempt.id)
            .join(GenerationGroup, VideoAttempt.group_id == GenerationGroup.id)
            .where(*conds).order_by(Project.id)).all()
        return [{"project_id": r[0], "project": r[1], "set_at": r[2].isoformat(timespec="seconds") if r[2] else None,
                 "attempt_id": r[3], "attempt": r[4], "overall_score": _round(r[5], 2), "group_id": r[6],
                 "iteration": r[7], "engine": r[8], "model": r[9], "iterations_to_final": r[10]} for r in rows]

    def _dimensions(self, session, conds, ids: list[int] | None = None) -> dict[int, dict[str, float]]:
        dims: dict[int, dict[str, float]] = {}
        query = select(QualityMetric.attempt_id, QualityMetric.name, QualityMetric.value).order_by(QualityMetric.id)
        if ids is not None:
            query = query.where(QualityMetric.attempt_id.in_(ids))
        else:
            query = (query.join(VideoAttempt, QualityMetric.attempt_id == VideoAttempt.id)
                     .join(GenerationGroup, VideoAttempt.group_id == GenerationGroup.id).where(*conds))
        for attempt_id, name, value in session.execute(query):
            dims.setdefault(attempt_id, {})[f"dim:{name}"] = round(value, 4)
        return dims

    def _frame_costs(self, session, project_id: int | None, visible=None) -> tuple[float, int]:
        """What hero frames cost (stored frames, plus charged candidates of failed or cancelled jobs)."""
        params = HeroFrame.parameters
        query = select(func.coalesce(func.sum(params["cost_usd"].as_float()), 0.0),
                       func.coalesce(func.sum(case((params["cost_known"].as_boolean().is_(False), 1), else_=0)), 0))
        jobs = select(Job).where(Job.kind == "hero_frames", Job.engine_state.is_not(None),
                                 Job.status.in_([JobStatus.failed.value, JobStatus.cancelled.value]))
        if project_id is not None:
            query, jobs = query.where(HeroFrame.project_id == project_id), jobs.where(Job.project_id == project_id)
        if visible is not None:
            query, jobs = query.where(HeroFrame.project_id.in_(visible)), jobs.where(Job.project_id.in_(visible))
        usd, unknown = session.execute(query).one()
        usd, unknown = float(usd or 0.0), int(unknown or 0)
        failed = session.scalars(jobs).all()
        stored = set(session.execute(select(HeroFrame.job_id, HeroFrame.seed).where(
            HeroFrame.job_id.in_([j.id for j in failed]))).all()) if failed else set()
        for job in failed:
            for key, state in (job.engine_state or {}).items():
                if isinstance(state, dict) and key.startswith("seed-") and (job.id, _seed(key)) not in stored:
                    usd += state.get("cost_usd") or 0.0
                    unknown += int(state.get("prediction_id") is not None and state.get("cost_usd") is None)
        return usd, unknown


def _group_conditions(project_id=None, date_from=None, date_to=None, engine=None, model=None, tag=None,
                      visible=None) -> list:
    conds = []
    if visible is not None:  # the projects the actor may see
        conds.append(GenerationGroup.project_id.in_(visible))
    if project_id is not None:
        conds.append(GenerationGroup.project_id == int(project_id))
    if date_from is not None:
        conds.append(GenerationGroup.created_at >= date_from)
    if date_to is not None:
        conds.append(GenerationGroup.created_at < date_to)
    if engine:
        conds.append(GenerationGroup.engine == engine)
    if model:
        conds.append(GenerationGroup.model == model)
    if tag:  # tags are a JSON list; its text holds the tag as a JSON string
        needle = json.dumps(tag).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(GenerationGroup.id.in_(select(SelectionEvent.group_id).where(and_(
            SelectionEvent.actor == "user", cast(SelectionEvent.tags, String).like(f"%{needle}%", escape="\\")))))
    return conds


def _when(value: Any, end: bool = False) -> datetime | None:
    """A filter bound as a naive UTC datetime; a bare date as an end bound means the end of that day."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time()) + (timedelta(days=1) if end else timedelta())
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise StudioError(f"'{text}' is not a date: use YYYY-MM-DD (or a full ISO date and time).") from exc
    if parsed.tzinfo is not None:
        parsed = (parsed - parsed.utcoffset()).replace(tzinfo=None)
    if end and len(text) == 10:
        parsed += timedelta(days=1)
    return parsed


def _agreement(events) -> dict[str, Any]:
    """Of the groups the user decided on, how often their latest pick equals the system's pick."""
    events = list(events)  # (group_id, attempt_id, system_attempt_id)
    agreed = sum(1 for _, attempt, system in events if system is not None and system == attempt)
    decided = len(events)
    return {"decided_groups": decided, "agreed": agreed, "rate": round(agreed / decided, 3) if decided else None}


def _agreement_by(latest: dict[int, Any], by_group: dict[int, Any]) -> list[dict[str, Any]]:
    buckets: dict[tuple[str, str], list] = {}
    for group_id, event in latest.items():
        g = by_group[group_id]
        buckets.setdefault((g[3], g[4]), []).append(event)
    return [{"engine": engine, "model": model, **_agreement(events)}
            for (engine, model), events in sorted(buckets.items())]


#: Margin bands of a system pick (scoring.ranking.CONFIDENCE_LABELS), in display order.
CONFIDENCE_BANDS = (("clear", "clear pick"), ("slight", "slight edge"), ("tie", "tie"), (None, "not recorded"))


def _agreement_by_confidence(latest: dict[int, Any], bands: dict[int, str | None]) -> list[dict[str, Any]]:
    """Agreement per margin band of the system's pick: overrides of a tie are expected, of a clear pick are not.
    Groups ranked before the bands existed count as 'not recorded'."""
    buckets: dict[str | None, list] = {}
    for event in latest.values():
        band = bands.get(event[2]) if event[2] is not None else None
        buckets.setdefault(band if band in ("clear", "slight", "tie") else None, []).append(event)
    return [{"band": band or "unrecorded", "label": label, **_agreement(buckets[band])}
            for band, label in CONFIDENCE_BANDS if band in buckets]


def _histogram(values: list[float]) -> list[dict[str, Any]]:
    counts = [0] * (100 // BIN_WIDTH)
    for value in values:
        counts[min(len(counts) - 1, max(0, int(value // BIN_WIDTH)))] += 1
    return [{"bin": f"{i * BIN_WIDTH}–{(i + 1) * BIN_WIDTH}", "start": i * BIN_WIDTH, "count": c}
            for i, c in enumerate(counts)]


def _best_by_iteration(trend: list[dict[str, Any]]) -> list[dict[str, Any]]:
    per: dict[int, list[float]] = {}
    for t in trend:
        per.setdefault(t["iteration"], []).append(t["best_score"])
    return [{"iteration": i, "groups": len(v), "mean_best_score": round(sum(v) / len(v), 2),
             "max_best_score": round(max(v), 2)} for i, v in sorted(per.items())]


def _per_video(bars, final_ids: set[int]) -> list[dict[str, Any]]:
    """Every scored attempt of the newest groups, marked final / your pick / system pick / other."""
    return [{"group_id": gid, "attempt_id": aid, "attempt": index, "video": f"G{gid}",
             "overall_score": round(score, 2),
             "mark": "final" if aid in final_ids else "your pick" if user else "system pick" if system else "other"}
            for gid, aid, index, score, system, user in bars]


def _counts(values) -> list[dict[str, Any]]:
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return [{"iteration": k, "finals": v} for k, v in sorted(counts.items())]


def _round(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def _seed(key: str) -> int | None:
    text = key.removeprefix("seed-")
    return int(text) if text.lstrip("-").isdigit() else None


def _prune(folder: Path, pattern: str, keep: int) -> None:
    files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)
