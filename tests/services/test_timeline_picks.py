"""Picks reach the timeline: an automatic timeline (built from the picks, not edited since) follows them; an edited
one never changes silently but lists the new picks, and "add new picks" puts them on without undoing edits."""
from __future__ import annotations

import pytest

from pipeline.errors import StudioError


def _frame(services, project):
    started = services.hero_frames.generate(project.id, "a green bottle on slate", 4, "16:9", 3)
    assert services.jobs.get(started["job_id"]).status == "succeeded"
    frame = services.hero_frames.list(project.id)[0]
    services.projects.select_hero_frame(project.id, frame.id)


def _group(services, project, prompt="slow push in", seed=5):
    group = services.attempts.start_group(project.id, prompt, "", 2, duration=2.0, seed=seed)
    group = services.attempts.group(group.id)
    assert all(a.status == "done" for a in group.attempts), group
    return group


def _pick(group):
    return next(a.id for a in group.attempts if a.is_system_selected_best)


def test_an_automatic_timeline_follows_new_picks(services, project):
    _frame(services, project)
    first = services.timeline.get(project.id)  # opened before anything was picked
    assert first.clips == [] and first.follows_picks and first.new_picks == []
    group = _group(services, project)
    view = services.timeline.get(project.id)
    assert [c.attempt_id for c in view.clips] == [_pick(group)]
    assert view.follows_picks and view.new_picks == []
    other = next(a.id for a in group.attempts if a.id != _pick(group))
    services.selection.select_attempt(other)
    assert [c.attempt_id for c in services.timeline.get(project.id).clips] == [other]
    versions = services.timeline.versions(project.id)
    assert services.timeline.get(project.id).version == versions[0].version  # reading twice adds nothing


def test_an_edited_timeline_lists_new_picks_and_adds_them_on_request(services, project):
    _frame(services, project)
    _group(services, project, "slow push in", 5)
    second = _group(services, project, "slow pan right", 7)
    view = services.timeline.get(project.id)
    second_clip = view.clips[1].id
    services.timeline.apply(project.id, "set_transition", clip_id=second_clip, type="fade_black", duration=0.4)
    edited = services.timeline.apply(project.id, "set_fades", fade_in=0.5)
    third = _group(services, project, "slow pan left", 9)
    view = services.timeline.get(project.id)
    assert view.version == edited.version and not view.follows_picks  # never changed silently
    assert [p.attempt_id for p in view.new_picks] == [_pick(third)]
    other = next(a.id for a in second.attempts if a.id != _pick(second))
    services.selection.select_attempt(other)  # the second shot's pick changes too
    assert {p.attempt_id for p in services.timeline.get(project.id).new_picks} == {other, _pick(third)}
    added = services.timeline.add_new_picks(project.id)
    assert [c.attempt_id for c in added.clips][1:] == [other, _pick(third)]
    assert added.clips[1].transition["type"] == "fade_black"  # the replaced shot keeps its transition
    assert added.edit_list["fade_in"] == 0.5 and added.new_picks == []
    with pytest.raises(StudioError, match="already shows every pick"):
        services.timeline.add_new_picks(project.id)
    assert services.timeline.undo(project.id).version == edited.version  # one step, undoable
