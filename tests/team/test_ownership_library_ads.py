"""Team mode in the library, the dashboard and the ad composer: bob can neither find, read, download, re-run,
clone into, change nor delete alice's private work, by any id, and gets the same message as for an id that does
not exist; sharing a project as viewer gives read access (search and the dashboard include it; changes are
ReadOnly), as editor gives edit access (deleting the whole project stays with its owner); the dashboard's numbers
cover only the projects the actor may see; queued ads and product videos go through the limits ledger.

Services are built directly (no app process) on SQLite with the external queue mode, so work is queued (job
rows, usage ledger) but never run: the rows and small files the tests need are written directly, which keeps
the module fast.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from pipeline.access import NotAuthorized, ReadOnly, acting_as
from pipeline.errors import NotFound
from pipeline.services.limits import LimitExceeded
from storage.models import (
    AdPlan,
    GenerationGroup,
    HeroFrame,
    Job,
    Project,
    QualityMetric,
    SelectionEvent,
    UsageEvent,
    VideoAttempt,
)
from tests.conftest import make_settings

PASSWORD = "a-long-password-1"
PLAN_PROMPT = "Create a luxury watch ad for Alice's brand"


def as_user(services, username: str):
    return acting_as(services.access.user_actor(username))


def _file(services, folder: str, stem: str, suffix: str) -> str:
    """A small real file under the media root (an image for frames, bytes standing in for a video)."""
    media = services.media
    relative = media.new_path(folder, stem, suffix)
    if suffix in (".png", ".jpg"):
        media.save_image(Image.new("RGB", (64, 36), (200, 120, 40)), relative)
    else:
        path = media.absolute(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00" * 64)
    return relative


def _work(services, owner: str, name: str, prompt: str, motion: str, scores=(70.0, 40.0)) -> dict[str, Any]:
    """A project of ``owner`` (created through the service, so it is owned) with a hero frame, a scored group of
    attempts (files on disk), a user pick and the first attempt as its final version."""
    with as_user(services, owner):
        pid = services.projects.create(name, "16:9").id
    with services.db.session() as session:
        frame = HeroFrame(project_id=pid, prompt=prompt, source="generated", engine="local-previz",
                          model="previz", seed=1, aspect_ratio="16:9", width=64, height=36,
                          parameters={"cost_usd": 0.25, "cost_known": True},
                          image_path=_file(services, "frames", f"p{pid}", ".png"),
                          thumbnail_path=_file(services, "thumbs", f"p{pid}", ".jpg"))
        session.add(frame)
        session.flush()
        group = GenerationGroup(project_id=pid, hero_frame_id=frame.id, motion_prompt=motion, negative_prompt="",
                                engine="local-camera-motion", model="m-" + owner, attempt_count=len(scores),
                                duration=2.0, iteration_index=1, created_at=datetime(2026, 1, 1),
                                estimated_cost_usd=0.0)
        session.add(group)
        session.flush()
        attempts = []
        for i, score in enumerate(scores):
            attempt = VideoAttempt(group_id=group.id, index=i + 1, seed=i, status="done", overall_score=score,
                                   is_system_selected_best=i == 0, is_user_selected_best=i == 0, cost_usd=0.5,
                                   duration=2.0, video_path=_file(services, "attempts", f"p{pid}-a{i}", ".mp4"),
                                   poster_path=_file(services, "posters", f"p{pid}-a{i}", ".jpg"),
                                   created_at=datetime(2026, 1, 1))
            session.add(attempt)
            session.flush()
            session.add(QualityMetric(attempt_id=attempt.id, name="sharpness", value=score / 100, scorer_version="t"))
            attempts.append(attempt.id)
        session.add(SelectionEvent(group_id=group.id, attempt_id=attempts[0], system_attempt_id=attempts[0],
                                   actor="user", tags=[f"tag-{owner}"]))
        project = session.get(Project, pid)
        project.selected_hero_frame_id = frame.id
        project.final_attempt_id = attempts[0]
    return {"project_id": pid, "frame_id": frame.id, "group_id": group.id, "attempt_ids": attempts}


@dataclass
class World:
    services: Any
    secret: dict[str, Any]  # alice's private project
    shared: dict[str, Any]  # alice's project the tests share (private until they do)
    bobs: dict[str, Any]  # bob's own project

    def share(self, level: str) -> None:
        with as_user(self.services, "alice"):
            self.services.projects.share(self.shared["project_id"], level)


@pytest.fixture
def world(tmp_path):
    from pipeline.services import build_services
    from storage.users import UserStore

    services = build_services(make_settings(tmp_path / "d", auth="local", queue_mode="external",
                                            generations_per_hour=1000))
    users = UserStore(services.db, rounds=4)
    for name, role in (("alice", "member"), ("bob", "member"), ("boss", "admin")):
        users.add(name, PASSWORD, role)
    made = World(services,
                 _work(services, "alice", "Alice's secret launch", "a glass perfume bottle on black sand",
                       "slow orbit of the bottle", (80.0, 60.0)),
                 _work(services, "alice", "Alice's team project", "a silver watch on marble", "slow push in",
                       (50.0, 30.0)),
                 _work(services, "bob", "Bob's sneakers", "a red sneaker on a pedestal", "tilt up the shoe",
                       (20.0, 10.0)))
    yield made
    services.close()


def _missing(call, label: str, item_id: int) -> None:
    """The call fails exactly like it does for an id that does not exist."""
    with pytest.raises(NotFound) as caught:
        call()
    assert str(caught.value) == f"{label} {item_id} does not exist."


def _items(work):
    """(kind, id, label) of every library item of a project."""
    return [("project", work["project_id"], "Project"), ("frame", work["frame_id"], "Hero frame"),
            ("group", work["group_id"], "Generation group"),
            *[("attempt", a, "Attempt") for a in work["attempt_ids"]]]


def _project_ids(search) -> set[int]:
    return {i["project_id"] for i in search["items"]}


# ------------------------------------------------------------ library
def test_library_search_covers_only_the_projects_the_actor_may_see(world):
    s, secret, shared, bobs = world.services, world.secret, world.shared, world.bobs
    with as_user(s, "bob"):
        mine = s.library.search(page_size=100)
        assert _project_ids(mine) == {bobs["project_id"]} and mine["total"] == 1 + 1 + 2
        assert s.library.search("perfume")["total"] == 0  # alice's prompts find nothing
        assert s.library.search("Alice")["total"] == 0
        assert s.library.search(status="final")["total"] == 2  # bob's project and its final attempt
    with as_user(s, "alice"):
        assert _project_ids(s.library.search(page_size=100)) == {secret["project_id"], shared["project_id"]}
        assert s.library.search("sneaker")["total"] == 0
    world.share("viewer")
    with as_user(s, "bob"):
        found = s.library.search(page_size=100)
        assert _project_ids(found) == {bobs["project_id"], shared["project_id"]} and found["total"] == 8
        assert _project_ids(s.library.search("watch")) == {shared["project_id"]}
        assert s.library.search("perfume")["total"] == 0
    with as_user(s, "boss"):  # an admin has no special view of other people's private projects
        assert _project_ids(s.library.search(page_size=100)) == {shared["project_id"]}


def test_bob_cannot_reach_alice_private_items_through_the_library(world):
    s, secret, bobs = world.services, world.secret, world.bobs
    files = sorted(p.as_posix() for p in s.media.root.rglob("*") if p.is_file())
    with as_user(s, "bob"):
        for kind, item_id, label in _items(secret):
            _missing(lambda: s.library.clone_settings(kind, item_id), label, item_id)
            _missing(lambda: s.library.download(kind, item_id), label, item_id)
            _missing(lambda: s.library.delete(kind, item_id, confirm=True), label, item_id)
            if kind != "project":
                _missing(lambda: s.library.rerun(kind, item_id), label, item_id)
        # and ids that do not exist read the same
        _missing(lambda: s.library.download("frame", 99999), "Hero frame", 99999)
        _missing(lambda: s.library.rerun("attempt", 99999), "Attempt", 99999)
        # cloning alice's frame into bob's project, or bob's frame into alice's project
        settings = {"hero_frame_id": secret["frame_id"], "motion_prompt": "slow push in", "attempt_count": 1,
                    "duration": 2.0}
        _missing(lambda: s.library.start_from_settings(bobs["project_id"], settings), "Hero frame",
                 secret["frame_id"])
        own = {**settings, "hero_frame_id": bobs["frame_id"]}
        _missing(lambda: s.library.start_from_settings(secret["project_id"], own), "Project", secret["project_id"])
        with pytest.raises(NotAuthorized):  # the audit lists everyone's files: admins only
            s.library.audit()
    with as_user(s, "boss"):
        assert s.library.audit()["orphan_files"] == []
    # nothing changed, nothing was queued
    assert sorted(p.as_posix() for p in s.media.root.rglob("*") if p.is_file()) == files
    with s.db.session() as session:
        assert session.scalar(select(func.count(Job.id))) == 0
        assert session.get(Project, secret["project_id"]) is not None
        assert session.scalar(select(func.count(VideoAttempt.id)).join(GenerationGroup).where(
            GenerationGroup.project_id == secret["project_id"])) == 2


def test_a_viewer_reads_clones_and_downloads_but_changes_nothing(world):
    s, shared, bobs = world.services, world.shared, world.bobs
    world.share("viewer")
    with as_user(s, "bob"):
        for kind, item_id, _ in _items(shared):
            assert s.library.clone_settings(kind, item_id)["project_id"] == shared["project_id"]
            assert all(Path(f).is_file() for f in s.library.download(kind, item_id))
            with pytest.raises(ReadOnly):
                s.library.delete(kind, item_id, confirm=True)
            if kind != "project":
                with pytest.raises(ReadOnly):
                    s.library.rerun(kind, item_id)
        settings = s.library.clone_settings("group", shared["group_id"])
        with pytest.raises(ReadOnly):  # into alice's project: no
            s.library.start_from_settings(shared["project_id"], {**settings, "hero_frame_id": bobs["frame_id"]})
        started = s.library.start_from_settings(bobs["project_id"], settings)  # into bob's own: yes
    with s.db.session() as session:
        copied = session.get(HeroFrame, session.get(GenerationGroup, started.id).hero_frame_id)
        assert copied.project_id == bobs["project_id"] and copied.id != shared["frame_id"]
        assert session.scalar(select(func.count(HeroFrame.id)).where(
            HeroFrame.project_id == shared["project_id"])) == 1
        usage = session.scalars(select(UsageEvent)).all()
        assert [(u.project_id, u.user_id) for u in usage] == [(bobs["project_id"], s.access.user_actor("bob").user_id)]


def test_an_editor_reruns_items_but_deletes_nothing_of_the_owners(world):
    """Deleting is the owner's right (pipeline/access.py DELETE, docs/DEPLOY.md): an editor can re-run and edit,
    but not delete the owner's frames, groups, attempts or project."""
    s, shared = world.services, world.shared
    world.share("editor")
    bob = s.access.user_actor("bob")
    with as_user(s, "bob"):
        frames = s.library.rerun("frame", shared["frame_id"])
        assert frames["kind"] == "frame" and frames["job_id"]
        group = s.library.rerun("group", shared["group_id"])
        assert group["kind"] == "group"
        with pytest.raises(ReadOnly, match="Only the owner"):
            s.library.delete("project", shared["project_id"], confirm=True)
        for job in s.jobs.unfinished(shared["project_id"]):  # the re-runs are queued: cancel them to delete
            s.jobs.cancel(job.id)
        before = _rows_of(s, shared["project_id"])
        for kind, item_id in (("attempt", shared["attempt_ids"][1]), ("group", shared["group_id"]),
                              ("frame", shared["frame_id"])):
            with pytest.raises(ReadOnly, match="Only the owner of project .* can delete"):
                s.library.delete(kind, item_id, confirm=True)
        assert _rows_of(s, shared["project_id"]) == before
    with as_user(s, "alice"):
        deleted = s.library.delete("attempt", shared["attempt_ids"][1], confirm=True)
        assert deleted["deleted"]["attempts"] == 1
    with s.db.session() as session:  # the re-runs were queued by bob and reserved against bob's limits
        assert {u.user_id for u in session.scalars(select(UsageEvent))} == {bob.user_id}
        assert session.scalar(select(func.count(UsageEvent.id))) >= 2
    with as_user(s, "alice"):
        assert s.library.delete("project", shared["project_id"], confirm=True)["deleted"]["projects"] == 1


