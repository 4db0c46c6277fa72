"""The ad composer's generation, as the job runs it (kind "ad" or "product_video"); AdService
(pipeline/services/ads.py) plans, edits and queues, this module does the work.

Generation runs as ONE job with the steps plan 10 %, scenes 20 %, clips 30–70 %, stitching 80 %, audio 90 %,
done 100 %. The job renders each scene's hero frame and its attempts INLINE, through the same engines, the same
attempt rendering and scoring code as AttemptJob/ScoreJob (AttemptService.render_attempt / score_attempt) and the
same selection, so a one- or two-thread worker never waits on jobs queued behind itself. Everything it makes is an
ordinary project: hero frames, one generation group per scene (shot), the system's picks, timeline versions and
the export, so the workspace and the timeline open and change it like any other project.

Cancel stops at the next progress check and keeps what was made: finished frames and attempts, the picks, and
a partial timeline of the scenes that have a pick (not exported). A retried job (temporary provider trouble)
resumes from the plan row's ``state`` instead of starting over.

The job runs as the studio (SYSTEM, set by the JobRunner): the work was authorised and reserved against the
limits of whoever queued it, so nothing here checks ownership. It makes no projects: the plan's project exists
(and has its owner) before the job is queued.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pipeline.ads import assembly
from pipeline.ads.plan import AdPlan, legible_colour
from pipeline.engines import interfaces, registry
from pipeline.engines.interfaces import FrameRequest, ScopedCheckpoint
from pipeline.errors import JobCancelled, NotFound, StudioError, TransientEngineError
from pipeline.jobs import JobContext
from pipeline.providers.settle import settle_remote_work
from pipeline.services.motion_presets import DEFAULT_NEGATIVE_PROMPT
from pipeline.settings import Settings
from storage.db import Database
from storage.media import MediaStore
from storage.models import (
    FINISHED_ATTEMPT_STATES,
    AttemptStatus,
    FrameSource,
    GenerationGroup,
    HeroFrame,
    Job,
    JobStatus,
    TimelineVersion,
    VideoAttempt,
)
from storage.models import AdPlan as AdPlanRow

log = logging.getLogger(__name__)

AD, PRODUCT_VIDEO = "ad", "product_video"
DRAFT, GENERATING, DONE, CANCELLED, FAILED = "draft", "generating", "done", "cancelled", "failed"
STEPS: tuple[tuple[str, float], ...] = (("Plan", 10), ("Scenes", 20), ("Clips", 70), ("Stitching", 80),
                                        ("Audio", 90), ("Done", 100))
MIN_ATTEMPTS, MAX_ATTEMPTS_PER_SCENE = 1, 6
DEFAULT_ATTEMPTS = 2
SEED_STRIDE_SCENE, SEED_STRIDE_SHOT = 1013, 131


def _pass_through() -> tuple[type[BaseException], ...]:
    """Exceptions an inline attempt must never swallow: cancel, a lost job, retryable trouble."""
    from pipeline import jobs as jobs_module

    lost = getattr(jobs_module, "JobLost", None)
    return (JobCancelled, TransientEngineError, *([lost] if isinstance(lost, type) else []))


class AdGeneration:
    """The steps of the "ad" and "product_video" jobs, on the same services the rest of the studio uses."""

    def __init__(self, db: Database, media: MediaStore, projects, hero_frames, attempts, selection, timeline,
                 settings: Settings) -> None:
        self.db = db
        self.media = media
        self.projects = projects
        self.hero_frames = hero_frames
        self.attempts = attempts
        self.selection = selection
        self.timeline = timeline
        self.settings = settings

    def run_ad(self, ctx: JobContext) -> dict[str, Any]:
        plan_id = int(ctx.payload["plan_id"])
        count = attempt_count(ctx.payload.get("attempts_per_scene", DEFAULT_ATTEMPTS))
        with self.db.session() as session:
            row = plan_row(session, plan_id)
            plan, project_id = AdPlan.parse(row.plan), row.project_id
            state = dict(row.state or {})
            if state.get("job_id") != ctx.job_id:
                state = {"job_id": ctx.job_id, "scenes": {}}
            row.status = GENERATING
        if project_id is None:
            raise StudioError("The ad's project was deleted; plan it again.")
        state.setdefault("scenes", {})
        ctx.progress(2, "Plan: checking the storyboard")
        ctx.progress(10, f"Plan: {plan.framework}, {len(plan.scenes)} scenes, {plan.duration} s {plan.aspect_ratio}")

        # Scenes (10 → 20 %): one hero frame per scene, shared seed and brand style for coherence.
        n = len(plan.scenes)
        engine = None
        try:
            for i, scene in enumerate(plan.scenes):
                entry = state["scenes"].setdefault(str(scene.number), {})
                if entry.get("frame_id") and self._frame_exists(entry["frame_id"]):
                    continue
                if engine is None:
                    engine = registry.create("frame", self.settings.frame_engine, self.settings)
                step = f"Scenes: hero frame {i + 1} of {n} ({scene.type})"
                ctx.progress(10 + 10 * i / n, step)
                entry["frame_id"] = self._render_frame(ctx, engine, plan, scene, project_id,
                                                       _sub(ctx, 10 + 10 * i / n, 10 / n, step))
                self._save_state(plan_id, state)
        finally:
            if engine is not None:
                getattr(engine, "close", lambda: None)()
        first = state["scenes"][str(plan.scenes[0].number)]["frame_id"]
        self.projects.select_hero_frame(project_id, first)
        ctx.progress(20, f"Scenes: {n} hero frames ready")

        # Clips (30 → 70 %): a group per scene (per shot), attempts rendered and scored inline.
        shots = assembly.shot_lengths(plan)
        for scene in plan.scenes:
            entry = state["scenes"][str(scene.number)]
            groups = entry.setdefault("groups", [])
            for k, length in enumerate(shots[scene.number]):
                if k < len(groups):
                    continue
                seed = (plan.seed + SEED_STRIDE_SCENE * scene.number + SEED_STRIDE_SHOT * k) % (2**31 - 1)
                group = self.attempts.start_group(project_id, scene.motion_prompt, DEFAULT_NEGATIVE_PROMPT, count,
                                                  hero_frame_id=entry["frame_id"],
                                                  duration=assembly.render_duration(length), seed=seed,
                                                  queue_jobs=False)
                groups.append(group.id)
                self._save_state(plan_id, state)
        group_ids = [g for s in plan.scenes for g in state["scenes"][str(s.number)]["groups"]]
        ctx.progress(30, f"Clips: {len(group_ids) * count} attempts to render and score")
        self._render_groups(ctx, group_ids, 30, 70)

        # Picks, then stitching (80 %) and audio (90 %), then the export.
        ctx.progress(72, "Clips: the best attempt of each scene is picked")
        version = self._assemble(plan_id, plan, project_id, state, ctx)
        ctx.progress(90, "Audio: music bed and fades; exporting the MP4")
        version = self._add_music(plan, project_id) or version
        export = self._export(ctx, project_id, version, 90, 99)
        cost = self._actual_cost(state)
        with self.db.session() as session:
            row = plan_row(session, plan_id)
            row.status, row.cost_usd, row.state = DONE, cost["usd"], {**state, "version": version,
                                                                      "cost_known": cost["known"]}
        return {**export, "project_id": project_id, "plan_id": plan_id, "timeline_version": version,
                "cost_usd": cost["usd"], "cost_known": cost["known"], "notes": state.get("notes", [])}

    def run_product_video(self, ctx: JobContext) -> dict[str, Any]:
        plan_id = int(ctx.payload["plan_id"])
        with self.db.session() as session:
            row = plan_row(session, plan_id)
            spec, project_id = dict(row.plan), row.project_id
            state = dict(row.state or {})
            if state.get("job_id") != ctx.job_id:
                state = {"job_id": ctx.job_id, "scenes": {}}
        if project_id is None:
            raise StudioError("The product video's project was deleted.")
        ctx.progress(2, "Plan: orbit / turntable, "
                     f"{spec['duration']:g} s {spec['aspect_ratio']}, {spec['attempts']} attempt(s)")
        if not (state.get("frame_id") and self._frame_exists(state["frame_id"])):
            ctx.progress(10, f"Photo: enhancing ({self.settings.photo_engine})")
            frame = self.hero_frames.enhance_photo(spec["frame_id"], crop_to=spec["aspect_ratio"])
            state["frame_id"] = frame.id
            self._save_state(plan_id, state)
        self.projects.select_hero_frame(project_id, state["frame_id"])
        ctx.progress(20, "Photo: enhanced and selected as the hero frame")
        if not state.get("groups"):
            group = self.attempts.start_group(project_id, spec["motion_prompt"], DEFAULT_NEGATIVE_PROMPT,
                                              int(spec["attempts"]), hero_frame_id=state["frame_id"],
                                              duration=float(spec["duration"]), seed=int(spec["seed"]),
                                              queue_jobs=False)
            state["groups"] = [group.id]
            self._save_state(plan_id, state)
        ctx.progress(30, f"Clips: {spec['attempts']} orbit attempt(s) to render and score")
        self._render_groups(ctx, state["groups"], 30, 70)
        ctx.progress(75, "Clips: the best attempt is picked")
        state["notes"] = []
        pick = self._pick(state["groups"][0], state["notes"], "The product video")
        if pick is None:
            raise StudioError("No attempt of the product video finished; see the workspace for the errors.")
        ctx.progress(80, "Stitching: the clip" + (" and the title overlay" if spec.get("title_overlay") else ""))
        version = self._product_timeline(spec, project_id, state, pick)
        ctx.progress(90, "Audio and export: the MP4")
        export = self._export(ctx, project_id, version, 90, 99)
        cost = self._actual_cost(state)
        with self.db.session() as session:
            row = plan_row(session, plan_id)
            row.status, row.cost_usd = DONE, cost["usd"]
            row.state = {**state, "version": version, "cost_known": cost["known"]}
        return {**export, "project_id": project_id, "plan_id": plan_id, "timeline_version": version,
                "cost_usd": cost["usd"], "cost_known": cost["known"]}

    def job_ended(self, ctx: JobContext, status: JobStatus, error: str | None) -> None:
        """A cancelled or failed generation keeps what it made: unfinished attempts are closed (their remote work
        stopped and its cost recorded), groups get their picks, and an ad gets a partial timeline."""
        if status is JobStatus.succeeded:
            return
        plan_id = ctx.payload.get("plan_id")
        with self.db.session() as session:
            row = session.get(AdPlanRow, int(plan_id)) if plan_id is not None else None
            if row is None:
                return
            state = dict(row.state or {})
            kind, project_id = row.kind, row.project_id
            job = session.get(Job, ctx.job_id)
            engine_state = dict(job.engine_state or {}) if job is not None else {}
        if state.get("job_id") not in (None, ctx.job_id):
            return
        engine_state = self._settle(engine_state, ctx.job_id)
        for group_id in _group_ids(state):
            with self.db.session() as session:
                group = session.get(GenerationGroup, group_id)
                open_ids = [a.id for a in group.attempts if a.status not in FINISHED_ATTEMPT_STATES] if group else []
            for attempt_id in open_ids:
                self.attempts.end_attempt(attempt_id, status, error, engine_state.get(f"attempt-{attempt_id}"))
            self.selection.select_if_complete(group_id)
        note = None
        if kind == AD and project_id is not None and not state.get("version"):
            try:
                with self.db.session() as session:
                    plan = AdPlan.parse(plan_row(session, int(plan_id)).plan)
                partial = self._assemble(int(plan_id), plan, project_id, state, None,
                                         note=f"Ad ({status.value}): partial timeline of the finished scenes")
                note = f"partial timeline version {partial}" if partial else None
            except Exception as exc:  # noqa: BLE001 - keeping the partial timeline must never hide the outcome
                log.warning("No partial timeline for ad plan %s: %s", plan_id, exc)
        cost = self._actual_cost(state)
        with self.db.session() as session:
            row = session.get(AdPlanRow, int(plan_id))
            if row is not None:
                row.status = CANCELLED if status is JobStatus.cancelled else FAILED
                row.cost_usd = cost["usd"]
                row.state = {**state, **({"partial": note} if note else {}), "cost_known": cost["known"],
                             "error": error}

    # ------------------------------------------------------------ internals: generation steps
    def _render_frame(self, ctx, engine, plan: AdPlan, scene, project_id: int, progress) -> int:
        prompt = plan.render_prompt(scene)
        request = FrameRequest(prompt, plan.aspect_ratio, plan.seed, self.settings.frame_long_side)
        rendered = engine.render(request, progress, **interfaces.checkpoint_kwargs(
            engine.render, ScopedCheckpoint(ctx.checkpoint, f"frame-{scene.number}")))
        with self.db.session() as session:
            frame = self.hero_frames._store_frame(
                session, project_id, rendered.image, source=FrameSource.generated, engine=engine.name,
                model=rendered.model, seed=plan.seed, prompt=scene.visual_prompt, aspect_ratio=plan.aspect_ratio,
                parameters={**rendered.parameters, "render_prompt": prompt, "long_side": request.long_side,
                            "cost_usd": rendered.cost_usd, "cost_known": rendered.cost_usd is not None,
                            "origin": "ad composer", "ad_scene": scene.number, "ad_scene_type": scene.type},
                enhanced_prompt=prompt, job_id=ctx.job_id)
            return frame.id

    def _render_groups(self, ctx: JobContext, group_ids: list[int], low: float, high: float) -> None:
        """Render and score every unfinished attempt of the groups, inline; an attempt that fails fails alone."""
        with self.db.session() as session:
            todo = [(a.id, a.status, a.group_id) for g in group_ids
                    for a in session.get(GenerationGroup, g).attempts]
        total = max(1, len(todo))
        passing = _pass_through()
        for done, (attempt_id, status, group_id) in enumerate(todo):
            if status in FINISHED_ATTEMPT_STATES:
                continue
            start, span = low + (high - low) * done / total, (high - low) / total
            label = f"Clips: attempt {done + 1} of {total}"
            ctx.progress(start, label)
            try:
                if status != AttemptStatus.scoring.value:
                    self.attempts.render_attempt(attempt_id, _sub(ctx, start, span * 0.7, label + ", rendering"),
                                                 ScopedCheckpoint(ctx.checkpoint, f"attempt-{attempt_id}"),
                                                 queue_scoring=False)
                self.attempts.score_attempt(attempt_id, _sub(ctx, start + span * 0.7, span * 0.3,
                                                             label + ", scoring"))
            except passing:
                raise
            except Exception as exc:  # noqa: BLE001 - one failing attempt must not sink the others
                message = str(exc) if isinstance(exc, (StudioError, ValueError)) else \
                    f"Internal error ({type(exc).__name__}): {exc}"
                log.warning("Ad attempt %s failed: %s", attempt_id, message)
                state = ScopedCheckpoint(ctx.checkpoint, f"attempt-{attempt_id}").load()
                self.attempts.end_attempt(attempt_id, JobStatus.failed, message, state)
        for group_id in group_ids:
            self.selection.select_if_complete(group_id)

    def _pick(self, group_id: int, notes: list[str] | None = None, what: str = "") -> VideoAttempt | None:
        """The user's pick, else the system's; when the scorer picked none (every attempt failed an automatic
        check, e.g. 'frozen'), the highest-scored finished attempt, with a note saying so."""
        with self.db.session() as session:
            group = session.get(GenerationGroup, group_id)
            done = [a for a in group.attempts if a.status == AttemptStatus.done.value and a.video_path]
            pick = next((a for a in done if a.is_user_selected_best), None) or \
                next((a for a in done if a.is_system_selected_best), None)
            if pick is None and done:
                pick = max(done, key=lambda a: (a.overall_score or 0.0, -a.index))
                if notes is not None:
                    notes.append(f"{what or f'Group {group_id}'}: no attempt passed the automatic checks "
                                 f"({group.selection_reason or 'no pick'}); the highest-scored one (attempt "
                                 f"{pick.index}) is used. Pick another in the workspace if you prefer.")
            if pick is not None:
                session.expunge(pick)
            return pick

    def _assemble(self, plan_id: int, plan: AdPlan, project_id: int, state: dict[str, Any], ctx: JobContext | None,
                  note: str | None = None) -> int | None:
        """Build and save the ad's timeline (without music: that is the audio step). None when no scene has a
        clip (a cancel before any attempt finished)."""
        shots: dict[int, list[assembly.ShotMedia]] = {}
        colours: dict[int, str] = {}
        pick_notes: list[str] = []
        for scene in plan.scenes:
            entry = state.get("scenes", {}).get(str(scene.number), {})
            media = []
            for group_id in entry.get("groups", []):
                pick = self._pick(group_id, pick_notes, f"Scene {scene.number}")
                if pick is None:
                    break
                media.append(assembly.ShotMedia(pick.video_path, float(pick.duration or 0.0), pick.id))
            if media:
                shots[scene.number] = media
            if entry.get("frame_id"):
                colours[scene.number] = assembly.overlay_colour(plan, self._band_colour(entry["frame_id"]))
        if not shots:
            if ctx is not None:
                raise StudioError("No attempt of any scene finished, so there is nothing to edit; see the workspace "
                                  "for the errors.")
            return None
        if ctx is not None:
            ctx.progress(80, "Stitching: clips in order, transitions, overlays, grade and the end card")
        card = self._end_card(plan, project_id, plan_id)
        edit, notes = assembly.assemble(plan, shots, end_card=card, overlay_colours=colours, music_track=None)
        state["notes"] = pick_notes + notes
        label = note or (f"Ad composer: {plan.framework} storyboard, {len(shots)} scene(s), overlays, "
                         f"'{plan.grade}' grade, end card")
        view = self.timeline.apply_edit(project_id, edit, label)
        return view.version

    def _add_music(self, plan: AdPlan, project_id: int) -> int | None:
        from pipeline.timeline import operations as ops
        from pipeline.timeline.music import MusicLibraryError, pick_by_mood

        try:
            track = pick_by_mood(Path(self.settings.music_dir), plan.music_mood)
        except MusicLibraryError as exc:
            log.warning("No music for the ad: %s", exc)
            return None
        view = self.timeline.apply_edit(
            project_id, lambda edit: ops.set_music(edit, track.id, volume=assembly.MUSIC_VOLUME, fade_in=0.3,
                                                   fade_out=1.0),
            f"Ad composer: music '{track.title}' ({plan.music_mood})")
        return view.version

    def _product_timeline(self, spec: dict[str, Any], project_id: int, state: dict[str, Any],
                          pick: VideoAttempt) -> int:
        from pipeline.timeline.edit_list import Clip, EditList, Overlay

        length = min(float(spec["duration"]), float(pick.duration or spec["duration"]))
        clip = Clip(source=pick.video_path, source_duration=float(pick.duration or length), out_point=length,
                    attempt_id=pick.id, label=spec.get("title") or "Product orbit")
        overlays = []
        if spec.get("title_overlay") and spec.get("title"):
            background = self._band_colour(state["frame_id"], (0.03, 0.2))
            colour = legible_colour(["#FFFFFF", "#111111"], background)
            overlays.append(Overlay(text=assembly.wrap(spec["title"], spec["aspect_ratio"]), font="display", size=80,
                                    colour=colour, position="top", start=0.3, end=max(0.8, length - 0.3),
                                    animation="fade", animation_duration=0.5, shadow=True))
        edit = EditList(aspect_ratio=spec["aspect_ratio"], clips=[clip], overlays=overlays,
                        fade_in=0.3, fade_out=0.4 if length > 1.5 else 0.0)
        view = self.timeline.apply_edit(project_id, edit, "Product video: orbit clip" +
                                         (", title overlay" if overlays else ""))
        return view.version

    def _export(self, ctx: JobContext, project_id: int, version: int, low: float, high: float) -> dict[str, Any]:
        """The export job's own logic, inline, for the given timeline version."""
        from pipeline.services.timeline import ExportJob

        with self.db.session() as session:
            row = session.scalar(select(TimelineVersion).where(TimelineVersion.project_id == project_id,
                                                               TimelineVersion.version == version))
            row.export_job_id = ctx.job_id
            version_id = row.id
        sub = JobContext(ctx.job_id, "export", {"timeline_version_id": version_id, "fit": "crop"}, ctx.tries,
                         _sub(ctx, low, high - low, "Exporting the MP4"), checkpoint=ctx.checkpoint)
        result = ExportJob(self.timeline).run(sub)
        ctx.progress(high, "Done: the MP4 is exported")
        return result

    def _end_card(self, plan: AdPlan, project_id: int, plan_id: int) -> str:
        from pipeline.timeline.export import output_size

        size = output_size(plan.aspect_ratio, self.settings.export_long_side)
        image = assembly.render_end_card(plan, size)
        relative = self.media.new_path("adcards", f"p{project_id}-plan{plan_id}", ".png")
        self.media.save_image(image, relative, compress_level=1)
        return relative

    def _band_colour(self, frame_id: int, band: tuple[float, float] = (0.78, 0.97)) -> tuple[float, float, float]:
        """Mean colour of a horizontal band of a frame (where a bottom or top overlay sits)."""
        from PIL import Image

        with self.db.session() as session:
            frame = session.get(HeroFrame, int(frame_id))
            path = self.media.absolute(frame.image_path) if frame else None
        if path is None or not path.is_file():
            return (0.0, 0.0, 0.0)
        with Image.open(path) as image:
            width, height = image.size
            crop = image.convert("RGB").crop((0, int(height * band[0]), width, int(height * band[1])))
            crop.thumbnail((64, 64))
            pixels = list(crop.getdata())
        return tuple(sum(p[i] for p in pixels) / len(pixels) for i in range(3))  # type: ignore[return-value]

    def _actual_cost(self, state: dict[str, Any]) -> dict[str, Any]:
        """What the plan's frames and attempts really cost (providers' own numbers); known False when any part
        is unknown (the usd is then a lower bound)."""
        usd, known = 0.0, True
        frame_ids = [e.get("frame_id") for e in state.get("scenes", {}).values() if e.get("frame_id")]
        if state.get("frame_id"):
            frame_ids.append(state["frame_id"])
        with self.db.session() as session:
            for frame_id in frame_ids:
                frame = session.get(HeroFrame, frame_id)
                params = (frame.parameters or {}) if frame else {}
                usd += float(params.get("cost_usd") or 0.0)
                known = known and params.get("cost_known", True)
            for group_id in _group_ids(state):
                group = session.get(GenerationGroup, group_id)
                for attempt in group.attempts if group else []:
                    usd += float(attempt.cost_usd or 0.0)
                    known = known and (attempt.parameters or {}).get("cost_known", True)
        return {"usd": round(usd, 6), "known": bool(known)}

    def _settle(self, engine_state: dict[str, Any], job_id: int) -> dict[str, Any]:
        """Stop remote work the job left running (frames and attempts), recording what it cost."""
        frames = {k: v for k, v in engine_state.items() if k.startswith("frame-")}
        videos = {k: v for k, v in engine_state.items() if k.startswith("attempt-")}
        if frames:
            engine_state = {**engine_state, **settle_remote_work("frame", self.settings.frame_engine, self.settings,
                                                                 frames, job_id, self.db)}
        if videos:
            engine_state = {**engine_state, **settle_remote_work("video", self.settings.video_engine, self.settings,
                                                                 videos, job_id, self.db)}
        return engine_state

    def _frame_exists(self, frame_id: int) -> bool:
        with self.db.session() as session:
            frame = session.get(HeroFrame, int(frame_id))
            return frame is not None and self.media.exists(frame.image_path)

    def _save_state(self, plan_id: int, state: dict[str, Any]) -> None:
        with self.db.session() as session:
            row = plan_row(session, plan_id)
            row.state = _copy(state)


