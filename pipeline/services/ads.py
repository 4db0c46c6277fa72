"""The ad composer's use cases: plan an ad from a prompt, edit its storyboard, estimate its cost, queue its
generation (one job: hero frames, scored attempts, picks, timeline, export), and the one-click product video.

Plans live in the ad_plans table (the truth survives restarts). What the jobs do, step by step, is in
pipeline/services/ad_generation.py (AdGeneration); this module is the service the UI and the API call.

Ownership (pipeline/access.py): a plan belongs to who planned it (``owner_id``) until it has a project, then it
follows its project's sharing. Reading a plan or its estimate needs "view", editing, generating and cancelling
"edit"; listings show only the plans the actor may see. Generating reserves the work against the actor's limits
in the transaction that queues it (pipeline/services/limits.py). The jobs themselves run as the studio (SYSTEM).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select

from pipeline.ads import assembly
from pipeline.ads import storyboard as sb
from pipeline.ads.llm_planner import plan_ad
from pipeline.ads.plan import AD_ASPECT_RATIOS, AdPlan, AdPlanError
from pipeline.engines import registry
from pipeline.errors import StudioError
from pipeline.jobs import JobContext
from pipeline.services.ad_generation import (
    AD,
    CANCELLED,
    DEFAULT_ATTEMPTS,
    DONE,
    DRAFT,
    FAILED,
    GENERATING,
    PRODUCT_VIDEO,
    STEPS,
    AdGeneration,
    attempt_count,
    steps,
)
from pipeline.services.limits import spend_of
from pipeline.settings import Settings
from storage.db import Database
from storage.media import MediaStore
from storage.models import AdPlan as AdPlanRow
from storage.models import FrameSource, GenerationGroup, HeroFrame, Job, JobStatus, Project, utcnow

PRODUCT_MOTION = "strong, steady orbit around the product, turntable"  # clear motion over 10 s
PRODUCT_DURATIONS = (2.0, 10.0)


class AdService:
    def __init__(self, db: Database, media: MediaStore, jobs, projects, hero_frames, attempts, selection, timeline,
                 settings: Settings, *, access, limits) -> None:
        self.db = db
        self.access = access
        self.limits = limits
        self.media = media
        self.jobs = jobs
        self.projects = projects
        self.hero_frames = hero_frames
        self.attempts = attempts
        self.selection = selection
        self.timeline = timeline
        self.settings = settings
        self.generation = AdGeneration(db, media, projects, hero_frames, attempts, selection, timeline, settings)

    # ------------------------------------------------------------ planning
    def plan(self, prompt: str, duration: int = 15, aspect_ratio: str = "9:16", framework: str | None = None,
             planner: str = "auto") -> dict[str, Any]:
        """Plan an ad from a 10–500 character prompt (chat model when configured, else the local rules) and
        store it as a draft. Returns the plan view (see ``get``)."""
        try:
            duration = int(duration)
        except (TypeError, ValueError):
            raise AdPlanError(f"The ad length must be 15, 30 or 60 seconds, not {duration!r}.") from None
        if duration not in (15, 30, 60):
            raise AdPlanError(f"The ad length must be 15, 30 or 60 seconds, not {duration}.")
        if aspect_ratio not in AD_ASPECT_RATIOS:
            raise AdPlanError(f"The aspect ratio must be one of {', '.join(AD_ASPECT_RATIOS)}, not '{aspect_ratio}'.")
        owner_id = self.access.user_id()
        plan = plan_ad(self.settings, prompt, duration, aspect_ratio, (framework or "").strip() or None,
                       planner or "auto")
        with self.db.session() as session:
            row = AdPlanRow(kind=AD, prompt=plan.prompt, plan=plan.to_dict(), status=DRAFT, owner_id=owner_id)
            session.add(row)
            session.flush()
            plan_id = row.id
        return self.get(plan_id)

    def get(self, plan_id: int) -> dict[str, Any]:
        """{id, kind, status, prompt, plan, project_id, job_id, job, steps, estimate, estimated_cost_usd, cost_usd,
        result (the exported file once done), scenes (per scene: hero frame, picked clip)}."""
        with self.db.session() as session:
            row = self._plan(session, plan_id)
            return self._view(session, row)

    def list(self, kind: str | None = AD, limit: int = 30) -> list[dict[str, Any]]:
        """Recent plans the actor may see (newest first), without per-scene media."""
        with self.db.session() as session:
            query = select(AdPlanRow).order_by(AdPlanRow.id.desc()).limit(int(limit))
            if kind:
                query = query.where(AdPlanRow.kind == kind)
            visible = self.access.visible_project_ids()
            if visible is not None:  # the rule of Access.require_row: the project's sharing, else the owner
                query = query.where(or_(AdPlanRow.project_id.in_(visible),
                                        and_(AdPlanRow.project_id.is_(None),
                                             AdPlanRow.owner_id == self.access.user_id())))
            return [self._summary(row) for row in session.scalars(query)]

    def latest(self, kind: str = AD) -> dict[str, Any] | None:
        plans = self.list(kind, 1)
        return self.get(plans[0]["id"]) if plans else None

    def update_storyboard(self, plan_id: int, operation: str, **arguments: Any) -> dict[str, Any]:
        """Apply one storyboard edit (update_scene, update_plan, add_scene, remove_scene, move_scene,
        switch_framework, replace) and store the result. Durations always add up to the ad's length."""
        with self.db.session() as session:
            row = self._plan(session, plan_id, "edit")
            if row.kind != AD:
                raise StudioError("Only ad plans have a storyboard.")
            self._refuse_while_running(session, row)
            before = AdPlan.parse(row.plan)
            plan = sb.apply(before, operation, **arguments)
            if plan == before:
                return self._view(session, row)  # nothing changed: the plan keeps its status
            row.plan = plan.to_dict()
            row.prompt = plan.prompt
            if row.status in (DONE, CANCELLED, FAILED):
                row.status = DRAFT  # an edited storyboard is a new draft; the ad made before stays in its project
            row.updated_at = utcnow()
            return self._view(session, row)

    def estimate_cost(self, plan_id: int, attempts_per_scene: int = DEFAULT_ATTEMPTS) -> dict[str, Any]:
        """What generating the plan should cost before anything is paid: hero frames + attempts (per shot), with
        the rule in words. usd None: no estimate (e.g. GPU-time models without history)."""
        attempts_per_scene = attempt_count(attempts_per_scene)
        with self.db.session() as session:
            row = self._plan(session, plan_id)
            plan_data, kind = dict(row.plan), row.kind
        if kind == PRODUCT_VIDEO:
            return self._product_estimate(plan_data)
        plan = AdPlan.parse(plan_data)
        frames = self.hero_frames.estimate_cost(None, len(plan.scenes), plan.aspect_ratio)
        shots = [length for lengths in assembly.shot_lengths(plan).values() for length in lengths]
        parts = [self.attempts.estimate_cost(None, attempts_per_scene, assembly.render_duration(length))
                 for length in shots]
        known = [frames["usd"], *[p["usd"] for p in parts]]
        usd = None if any(v is None for v in known) else round(sum(known), 4)
        video_usd = None if any(p["usd"] is None for p in parts) else round(sum(p["usd"] for p in parts), 4)
        text = (f"{len(plan.scenes)} hero frame(s): {frames['rule_text']}; {len(shots)} shot(s) × "
                f"{attempts_per_scene} attempt(s): " + ("free: runs offline" if video_usd == 0 else
                                                        "; ".join(dict.fromkeys(p["rule_text"] for p in parts))))
        return {"usd": usd, "rule_text": text, "upper_bound": any(p.get("upper_bound") for p in [frames, *parts]),
                "frames": frames, "video_usd": video_usd, "shots": len(shots),
                "attempts": len(shots) * attempts_per_scene, "attempts_per_scene": attempts_per_scene,
                "frame_engine": self.settings.frame_engine, "video_engine": self.settings.video_engine}

    # ------------------------------------------------------------ generation
    def generate(self, plan_id: int, attempts_per_scene: int = DEFAULT_ATTEMPTS) -> dict[str, Any]:
        """Queue the ad's generation as one job (creates a new project in the plan's aspect ratio, owned by the
        plan's owner and shared like the plan's previous project). Needs "edit" on the plan; the project, the job
        and the reservation against the actor's limits are made together (LimitExceeded: nothing is made).
        Returns {job_id, project_id, plan_id, estimate}; follow it with ``get`` or /job."""
        attempts_per_scene = attempt_count(attempts_per_scene)
        estimate = self.estimate_cost(plan_id, attempts_per_scene)
        actor_id = self.access.user_id()
        with self.db.session() as session:
            row = self._plan(session, plan_id, "edit")
            if row.kind != AD:
                raise StudioError("This is a product video; it was generated when it was made.")
            self._refuse_while_running(session, row)
            plan = AdPlan.parse(row.plan)
            previous = session.get(Project, row.project_id) if row.project_id is not None else None
            project = Project(name=_project_name(plan), aspect_ratio=plan.aspect_ratio,
                              owner_id=row.owner_id if row.owner_id is not None else actor_id,
                              team_access=previous.team_access if previous is not None else None)
            session.add(project)
            session.flush()
            job = self.jobs.create(session, AD, {"plan_id": row.id, "attempts_per_scene": attempts_per_scene},
                                   project.id)
            self.limits.reserve(session, AD, project.id, spend_of(estimate), self.settings.video_engine,
                                job_id=job.id)
            row.project_id, row.job_id, row.status = project.id, job.id, GENERATING
            row.estimated_cost_usd, row.cost_usd = estimate["usd"], None
            row.state = {"job_id": job.id, "scenes": {}}
            row.updated_at = utcnow()
            job_id, project_id = job.id, project.id
        self.jobs.enqueue(job_id)
        return {"job_id": job_id, "project_id": project_id, "plan_id": int(plan_id), "estimate": estimate}

    def cancel(self, plan_id: int) -> dict[str, Any]:
        """Stop the plan's generation at its next check; what was made is kept. Needs "edit" on the plan."""
        with self.db.session() as session:
            job_id = self._plan(session, plan_id, "edit").job_id
        if job_id is not None:
            self.jobs.cancel(job_id)
        return self.get(plan_id)

    # ------------------------------------------------------------ product video
    def product_video(self, project_id: int | None, photo_path: str | Path, title: str = "", description: str = "",
                      duration: float = 10.0, aspect_ratio: str = "1:1", attempts: int = DEFAULT_ATTEMPTS,
                      title_overlay: bool = True) -> dict[str, Any]:
        """One product photo → enhanced photo → orbit/turntable attempts (scored, best picked) → timeline with
        an optional title overlay → export. The photo is checked and stored now (a bad file fails at once);
        the rest runs as one job of kind "product_video". An existing project needs "edit"; without one a new
        project owned by the actor is made. The photo, the plan, the job and the reservation against the actor's
        limits are stored together (LimitExceeded: nothing is made).
        Returns {job_id, project_id, plan_id, frame_id}."""
        title = " ".join(str(title or "").split())
        description = " ".join(str(description or "").split())
        if len(title) > 80:
            raise StudioError("The title can be at most 80 characters.")
        if len(description) > 500:
            raise StudioError("The description can be at most 500 characters.")
        try:
            duration = float(duration)
        except (TypeError, ValueError):
            raise StudioError(f"The duration must be a number of seconds, not {duration!r}.") from None
        if not PRODUCT_DURATIONS[0] <= duration <= PRODUCT_DURATIONS[1]:
            raise StudioError(f"A product video lasts {PRODUCT_DURATIONS[0]:g}–{PRODUCT_DURATIONS[1]:g} s; "
                              f"got {duration:g}.")
        if aspect_ratio not in AD_ASPECT_RATIOS:
            raise StudioError(f"The aspect ratio must be one of {', '.join(AD_ASPECT_RATIOS)}, not '{aspect_ratio}'.")
        attempts = attempt_count(attempts)
        if not photo_path:
            raise StudioError("Choose a product photo (JPEG, PNG or WebP).")
        from pipeline.engines.local_photo import load_upload

        image = load_upload(Path(photo_path), max_bytes=int(self.settings.max_upload_mb * 2**20),
                            max_megapixels=self.settings.max_upload_megapixels)  # a bad file fails here, at once
        spec = {"title": title, "description": description, "duration": duration, "aspect_ratio": aspect_ratio,
                "attempts": attempts, "title_overlay": bool(title_overlay and title),
                "motion_prompt": PRODUCT_MOTION}
        estimate = self._product_estimate(spec)
        actor_id = self.access.user_id()
        with self.db.session() as session:
            if project_id:
                project = self.access.get(session, Project, project_id, "edit")
            else:
                project = Project(name=(title or "Product video")[:200], aspect_ratio=aspect_ratio, owner_id=actor_id)
                session.add(project)
                session.flush()
            row = AdPlanRow(kind=PRODUCT_VIDEO, prompt=title or description, plan=spec, status=GENERATING,
                            project_id=project.id, estimated_cost_usd=estimate["usd"], state={"scenes": {}},
                            owner_id=actor_id)
            session.add(row)
            session.flush()
            job = self.jobs.create(session, PRODUCT_VIDEO, {"plan_id": row.id}, project.id)
            self.limits.reserve(session, PRODUCT_VIDEO, project.id, spend_of(estimate), self.settings.video_engine,
                                job_id=job.id)
            # the title and description are what the photo shows (for scoring)
            frame = self.hero_frames._store_frame(
                session, project.id, image, source=FrameSource.uploaded, engine="upload", model="", seed=None,
                prompt=", ".join(p for p in (title, description) if p)[:2000], aspect_ratio=_nearest_ratio(image.size),
                parameters={"original_name": Path(photo_path).name})
            row.plan = {**spec, "frame_id": frame.id, "seed": frame.id * 7919 % (2**31 - 1)}
            row.job_id = job.id
            row.state = {"job_id": job.id, "scenes": {}}
            project_id, plan_id, job_id, frame_id = project.id, row.id, job.id, frame.id
        self.jobs.enqueue(job_id)
        return {"job_id": job_id, "project_id": int(project_id), "plan_id": plan_id, "frame_id": frame_id,
                "estimate": estimate}

    def _product_estimate(self, spec: dict[str, Any]) -> dict[str, Any]:
        photo = registry.create("photo", self.settings.photo_engine, self.settings)
        from pipeline.providers.engine_info import estimate_cost

        edit = estimate_cost("photo", photo.name, 1, None, self.settings, aspect_ratio=spec["aspect_ratio"])
        video = self.attempts.estimate_cost(None, int(spec["attempts"]), float(spec["duration"]))
        usd = None if edit["usd"] is None or video["usd"] is None else round(edit["usd"] + video["usd"], 4)
        return {"usd": usd, "rule_text": f"photo: {edit['rule_text']}; attempts: {video['rule_text']}",
                "upper_bound": bool(edit.get("upper_bound") or video.get("upper_bound")), "frames": edit,
                "video_usd": video["usd"], "attempts": int(spec["attempts"])}

    # ------------------------------------------------------------ the jobs (pipeline/services/ad_generation.py)
    def run_ad(self, ctx: JobContext) -> dict[str, Any]:
        return self.generation.run_ad(ctx)

    def run_product_video(self, ctx: JobContext) -> dict[str, Any]:
        return self.generation.run_product_video(ctx)

    def job_ended(self, ctx: JobContext, status: JobStatus, error: str | None) -> None:
        self.generation.job_ended(ctx, status, error)

    # ------------------------------------------------------------ internals
    def _plan(self, session, plan_id: Any, need: str = "view") -> AdPlanRow:
        """The plan row if the actor may ``need`` it; NotFound (as for a missing plan) otherwise."""
        return self.access.get(session, AdPlanRow, plan_id, need)

    def _refuse_while_running(self, session, row: AdPlanRow) -> None:
        if row.job_id is None:
            return
        job = session.get(Job, row.job_id)
        if job is not None and job.status in (JobStatus.queued.value, JobStatus.running.value):
            raise StudioError("This ad is being generated; wait for it to finish or cancel it first.")

    # ------------------------------------------------------------ views
    def _summary(self, row: AdPlanRow) -> dict[str, Any]:
        plan = row.plan or {}
        return {"id": row.id, "kind": row.kind, "status": row.status, "prompt": row.prompt,
                "project_id": row.project_id, "job_id": row.job_id,
                "framework": plan.get("framework"), "duration": plan.get("duration"),
                "aspect_ratio": plan.get("aspect_ratio"), "brand": (plan.get("brand") or {}).get("name"),
                "estimated_cost_usd": row.estimated_cost_usd, "cost_usd": row.cost_usd,
                "created_at": row.created_at.isoformat(timespec="seconds") + "Z" if row.created_at else None}

    def _view(self, session, row: AdPlanRow) -> dict[str, Any]:
        from pipeline.services.views import job_view

        view = self._summary(row)
        view["plan"] = dict(row.plan or {})
        job = session.get(Job, row.job_id) if row.job_id else None
        view["job"] = job_view(job).to_json() if job is not None else None  # the ad view stays a plain dict
        view["steps"] = steps(view["job"])
        state = dict(row.state or {})
        view["notes"] = list(state.get("notes") or []) + ([state["partial"]] if state.get("partial") else [])
        result = (job.result or {}) if job is not None and job.status == JobStatus.succeeded.value else {}
        view["result"] = {k: result.get(k) for k in ("file", "thumbnail", "duration", "width", "height", "fps",
                                                      "timeline_version")} if result else None
        scenes = []
        for number, entry in sorted(state.get("scenes", {}).items(), key=lambda kv: int(kv[0])):
            frame = session.get(HeroFrame, entry.get("frame_id")) if entry.get("frame_id") else None
            picks = []
            for group_id in entry.get("groups", []):
                group = session.get(GenerationGroup, group_id)
                pick = next((a for a in (group.attempts if group else []) if a.is_user_selected_best), None) or \
                    next((a for a in (group.attempts if group else []) if a.is_system_selected_best), None)
                picks.append({"group_id": group_id, "attempt_id": pick.id if pick else None,
                              "video": str(self.media.absolute(pick.video_path)) if pick and pick.video_path else None,
                              "overall_score": pick.overall_score if pick else None})
            scenes.append({"number": int(number), "frame_id": entry.get("frame_id"),
                           "frame": str(self.media.absolute(frame.thumbnail_path)) if frame else None,
                           "picks": picks})
        view["scenes"] = scenes
        return view


