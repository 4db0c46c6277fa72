"""Image-to-video attempts: start a generation group, render each attempt (queued), score it, cancel."""
from __future__ import annotations

import random
from typing import Any

from sqlalchemy import func, select

from pipeline.access import Access
from pipeline.engines import interfaces, registry
from pipeline.engines.interfaces import VideoRequest
from pipeline.engines.motion_plan import TAKE_STRIDE
from pipeline.errors import InvalidInput, NotFound, StudioError
from pipeline.jobs import JobContext
from pipeline.providers.engine_info import engine_info, estimate_cost, spec_for_engine
from pipeline.providers.inputs import check_length
from pipeline.providers.settle import settle_remote_work
from pipeline.providers.suggestions import improvement_suggestions, motion_suggestions
from pipeline.providers.video_prompt import compose_video_prompt
from pipeline.services.hero_fit import fitted_hero, hero_image
from pipeline.services.jobs import JobService
from pipeline.services.limits import LimitsService, spend_of
from pipeline.services.lookups import get_project, get_row
from pipeline.services.selection import SelectionService
from pipeline.services.views import GroupView, StartedGroup, group_view, job_view
from pipeline.settings import Settings
from pipeline.validation import require_number, shown, whole_number
from storage.db import Database
from storage.media import MediaStore
from storage.models import (
    AttemptStatus,
    GenerationGroup,
    HeroFrame,
    Job,
    JobStatus,
    Project,
    QualityMetric,
    VideoAttempt,
    utcnow,
)

MAX_ATTEMPTS = 6
MIN_DURATION, MAX_DURATION = 2.0, 10.0
SEED_STRIDE = TAKE_STRIDE  # a prime stride keeps groups apart; the local engine spreads a group's takes along it


def group_shape(attempt_count: Any, duration: Any) -> tuple[int, float]:
    """A group's attempt count and clip length, checked the same way for an estimate and for a start."""
    if whole_number(attempt_count) is None:
        raise InvalidInput(f"The number of attempts must be a whole number; got '{shown(attempt_count)}'.")
    count = int(whole_number(attempt_count))
    if not 1 <= count <= MAX_ATTEMPTS:
        raise InvalidInput(f"A group has 1 to {MAX_ATTEMPTS} attempts; got {count}.")
    length = require_number(duration, "clip length")
    if not MIN_DURATION <= length <= MAX_DURATION:
        raise InvalidInput(f"Clip length must be {MIN_DURATION:g}–{MAX_DURATION:g} seconds; got {length:g}.")
    return count, length


