"""Hero frames: prompt enhancement, candidate generation (queued), photo upload and enhancement, picks."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pipeline.access import Access
from pipeline.engines import interfaces, registry
from pipeline.engines.interfaces import FrameRequest, PhotoEnhanceOptions, ScopedCheckpoint
from pipeline.engines.photo_fit import FIT_MODES, photo_fit
from pipeline.errors import InvalidInput, NotFound, StudioError
from pipeline.jobs import JobContext
from pipeline.providers.engine_info import engine_info, estimate_cost
from pipeline.providers.settle import settle_remote_work
from pipeline.services.jobs import JobService
from pipeline.services.limits import LimitsService, spend_of
from pipeline.services.lookups import check_aspect_ratio as _check_ratio
from pipeline.services.lookups import get_frame as _frame
from pipeline.services.lookups import get_project as _project
from pipeline.services.views import FrameView, frame_view
from pipeline.settings import Settings
from pipeline.validation import shown
from storage.db import Database
from storage.media import MediaStore
from storage.models import FrameSource, HeroFrame, Job, JobStatus

MIN_CANDIDATES, MAX_CANDIDATES = 4, 8
MAX_SEED = 2**31 - 1


class HeroFrameService:
    def __init__(self, db: Database, media: MediaStore, jobs: JobService, settings: Settings,
                 access: Access | None = None, limits: LimitsService | None = None) -> None:
        self.db = db
        self.media = media
        self.jobs = jobs
        self.settings = settings
        self.access = access or Access(db, settings)
        self.limits = limits or LimitsService(db, self.access, settings)

    # ------------------------------------------------------------ engines and costs
    def engines(self, kind: str = "frame") -> list[dict[str, Any]]:
        """Frame ("frame") or photo ("photo") engines usable now, with negative_prompt / seed support and the
        price rule; remote ones appear once their key or model folder is configured."""
        if kind not in ("frame", "photo", "prompt"):
            raise StudioError("Engine kind must be frame, photo or prompt.")
        return [{"name": name, "label": registry.create(kind, name, self.settings).label,
                 **engine_info(kind, name, self.settings)} for name in registry.available(kind, self.settings)]

    def estimate_cost(self, engine: str | None, count: int, aspect_ratio: str = "16:9") -> dict[str, Any]:
        """What a hero-frame request should cost: {usd (None = no estimate), rule_text, upper_bound}."""
        return estimate_cost("frame", engine or self.settings.frame_engine, int(count), None, self.settings,
                             aspect_ratio=aspect_ratio)

    # ------------------------------------------------------------ prompts
    def enhance_prompt(self, prompt: str, aspect_ratio: str = "16:9") -> dict[str, Any]:
        _check_ratio(aspect_ratio)
        enhancer = registry.create("prompt", self.settings.prompt_engine, self.settings)
        result = enhancer.enhance(prompt, aspect_ratio)
        return {
            "original": result.original,
            "enhanced": result.enhanced,
            "additions": [{"category": a.category, "text": a.text} for a in result.additions],
            "engine": result.engine,
            "engine_label": enhancer.label,
        }

    # ------------------------------------------------------------ generation
    def generate(self, project_id: int, prompt: str, count: int = 4, aspect_ratio: str | None = None,
                 seed: int | None = None, enhanced_prompt: str | None = None,
                 parent_frame_id: int | None = None, engine: str | None = None,
                 negative_prompt: str = "") -> dict[str, Any]:
        prompt = (prompt or "").strip()
        negative_prompt = (negative_prompt or "").strip()
        if not prompt:
            raise StudioError("Write a prompt first: describe the shot you want.")
        if len(prompt) > 2000 or len(negative_prompt) > 1000:
            raise StudioError("Prompts can be at most 2000 characters (negative prompts 1000).")
        count = int(count)
        if not MIN_CANDIDATES <= count <= MAX_CANDIDATES:
            raise StudioError(f"Generate between {MIN_CANDIDATES} and {MAX_CANDIDATES} candidates; got {count}.")
        if seed is not None and not 0 <= int(seed) <= MAX_SEED:
            raise StudioError(f"Seed must be between 0 and {MAX_SEED}, or blank for a random one.")
        base_seed = int(seed) if seed is not None else random.SystemRandom().randint(0, MAX_SEED - MAX_CANDIDATES)
        engine = registry.create("frame", engine or self.settings.frame_engine, self.settings)
        with self.db.session() as session:
            project = _project(session, project_id, self.access, "edit")
            if parent_frame_id is not None:
                parent = session.get(HeroFrame, int(parent_frame_id))
                if parent is None or parent.project_id != project.id:
                    raise NotFound(f"Hero frame {parent_frame_id} is not part of this project.")
            ratio = aspect_ratio or project.aspect_ratio
            _check_ratio(ratio)
            estimate = self.estimate_cost(engine.name, count, ratio)
            payload = {
                "project_id": project.id,
                "prompt": prompt,
                "enhanced_prompt": (enhanced_prompt or "").strip() or None,
                "negative_prompt": negative_prompt,
                "seeds": [(base_seed + i) % MAX_SEED for i in range(count)],
                "aspect_ratio": ratio,
                "engine": engine.name,
                "long_side": self.settings.frame_long_side,
                "parent_frame_id": parent_frame_id,
                "estimated_cost_usd": estimate["usd"],
            }
            job = self.jobs.create(session, "hero_frames", payload, project.id)
            job_id = job.id
            # in this transaction: a refused request (LimitExceeded) leaves no job behind
            self.limits.reserve(session, "hero_frames", project.id, spend_of(estimate), engine.name, job_id=job_id)
        self.jobs.enqueue(job_id)
        return {"job_id": job_id, "seeds": payload["seeds"], "engine": engine.name, "engine_label": engine.label,
                "estimate": estimate}

    def regenerate(self, frame_id: int, count: int = 4) -> dict[str, Any]:
        """Same prompt and settings, fresh seeds (needs edit access to the frame's project)."""
        frame = self.get(frame_id)
        return self.generate(frame.project_id, frame.prompt, count, frame.aspect_ratio, None,
                             frame.enhanced_prompt, parent_frame_id=None, engine=_engine_of(frame))

    def mutate(self, frame_id: int, prompt_change: str = "", count: int = 4) -> dict[str, Any]:
        """Variations of one frame: its prompt plus an optional change, new seeds, linked to the frame."""
        frame = self.get(frame_id)
        base = frame.enhanced_prompt or frame.prompt
        change = (prompt_change or "").strip()
        prompt = f"{frame.prompt}, {change}" if change else frame.prompt
        enhanced = f"{base}, {change}" if change else frame.enhanced_prompt
        return self.generate(frame.project_id, prompt, count, frame.aspect_ratio, None, enhanced,
                             parent_frame_id=frame_id, engine=_engine_of(frame))

    # ------------------------------------------------------------ uploads
    def upload(self, project_id: int, file_path: str | Path, enhance: bool = False,
               crop_to_project_ratio: bool = True) -> FrameView:
        from pipeline.engines.local_photo import load_upload

        if not file_path:
            raise StudioError("Choose a photo to upload (JPEG, PNG or WebP).")
        image = load_upload(Path(file_path), max_bytes=int(self.settings.max_upload_mb * 2**20),
                            max_megapixels=self.settings.max_upload_megapixels)
        with self.db.session() as session:
            project = _project(session, project_id, self.access, "edit")
            fit = photo_fit(image.width, image.height, project.aspect_ratio)
            frame = self._store_frame(session, project.id, image, source=FrameSource.uploaded, engine="upload",
                                      model="", seed=None, prompt="", aspect_ratio=fit.nearest_ratio,
                                      parameters={"original_name": Path(file_path).name, "fit": fit.model_dump(),
                                                  "fit_mode": "crop"})
            view = frame_view(frame, self.media)
            ratio = project.aspect_ratio
        if enhance:
            return self.enhance_photo(view.id, crop_to=ratio if crop_to_project_ratio else None)
        return view

    def enhance_photo(self, frame_id: int, crop_to: str | None = None, white_balance: bool = True,
                      exposure: bool = True, contrast: bool = True, sharpen: bool = True) -> FrameView:
        from PIL import Image

        if crop_to is not None:
            _check_ratio(crop_to)
        enhancer = registry.create("photo", self.settings.photo_engine, self.settings)
        with self.db.session() as session:
            original = _frame(session, frame_id, self.access, "edit")
            with Image.open(self.media.absolute(original.image_path)) as img:
                image = img.convert("RGB")
            options = PhotoEnhanceOptions(white_balance, exposure, contrast, sharpen, crop_to)
            rendered = enhancer.enhance(image, options)
            frame = self._store_frame(session, original.project_id, rendered.image, source=FrameSource.enhanced,
                                      engine=enhancer.name, model=rendered.model, seed=None, prompt=original.prompt,
                                      aspect_ratio=crop_to or original.aspect_ratio,
                                      parameters=rendered.parameters, parent_frame_id=original.id)
            return frame_view(frame, self.media)

    def set_fit_mode(self, frame_id: int, mode: str) -> FrameView:
        """How attempts fit this frame to the project's aspect ratio when its shape differs: "crop" (around the
        subject) or "extend" (the whole photo on a soft backdrop)."""
        if mode not in FIT_MODES:
            raise InvalidInput(f"Fit must be one of: {', '.join(FIT_MODES)}; got '{shown(mode)}'.")
        with self.db.session() as session:
            frame = _frame(session, frame_id, self.access, "edit")
            frame.parameters = {**(frame.parameters or {}), "fit_mode": mode}
            return frame_view(frame, self.media)

    # ------------------------------------------------------------ reading and picks
    def list(self, project_id: int, favourites_only: bool = False) -> list[FrameView]:
        with self.db.session() as session:
            _project(session, project_id, self.access)
            query = select(HeroFrame).where(HeroFrame.project_id == project_id).order_by(HeroFrame.id.desc())
            if favourites_only:
                query = query.where(HeroFrame.is_favourite.is_(True))
            return [frame_view(f, self.media) for f in session.scalars(query).all()]

    def get(self, frame_id: int) -> FrameView:
        with self.db.session() as session:
            return frame_view(_frame(session, frame_id, self.access), self.media)

    def set_favourite(self, frame_id: int, favourite: bool) -> FrameView:
        with self.db.session() as session:
            frame = _frame(session, frame_id, self.access, "edit")
            frame.is_favourite = bool(favourite)
            return frame_view(frame, self.media)

    # ------------------------------------------------------------ internals
    def _store_frame(self, session, project_id: int, image, *, source: FrameSource, engine: str, model: str,
                     seed: int | None, prompt: str, aspect_ratio: str, parameters: dict[str, Any],
                     enhanced_prompt: str | None = None, parent_frame_id: int | None = None,
                     job_id: int | None = None) -> HeroFrame:
        image = image.convert("RGB")
        stem = f"p{project_id}-{source.value}-{seed if seed is not None else 'x'}"
        image_path = self.media.save_image(image, self.media.new_path("frames", stem, ".png"), compress_level=3)
        thumb_path = self.media.save_thumbnail(image, self.media.new_path("thumbs", stem, ".jpg"))
        frame = HeroFrame(project_id=project_id, prompt=prompt, enhanced_prompt=enhanced_prompt, source=source.value,
                          engine=engine, model=model, seed=seed, aspect_ratio=aspect_ratio, width=image.width,
                          height=image.height, image_path=image_path, thumbnail_path=thumb_path,
                          parameters=parameters, parent_frame_id=parent_frame_id, job_id=job_id)
        session.add(frame)
        session.flush()
        return frame


class HeroFramesJob:
    """Renders the candidates of one request, storing each as soon as it exists (a crash keeps the finished ones)."""

    def __init__(self, service: HeroFrameService) -> None:
        self.service = service

    def run(self, ctx: JobContext) -> dict[str, Any]:
        engine = registry.create("frame", ctx.payload["engine"], self.service.settings)
        try:
            return self._render_all(ctx, engine)
        finally:
            getattr(engine, "close", lambda: None)()  # local GPU engines give their memory back between jobs

    def _render_all(self, ctx: JobContext, engine) -> dict[str, Any]:
        p = ctx.payload
        seeds: list[int] = p["seeds"]
        render_prompt = p.get("enhanced_prompt") or p["prompt"]
        with self.service.db.session() as session:
            done = {f.seed: f.id for f in session.scalars(select(HeroFrame).where(HeroFrame.job_id == ctx.job_id))}
        frame_ids = []
        for i, seed in enumerate(seeds):
            if seed in done:
                frame_ids.append(done[seed])
                continue
            ctx.progress(100 * i / len(seeds), f"Rendering candidate {i + 1} of {len(seeds)}")
            request = FrameRequest(render_prompt, p["aspect_ratio"], seed, p.get("long_side", 1280),
                                   negative_prompt=p.get("negative_prompt") or "")
            rendered = engine.render(request, _candidate_progress(ctx, i, len(seeds)), **interfaces.checkpoint_kwargs(
                engine.render, ScopedCheckpoint(ctx.checkpoint, f"seed-{seed}")))
            with self.service.db.session() as session:
                frame = self.service._store_frame(
                    session, p["project_id"], rendered.image, source=FrameSource.generated, engine=engine.name,
                    model=rendered.model, seed=seed, prompt=p["prompt"], aspect_ratio=p["aspect_ratio"],
                    parameters={**rendered.parameters, "render_prompt": render_prompt, "long_side": request.long_side,
                                "negative_prompt": request.negative_prompt,
                                "cost_usd": rendered.cost_usd, "cost_known": rendered.cost_usd is not None},
                    enhanced_prompt=p.get("enhanced_prompt"), parent_frame_id=p.get("parent_frame_id"),
                    job_id=ctx.job_id)
                frame_ids.append(frame.id)
        return {"hero_frame_ids": frame_ids}

    def on_end(self, ctx: JobContext, status: JobStatus, error: str | None) -> None:
        """Finished candidates stay; remote work still running for the others is cancelled (and its cost kept)."""
        if status is JobStatus.succeeded:
            return
        with self.service.db.session() as session:
            job = session.get(Job, ctx.job_id)
            state = dict(job.engine_state or {}) if job is not None else {}
        settle_remote_work("frame", ctx.payload.get("engine", ""), self.service.settings, state, ctx.job_id,
                           self.service.db)


def _candidate_progress(ctx: JobContext, index: int, total: int):
    def progress(percent: float, step: str) -> None:
        ctx.progress(100 * (index + percent / 100) / total, f"Candidate {index + 1} of {total}: {step}")

    return progress


def _engine_of(frame: FrameView) -> str | None:
    """The engine that made a generated frame, to make its variations with the same one."""
    return frame.engine if frame.source == "generated" else None