class AdJob:
    """Runs an ad plan end to end (kind "ad")."""

    def __init__(self, service: AdService) -> None:
        self.service = service

    def run(self, ctx: JobContext) -> dict[str, Any]:
        return self.service.run_ad(ctx)

    def on_end(self, ctx: JobContext, status: JobStatus, error: str | None) -> None:
        self.service.job_ended(ctx, status, error)


class ProductVideoJob:
    """Photo → enhanced photo → orbit attempts → pick → timeline → export (kind "product_video")."""

    def __init__(self, service: AdService) -> None:
        self.service = service

    def run(self, ctx: JobContext) -> dict[str, Any]:
        return self.service.run_product_video(ctx)

    def on_end(self, ctx: JobContext, status: JobStatus, error: str | None) -> None:
        self.service.job_ended(ctx, status, error)


def _project_name(plan: AdPlan) -> str:
    return f"{plan.brand.name} · {plan.framework} ad · {plan.duration}s {plan.aspect_ratio}"[:200]


def _nearest_ratio(size: tuple[int, int]) -> str:
    """The aspect ratio closest to an image's (what an uploaded photo is filed under)."""
    from pipeline.engines.interfaces import ASPECT_RATIOS

    width, height = size
    return min(ASPECT_RATIOS, key=lambda r: abs(ASPECT_RATIOS[r][0] / ASPECT_RATIOS[r][1] - width / height))


__all__ = ["STEPS", "AdJob", "AdService", "ProductVideoJob", "steps"]
