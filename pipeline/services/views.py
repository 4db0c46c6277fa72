"""Plain-dict views of rows for the UI and the API: JSON-safe, ids everywhere, media as absolute paths."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from storage.media import MediaStore
from storage.models import GenerationGroup, HeroFrame, Job, Project, TimelineVersion, VideoAttempt


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _media(media: MediaStore, relative: str | None) -> str | None:
    return str(media.absolute(relative)) if relative else None


def project_view(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "aspect_ratio": project.aspect_ratio,
        "selected_hero_frame_id": project.selected_hero_frame_id,
        "created_at": _iso(project.created_at),
        "updated_at": _iso(project.updated_at),
    }


def frame_view(frame: HeroFrame, media: MediaStore) -> dict[str, Any]:
    return {
        "id": frame.id,
        "project_id": frame.project_id,
        "prompt": frame.prompt,
        "enhanced_prompt": frame.enhanced_prompt,
        "source": frame.source,
        "engine": frame.engine,
        "model": frame.model,
        "seed": frame.seed,
        "aspect_ratio": frame.aspect_ratio,
        "width": frame.width,
        "height": frame.height,
        "image": _media(media, frame.image_path),
        "thumbnail": _media(media, frame.thumbnail_path),
        "is_favourite": frame.is_favourite,
        "parent_frame_id": frame.parent_frame_id,
        "parameters": frame.parameters,
        "created_at": _iso(frame.created_at),
    }


def job_view(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": round(job.progress, 1),
        "step": job.step,
        "error": job.error,
        "cancel_requested": job.cancel_requested,
        "tries": job.tries,
        "result": job.result,
        "project_id": job.project_id,
        "worker": job.worker_id,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
    }


SELF_VARYING = "this model varies on its own; attempts may be similar"


def engine_takes_seed(engine: str | None) -> bool:
    """Whether a video engine takes the attempt's seed (the offline and local-GPU engines all do)."""
    from pipeline.providers.engine_info import engine_info

    try:
        return bool(engine_info("video", engine or "").get("seed", True))
    except (KeyError, ValueError):
        return True


def attempt_variation(attempt: VideoAttempt, takes_seed: bool = True) -> dict[str, Any] | None:
    """What makes this attempt differ from the others of its group: {phrase, numbers}. The local engine says it
    (motion_plan.variation); for a model without a seed the UI says the takes may be alike; else None."""
    plan = (attempt.parameters or {}).get("motion_plan") or {}
    if isinstance(plan.get("variation"), dict):
        return plan["variation"]
    if not takes_seed:
        return {"phrase": SELF_VARYING, "numbers": {}}
    return None


def attempt_view(attempt: VideoAttempt, media: MediaStore, takes_seed: bool | None = None) -> dict[str, Any]:
    if takes_seed is None:
        takes_seed = engine_takes_seed(attempt.group.engine if attempt.group is not None else None)
    return {
        "id": attempt.id,
        "group_id": attempt.group_id,
        "index": attempt.index,
        "seed": attempt.seed,
        "status": attempt.status,
        "progress": round(attempt.progress, 1),
        "error": attempt.error,
        "job_id": attempt.job_id,
        "video": _media(media, attempt.video_path),
        "poster": _media(media, attempt.poster_path),
        "duration": attempt.duration,
        "fps": attempt.fps,
        "width": attempt.width,
        "height": attempt.height,
        "cost_usd": attempt.cost_usd,
        "overall_score": attempt.overall_score,
        "relative_score": attempt.relative_score,
        "rank": ((attempt.score_details or {}).get("ranking") or {}).get("rank"),
        "tied_with_pick": bool(((attempt.score_details or {}).get("ranking") or {}).get("tied_with_pick")),
        "score_reason": attempt.score_reason,
        "scores": {metric.name: round(metric.value, 4) for metric in attempt.metrics},
        "is_system_selected_best": attempt.is_system_selected_best,
        "is_user_selected_best": attempt.is_user_selected_best,
        "parameters": attempt.parameters,
        "variation": attempt_variation(attempt, takes_seed),
        "created_at": _iso(attempt.created_at),
        "finished_at": _iso(attempt.finished_at),
    }


def pick_confidence(attempts) -> dict[str, Any] | None:
    """The margin band of a group's system pick, read from its attempts' stored ranking facts (``None`` before
    the group is ranked)."""
    for attempt in attempts:
        facts = (attempt.score_details or {}).get("ranking") if isinstance(attempt.score_details, dict) else None
        if facts and facts.get("pick_confidence"):
            return {"band": facts["pick_confidence"], "label": facts.get("pick_confidence_label", ""),
                    "margin": facts.get("pick_margin"),
                    "tied_attempt_ids": [a.id for a in attempts
                                         if ((a.score_details or {}).get("ranking") or {}).get("tied_with_pick")]}
    return None


def group_view(group: GenerationGroup, media: MediaStore) -> dict[str, Any]:
    takes_seed = engine_takes_seed(group.engine)
    return {
        "id": group.id,
        "project_id": group.project_id,
        "hero_frame_id": group.hero_frame_id,
        "motion_prompt": group.motion_prompt,
        "negative_prompt": group.negative_prompt,
        "engine": group.engine,
        "model": group.model,
        "attempt_count": group.attempt_count,
        "duration": group.duration,
        "iteration_index": group.iteration_index,
        "parent_group_id": group.parent_group_id,
        "selection_reason": group.selection_reason,
        "pick_confidence": pick_confidence(group.attempts),
        "created_at": _iso(group.created_at),
        "attempts": [attempt_view(a, media, takes_seed) for a in group.attempts],
    }


def download_name(project_name: str, version: int) -> str:
    """The name a user downloads an export by, e.g. "Perfume launch – v3.mp4": the project's name made safe
    for any file system (the stored file keeps its id-based name, see export_name)."""
    cleaned = re.sub(r"[\\/:*?\"<>|\x00-\x1f\x7f]+", " ", str(project_name or ""))
    cleaned = " ".join(cleaned.split()).strip(" .")[:80].rstrip(" .")
    return f"{cleaned or 'Timeline'} – v{int(version)}.mp4"


def timeline_version_view(version: TimelineVersion, media: MediaStore) -> dict[str, Any]:
    return {
        "id": version.id,
        "project_id": version.project_id,
        "version": version.version,
        "edit_list": version.edit_list,
        "exported_file": _media(media, version.exported_path),
        "export_job_id": version.export_job_id,
        "note": version.note,
        "created_at": _iso(version.created_at),
    }
