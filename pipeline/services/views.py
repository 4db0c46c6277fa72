"""Typed views of rows for the UI and the API: pydantic models, JSON-safe, ids everywhere, media as absolute paths.

Field names are the API's JSON keys: ``view.model_dump(mode="json")`` is the answer an endpoint sends (the API's
door, studio/api/door.py, does that), so the JSON on the wire is what the plain dicts of before gave
(tests/test_api_json_compat.py). Readers use attributes; the models are not dicts.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_serializer

from storage.media import MediaStore
from storage.models import (
    AttemptStatus,
    GenerationGroup,
    HeroFrame,
    Job,
    JobStatus,
    Project,
    TimelineVersion,
    VideoAttempt,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _media(media: MediaStore, relative: str | None) -> str | None:
    return str(media.absolute(relative)) if relative else None


class View(BaseModel):
    """Base of the views. ``OMITTED_UNLESS_SET`` names fields that only some answers carry (e.g. an attempt's
    ``job`` in a group's view): they leave the JSON out unless a service set them, as the dicts of before did."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)
    OMITTED_UNLESS_SET: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _leave_out_unset(self, handler: Any) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self.OMITTED_UNLESS_SET - self.model_fields_set:
                data.pop(name, None)
        return data

    def to_json(self) -> dict[str, Any]:
        """The JSON object the API sends."""
        return self.model_dump(mode="json")


class ProjectView(View):
    id: int
    name: str
    aspect_ratio: str
    selected_hero_frame_id: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    #: Who owns it (None before team mode), how it is shared (private | viewer | editor) and what the actor may do.
    owner: str | None = None
    sharing: str = "private"
    access: str = "own"


def project_view(project: Project, owner: str | None = None, access: str = "own") -> ProjectView:
    return ProjectView(id=project.id, name=project.name, aspect_ratio=project.aspect_ratio,
                       selected_hero_frame_id=project.selected_hero_frame_id, created_at=_iso(project.created_at),
                       updated_at=_iso(project.updated_at), owner=owner, sharing=project.team_access or "private",
                       access=access)


class FrameView(View):
    id: int
    project_id: int
    prompt: str
    enhanced_prompt: str | None = None
    source: str
    engine: str
    model: str | None = None
    seed: int | None = None
    aspect_ratio: str
    width: int | None = None
    height: int | None = None
    image: str | None = None
    thumbnail: str | None = None
    is_favourite: bool = False
    parent_frame_id: int | None = None
    parameters: dict[str, Any] | None = None
    created_at: str | None = None


def frame_view(frame: HeroFrame, media: MediaStore) -> FrameView:
    return FrameView(id=frame.id, project_id=frame.project_id, prompt=frame.prompt,
                     enhanced_prompt=frame.enhanced_prompt, source=frame.source, engine=frame.engine,
                     model=frame.model, seed=frame.seed, aspect_ratio=frame.aspect_ratio, width=frame.width,
                     height=frame.height, image=_media(media, frame.image_path),
                     thumbnail=_media(media, frame.thumbnail_path), is_favourite=bool(frame.is_favourite),
                     parent_frame_id=frame.parent_frame_id, parameters=frame.parameters,
                     created_at=_iso(frame.created_at))


class JobView(View):
    id: int
    kind: str
    status: JobStatus
    progress: float
    step: str | None = None
    error: str | None = None
    cancel_requested: bool = False
    tries: int = 0
    result: dict[str, Any] | None = None
    project_id: int | None = None
    worker: str | None = None
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def finished(self) -> bool:
        return self.status.finished


def job_view(job: Job) -> JobView:
    return JobView(id=job.id, kind=job.kind, status=job.status, progress=round(job.progress, 1), step=job.step,
                   error=job.error, cancel_requested=bool(job.cancel_requested), tries=job.tries or 0,
                   result=job.result, project_id=job.project_id, worker=job.worker_id,
                   created_at=_iso(job.created_at), started_at=_iso(job.started_at),
                   finished_at=_iso(job.finished_at))


SELF_VARYING = "this model varies on its own; attempts may be similar"


def engine_takes_seed(engine: str | None) -> bool:
    """Whether a video engine takes the attempt's seed (the offline and local-GPU engines all do)."""
    from pipeline.providers.engine_info import engine_info

    try:
        return bool(engine_info("video", engine or "").get("seed", True))
    except (KeyError, ValueError):
        return True


class Variation(View):
    """What makes an attempt differ from the others of its group: a phrase and the numbers behind it."""
    model_config = ConfigDict(extra="allow")  # an engine may say more; it passes through

    phrase: str = ""
    numbers: dict[str, Any] = {}


def attempt_variation(attempt: VideoAttempt, takes_seed: bool = True) -> Variation | None:
    """What makes this attempt differ from the others of its group: {phrase, numbers}. The local engine says it
    (motion_plan.variation); for a model without a seed the UI says the takes may be alike; else None."""
    plan = (attempt.parameters or {}).get("motion_plan") or {}
    if isinstance(plan.get("variation"), dict):
        return Variation(**plan["variation"])
    if not takes_seed:
        return Variation(phrase=SELF_VARYING, numbers={})
    return None


class AttemptView(View):
    OMITTED_UNLESS_SET: ClassVar[frozenset[str]] = frozenset({"job"})

    id: int
    group_id: int
    index: int
    seed: int | None = None
    status: AttemptStatus
    progress: float = 0.0
    error: str | None = None
    job_id: int | None = None
    video: str | None = None
    poster: str | None = None
    duration: float | None = None
    fps: float | None = None
    width: int | None = None
    height: int | None = None
    cost_usd: float | None = None
    overall_score: float | None = None
    relative_score: float | None = None
    rank: int | None = None
    tied_with_pick: bool = False
    score_reason: str | None = None
    scores: dict[str, float] = {}
    is_system_selected_best: bool = False
    is_user_selected_best: bool = False
    parameters: dict[str, Any] | None = None
    variation: Variation | None = None
    created_at: str | None = None
    finished_at: str | None = None
    #: The attempt's render job (only in a group's view, attempts.group).
    job: JobView | None = None

    @property
    def finished(self) -> bool:
        return self.status in (AttemptStatus.done, AttemptStatus.failed, AttemptStatus.cancelled)


def _ranking(attempt: VideoAttempt) -> dict[str, Any]:
    return ((attempt.score_details or {}).get("ranking") or {}) if isinstance(attempt.score_details, dict) else {}


def attempt_fields(attempt: VideoAttempt, media: MediaStore, takes_seed: bool | None = None) -> dict[str, Any]:
    """The fields of an attempt's view (for views that extend it, e.g. history's ComparedAttempt)."""
    if takes_seed is None:
        takes_seed = engine_takes_seed(attempt.group.engine if attempt.group is not None else None)
    ranking = _ranking(attempt)
    return dict(
        id=attempt.id, group_id=attempt.group_id, index=attempt.index, seed=attempt.seed, status=attempt.status,
        progress=round(attempt.progress, 1), error=attempt.error, job_id=attempt.job_id,
        video=_media(media, attempt.video_path), poster=_media(media, attempt.poster_path),
        duration=attempt.duration, fps=attempt.fps, width=attempt.width, height=attempt.height,
        cost_usd=attempt.cost_usd, overall_score=attempt.overall_score, relative_score=attempt.relative_score,
        rank=ranking.get("rank"), tied_with_pick=bool(ranking.get("tied_with_pick")),
        score_reason=attempt.score_reason, scores={m.name: round(m.value, 4) for m in attempt.metrics},
        is_system_selected_best=attempt.is_system_selected_best, is_user_selected_best=attempt.is_user_selected_best,
        parameters=attempt.parameters, variation=attempt_variation(attempt, takes_seed),
        created_at=_iso(attempt.created_at), finished_at=_iso(attempt.finished_at))


def attempt_view(attempt: VideoAttempt, media: MediaStore, takes_seed: bool | None = None) -> AttemptView:
    return AttemptView(**attempt_fields(attempt, media, takes_seed))


class PickConfidence(View):
    """How clearly the system's pick beat the runner-up: band clear | slight | tie."""
    band: str
    label: str = ""
    margin: float | None = None
    tied_attempt_ids: list[int] = []


def pick_confidence(attempts) -> PickConfidence | None:
    """The margin band of a group's system pick, read from its attempts' stored ranking facts (``None`` before
    the group is ranked)."""
    for attempt in attempts:
        facts = _ranking(attempt)
        if facts.get("pick_confidence"):
            return PickConfidence(band=facts["pick_confidence"], label=facts.get("pick_confidence_label", ""),
                                  margin=facts.get("pick_margin"),
                                  tied_attempt_ids=[a.id for a in attempts if _ranking(a).get("tied_with_pick")])
    return None


class GroupView(View):
    id: int
    project_id: int
    hero_frame_id: int | None = None
    motion_prompt: str
    negative_prompt: str | None = None
    engine: str
    model: str | None = None
    attempt_count: int
    duration: float
    iteration_index: int = 1
    parent_group_id: int | None = None
    selection_reason: str | None = None
    pick_confidence: PickConfidence | None = None
    created_at: str | None = None
    attempts: list[AttemptView] = []
    estimated_cost_usd: float | None = None
    cost_usd: float = 0.0
    #: Attempts whose engine could not say what they cost.
    cost_unknown_attempts: int = 0

    @property
    def finished(self) -> bool:
        return all(a.finished for a in self.attempts)


def group_fields(group: GenerationGroup, media: MediaStore) -> dict[str, Any]:
    takes_seed = engine_takes_seed(group.engine)
    return dict(
        id=group.id, project_id=group.project_id, hero_frame_id=group.hero_frame_id,
        motion_prompt=group.motion_prompt, negative_prompt=group.negative_prompt, engine=group.engine,
        model=group.model, attempt_count=group.attempt_count, duration=group.duration,
        iteration_index=group.iteration_index, parent_group_id=group.parent_group_id,
        selection_reason=group.selection_reason, pick_confidence=pick_confidence(group.attempts),
        created_at=_iso(group.created_at), attempts=[attempt_view(a, media, takes_seed) for a in group.attempts],
        estimated_cost_usd=group.estimated_cost_usd, cost_usd=round(sum(a.cost_usd or 0.0 for a in group.attempts), 4),
        cost_unknown_attempts=sum(1 for a in group.attempts if not (a.parameters or {}).get("cost_known", True)))


def group_view(group: GenerationGroup, media: MediaStore) -> GroupView:
    return GroupView(**group_fields(group, media))


class StartedGroup(GroupView):
    """A group just started (or re-rolled): its view plus the jobs that render it and, for a new group, the
    estimate it was started with."""
    OMITTED_UNLESS_SET: ClassVar[frozenset[str]] = frozenset({"estimate"})

    job_ids: list[int] = []
    estimate: dict[str, Any] | None = None


def download_name(project_name: str, version: int) -> str:
    """The name a user downloads an export by, e.g. "Perfume launch – v3.mp4": the project's name made safe
    for any file system (the stored file keeps its id-based name, see export_name)."""
    cleaned = re.sub(r"[\\/:*?\"<>|\x00-\x1f\x7f]+", " ", str(project_name or ""))
    cleaned = " ".join(cleaned.split()).strip(" .")[:80].rstrip(" .")
    return f"{cleaned or 'Timeline'} – v{int(version)}.mp4"


class TimelineClipView(View):
    id: str
    label: str
    attempt_id: int | None = None
    in_point: float
    out_point: float
    length: float
    source_duration: float | None = None
    start: float
    source: str
    transition: dict[str, Any]
    still: bool = False
    pending: bool = False
    generation_group_id: int | None = None
    thumbnail: str | None = None


class NewPick(View):
    group_id: int
    attempt_id: int
    label: str


class TimelineVersionView(View):
    """A timeline version. ``can_undo``/``can_redo`` come with the current one (detail), ``follows_picks`` and
    ``new_picks`` with /timeline, ``download_name`` in the version list, ``gap_group_id`` after a gap fill."""
    OMITTED_UNLESS_SET: ClassVar[frozenset[str]] = frozenset(
        {"can_undo", "can_redo", "follows_picks", "new_picks", "download_name", "gap_group_id"})

    id: int
    project_id: int
    version: int
    edit_list: dict[str, Any]
    exported_file: str | None = None
    export_job_id: int | None = None
    note: str | None = None
    created_at: str | None = None
    kind: str | None = None
    name: str | None = None
    parent_version: int | None = None
    is_head: bool = False
    saved_at: str | None = None
    thumbnail: str | None = None
    duration: float = 0.0
    clips: list[TimelineClipView] = []
    overlays: list[dict[str, Any]] = []
    can_undo: bool = False
    can_redo: bool = False
    follows_picks: bool = False
    new_picks: list[NewPick] = []
    download_name: str | None = None
    gap_group_id: int | None = None


def timeline_version_fields(version: TimelineVersion, media: MediaStore) -> dict[str, Any]:
    """The stored fields of a version's view (the timeline service adds the edit's clips, overlays, duration)."""
    return dict(id=version.id, project_id=version.project_id, version=version.version, edit_list=version.edit_list,
                exported_file=_media(media, version.exported_path), export_job_id=version.export_job_id,
                note=version.note, created_at=_iso(version.created_at))


class ComparedAttempt(AttemptView):
    """An attempt in a side-by-side comparison: its view plus its group's context."""
    project_id: int
    iteration: int
    motion_prompt: str
    negative_prompt: str | None = None
    engine: str
    is_final: bool = False
    label: str


class MetricRow(View):
    dimension: str
    values: list[float | None]
    #: Each value minus the first one's (None where either is missing).
    deltas: list[float | None] = []


class Comparison(View):
    """1–4 attempts side by side and a metrics table; comparing versions adds the two versions' rows."""
    OMITTED_UNLESS_SET: ClassVar[frozenset[str]] = frozenset({"versions"})

    attempts: list[ComparedAttempt]
    dimensions: list[str]
    rows: list[MetricRow]
    versions: list[dict[str, Any]] = []


class FinalVersion(View):
    """The project's final version: the attempt chosen as the one to deliver."""
    attempt_id: int
    group_id: int
    attempt_index: int
    version: int
    iteration: int
    overall_score: float | None = None
    video: str | None = None
    poster: str | None = None
    set_at: str | None = None
    label: str


class FinalChoice(View):
    """What setting (or clearing) the final version left."""
    project_id: int
    final: FinalVersion | None = None
