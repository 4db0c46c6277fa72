"""The typed views: attributes for readers, the same JSON for the API (statuses as their strings, keys that only
some answers carry left out unless a service set them)."""
from __future__ import annotations

import json

import pytest

from pipeline.services.views import AttemptView, JobView, StartedGroup, TimelineVersionView
from storage.models import AttemptStatus, JobStatus


def _job(**fields) -> JobView:
    return JobView(**{"id": 7, "kind": "attempt", "status": "running", "progress": 12.5, **fields})


def test_statuses_are_enums_that_read_and_serialise_as_their_strings():
    job = _job()
    assert job.status is JobStatus.running and job.status == "running" and f"{job.status}" == "running"
    assert job.to_json()["status"] == "running" and json.loads(json.dumps(job.to_json()))["status"] == "running"
    assert not job.finished and _job(status="succeeded").finished
    with pytest.raises(ValueError):
        _job(status="exploded")


def test_a_key_only_some_answers_carry_is_left_out_unless_set():
    attempt = AttemptView(id=1, group_id=2, index=1, status=AttemptStatus.done)
    assert "job" not in attempt.to_json()  # a comparison's attempt has no job
    attempt.job = None  # a group's view says "no job" explicitly
    assert attempt.to_json()["job"] is None
    attempt.job = _job()
    assert attempt.to_json()["job"]["status"] == "running"

    version = TimelineVersionView(id=1, project_id=1, version=3, edit_list={})
    assert not {"can_undo", "new_picks", "download_name"} & set(version.to_json())
    assert version.model_copy(update={"download_name": "x – v3.mp4"}).to_json()["download_name"] == "x – v3.mp4"


def test_a_started_group_carries_its_jobs_and_only_a_new_group_its_estimate():
    fields = dict(id=1, project_id=1, motion_prompt="push in", engine="local-camera-motion", attempt_count=2,
                  duration=2.0)
    rerolled = StartedGroup(**fields, job_ids=[4])
    assert rerolled.to_json()["job_ids"] == [4] and "estimate" not in rerolled.to_json()
    started = StartedGroup(**fields, job_ids=[4, 5], estimate={"usd": 0.0})
    assert started.to_json()["estimate"] == {"usd": 0.0}


def test_views_are_not_dicts():
    job = _job()
    with pytest.raises(TypeError):
        job["status"]  # noqa: B018 - readers use attributes