def _rows_of(services, project_id: int) -> tuple[int, int, int]:
    with services.db.session() as session:
        return (session.scalar(select(func.count(HeroFrame.id)).where(HeroFrame.project_id == project_id)),
                session.scalar(select(func.count(GenerationGroup.id)).where(GenerationGroup.project_id == project_id)),
                session.scalar(select(func.count(VideoAttempt.id)).join(GenerationGroup).where(
                    GenerationGroup.project_id == project_id)))


# ------------------------------------------------------------ dashboard
def test_dashboard_numbers_cover_only_visible_projects(world):
    s, secret, shared, bobs = world.services, world.secret, world.shared, world.bobs
    with as_user(s, "alice"):
        everything = s.dashboard.summary()
        assert everything["groups"] == 2 and everything["attempts"] == 4
    with as_user(s, "bob"):
        summary = s.dashboard.summary()
        assert summary["groups"] == 1 and summary["attempts"] == 2 and summary["scored_attempts"] == 2
        assert summary["mean_score"] == 15.0 and summary["hero_frames_cost_usd"] == 0.25
        assert summary["cost_usd"] == 1.25 and summary["attempts_cost_usd"] == 1.0
        assert {r["project_id"] for r in summary["attempt_rows"]} == {bobs["project_id"]}
        assert [f["project_id"] for f in summary["finals"]] == [bobs["project_id"]]
        assert summary["agreement"]["decided_groups"] == 1
        assert {t["project_id"] for t in summary["trend"]} == {bobs["project_id"]}
        options = s.dashboard.options()
        assert options["models"] == ["m-bob"] and "tag-alice" not in options["tags"]
        for pid in (secret["project_id"], shared["project_id"]):
            _missing(lambda: s.dashboard.summary(project_id=pid), "Project", pid)
            _missing(lambda: s.dashboard.options(project_id=pid), "Project", pid)
            _missing(lambda: s.dashboard.export_csv(project_id=pid), "Project", pid)
        csv_text = Path(s.dashboard.export_csv()).read_text()
        assert csv_text.count("\n") == 1 + 2 and "m-alice" not in csv_text
    world.share("viewer")
    with as_user(s, "bob"):
        summary = s.dashboard.summary()
        assert summary["groups"] == 2 and summary["attempts"] == 4 and summary["cost_usd"] == 2.5
        assert {r["project_id"] for r in summary["attempt_rows"]} == {bobs["project_id"], shared["project_id"]}
        assert s.dashboard.summary(project_id=shared["project_id"])["mean_score"] == 40.0
        assert s.dashboard.options()["models"] == ["m-alice", "m-bob"]
        _missing(lambda: s.dashboard.summary(project_id=secret["project_id"]), "Project", secret["project_id"])


