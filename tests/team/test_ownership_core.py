"""Team mode in the core services (hero frames, attempts, selection, history, jobs, timeline): bob can neither read
nor change alice's private project, by any id, and gets the same message as for an id that does not exist;
sharing the project as viewer gives read access (changes: ReadOnly), as editor gives edit access; every place
that queues new generations goes through the limits ledger, so the hourly generation limit and the monthly cap
refuse with LimitExceeded and queue nothing.

Services are built directly (no app process): SQLite, the immediate queue (jobs run inline), small sizes.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from pipeline.access import ReadOnly, acting_as
from pipeline.errors import NotFound
from pipeline.services.limits import LimitExceeded
from storage.models import GenerationGroup, HeroFrame, Job, SelectionEvent, TimelineVersion, UsageEvent, VideoAttempt
from tests.conftest import make_settings

SMALL = dict(auth="local", frame_long_side=512, video_min_short_side=240, export_long_side=320)
PASSWORD = "a-long-password-1"


def _services(folder: Path, **overrides):
    from pipeline.services import build_services
    from storage.users import UserStore

    services = build_services(make_settings(folder, **{**SMALL, **overrides}))
    users = UserStore(services.db, rounds=4)
    for name in ("alice", "bob"):
        users.add(name, PASSWORD)
    return services


def as_user(services, username: str):
    return acting_as(services.access.user_actor(username))


def _photo(folder: Path) -> Path:
    from PIL import Image

    path = folder / "photo.png"
    Image.new("RGB", (320, 180), (200, 120, 40)).save(path)
    return path


def _clip(folder: Path) -> Path:
    from tests.timeline.conftest import make_clip

    return make_clip(folder / "clip.mp4", (40, 60, 220), seconds=1.0, size=(320, 180))


def _alice_project(services, name: str = "Alice's secret launch") -> dict[str, Any]:
    """A project of alice with frames, a finished group with a pick, a timeline and a finished export."""
    with as_user(services, "alice"):
        project = services.projects.create(name, "16:9")
        pid = project.id
        frames_job = services.hero_frames.generate(pid, "a glass perfume bottle on black sand", 4, "16:9", 7)
        assert services.jobs.get(frames_job["job_id"]).status == "succeeded"
        frames = services.hero_frames.list(pid)
        services.projects.select_hero_frame(pid, frames[-1].id)
        group = services.attempts.start_group(pid, "slow push in", "", 2, duration=2.0, seed=3)
        view = services.attempts.group(group.id)
        assert all(a.status == "done" for a in view.attempts), [a.error for a in view.attempts]
        timeline = services.timeline.rebuild_from_picks(pid)
        export = services.timeline.export(pid, "crop")
        assert services.jobs.get(export["job_id"]).status == "succeeded"
    return {"project_id": pid, "frame_ids": [f.id for f in frames], "group_id": group.id,
            "attempt_ids": [a.id for a in view.attempts], "frames_job_id": frames_job["job_id"],
            "export_job_id": export["job_id"], "version": timeline.version}


@dataclass
class World:
    services: Any
    work: dict[str, Any]
    folder: Path

    def counts(self) -> dict[str, int]:
        with self.services.db.session() as session:
            return {model.__name__: session.scalar(select(func.count()).select_from(model))
                    for model in (Job, UsageEvent, HeroFrame, GenerationGroup, VideoAttempt, TimelineVersion,
                                  SelectionEvent)}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ownership-core")
    services = _services(folder / "d", generations_per_hour=1000, user_monthly_cap_usd=None)
    work = _alice_project(services)
    (folder / "in").mkdir()
    yield World(services, work, folder / "in")
    services.close()


@pytest.fixture
def shared(world):
    """Share alice's project for one test, then make it private again."""
    def share(level: str):
        with as_user(world.services, "alice"):
            world.services.projects.share(world.work["project_id"], level)

    yield share
    share("private")


# ------------------------------------------------------------------------------------------------ what bob tries
# (label, call(services, work, folder), the message a missing row gives)
Call = Callable[[Any, dict, Path], Any]


def _p(w):
    return w["project_id"]


