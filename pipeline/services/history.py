"""Iterations and versions of a project: the chain of generation groups (each cycle of prompt change → attempts →
scores → pick), prompt diffs between them, comparing any attempts, re-rolling only some attempts, suggestions for
the next iteration, and the project's final-version pointer (projects.final_attempt_id)."""
from __future__ import annotations

import random
from typing import Any

from sqlalchemy import func, select

from pipeline.access import Access
from pipeline.errors import NotFound, StudioError
from pipeline.services import prompt_tips
from pipeline.services.limits import LimitsService, spend_of
from pipeline.services.lookups import get_project as _project
from pipeline.services.lookups import get_row
from pipeline.services.prompt_diff import prompt_changes
from pipeline.services.views import (
    ComparedAttempt,
    Comparison,
    FinalChoice,
    FinalVersion,
    MetricRow,
    StartedGroup,
    _iso,
    attempt_fields,
)
from storage.db import Database
from storage.media import MediaStore
from storage.models import (
    FINISHED_ATTEMPT_STATES,
    AttemptStatus,
    GenerationGroup,
    HeroFrame,
    Project,
    QualityMetric,
    SelectionEvent,
    VideoAttempt,
    utcnow,
)

PROMPT_FIELDS = ("hero_prompt", "motion_prompt", "negative_prompt")
MAX_COMPARE = 4


