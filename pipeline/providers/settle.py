"""When a job ends without success, remote work it started may still be running (the job failed for good after
transient errors, or was cancelled while no worker ran it). Cancel it so it stops costing money, and record what
it was charged in Job.engine_state. Best effort: a provider that cannot be reached leaves the cost unknown."""
from __future__ import annotations

import logging
from typing import Any

from pipeline.providers.common import redact

log = logging.getLogger(__name__)


def _open(state: dict[str, Any]) -> bool:
    return bool(state.get("prediction_id")) and not state.get("final")


def settle_remote_work(kind: str, engine_name: str, settings: Any, state: dict[str, Any], job_id: int,
                       db: Any) -> dict[str, Any]:
    """The job's engine state after stopping every unfinished prediction in it (also per-candidate scopes)."""
    scoped = {key: value for key, value in state.items() if isinstance(value, dict) and _open(value)}
    if not _open(state) and not scoped:
        return state
    from pipeline.engines import registry

    try:
        engine = registry.create(kind, engine_name, settings)
    except Exception as exc:  # noqa: BLE001 - e.g. the key was removed since: the cost stays unknown
        log.warning("Cannot stop remote work of job %s: %s", job_id, redact(exc, settings))
        return state
    abandon = getattr(engine, "abandon", None)
    if abandon is None:
        return state
    try:
        if _open(state):
            state = abandon(state)
        for key, value in scoped.items():
            state = {**state, key: abandon(value)}
    except Exception as exc:  # noqa: BLE001 - tidying up must never hide the job's own outcome
        log.warning("Stopping remote work of job %s failed: %s", job_id, redact(exc, settings))
    from storage.models import Job

    with db.session() as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.engine_state = state
    return state