READS: list[tuple[str, Call, str]] = [
    ("hero_frames.list", lambda s, w, f: s.hero_frames.list(_p(w)), "Project {p} does not exist."),
    ("hero_frames.get", lambda s, w, f: s.hero_frames.get(w["frame_ids"][0]), "Hero frame {f} does not exist."),
    ("attempts.suggest_motion", lambda s, w, f: s.attempts.suggest_motion(_p(w)), "Project {p} does not exist."),
    ("attempts.suggest_improvements", lambda s, w, f: s.attempts.suggest_improvements(w["group_id"]),
     "Generation group {g} does not exist."),
    ("attempts.group", lambda s, w, f: s.attempts.group(w["group_id"]), "Generation group {g} does not exist."),
    ("attempts.groups", lambda s, w, f: s.attempts.groups(_p(w)), "Project {p} does not exist."),
    ("attempts.latest_group_id", lambda s, w, f: s.attempts.latest_group_id(_p(w)), "Project {p} does not exist."),
    ("history.iterations", lambda s, w, f: s.history.iterations(_p(w)), "Project {p} does not exist."),
    ("history.compare_attempts", lambda s, w, f: s.history.compare_attempts(w["attempt_ids"][:1]),
     "Attempt {a} does not exist."),
    ("history.compare_versions", lambda s, w, f: s.history.compare_versions(_p(w), 1, 1),
     "Project {p} does not exist."),
    ("history.final", lambda s, w, f: s.history.final(_p(w)), "Project {p} does not exist."),
    ("history.suggest", lambda s, w, f: s.history.suggest(w["group_id"]), "Generation group {g} does not exist."),
    ("history.decision", lambda s, w, f: s.history.decision(w["group_id"]), "Generation group {g} does not exist."),
    ("jobs.get", lambda s, w, f: s.jobs.get(w["frames_job_id"]), "Job {j} does not exist."),
    ("jobs.active", lambda s, w, f: s.jobs.active(_p(w)), "Project {p} does not exist."),
    ("jobs.unfinished", lambda s, w, f: s.jobs.unfinished(_p(w)), "Project {p} does not exist."),
    ("timeline.get", lambda s, w, f: s.timeline.get(_p(w)), "Project {p} does not exist."),
    ("timeline.versions", lambda s, w, f: s.timeline.versions(_p(w)), "Project {p} does not exist."),
    ("timeline.version", lambda s, w, f: s.timeline.version(_p(w), 1), "Project {p} does not exist."),
    ("timeline.compare", lambda s, w, f: s.timeline.compare(_p(w), 1, 0), "Project {p} does not exist."),
    ("timeline.suggest_gap", lambda s, w, f: s.timeline.suggest_gap(_p(w)), "Project {p} does not exist."),
    ("timeline.preview", lambda s, w, f: s.timeline.preview(_p(w)), "Project {p} does not exist."),
]