class HistoryService:
    def __init__(self, db: Database, media: MediaStore, jobs, attempts, settings,
                 access: Access | None = None, limits: LimitsService | None = None) -> None:
        self.db = db
        self.media = media
        self.jobs = jobs
        self.attempts = attempts
        self.settings = settings
        self.access = access or Access(db, settings)
        self.limits = limits or LimitsService(db, self.access, settings)

    # ------------------------------------------------------------ the iteration timeline
    def iterations(self, project_id: int) -> dict[str, Any]:
        """Every group of the project as a version (1, 2, … in creation order) with its iteration number, parent,
        chosen attempt (the user's pick, else the system's), prompt diff against its parent (else the previous
        version), best and chosen scores, the pick's feedback, and whether it holds the final version."""
        with self.db.session() as session:
            project = _project(session, project_id, self.access)
            groups = session.scalars(select(GenerationGroup).where(GenerationGroup.project_id == project.id)
                                     .order_by(GenerationGroup.id)).all()
            frames = {f.id: f for f in session.scalars(select(HeroFrame).where(
                HeroFrame.id.in_({g.hero_frame_id for g in groups})))}
            decisions = _latest_user_events(session, [g.id for g in groups])
            rows, by_id = [], {}
            for version, group in enumerate(groups, 1):
                frame = frames.get(group.hero_frame_id)
                fields = {"hero_prompt": (frame.enhanced_prompt or frame.prompt) if frame else "",
                          "motion_prompt": group.motion_prompt, "negative_prompt": group.negative_prompt}
                base = by_id.get(group.parent_group_id) or (rows[-1] if rows else None)
                chosen = _chosen(group)
                scores = [a.overall_score for a in group.attempts if a.overall_score is not None]
                event = decisions.get(group.id)
                row = {
                    "version": version, "group_id": group.id, "iteration": group.iteration_index,
                    "parent_group_id": group.parent_group_id,
                    "compared_to_group_id": base["group_id"] if base else None,
                    "created_at": _iso(group.created_at), "engine": group.engine, "model": group.model,
                    "hero_frame_id": group.hero_frame_id, **fields,
                    "attempts": len(group.attempts),
                    "finished": sum(1 for a in group.attempts if a.status in FINISHED_ATTEMPT_STATES),
                    "best_score": round(max(scores), 2) if scores else None,
                    "mean_score": round(sum(scores) / len(scores), 2) if scores else None,
                    "chosen": _chosen_view(chosen, group) if chosen else None,
                    "feedback": {"reason": event.reason, "tags": list(event.tags or [])} if event else None,
                    "rerolled_attempts": sorted(a.index for a in group.attempts
                                                if (a.parameters or {}).get("rerolled_from_attempt_id")),
                    "is_final": any(a.id == project.final_attempt_id for a in group.attempts),
                    "changes": prompt_changes(_fields(base), fields, PROMPT_FIELDS),
                }
                row["key_changes"] = _key_changes(row["changes"], base is None)
                rows.append(row)
                by_id[group.id] = row
            final = self._final_view(session, project)
        trend = [{"version": r["version"], "group_id": r["group_id"], "iteration": r["iteration"],
                  "best_score": r["best_score"], "chosen_score": (r["chosen"] or {}).get("overall_score")}
                 for r in rows if r["best_score"] is not None]
        return {"project_id": int(project_id), "final": final, "iterations": rows, "score_trend": trend}

    # ------------------------------------------------------------ comparing
    def compare_attempts(self, attempt_ids: list[int]) -> Comparison:
        """2–4 attempts (from any groups) side by side: their views, group context and a metrics table."""
        ids = [int(i) for i in dict.fromkeys(attempt_ids or [])]
        if not 1 <= len(ids) <= MAX_COMPARE:
            raise StudioError(f"Compare 1 to {MAX_COMPARE} attempts; got {len(ids)}.")
        with self.db.session() as session:
            found = {a.id: a for a in session.scalars(select(VideoAttempt).where(VideoAttempt.id.in_(ids)))
                     if self._may_view(session, a)}  # other people's attempts read as missing
            missing = [i for i in ids if i not in found]
            if missing:
                raise NotFound(f"Attempt{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} "
                               "does not exist.")
            finals = {pid: fid for pid, fid in session.execute(select(Project.id, Project.final_attempt_id).where(
                Project.id.in_({found[i].group.project_id for i in ids})))}
            views = []
            for i in ids:
                attempt = found[i]
                group = attempt.group
                views.append(ComparedAttempt(
                    **attempt_fields(attempt, self.media), project_id=group.project_id,
                    iteration=group.iteration_index, motion_prompt=group.motion_prompt,
                    negative_prompt=group.negative_prompt, engine=group.engine,
                    is_final=finals.get(group.project_id) == attempt.id, label=f"G{group.id} · A{attempt.index}"))
        names = sorted({n for v in views for n in v.scores})
        rows = [MetricRow(dimension="overall", values=[v.overall_score for v in views])]
        rows += [MetricRow(dimension=n, values=[v.scores.get(n) for v in views]) for n in names]
        for row in rows:
            first = row.values[0]
            row.deltas = [None if first is None or value is None else round(value - first, 4)
                          for value in row.values]
        return Comparison(attempts=views, dimensions=names, rows=rows)

    def compare_versions(self, project_id: int, version_a: int, version_b: int) -> Comparison:
        """The chosen attempts of two versions (numbers from `iterations`) side by side."""
        rows = {r["version"]: r for r in self.iterations(project_id)["iterations"]}
        picks = []
        for number in (int(version_a), int(version_b)):
            row = rows.get(number)
            if row is None:
                raise NotFound(f"Version {number} does not exist in this project.")
            if row["chosen"] is None:
                raise StudioError(f"Version {number} has no picked attempt yet.")
            picks.append(row["chosen"]["attempt_id"])
        result = self.compare_attempts(picks)
        result.versions = [rows[int(version_a)], rows[int(version_b)]]
        return result

    # ------------------------------------------------------------ the final version
    def set_final(self, project_id: int, attempt_id: int | None) -> FinalChoice:
        """Make a finished attempt of the project its final version (None clears it)."""
        with self.db.session() as session:
            project = _project(session, project_id, self.access, "edit")
            if attempt_id is None:
                project.final_attempt_id, project.final_set_at = None, None
                return FinalChoice(project_id=project.id, final=None)
            attempt = session.get(VideoAttempt, int(attempt_id))
            if attempt is None or attempt.group.project_id != project.id:
                raise NotFound(f"Attempt {attempt_id} is not part of project '{project.name}'.")
            if attempt.status != AttemptStatus.done.value or not attempt.video_path:
                raise StudioError(f"Attempt {attempt.index} of group {attempt.group_id} is {attempt.status}: "
                                  "only a finished attempt can be the final version.")
            project.final_attempt_id, project.final_set_at = attempt.id, utcnow()
            session.flush()
            return FinalChoice(project_id=project.id, final=self._final_view(session, project))

    def set_final_to_pick(self, project_id: int, group_id: int) -> FinalChoice:
        """Make a group's pick (the user's, else the system's) the project's final version."""
        with self.db.session() as session:
            project = _project(session, project_id, self.access, "edit")
            group = session.get(GenerationGroup, int(group_id))
            if group is None or group.project_id != project.id:
                raise NotFound(f"Generation group {group_id} is not part of project '{project.name}'.")
            pick = _chosen(group)
            if pick is None:
                raise StudioError("This group has no pick yet: choose an attempt or wait for the system pick.")
            pick_id = pick.id
        return self.set_final(project_id, pick_id)

    def final(self, project_id: int) -> FinalVersion | None:
        with self.db.session() as session:
            return self._final_view(session, _project(session, project_id, self.access))

    def _final_view(self, session, project: Project) -> FinalVersion | None:
        if project.final_attempt_id is None:
            return None
        attempt = session.get(VideoAttempt, project.final_attempt_id)
        if attempt is None:
            return None
        group = attempt.group
        version = session.scalar(select(func.count(GenerationGroup.id)).where(
            GenerationGroup.project_id == project.id, GenerationGroup.id <= group.id))
        return FinalVersion(
            attempt_id=attempt.id, group_id=group.id, attempt_index=attempt.index, version=version,
            iteration=group.iteration_index, overall_score=attempt.overall_score,
            video=str(self.media.absolute(attempt.video_path)) if attempt.video_path else None,
            poster=str(self.media.absolute(attempt.poster_path)) if attempt.poster_path else None,
            set_at=_iso(project.final_set_at), label=f"FINAL · v{version} · G{group.id} · A{attempt.index}")

    # ------------------------------------------------------------ iterating
    def rerun_attempts(self, group_id: int, attempt_ids: list[int]) -> StartedGroup:
        """Re-roll only some attempts: a new iteration (child group, same prompts and settings) in which the
        chosen attempts get fresh seeds and are rendered again, while the other finished attempts are carried
        over as they are (file copies with their scores, no new cost), so the new group is ranked as a whole."""
        ids = {int(i) for i in attempt_ids or []}
        if not ids:
            raise StudioError("Choose at least one attempt to re-roll.")
        with self.db.session() as session:
            parent = get_row(session, GenerationGroup, group_id, "Generation group", self.access, "edit")
            unknown = ids - {a.id for a in parent.attempts}
            if unknown:
                raise NotFound(f"Attempt {', '.join(map(str, sorted(unknown)))} is not part of group {parent.id}.")
            if any(a.status not in FINISHED_ATTEMPT_STATES for a in parent.attempts):
                raise StudioError(f"Group {parent.id} is still rendering: wait until its attempts finish.")
            kept = [a for a in parent.attempts if a.id not in ids and a.status == AttemptStatus.done.value
                    and self.media.exists(a.video_path)]
            estimate = _estimate(self.attempts, parent.engine, len(ids), parent.duration)
            group = GenerationGroup(project_id=parent.project_id, hero_frame_id=parent.hero_frame_id,
                                    motion_prompt=parent.motion_prompt, negative_prompt=parent.negative_prompt,
                                    engine=parent.engine, model=parent.model, attempt_count=len(kept) + len(ids),
                                    duration=parent.duration, iteration_index=parent.iteration_index + 1,
                                    parent_group_id=parent.id,
                                    estimated_cost_usd=estimate["usd"] if estimate else None)
            session.add(group)
            session.flush()
            # in this transaction: a refused re-roll (LimitExceeded) leaves no group, attempts or jobs behind
            self.limits.reserve(session, "reroll", parent.project_id, spend_of(estimate), parent.engine,
                                group_id=group.id)
            rng, job_ids = random.SystemRandom(), []
            for old in sorted(parent.attempts, key=lambda a: a.index):
                if old.id in ids:
                    attempt = VideoAttempt(group_id=group.id, index=old.index, seed=rng.randint(0, 2**31 - 2),
                                           parameters={**_base_parameters(old), "rerolled_from_attempt_id": old.id})
                    session.add(attempt)
                    session.flush()
                    job = self.jobs.create(session, "attempt", {"attempt_id": attempt.id}, group.project_id)
                    attempt.job_id = job.id
                    job_ids.append(job.id)
                elif old in kept:
                    self._carry(session, old, group.id)
            session.get(Project, group.project_id).updated_at = utcnow()
            new_id = group.id
        self.jobs.enqueue(*job_ids)
        return StartedGroup(**dict(self.attempts.group(new_id)), job_ids=job_ids)

    def _may_view(self, session, row) -> bool:
        try:
            self.access.require_row(session, row, "view")
        except NotFound:
            return False
        return True

    def _carry(self, session, old: VideoAttempt, group_id: int) -> VideoAttempt:
        copy = VideoAttempt(group_id=group_id, index=old.index, seed=old.seed, status=AttemptStatus.done.value,
                            progress=100.0, duration=old.duration, fps=old.fps, width=old.width, height=old.height,
                            cost_usd=0.0, overall_score=old.overall_score, score_details=old.score_details,
                            parameters={**(old.parameters or {}), "carried_from_attempt_id": old.id,
                                        "cost_known": True},
                            started_at=old.started_at, finished_at=old.finished_at)
        session.add(copy)
        session.flush()
        stem = f"g{group_id}-a{copy.id}"
        copy.video_path = self.media.import_file(self.media.absolute(old.video_path),
                                                 self.media.new_path("attempts", stem, ".mp4"))
        if self.media.exists(old.poster_path):
            copy.poster_path = self.media.import_file(self.media.absolute(old.poster_path),
                                                      self.media.new_path("posters", stem, ".jpg"))
        for metric in old.metrics:
            session.add(QualityMetric(attempt_id=copy.id, name=metric.name, value=metric.value,
                                      scorer_version=metric.scorer_version))
        return copy

    def suggest(self, group_id: int) -> dict[str, Any]:
        """Prompt changes for the next iteration from the group's scores and the feedback tags of its pick,
        as proposed prompts with word diffs (chat model when configured, rules otherwise)."""
        group = self.attempts.group(group_id)
        with self.db.session() as session:
            event = _latest_user_events(session, [group.id]).get(group.id)
            details = session.scalars(select(VideoAttempt.score_details).where(
                VideoAttempt.group_id == group.id)).all()
        gates = [g for d in details for g in ((d or {}).get("gate_failures") or [])]
        return prompt_tips.suggest(self.settings, group, list(event.tags or []) if event else [], gates)

    def decision(self, group_id: int) -> dict[str, Any] | None:
        """The user's latest pick of a group: {attempt_id, system_attempt_id, reason, tags, agrees_with_system}."""
        with self.db.session() as session:
            get_row(session, GenerationGroup, group_id, "Generation group", self.access)
            event = _latest_user_events(session, [int(group_id)]).get(int(group_id))
            if event is None:
                return None
            return {"attempt_id": event.attempt_id, "system_attempt_id": event.system_attempt_id,
                    "reason": event.reason, "tags": list(event.tags or []), "created_at": _iso(event.created_at),
                    "agrees_with_system": event.system_attempt_id == event.attempt_id}



