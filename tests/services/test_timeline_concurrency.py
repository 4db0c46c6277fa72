"""Concurrent edits of one timeline are serialised per project: with many threads (and with two studios on one
SQLite file) every edit is either applied — each on top of the one before, so none is lost — or refused with
"The timeline changed while you were editing; try again."; never an IntegrityError, and the version numbers stay
contiguous. Before, versions were numbered max+1 outside any lock: two edits at once hit
`UNIQUE constraint failed: timeline_versions`, or both saved with one edit lost."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.services.timeline_history import CHANGED, TimelineChanged
from storage.models import TimelineVersion
from tests.timeline.conftest import make_clip

THREADS, EDITS = 6, 6


def timeline_project(services, folder: Path) -> int:
    project_id = services.projects.create("Concurrency", "16:9").id
    services.timeline.upload_clip(project_id, str(make_clip(folder / "clip.mp4", (90, 90, 200), seconds=2.0)))
    return project_id


def hammer(studios: list, project_id: int) -> dict:
    """THREADS threads, each adding EDITS text overlays (alternating studios) and undoing/redoing now and then;
    returns the texts applied, the refusals, and any other error."""
    applied, refused, errors = [], [], []
    barrier = threading.Barrier(THREADS)

    def editor(n: int) -> None:
        timeline = studios[n % len(studios)].timeline
        barrier.wait()
        for i in range(EDITS):
            text = f"edit {n}-{i}"
            try:
                timeline.apply(project_id, "add_overlay", text=text, start=0.0, end=1.0)
                applied.append(text)
            except TimelineChanged as exc:
                refused.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - anything else is the failure this test looks for
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "an editor thread hung"
    return {"applied": applied, "refused": refused, "errors": errors}


def check_history(services, project_id: int, outcome: dict, first_versions: int) -> None:
    assert outcome["errors"] == []
    assert all(message == CHANGED for message in outcome["refused"])
    assert len(outcome["applied"]) + len(outcome["refused"]) == THREADS * EDITS
    with services.db.session() as session:
        rows = session.scalars(select(TimelineVersion).where(TimelineVersion.project_id == project_id)
                               .order_by(TimelineVersion.version)).all()
        numbers = [r.version for r in rows]
        parents = [r.parent_version for r in rows]
    assert numbers == list(range(1, len(numbers) + 1))  # contiguous
    assert len(numbers) == first_versions + len(outcome["applied"])
    assert parents[first_versions:] == numbers[first_versions - 1:-1]  # each edit made from the one before
    head = services.timeline.get(project_id)
    assert head.version == numbers[-1]
    assert sorted(o["text"] for o in head.edit_list["overlays"]) == sorted(outcome["applied"])  # none lost


def test_concurrent_edits_from_threads_all_apply_in_order(services, tmp_path):
    project_id = timeline_project(services, tmp_path)
    first = services.timeline.get(project_id).version
    outcome = hammer([services], project_id)
    check_history(services, project_id, outcome, first)


def test_two_studios_on_one_sqlite_file(settings, tmp_path):
    from pipeline.services import build_services

    one, two = build_services(settings), build_services(settings)
    try:
        project_id = timeline_project(one, tmp_path)
        first = one.timeline.get(project_id).version
        outcome = hammer([one, two], project_id)
        check_history(two, project_id, outcome, first)
    finally:
        one.close()
        two.close()


def test_an_edit_made_from_an_older_head_is_refused_not_saved_over(services, tmp_path):
    """Compare-and-set: a change computed from version N is refused once N is no longer the head."""
    from pipeline.timeline import operations as ops
    from pipeline.timeline.edit_list import EditList

    project_id = timeline_project(services, tmp_path)
    tl = services.timeline
    head = tl.get(project_id)
    tl.apply(project_id, "add_overlay", text="first", start=0.0, end=1.0)
    stale = ops.add_overlay(EditList.from_dict(head.edit_list), "second", start=0.0, end=1.0)
    changed = pytest.raises(TimelineChanged, match="changed while you were editing")
    with changed, tl.store.editing(project_id) as session:
        tl.store.save_version(session, project_id, stale, "from an old head", based_on=head.version)
    assert [o["text"] for o in tl.get(project_id).edit_list["overlays"]] == ["first"]