class AttemptService:
    def __init__(self, db: Database, media: MediaStore, jobs: JobService, selection: SelectionService,
                 settings: Settings, access: Access | None = None, limits: LimitsService | None = None) -> None:
        self.db = db
        self.media = media
        self.jobs = jobs
        self.selection = selection
        self.settings = settings
        self.access = access or Access(db, settings)
        self.limits = limits or LimitsService(db, self.access, settings)

    def engines(self) -> list[dict[str, Any]]:
        """Video engines usable now (remote ones once their key or model folder is set), with what they support:
        negative_prompt, seed, prompt (bools), price_rule (words), durations (accepted clip lengths), provider."""
        result = []
        for name in registry.available("video", self.settings):
            engine = registry.create("video", name, self.settings)
            result.append({"name": name, "label": engine.label, **engine_info("video", name, self.settings)})
        return result

    def estimate_cost(self, engine: str | None, attempt_count: int, duration: float) -> dict[str, Any]:
        """What a group should cost before it starts: {usd (None = no estimate), rule_text, upper_bound}."""
        name = engine or self.settings.video_engine
        with self.db.session() as session:  # GPU-time models: learn from what earlier attempts really cost
            rows = session.execute(select(VideoAttempt.cost_usd, VideoAttempt.parameters).join(GenerationGroup)
                                   .where(GenerationGroup.engine == name,
                                          VideoAttempt.status == AttemptStatus.done.value)
                                   .order_by(VideoAttempt.id.desc()).limit(50)).all()
        history = [cost for cost, params in rows if (params or {}).get("cost_known", True)]
        return estimate_cost("video", name, int(attempt_count), float(duration), self.settings, history=history)

    def engine_details(self, engine: str | None, attempt_count: int, duration: float, project_id: int | None = None,
                       motion_prompt: str = "", hero_frame_id: int | None = None) -> dict[str, Any]:
        """What the attempts form shows for an engine choice: its capabilities, the cost estimate, and (given the
        project and motion prompt) the prompt the model will be sent."""
        attempt_count, duration = group_shape(attempt_count, duration)  # refuse here what a start would refuse
        name = engine or self.settings.video_engine
        info = next((e for e in self.engines() if e["name"] == name), None)
        if info is None:
            raise StudioError(f"The video engine '{name}' is not available (is its key or model folder set?).")
        self._check_length(name, duration)
        details = {"engine": info, "estimate": self.estimate_cost(name, attempt_count, duration)}
        if project_id is not None:  # the project is checked (access) even before a motion prompt is typed
            details["video_prompt"] = self.video_prompt(project_id, motion_prompt, name, hero_frame_id)
        return details

    def video_prompt(self, project_id: int, motion_prompt: str, engine: str | None = None,
                     hero_frame_id: int | None = None) -> str:
        """Scene (the hero frame's prompt) + motion, as the engine's model is sent it ("" = the motion prompt)."""
        with self.db.session() as session:
            project = get_project(session, project_id, self.access)
            frame = session.get(HeroFrame, int(hero_frame_id or project.selected_hero_frame_id or 0))
            scene = (frame.enhanced_prompt or frame.prompt) if frame and frame.project_id == project.id else ""
        if not (motion_prompt or "").strip():
            return ""
        spec = spec_for_engine("video", engine or self.settings.video_engine, self.settings)
        return compose_video_prompt(scene or "", motion_prompt, spec)

    def _check_length(self, engine: str, duration: float) -> None:
        """A clip longer than the model gives is refused before anything is queued (never silently shortened)."""
        spec = spec_for_engine("video", engine, self.settings)
        if spec is not None:
            check_length(spec, duration)

    def suggest_motion(self, project_id: int, hero_frame_id: int | None = None, count: int = 3) -> dict[str, Any]:
        """Motion prompts for the hero frame: from the chat model when one is configured, else the presets."""
        with self.db.session() as session:
            project = get_project(session, project_id, self.access)
            frame = session.get(HeroFrame, int(hero_frame_id or project.selected_hero_frame_id or 0))
            if frame is not None and frame.project_id != project.id:
                raise NotFound(f"Hero frame {hero_frame_id} is not part of this project.")
            scene = (frame.enhanced_prompt or frame.prompt) if frame is not None else ""
        return motion_suggestions(self.settings, scene, count)

    def suggest_improvements(self, group_id: int) -> dict[str, Any]:
        """What to change in the next iteration, from the group's scores (chat model, or tips per weak score)."""
        view = self.group(group_id)
        scored = [a for a in view.attempts if a.scores]
        names = sorted({name for a in scored for name in a.scores})
        means = ({n: round(sum(a.scores.get(n, 0.0) for a in scored) / len(scored), 3) for n in names}
                 if scored else {})
        summary = {"motion_prompt": view.motion_prompt, "negative_prompt": view.negative_prompt,
                   "engine": view.engine, "mean_scores": means, "selection_reason": view.selection_reason,
                   "attempts": [{"index": a.index, "status": a.status, "overall": a.overall_score,
                                 "reason": a.score_reason, "error": a.error} for a in view.attempts]}
        return improvement_suggestions(self.settings, summary)

    def start_group(self, project_id: int, motion_prompt: str, negative_prompt: str = "", attempt_count: int = 3,
                    hero_frame_id: int | None = None, duration: float = 5.0, engine: str | None = None,
                    seed: int | None = None, parent_group_id: int | None = None,
                    queue_jobs: bool = True, usage_kind: str = "attempt_group") -> StartedGroup:
        """A group of attempts from the hero frame (needs edit access to the project). ``queue_jobs=False``
        creates the attempts without queueing them: the caller (e.g. the ad composer's job) renders and scores
        them itself with render_attempt and score_attempt, in its own worker thread, and has reserved the
        generation in the usage ledger when it queued its own job. Queued groups are reserved here as
        ``usage_kind`` (LimitExceeded: nothing is created)."""
        motion_prompt = (motion_prompt or "").strip()
        negative_prompt = (negative_prompt or "").strip()
        if not motion_prompt:
            raise StudioError("Describe the camera move, e.g. 'slow push in'. Presets are under the prompt box.")
        if len(motion_prompt) > 1000 or len(negative_prompt) > 1000:
            raise StudioError("Motion and negative prompts can be at most 1000 characters each.")
        attempt_count, duration = group_shape(attempt_count, duration)
        video_engine = registry.create("video", engine or self.settings.video_engine, self.settings)
        self._check_length(video_engine.name, duration)
        spec = spec_for_engine("video", video_engine.name, self.settings)
        estimate = self.estimate_cost(video_engine.name, attempt_count, duration)
        base_seed = int(seed) if seed is not None else random.SystemRandom().randint(0, 2**31 - 1)
        with self.db.session() as session:
            project = get_project(session, project_id, self.access, "edit")
            frame_id = hero_frame_id if hero_frame_id is not None else project.selected_hero_frame_id
            if frame_id is None:
                raise StudioError("Select a hero frame first (Hero frames tab → 'Use as hero').")
            frame = session.get(HeroFrame, int(frame_id))
            if frame is None or frame.project_id != project.id:
                raise NotFound(f"Hero frame {frame_id} is not part of this project.")
            if not self.media.exists(frame.image_path):
                raise StudioError(f"The image of hero frame {frame.id} is missing from the media folder.")
            video_prompt = compose_video_prompt(frame.enhanced_prompt or frame.prompt or "", motion_prompt, spec)
            hero_fit = fitted_hero(self.media, frame, project.aspect_ratio)  # clips come out in the project's ratio
            iteration = 1
            if parent_group_id is not None:
                parent = session.get(GenerationGroup, int(parent_group_id))
                if parent is None or parent.project_id != project.id:
                    raise NotFound(f"Generation group {parent_group_id} is not part of this project.")
                iteration = parent.iteration_index + 1
            group = GenerationGroup(project_id=project.id, hero_frame_id=frame.id, motion_prompt=motion_prompt,
                                    negative_prompt=negative_prompt, engine=video_engine.name, model=video_engine.label,
                                    attempt_count=attempt_count, duration=duration, iteration_index=iteration,
                                    parent_group_id=parent_group_id, estimated_cost_usd=estimate["usd"])
            session.add(group)
            session.flush()
            if queue_jobs:  # in this transaction: a refused request (LimitExceeded) leaves nothing behind
                self.limits.reserve(session, usage_kind, project.id, spend_of(estimate), video_engine.name,
                                    group_id=group.id)
            job_ids = []
            for index in range(attempt_count):
                attempt_seed = (base_seed + index * SEED_STRIDE) % (2**31 - 1)
                attempt = VideoAttempt(group_id=group.id, index=index + 1, seed=attempt_seed,
                                       parameters={"motion_prompt": motion_prompt, "negative_prompt": negative_prompt,
                                                   "duration": duration, "fps": 24, "engine": video_engine.name,
                                                   "hero_frame_id": frame.id, "video_prompt": video_prompt,
                                                   **({"hero_fit": hero_fit} if hero_fit else {})})
                session.add(attempt)
                session.flush()
                if queue_jobs:
                    job = self.jobs.create(session, "attempt", {"attempt_id": attempt.id}, project.id)
                    attempt.job_id = job.id
                    job_ids.append(job.id)
            project.updated_at = utcnow()
            group_id = group.id
        self.jobs.enqueue(*job_ids)
        return StartedGroup(**dict(self.group(group_id)), job_ids=job_ids, estimate=estimate)

    def regenerate(self, group_id: int, motion_prompt: str | None = None, negative_prompt: str | None = None,
                   attempt_count: int | None = None, hero_frame_id: int | None = None) -> StartedGroup:
        """A new iteration of a group with edited prompts (blank keeps the old value)."""
        old = self.group(group_id)
        return self.start_group(
            old.project_id,
            motion_prompt if motion_prompt and motion_prompt.strip() else old.motion_prompt,
            negative_prompt if negative_prompt is not None else old.negative_prompt,
            attempt_count or old.attempt_count,
            hero_frame_id or old.hero_frame_id,
            old.duration,
            old.engine,
            parent_group_id=old.id,
            usage_kind="iteration",
        )

    def group(self, group_id: int) -> GroupView:
        with self.db.session() as session:
            group = get_row(session, GenerationGroup, group_id, "Generation group", self.access)
            view = group_view(group, self.media)
            jobs = {j.id: j for j in session.scalars(select(Job).where(
                Job.id.in_([a.job_id for a in view.attempts if a.job_id])))}
            for attempt in view.attempts:
                job = jobs.get(attempt.job_id)
                attempt.job = job_view(job) if job else None
            return view

    def groups(self, project_id: int) -> list[GroupView]:
        with self.db.session() as session:
            get_project(session, project_id, self.access)
            ids = session.scalars(select(GenerationGroup.id).where(GenerationGroup.project_id == project_id)
                                  .order_by(GenerationGroup.id.desc())).all()
        return [self.group(group_id) for group_id in ids]

    def latest_group_id(self, project_id: int) -> int | None:
        with self.db.session() as session:
            get_project(session, project_id, self.access)
            return session.scalar(select(func.max(GenerationGroup.id)).where(GenerationGroup.project_id == project_id))

    def cancel_group(self, group_id: int) -> GroupView:
        with self.db.session() as session:
            get_row(session, GenerationGroup, group_id, "Generation group", self.access, "edit")
        view = self.group(group_id)
        for attempt in view.attempts:
            if attempt.job_id and not attempt.finished:
                self.jobs.cancel(attempt.job_id)
        return self.group(group_id)

    def render_attempt(self, attempt_id: int, progress, checkpoint=None,
                       queue_scoring: bool = True) -> dict[str, Any]:
        """Render one attempt with its group's engine and store the video and poster (status → scoring).
        With ``queue_scoring`` a score job is queued (what AttemptJob does); without, the caller scores it with
        score_attempt. ``progress(percent, step)`` may raise JobCancelled; ``checkpoint`` keeps remote state."""
        db, media, settings = self.db, self.media, self.settings
        with db.session() as session:
            attempt = _attempt(session, attempt_id)
            group = attempt.group
            frame = session.get(HeroFrame, group.hero_frame_id)
            attempt.status = AttemptStatus.rendering.value
            attempt.started_at = utcnow()
            attempt.error = None
            request = VideoRequest(image_path=hero_image(media, frame, attempt.parameters),
                                   motion_prompt=group.motion_prompt,
                                   negative_prompt=group.negative_prompt, seed=attempt.seed, duration=group.duration,
                                   fps=int(attempt.parameters.get("fps", 24)),
                                   min_short_side=settings.video_min_short_side,
                                   prompt=attempt.parameters.get("video_prompt") or "")
            engine_name, attempt_id, group_id = group.engine, attempt.id, group.id
            old_video, old_poster = attempt.video_path, attempt.poster_path
        engine = registry.create("video", engine_name, settings)
        video_rel = media.new_path("attempts", f"g{group_id}-a{attempt_id}", ".mp4")
        try:
            result = engine.animate(request, media.absolute(video_rel), lambda pct, step: progress(pct * 0.95, step),
                                    **interfaces.checkpoint_kwargs(engine.animate, checkpoint))
        finally:
            getattr(engine, "close", lambda: None)()  # local GPU engines give their memory back between jobs
        progress(96, "Saving poster frame")
        poster_rel = media.new_path("posters", f"g{group_id}-a{attempt_id}", ".jpg")
        media.save_image(result.poster or poster_frame(media.absolute(video_rel)), poster_rel, quality=88)
        with db.session() as session:
            attempt = _attempt(session, attempt_id)
            attempt.video_path, attempt.poster_path = video_rel, poster_rel
            attempt.duration, attempt.fps = result.duration, float(result.fps)
            attempt.width, attempt.height = result.width, result.height
            attempt.cost_usd = result.cost_usd or 0.0
            details = "provider" if "provider" in result.parameters else "motion_plan"
            attempt.parameters = {**attempt.parameters, "model": result.model, details: result.parameters,
                                  "cost_known": result.cost_usd is not None}
            attempt.status = AttemptStatus.scoring.value
            attempt.progress = 80.0
            session.flush()
            self.limits.record_actual(session, group_id)  # what the provider reported lands in the usage ledger
            score_job_id = None
            if queue_scoring:
                score_job = self.jobs.create(session, "score", {"attempt_id": attempt_id}, group.project_id)
                score_job_id = score_job.id
        for stale in (old_video, old_poster):  # a retried attempt replaces what an interrupted try left
            media.delete(stale)
        if score_job_id is not None:
            self.jobs.enqueue(score_job_id)
        return {"attempt_id": attempt_id, "video": str(media.absolute(video_rel)), "score_job_id": score_job_id}

    def score_attempt(self, attempt_id: int, progress) -> dict[str, Any]:
        """Score one rendered attempt, store its metrics (status → done) and, when its group is complete, pick
        the group's best attempt. What ScoreJob runs; the ad composer calls it inline."""
        import scoring

        db, media = self.db, self.media
        settings = self.settings
        with db.session() as session:
            attempt = _attempt(session, attempt_id)
            group = attempt.group
            frame = session.get(HeroFrame, group.hero_frame_id)
            project = session.get(Project, group.project_id)
            video, hero = media.absolute(attempt.video_path), hero_image(media, frame, attempt.parameters)
            motion_prompt, attempt_id, group_id = group.motion_prompt, attempt.id, attempt.group_id
            # what the engine says it rendered (models with a fixed clip length are not "truncated"), else the request
            prompt, duration = frame.enhanced_prompt or frame.prompt or "", attempt.duration or group.duration
            weights = (scoring.resolve_weights(project.scoring_weights, strict=False)
                       if project.scoring_weights else None)
        progress(5, "Scoring: reading frames")
        learned = str(settings.learned_metrics_dir) if settings.learned_metrics_dir else None
        report = scoring.score_video(video, hero, motion_prompt, prompt=prompt, expected_duration=duration,
                                     enable_pyiqa=settings.scoring_enable_pyiqa, weights=weights,
                                     config=scoring.ScoringConfig(learned_metrics_dir=learned))
        progress(95, "Storing scores")
        with db.session() as session:
            attempt = _attempt(session, attempt_id)
            for metric in list(attempt.metrics):
                if metric.scorer_version == report.scorer_version:
                    session.delete(metric)
            session.flush()
            for name, value in report.dimensions.items():
                session.add(QualityMetric(attempt_id=attempt_id, name=name, value=float(value),
                                          scorer_version=report.scorer_version))
            attempt.overall_score = float(report.overall)
            attempt.score_details = {k: v for k, v in report.to_dict().items() if k != "dimensions"}
            attempt.status = AttemptStatus.done.value
            attempt.progress = 100.0
            attempt.finished_at = utcnow()
        self.selection.select_if_complete(group_id)
        return {"attempt_id": attempt_id, "overall": report.overall, "metrics_used": report.metrics_used}

    def end_attempt(self, attempt_id: int, status: JobStatus, error: str | None,
                    engine_state: dict[str, Any] | None = None) -> None:
        """Mark an attempt cancelled or failed, with what its remote work really cost (``engine_state``, already
        settled), and pick the group's best attempt if that completes the group."""
        state = engine_state or {}
        with self.db.session() as session:
            attempt = session.get(VideoAttempt, attempt_id)
            if attempt is None:
                return
            attempt.status = (AttemptStatus.cancelled.value if status is JobStatus.cancelled
                              else AttemptStatus.failed.value)
            attempt.error = error
            attempt.finished_at = utcnow()
            # What the provider really charged for a failed or cancelled attempt; nothing reached it: nothing charged.
            cost = state.get("cost_usd") if state.get("prediction_id") else 0.0
            attempt.cost_usd = cost or 0.0
            attempt.parameters = {**(attempt.parameters or {}), "cost_known": cost is not None}
            group_id = attempt.group_id
            session.flush()
            self.limits.record_actual(session, group_id)  # what providers reported lands in the usage ledger
        self.selection.select_if_complete(group_id)