# ------------------------------------------------------------ ads and product videos
def _plan(s, owner: str = "alice") -> dict[str, Any]:
    with as_user(s, owner):
        return s.ads.plan(PLAN_PROMPT, 15, "9:16", planner="rules")


def test_ad_plans_are_private_to_their_owner(world):
    s = world.services
    plan = _plan(s)
    pid = plan["id"]
    with s.db.session() as session:
        assert session.get(AdPlan, pid).owner_id == s.access.user_actor("alice").user_id
    with as_user(s, "bob"):
        assert s.ads.list() == [] and s.ads.latest() is None
        _missing(lambda: s.ads.get(pid), "Ad plan", pid)
        _missing(lambda: s.ads.estimate_cost(pid), "Ad plan", pid)
        _missing(lambda: s.ads.update_storyboard(pid, "update_plan", call_to_action="Buy now"), "Ad plan", pid)
        _missing(lambda: s.ads.generate(pid), "Ad plan", pid)
        _missing(lambda: s.ads.cancel(pid), "Ad plan", pid)
        _missing(lambda: s.ads.get(99999), "Ad plan", 99999)
    with as_user(s, "alice"):
        assert [p["id"] for p in s.ads.list()] == [pid]
        assert s.ads.estimate_cost(pid)["shots"] >= 3
    with s.db.session() as session:
        assert session.scalar(select(func.count(Job.id))) == 0 and session.get(AdPlan, pid).status == "draft"