CHANGES: list[tuple[str, Call, str]] = [
    ("hero_frames.generate", lambda s, w, f: s.hero_frames.generate(_p(w), "a hijacked frame", 4, "16:9", 1),
     "Project {p} does not exist."),
    ("hero_frames.regenerate", lambda s, w, f: s.hero_frames.regenerate(w["frame_ids"][0]),
     "Hero frame {f} does not exist."),
    ("hero_frames.mutate", lambda s, w, f: s.hero_frames.mutate(w["frame_ids"][0], "in red"),
     "Hero frame {f} does not exist."),
    ("hero_frames.upload", lambda s, w, f: s.hero_frames.upload(_p(w), _photo(f)), "Project {p} does not exist."),
    ("hero_frames.enhance_photo", lambda s, w, f: s.hero_frames.enhance_photo(w["frame_ids"][0]),
     "Hero frame {f} does not exist."),
    ("hero_frames.set_favourite", lambda s, w, f: s.hero_frames.set_favourite(w["frame_ids"][0], True),
     "Hero frame {f} does not exist."),
    ("attempts.start_group", lambda s, w, f: s.attempts.start_group(_p(w), "pan left", "", 1, duration=2.0),
     "Project {p} does not exist."),
    ("attempts.regenerate", lambda s, w, f: s.attempts.regenerate(w["group_id"], "pan left"),
     "Generation group {g} does not exist."),
    ("attempts.cancel_group", lambda s, w, f: s.attempts.cancel_group(w["group_id"]),
     "Generation group {g} does not exist."),
    ("selection.select_attempt", lambda s, w, f: s.selection.select_attempt(w["attempt_ids"][0], "mine"),
     "Attempt {a} does not exist."),
    ("selection.accept_system_pick", lambda s, w, f: s.selection.accept_system_pick(w["group_id"]),
     "Generation group {g} does not exist."),
    ("history.set_final", lambda s, w, f: s.history.set_final(_p(w), w["attempt_ids"][0]),
     "Project {p} does not exist."),
    ("history.rerun_attempts", lambda s, w, f: s.history.rerun_attempts(w["group_id"], w["attempt_ids"][:1]),
     "Generation group {g} does not exist."),
    ("jobs.cancel", lambda s, w, f: s.jobs.cancel(w["export_job_id"]), "Job {e} does not exist."),
    ("timeline.rebuild_from_picks", lambda s, w, f: s.timeline.rebuild_from_picks(_p(w)),
     "Project {p} does not exist."),
    ("timeline.apply", lambda s, w, f: s.timeline.apply(_p(w), "set_fades", fade_in=1.0, fade_out=0.0),
     "Project {p} does not exist."),
    ("timeline.export", lambda s, w, f: s.timeline.export(_p(w)), "Project {p} does not exist."),
    ("timeline.undo", lambda s, w, f: s.timeline.undo(_p(w)), "Project {p} does not exist."),
    ("timeline.redo", lambda s, w, f: s.timeline.redo(_p(w)), "Project {p} does not exist."),
    ("timeline.save", lambda s, w, f: s.timeline.save(_p(w), "stolen"), "Project {p} does not exist."),
    ("timeline.open_version", lambda s, w, f: s.timeline.open_version(_p(w), 1), "Project {p} does not exist."),
    ("timeline.fill_gap", lambda s, w, f: s.timeline.fill_gap(_p(w), 0, 1.0, "slow push in", attempt_count=1),
     "Project {p} does not exist."),
    ("timeline.resolve_gaps", lambda s, w, f: s.timeline.resolve_gaps(_p(w)), "Project {p} does not exist."),
    ("timeline.upload_music", lambda s, w, f: s.timeline.upload_music(_p(w), f / "song.mp3"),
     "Project {p} does not exist."),
    ("timeline.upload_clip", lambda s, w, f: s.timeline.upload_clip(_p(w), _clip(f)), "Project {p} does not exist."),
]


def _message(template: str, work: dict[str, Any]) -> str:
    return template.format(p=work["project_id"], f=work["frame_ids"][0], g=work["group_id"],
                           a=work["attempt_ids"][0], j=work["frames_job_id"], e=work["export_job_id"])


MISSING = {"project_id": 987654, "frame_ids": [987655], "group_id": 987656, "attempt_ids": [987657],
           "frames_job_id": 987658, "export_job_id": 987659}


@pytest.mark.parametrize("label, call, message", READS + CHANGES, ids=[c[0] for c in READS + CHANGES])
def test_bob_gets_not_found_for_alices_private_project(world, label, call, message):
    services, work = world.services, world.work
    before = world.counts()
    with as_user(services, "bob"):
        with pytest.raises(NotFound) as theirs:
            call(services, work, world.folder)
        with pytest.raises(NotFound) as missing:
            call(services, MISSING, world.folder)
    # alice's ids read exactly like ids that do not exist
    assert str(theirs.value) == _message(message, work)
    assert str(missing.value) == _message(message, MISSING)
    assert world.counts() == before  # nothing was queued, stored or changed


def test_alice_still_reads_everything_and_nothing_of_hers_changed(world):
    services, work = world.services, world.work
    with as_user(services, "alice"):
        assert [f.is_favourite for f in services.hero_frames.list(work["project_id"])] == [False] * 4
        assert services.history.final(work["project_id"]) is None
        assert services.history.decision(work["group_id"]) is None
        assert services.timeline.get(work["project_id"]).version == work["version"]
        assert {j.id for j in services.jobs.active(work["project_id"])} >= {work["frames_job_id"],
                                                                               work["export_job_id"]}


def test_job_lists_show_only_visible_projects_and_own_jobs(world, shared):
    services, work = world.services, world.work
    with as_user(services, "bob"):
        with services.db.session() as session:  # a job of bob's that belongs to no project
            bobs = services.jobs.create(session, "ad", {"plan_id": 0}, None).id
            session.get(Job, bobs).status = "succeeded"
        mine = {j.id for j in services.jobs.active(limit=500)}
        assert bobs in mine and not mine & {work["frames_job_id"], work["export_job_id"]}
        assert services.jobs.unfinished() == []
        assert services.jobs.get(bobs).id == bobs
    with as_user(services, "alice"):
        assert bobs not in {j.id for j in services.jobs.active(limit=500)}
        with pytest.raises(NotFound, match=f"^Job {bobs} does not exist.$"):
            services.jobs.get(bobs)
        with pytest.raises(NotFound, match=f"^Job {bobs} does not exist.$"):
            services.jobs.cancel(bobs)
    shared("viewer")
    with as_user(services, "bob"):
        seen = {j.id for j in services.jobs.active(limit=500)}
        assert {work["frames_job_id"], work["export_job_id"], bobs} <= seen
        assert services.jobs.get(work["export_job_id"]).status == "succeeded"
        with pytest.raises(ReadOnly):
            services.jobs.cancel(work["export_job_id"])