class AttemptJob:
    """Renders one attempt, then hands it to a scoring job."""

    def __init__(self, service: AttemptService) -> None:
        self.service = service

    def run(self, ctx: JobContext) -> dict[str, Any]:
        return self.service.render_attempt(ctx.payload["attempt_id"], ctx.progress, ctx.checkpoint)

    def on_end(self, ctx: JobContext, status: JobStatus, error: str | None) -> None:
        if status is JobStatus.succeeded:
            return
        with self.service.db.session() as session:
            attempt = session.get(VideoAttempt, ctx.payload["attempt_id"])
            if attempt is None:
                return
            job, engine_name = session.get(Job, ctx.job_id), attempt.group.engine
            state = dict(job.engine_state or {}) if job is not None else {}
        state = settle_remote_work("video", engine_name, self.service.settings, state, ctx.job_id, self.service.db)
        self.service.end_attempt(ctx.payload["attempt_id"], status, error, state)


class ScoreJob:
    """Scores one rendered attempt and, when the group is complete, picks its best attempt."""

    def __init__(self, service: AttemptService) -> None:
        self.service = service

    def run(self, ctx: JobContext) -> dict[str, Any]:
        return self.service.score_attempt(ctx.payload["attempt_id"], ctx.progress)

    def on_end(self, ctx: JobContext, status: JobStatus, error: str | None) -> None:
        if status is JobStatus.succeeded:
            return
        with self.service.db.session() as session:
            attempt = session.get(VideoAttempt, ctx.payload["attempt_id"])
            if attempt is None:
                return
            attempt.status = AttemptStatus.failed.value
            attempt.error = f"Scoring {'was cancelled' if status is JobStatus.cancelled else 'failed'}: {error}"
            attempt.finished_at = utcnow()
            group_id = attempt.group_id
        self.service.selection.select_if_complete(group_id)


def poster_frame(video_path):
    """The middle frame of a clip, as a PIL image (the first frame would just repeat the hero)."""
    import av

    with av.open(str(video_path)) as container:
        stream = container.streams.video[0]
        target = (stream.frames or 1) // 2
        for index, frame in enumerate(container.decode(stream)):
            if index >= target:
                return frame.to_image()
    raise StudioError(f"The video {video_path} has no frames.")


def _attempt(session, attempt_id) -> VideoAttempt:
    attempt = session.get(VideoAttempt, int(attempt_id))
    if attempt is None:
        raise NotFound(f"Attempt {attempt_id} does not exist.")
    return attempt
