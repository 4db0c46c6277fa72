"""The library: search by prompt, filter by kind and status, newest first, pages; re-run, clone, download; and
delete that removes rows and files together, refuses what is in use, and leaves nothing orphaned."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import NotFound, StudioError
from storage.models import VideoAttempt
from tests.services import seed


def _clean(services):
    audit = services.library.audit()
    assert audit["orphan_files"] == [] and audit["missing_files"] == [], audit


@pytest.fixture
def studio(services, project):
    """Two projects: a sneaker one with a group of 3, and a perfume one with a group of 2."""
    seed.hero(services, project, "a red sneaker on a pedestal, neon")
    sneaker = seed.group(services, project, "slow push in", count=3)
    perfume_project = services.projects.create("Perfume", "16:9")
    seed.hero(services, perfume_project, "a perfume bottle on wet glass", seed=9)
    perfume = seed.group(services, perfume_project, "orbit around the bottle", count=2, seed=8)
    return project, sneaker, perfume_project, perfume


def test_search_by_prompt_kind_status_and_pages(services, studio):
    project, sneaker, _, perfume = studio
    everything = services.library.search()
    assert everything["total"] == 2 + 8 + 5  # projects, frames, attempts
    created = [i["created_at"] for i in everything["items"]]
    assert created == sorted(created, reverse=True)  # newest first

    hits = services.library.search("SNEAKER")  # the project, its frames and (through their hero) its attempts
    assert {i["kind"] for i in hits["items"]} == {"project", "frame", "attempt"} and hits["total"] == 1 + 4 + 3
    assert all(i["project_id"] == project.id for i in hits["items"])
    attempts = services.library.search("orbit", kind="attempts")
    assert [i["id"] for i in attempts["items"]] == [a.id for a in reversed(perfume.attempts)]
    assert all(i["thumbnail"] and Path(i["thumbnail"]).is_file() for i in attempts["items"])

    services.hero_frames.set_favourite(services.hero_frames.list(project.id)[0].id, True)
    assert services.library.search(status="favourite")["total"] == 1
    assert services.library.search(kind="attempts", status="failed")["total"] == 0
    assert services.library.search(kind="attempts", status="done")["total"] == 5
    services.history.set_final(project.id, sneaker.attempts[0].id)
    finals = services.library.search(status="final")
    assert {(i["kind"], i["id"]) for i in finals["items"]} == {("project", project.id),
                                                              ("attempt", sneaker.attempts[0].id)}

    pages = [services.library.search(kind="frames", page=n, page_size=3) for n in (1, 2, 3)]
    assert [p["pages"] for p in pages] == [3, 3, 3] and [len(p["items"]) for p in pages] == [3, 3, 2]
    ids = [i["id"] for p in pages for i in p["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 8
    with pytest.raises(StudioError):
        services.library.search(kind="videos")
    with pytest.raises(StudioError):
        services.library.search(status="lost")


def test_rerun_clone_and_download(services, studio):
    project, sneaker, perfume_project, _ = studio
    attempt = sneaker.attempts[1]
    settings = services.library.clone_settings("attempt", attempt.id)
    assert settings["motion_prompt"] == "slow push in" and settings["attempt_count"] == 3
    assert settings["hero_frame_id"] == sneaker.hero_frame_id and settings["duration"] == 2.0
    assert services.library.clone_settings("project", project.id)["source_kind"] == "group"

    # into another project: the hero frame is copied in first
    view = services.library.start_from_settings(perfume_project.id, {**settings, "attempt_count": 1})
    assert view.project_id == perfume_project.id and view.hero_frame_id != settings["hero_frame_id"]
    copied = services.hero_frames.get(view.hero_frame_id)
    assert copied.project_id == perfume_project.id and Path(copied.image).is_file()
    assert copied.parameters["cloned_from_frame_id"] == settings["hero_frame_id"]

    # "Edit in the Attempts tab": the frame comes in and becomes the project's hero; the settings come back clean
    used = services.library.use_settings(perfume_project.id, {**settings, "engine": "no-such-engine"})
    assert services.projects.get(perfume_project.id).selected_hero_frame_id == used["hero_frame_id"]
    assert services.hero_frames.get(used["hero_frame_id"]).project_id == perfume_project.id
    assert used["motion_prompt"] == "slow push in" and used["attempt_count"] == 3 and used["engine"] is None
    with pytest.raises(StudioError, match="hero_frame_id"):
        services.library.use_settings(perfume_project.id, {"motion_prompt": "pan left"})

    again = services.library.rerun("attempt", attempt.id)
    assert again["parent_group_id"] == sneaker.id and len(again["job_ids"]) == 1
    frames = services.library.rerun("frame", sneaker.hero_frame_id)
    assert services.jobs.get(frames["job_id"]).status == "succeeded"

    assert services.library.download("attempt", attempt.id) == [attempt.video]
    assert len(services.library.download("group", sneaker.id)) == 3
    with pytest.raises(StudioError, match="final version"):
        services.library.download("project", project.id)
    services.history.set_final(project.id, attempt.id)
    assert services.library.download("project", project.id) == [attempt.video]
    _clean(services)


def test_delete_attempt_frame_and_group(services, studio):
    project, sneaker, _, perfume = studio
    pick = next(a for a in sneaker.attempts if a.is_system_selected_best)
    with pytest.raises(StudioError, match="confirm"):
        services.library.delete("attempt", pick.id)
    services.history.set_final(project.id, pick.id)
    report = services.library.delete("attempt", pick.id, confirm=True)
    assert report["deleted"]["attempts"] == 1 and report["files_deleted"] == 2
    assert any("final version" in n for n in report["notes"])
    assert not Path(pick.video).exists() and not Path(pick.poster).exists()
    group = services.attempts.group(sneaker.id)
    assert len(group.attempts) == 2 and sum(a.is_system_selected_best for a in group.attempts) == 1
    assert services.history.final(project.id) is None
    _clean(services)

    with pytest.raises(StudioError, match="animated by group"):
        services.library.delete("frame", sneaker.hero_frame_id, confirm=True)
    unused = next(f for f in services.hero_frames.list(project.id) if f.id != sneaker.hero_frame_id)
    services.library.delete("frame", unused.id, confirm=True)
    assert not Path(unused.image).exists() and not Path(unused.thumbnail).exists()
    with pytest.raises(NotFound):
        services.hero_frames.get(unused.id)

    report = services.library.delete("group", perfume.id, confirm=True)
    assert report["deleted"] == {"attempts": 2, "groups": 1}
    with pytest.raises(NotFound):
        services.attempts.group(perfume.id)
    _clean(services)


def test_files_used_by_the_timeline_are_kept(services, studio):
    project, sneaker, *_ = studio
    timeline = services.timeline.rebuild_from_picks(project.id)
    used = next(a for a in sneaker.attempts if a.id == timeline.clips[0].attempt_id)
    report = services.library.delete("attempt", used.id, confirm=True)
    assert Path(used.video).is_file() and report["files_kept"]
    assert not Path(used.poster).exists()
    _clean(services)


def test_running_work_is_not_deleted(services, studio):
    _, sneaker, *_ = studio
    with services.db.session() as session:
        session.get(VideoAttempt, sneaker.attempts[0].id).status = "rendering"
    with pytest.raises(StudioError, match="still rendering"):
        services.library.delete("attempt", sneaker.attempts[0].id, confirm=True)
    with pytest.raises(StudioError, match="still rendering"):
        services.library.delete("group", sneaker.id, confirm=True)


def test_delete_project_removes_everything_it_owns(services, studio):
    project, sneaker, perfume_project, perfume = studio
    services.history.set_final(project.id, sneaker.attempts[0].id)
    services.selection.select_attempt(sneaker.attempts[1].id, "nicer", ["too static"])
    services.history.rerun_attempts(sneaker.id, [sneaker.attempts[2].id])
    services.timeline.rebuild_from_picks(project.id)
    export = services.timeline.export(project.id)
    assert services.jobs.get(export["job_id"]).status == "succeeded"
    before = services.library.search(kind="attempts")["total"]

    report = services.library.delete("project", project.id, confirm=True)
    assert report["deleted"]["projects"] == 1 and report["deleted"]["groups"] == 2
    assert report["deleted"]["frames"] == 4 and report["deleted"]["attempts"] == 6
    assert services.library.search(kind="attempts")["total"] == before - 6
    assert [p.id for p in services.projects.list()] == [perfume_project.id]
    assert services.attempts.group(perfume.id).attempts  # the other project is untouched
    _clean(services)
    media = services.media.root
    left = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    assert not [f for f in left if f.startswith("exports/")]
    assert services.dashboard.summary()["groups"] == 1