def _latest_user_events(session, group_ids: list[int]) -> dict[int, SelectionEvent]:
    latest: dict[int, SelectionEvent] = {}
    if not group_ids:
        return latest
    for event in session.scalars(select(SelectionEvent).where(SelectionEvent.group_id.in_(group_ids),
                                                              SelectionEvent.actor == "user")
                                 .order_by(SelectionEvent.id)):
        latest[event.group_id] = event
    return latest


def _chosen(group: GenerationGroup) -> VideoAttempt | None:
    done = [a for a in group.attempts if a.status == AttemptStatus.done.value]
    return next((a for a in done if a.is_user_selected_best), None) or \
        next((a for a in done if a.is_system_selected_best), None)


def _chosen_view(attempt: VideoAttempt, group: GenerationGroup) -> dict[str, Any]:
    return {"attempt_id": attempt.id, "index": attempt.index, "overall_score": attempt.overall_score,
            "by": "user" if attempt.is_user_selected_best else "system",
            "agrees_with_system": attempt.is_system_selected_best, "label": f"G{group.id} · A{attempt.index}"}


def _fields(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {f: row[f] for f in PROMPT_FIELDS}


def _key_changes(changes: dict[str, Any], first: bool) -> str:
    if first:
        return "first version"
    names = {"hero_prompt": "hero", "motion_prompt": "motion", "negative_prompt": "negative"}
    parts = [f"{names[f]}: {changes[f]['summary']}" for f in changes["changed_fields"]]
    return "; ".join(parts) if parts else "same prompts (new seeds)"


def _base_parameters(old: VideoAttempt) -> dict[str, Any]:
    keep = ("motion_prompt", "negative_prompt", "duration", "fps", "engine", "hero_frame_id")
    return {k: v for k, v in (old.parameters or {}).items() if k in keep}


def _estimate(attempts, engine: str, count: int, duration: float) -> dict[str, Any] | None:
    try:
        return attempts.estimate_cost(engine, count, duration)
    except Exception:  # noqa: BLE001 - an engine that is no longer configured has no estimate; the job says why
        return None