def test_generating_an_ad_reserves_it_and_follows_the_project_sharing(world):
    s = world.services
    alice, bob = s.access.user_actor("alice"), s.access.user_actor("bob")
    pid = _plan(s)["id"]
    with as_user(s, "alice"):
        started = s.ads.generate(pid, attempts_per_scene=1)
    project_id = started["project_id"]
    with s.db.session() as session:
        assert session.get(Project, project_id).owner_id == alice.user_id
        assert session.get(Job, started["job_id"]).user_id == alice.user_id
        (usage,) = session.scalars(select(UsageEvent)).all()
        assert (usage.kind, usage.project_id, usage.user_id, usage.job_id) == ("ad", project_id, alice.user_id,
                                                                                started["job_id"])
    with as_user(s, "bob"):  # the plan now follows its (private) project
        assert s.ads.list() == []
        _missing(lambda: s.ads.get(pid), "Ad plan", pid)
    with as_user(s, "alice"):
        s.projects.share(project_id, "viewer")
    with as_user(s, "bob"):
        assert [p["id"] for p in s.ads.list()] == [pid] and s.ads.get(pid)["project_id"] == project_id
        for change in (lambda: s.ads.cancel(pid), lambda: s.ads.generate(pid),
                       lambda: s.ads.update_storyboard(pid, "update_plan", call_to_action="Buy now")):
            with pytest.raises(ReadOnly):
                change()
    with as_user(s, "alice"):
        s.projects.share(project_id, "editor")
    with as_user(s, "bob"):
        assert s.ads.cancel(pid)["job"]["status"] == "cancelled"
        assert s.ads.update_storyboard(pid, "update_plan", call_to_action="Buy now")["status"] == "draft"
        again = s.ads.generate(pid, attempts_per_scene=1)
    with s.db.session() as session:  # alice's plan keeps making alice's projects, shared as before
        project = session.get(Project, again["project_id"])
        assert (project.owner_id, project.team_access) == (alice.user_id, "editor")
        usage = session.scalars(select(UsageEvent).order_by(UsageEvent.id)).all()
        assert [(u.kind, u.user_id) for u in usage] == [("ad", alice.user_id), ("ad", bob.user_id)]