@pytest.mark.parametrize("label, call, message", READS, ids=[c[0] for c in READS])
def test_a_viewer_can_read(world, shared, label, call, message):
    shared("viewer")
    with as_user(world.services, "bob"):
        call(world.services, world.work, world.folder)


VIEWER_REFUSED = [c for c in CHANGES if c[0] not in ("jobs.cancel",)]  # a finished job: see the jobs test


@pytest.mark.parametrize("label, call, message", VIEWER_REFUSED, ids=[c[0] for c in VIEWER_REFUSED])
def test_a_viewer_cannot_change_anything(world, shared, label, call, message):
    shared("viewer")
    before = world.counts()
    with as_user(world.services, "bob"):
        with pytest.raises(ReadOnly, match="shared with you for viewing only"):
            call(world.services, world.work, world.folder)
    assert world.counts() == before


def test_an_editor_can_change_and_queue_work(world, shared):
    services, work = world.services, world.work
    pid = work["project_id"]
    shared("editor")
    with as_user(services, "bob"):
        assert services.hero_frames.set_favourite(work["frame_ids"][0], True).is_favourite is True
        picked = services.selection.select_attempt(work["attempt_ids"][0], "bob likes it")
        assert picked["attempt_id"] == work["attempt_ids"][0]
        assert services.history.set_final(pid, work["attempt_ids"][0]).final.attempt_id == work["attempt_ids"][0]
        faded = services.timeline.apply(pid, "set_fades", fade_in=0.5, fade_out=0.0)
        assert faded.edit_list["fade_in"] == 0.5
        assert services.timeline.undo(pid).version < faded.version
        started = services.hero_frames.generate(pid, "bob's variation", 4, "16:9", 9)
        assert services.jobs.get(started["job_id"]).status == "succeeded"
        with pytest.raises(ReadOnly, match="Only the owner"):
            services.projects.share(pid, "private")
    with services.db.session() as session:  # bob's generation is on bob's ledger
        event = session.scalar(select(UsageEvent).where(UsageEvent.job_id == started["job_id"]))
        assert event.kind == "hero_frames" and event.project_id == pid
        assert event.user_id == services.access.user_actor("bob").user_id
    with as_user(services, "alice"):  # put alice's project back as it was for the other tests
        services.hero_frames.set_favourite(work["frame_ids"][0], False)
        services.history.set_final(pid, None)
        with services.db.session() as session:
            for event in session.scalars(select(SelectionEvent).where(SelectionEvent.group_id == work["group_id"],
                                                                      SelectionEvent.actor == "user")):
                session.delete(event)
            for frame in session.scalars(select(HeroFrame).where(HeroFrame.job_id == started["job_id"])):
                session.delete(frame)


def test_the_ledger_records_the_queue_points_and_reported_cost(world):
    services, work = world.services, world.work
    with services.db.session() as session:
        events = session.scalars(select(UsageEvent).where(UsageEvent.project_id == work["project_id"])).all()
        alice = services.access.user_actor("alice").user_id
        group_event = next(e for e in events if e.kind == "attempt_group" and e.group_id == work["group_id"])
        assert group_event.user_id == alice and group_event.engine == services.settings.video_engine
        assert group_event.actual_usd == 0.0  # the attempts ended: what providers reported (local: nothing)
        assert any(e.kind == "hero_frames" and e.job_id == work["frames_job_id"] for e in events)
        assert not any(e.kind == "export" for e in events)  # exports and scoring are not generations
    with as_user(services, "alice"):
        reroll = services.history.rerun_attempts(work["group_id"], work["attempt_ids"][:1])
        gap = services.timeline.fill_gap(work["project_id"], 1, 1.0, "slow push in", attempt_count=1)
    with services.db.session() as session:
        kinds = {e.group_id: e.kind for e in session.scalars(select(UsageEvent).where(
            UsageEvent.group_id.in_([reroll.id, gap.gap_group_id])))}
        assert kinds == {reroll.id: "reroll", gap.gap_group_id: "gap_fill"}


