"""The studio's truth: typed SQLAlchemy 2 models. Media paths are stored relative to the media root."""
from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class JobStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled)


class AttemptStatus(enum.StrEnum):
    queued = "queued"
    rendering = "rendering"
    scoring = "scoring"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


FINISHED_ATTEMPT_STATES = (AttemptStatus.done.value, AttemptStatus.failed.value, AttemptStatus.cancelled.value)


class FrameSource(str, enum.Enum):
    generated = "generated"
    uploaded = "uploaded"
    enhanced = "enhanced"


class User(Base):
    """A person who logs in (team mode), or the one ``local`` user that owns everything in single-user mode.

    ``password_hash`` is a bcrypt hash (local accounts); Hugging Face logins have none (``auth_source`` "hf").
    ``role`` is "admin" (manages users, sees spend) or "member"; a ``disabled`` user cannot log in or act."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="admin")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    auth_source: Mapped[str] = mapped_column(String(20), default="local")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Per-user monthly spend cap in USD; None = the studio-wide default from settings.
    monthly_cap_usd: Mapped[float | None] = mapped_column(Float)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    aspect_ratio: Mapped[str] = mapped_column(String(8), default="16:9")
    selected_hero_frame_id: Mapped[int | None] = mapped_column(
        ForeignKey("hero_frames.id", use_alter=True, name="fk_project_selected_frame", ondelete="SET NULL")
    )
    # Per-project weights for ranking attempts (None = scoring's documented defaults).
    scoring_weights: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # The project's final version: the attempt that export, the timeline and the dashboard treat as "the" video.
    final_attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("video_attempts.id", use_alter=True, name="fk_project_final_attempt", ondelete="SET NULL")
    )
    final_set_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Team sharing: None = private to the owner, "viewer" = the team may look, "editor" = the team may change it.
    team_access: Mapped[str | None] = mapped_column(String(10))


class HeroFrame(Base):
    __tablename__ = "hero_frames"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    prompt: Mapped[str] = mapped_column(Text, default="")
    enhanced_prompt: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default=FrameSource.generated.value)
    engine: Mapped[str] = mapped_column(String(80))
    model: Mapped[str] = mapped_column(String(200), default="")
    seed: Mapped[int | None] = mapped_column(Integer)
    aspect_ratio: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    image_path: Mapped[str] = mapped_column(String(500))
    thumbnail_path: Mapped[str] = mapped_column(String(500))
    is_favourite: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_frame_id: Mapped[int | None] = mapped_column(ForeignKey("hero_frames.id", ondelete="SET NULL"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GenerationGroup(Base):
    __tablename__ = "generation_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    hero_frame_id: Mapped[int] = mapped_column(ForeignKey("hero_frames.id"))
    motion_prompt: Mapped[str] = mapped_column(Text, default="")
    negative_prompt: Mapped[str] = mapped_column(Text, default="")
    engine: Mapped[str] = mapped_column(String(80))
    model: Mapped[str] = mapped_column(String(200), default="")
    attempt_count: Mapped[int] = mapped_column(Integer, default=3)
    duration: Mapped[float] = mapped_column(Float, default=5.0)
    iteration_index: Mapped[int] = mapped_column(Integer, default=1)
    parent_group_id: Mapped[int | None] = mapped_column(ForeignKey("generation_groups.id", ondelete="SET NULL"))
    selection_reason: Mapped[str | None] = mapped_column(Text)
    estimated_cost_usd: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    attempts: Mapped[list[VideoAttempt]] = relationship(
        back_populates="group", order_by="VideoAttempt.index", cascade="all, delete-orphan"
    )


class VideoAttempt(Base):
    __tablename__ = "video_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("generation_groups.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default=AttemptStatus.queued.value)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    video_path: Mapped[str | None] = mapped_column(String(500))
    poster_path: Mapped[str | None] = mapped_column(String(500))
    duration: Mapped[float | None] = mapped_column(Float)
    fps: Mapped[float | None] = mapped_column(Float)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    overall_score: Mapped[float | None] = mapped_column(Float)
    relative_score: Mapped[float | None] = mapped_column(Float)
    score_reason: Mapped[str | None] = mapped_column(Text)
    # metrics used/skipped, gate failures, seconds: what the scorer said beyond the per-dimension values
    score_details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    is_system_selected_best: Mapped[bool] = mapped_column(Boolean, default=False)
    is_user_selected_best: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    group: Mapped[GenerationGroup] = relationship(back_populates="attempts")
    metrics: Mapped[list[QualityMetric]] = relationship(cascade="all, delete-orphan", order_by="QualityMetric.name")


class QualityMetric(Base):
    __tablename__ = "quality_metrics"
    __table_args__ = (UniqueConstraint("attempt_id", "name", "scorer_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("video_attempts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    value: Mapped[float] = mapped_column(Float)
    scorer_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SelectionEvent(Base):
    """Every pick, by the system or the user: the log behind the auto-vs-user agreement rate."""

    __tablename__ = "selection_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("generation_groups.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("video_attempts.id", ondelete="CASCADE"))
    system_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("video_attempts.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(20))  # "system" or "user"
    reason: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.queued.value, index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str] = mapped_column(String(300), default="Queued")
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    max_tries: Mapped[int] = mapped_column(Integer, default=3)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    # Who asked for the work (limits and spend are per user; the project may be someone else's shared project).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    worker_id: Mapped[str | None] = mapped_column(String(200))
    # What a remote engine needs to resume after a restart (e.g. a provider's prediction id), never secrets.
    engine_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class TimelineVersion(Base):
    """One state of a project's timeline. Every edit adds a row (nothing is overwritten); ``is_head`` marks the
    one the editor shows, ``parent_version`` the one it was made from (undo/redo walk these), and "Save" turns
    a draft into a named, saved version (``kind``)."""

    __tablename__ = "timeline_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    edit_list: Mapped[dict[str, Any]] = mapped_column(default=dict)
    exported_path: Mapped[str | None] = mapped_column(String(500))
    export_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    parent_version: Mapped[int | None] = mapped_column(Integer)
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(10), default="draft")  # "draft" or "saved"
    name: Mapped[str] = mapped_column(String(200), default="")
    saved_at: Mapped[datetime | None] = mapped_column(DateTime)
    thumbnail_path: Mapped[str | None] = mapped_column(String(500))


class AdPlan(Base):
    """An ad composer plan (``kind`` "ad") or a one-click product video (``kind`` "product_video"): the validated
    plan JSON (pipeline/ads/plan.py), its status (draft → generating → done | cancelled | failed), the project it
    made, the generation job, the cost estimate shown before generation and the actual cost recorded after, and
    ``state``: what the generation made so far per scene (frames, groups), so a retried job resumes."""

    __tablename__ = "ad_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="ad")
    # A plan exists before its project does, so it has its own owner.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    prompt: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    estimated_cost_usd: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class UsageEvent(Base):
    """One queued generation (a frame batch, an attempt group, an ad, ...), recorded in the same transaction that
    queues it: the ledger behind the per-hour generation limit, the monthly spend caps and the admin spend view.
    ``estimated_usd`` is what was reserved before queueing; ``actual_usd`` what the providers reported since."""

    __tablename__ = "usage_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    generations: Mapped[int] = mapped_column(Integer, default=1)
    estimated_usd: Mapped[float] = mapped_column(Float, default=0.0)
    actual_usd: Mapped[float | None] = mapped_column(Float)
    engine: Mapped[str] = mapped_column(String(80), default="")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("generation_groups.id", ondelete="SET NULL"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