def test_a_refused_ad_or_product_video_makes_nothing(world, tmp_path):
    s = world.services
    pid = _plan(s)["id"]
    photo = tmp_path / "bottle.png"
    Image.new("RGB", (320, 320), (40, 90, 160)).save(photo)
    alice = s.access.user_actor("alice")
    with s.db.session() as session:  # alice used up her generations this hour
        session.add(UsageEvent(user_id=alice.user_id, kind="hero_frames", generations=1000))
        projects = session.scalar(select(func.count(Project.id)))
        frames = session.scalar(select(func.count(HeroFrame.id)))
    files = sorted(p.as_posix() for p in s.media.root.rglob("*") if p.is_file())
    with as_user(s, "alice"):
        with pytest.raises(LimitExceeded):
            s.ads.generate(pid)
        with pytest.raises(LimitExceeded):
            s.ads.product_video(None, photo, "Azure")
        with pytest.raises(LimitExceeded):
            s.ads.product_video(world.secret["project_id"], photo, "Azure")
        assert s.ads.get(pid)["status"] == "draft" and s.ads.get(pid)["project_id"] is None
    with s.db.session() as session:
        assert session.scalar(select(func.count(Project.id))) == projects
        assert session.scalar(select(func.count(HeroFrame.id))) == frames
        assert session.scalar(select(func.count(Job.id))) == 0
        assert session.scalar(select(func.count(AdPlan.id))) == 1
        assert session.scalar(select(func.count(UsageEvent.id))) == 1
    assert sorted(p.as_posix() for p in s.media.root.rglob("*") if p.is_file()) == files  # no photo stored


def test_product_videos_need_edit_access_and_are_owned_by_who_made_them(world, tmp_path):
    s, secret, shared = world.services, world.secret, world.shared
    bob = s.access.user_actor("bob")
    photo = tmp_path / "bottle.png"
    Image.new("RGB", (320, 320), (40, 90, 160)).save(photo)
    with as_user(s, "bob"):
        _missing(lambda: s.ads.product_video(secret["project_id"], photo, "Azure"), "Project", secret["project_id"])
        world.share("viewer")
        with pytest.raises(ReadOnly):
            s.ads.product_video(shared["project_id"], photo, "Azure")
        made = s.ads.product_video(None, photo, "Azure", "A blue bottle")
        assert s.ads.list("product_video")[0]["id"] == made["plan_id"]
    with s.db.session() as session:
        assert session.get(Project, made["project_id"]).owner_id == bob.user_id
        plan = session.get(AdPlan, made["plan_id"])
        assert plan.owner_id == bob.user_id and plan.plan["frame_id"] == made["frame_id"]
        frame = session.get(HeroFrame, made["frame_id"])
        assert (frame.project_id, frame.source, frame.prompt) == (made["project_id"], "uploaded",
                                                                  "Azure, A blue bottle")
        (usage,) = session.scalars(select(UsageEvent)).all()
        assert (usage.kind, usage.user_id, usage.project_id) == ("product_video", bob.user_id, made["project_id"])
    with as_user(s, "alice"):
        assert s.ads.list("product_video") == []
        _missing(lambda: s.ads.get(made["plan_id"]), "Ad plan", made["plan_id"])
        world.share("editor")
    with as_user(s, "bob"):  # an editor may add a product video to the shared project
        into = s.ads.product_video(shared["project_id"], photo, "Azure")
        assert into["project_id"] == shared["project_id"]
    with as_user(s, "alice"):  # ...which alice then sees with her project
        assert into["plan_id"] in [p["id"] for p in s.ads.list("product_video")]