def steps(job: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The generation steps with their percentages and whether each is done or under way."""
    progress = float(job["progress"]) if job else 0.0
    status = job["status"] if job else None
    out, previous = [], 0.0
    for name, percent in STEPS:
        done = progress >= percent or status == JobStatus.succeeded.value
        active = not done and progress >= previous and status in (JobStatus.running.value, JobStatus.queued.value)
        out.append({"name": name, "percent": percent, "done": done, "active": active})
        previous = percent
    return out


def _sub(ctx: JobContext, start: float, span: float, label: str):
    """A progress callback for one piece of work mapped onto [start, start + span] of the job."""
    def progress(percent: float, step: str) -> None:
        ctx.progress(start + span * max(0.0, min(100.0, float(percent))) / 100.0, f"{label}: {step}" if step else label)

    return progress


def _group_ids(state: dict[str, Any]) -> list[int]:
    ids = [g for entry in state.get("scenes", {}).values() for g in entry.get("groups", [])]
    return ids + list(state.get("groups", []))


def _copy(state: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(state))


def attempt_count(value: Any) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise StudioError(f"Attempts per scene must be a whole number, not {value!r}.") from None
    if not MIN_ATTEMPTS <= count <= MAX_ATTEMPTS_PER_SCENE:
        raise StudioError(f"Attempts per scene must be {MIN_ATTEMPTS}–{MAX_ATTEMPTS_PER_SCENE}; got {count}.")
    return count


def plan_row(session, plan_id: Any) -> AdPlanRow:
    """The plan row without an ownership check: for the jobs, which run as the studio."""
    try:
        row = session.get(AdPlanRow, int(plan_id))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFound(f"Ad plan {plan_id} does not exist.")
    return row