# ------------------------------------------------------------------------------------------------ limits
@pytest.fixture
def limited(tmp_path):
    """Team services with 2 generations per hour; alice used both (a frame batch and an attempt group)."""
    services = _services(tmp_path / "d", generations_per_hour=2, user_monthly_cap_usd=None)
    work = _alice_project(services, "Limited")
    yield World(services, work, tmp_path)
    services.close()


def _queue_points(with_gap: bool = True) -> list[tuple[str, Call]]:
    points = [
        ("hero_frames.generate", lambda s, w, f: s.hero_frames.generate(_p(w), "one more", 4, "16:9", 1)),
        ("hero_frames.regenerate", lambda s, w, f: s.hero_frames.regenerate(w["frame_ids"][0])),
        ("hero_frames.mutate", lambda s, w, f: s.hero_frames.mutate(w["frame_ids"][0], "at dusk")),
        ("attempts.start_group", lambda s, w, f: s.attempts.start_group(_p(w), "pan left", "", 1, duration=2.0)),
        ("attempts.regenerate", lambda s, w, f: s.attempts.regenerate(w["group_id"], "orbit")),
        ("history.rerun_attempts", lambda s, w, f: s.history.rerun_attempts(w["group_id"], w["attempt_ids"][:1])),
    ]
    if with_gap:
        points.append(("timeline.fill_gap",
                       lambda s, w, f: s.timeline.fill_gap(_p(w), 1, 1.0, "slow push in", attempt_count=1)))
    return points


def test_the_hourly_generation_limit_refuses_every_queue_point_and_queues_nothing(limited):
    services, work = limited.services, limited.work
    before = limited.counts()
    with as_user(services, "alice"):
        for label, call in _queue_points():
            with pytest.raises(LimitExceeded, match="2 of your 2 generations this hour"):
                call(services, work, limited.folder)
            assert limited.counts() == before, label  # no job, group, attempt, frame or ledger row
        # what is not a generation still works: picks, timeline edits, exports
        services.selection.accept_system_pick(work["group_id"])
        exported = services.timeline.export(work["project_id"], "crop")
        assert services.jobs.get(exported["job_id"]).status == "succeeded"
    with as_user(services, "bob"):  # the limit is per user
        project = services.projects.create("Bob's own", "16:9")
        started = services.hero_frames.generate(project.id, "bob's frame", 4, "16:9", 2)
        assert services.jobs.get(started["job_id"]).status == "succeeded"


def test_the_monthly_user_cap_refuses_with_the_estimate(tmp_path, monkeypatch):
    services = _services(tmp_path / "d", generations_per_hour=1000, user_monthly_cap_usd=1.0)
    try:
        work = _alice_project(services, "Capped")  # local engines: free, within the cap
        world = World(services, work, tmp_path)
        paid = {"usd": 0.6, "rule_text": "test price", "upper_bound": 0.6}
        monkeypatch.setattr(services.hero_frames, "estimate_cost", lambda *a, **k: dict(paid))
        monkeypatch.setattr(services.attempts, "estimate_cost", lambda *a, **k: dict(paid, usd=1.5, upper_bound=1.5))
        with as_user(services, "alice"):
            first = services.hero_frames.generate(work["project_id"], "a paid frame", 4, "16:9", 5)
            assert services.jobs.get(first["job_id"]).status == "succeeded"
            assert services.limits.my_usage()["spent_usd"] == pytest.approx(0.6)
            before = world.counts()
            for label, call in _queue_points(with_gap=False):
                with pytest.raises(LimitExceeded, match=r"over your \$1\.00 monthly cap"):
                    call(services, work, tmp_path)
                assert world.counts() == before, label
    finally:
        services.close()


def test_single_user_mode_records_usage_but_never_refuses(tmp_path):
    from pipeline.services import build_services

    services = build_services(make_settings(tmp_path / "d", generations_per_hour=1, user_monthly_cap_usd=0.0))
    try:
        project = services.projects.create("Solo", "16:9")
        for seed in (1, 2):
            started = services.hero_frames.generate(project.id, "a solo frame", 4, "16:9", seed)
            assert services.jobs.get(started["job_id"]).status == "succeeded"
        with services.db.session() as session:
            assert session.scalar(select(func.count()).select_from(UsageEvent)) == 2
    finally:
        services.close()
