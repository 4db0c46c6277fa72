"""Property tests: any sequence of operations leaves a valid edit list whose duration is the sum of the clip
lengths minus the transition overlaps; impossible operations fail with TimelineError and change nothing; the
input is never mutated; an undo stack of edit lists replays exactly."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.timeline import (
    EditList,
    TimelineError,
    add_clip,
    add_overlay,
    compare,
    delete,
    duplicate,
    merge,
    move,
    remove_overlay,
    set_all_transitions,
    set_fades,
    set_grade,
    set_music,
    set_transition,
    split,
    split_at_time,
    trim,
    update_overlay,
)
from pipeline.timeline.edit_list import EPS, GRADE_PRESETS, MIN_CLIP_LENGTH, TRANSITION_TYPES

SOURCES = [("a.mp4", 5.0), ("b.mp4", 2.0), ("c.mp4", 0.8)]
OPS = ["add", "trim", "split", "split_at", "merge", "delete", "move", "duplicate", "transition", "all_transitions",
       "overlay", "edit_overlay", "drop_overlay", "music", "grade", "fades"]

op_strategy = st.tuples(
    st.sampled_from(OPS),
    st.integers(min_value=0, max_value=20),
    st.floats(min_value=-0.2, max_value=1.2, allow_nan=False),
    st.floats(min_value=-0.2, max_value=1.2, allow_nan=False),
)


def apply(edit: EditList, op: tuple[str, int, float, float]) -> EditList:
    name, k, x, y = op
    if name == "add":
        source, length = SOURCES[k % len(SOURCES)]
        return add_clip(edit, source, length, label=f"clip {k}", index=k % (len(edit.clips) + 1))
    if name == "all_transitions":
        return set_all_transitions(edit, TRANSITION_TYPES[k % 3], round(x, 2))
    if name == "overlay":
        return add_overlay(edit, f"text {k}", start=max(0.0, x * 4), end=max(0.0, x * 4) + max(y, 0.0) * 3)
    if name == "edit_overlay" and edit.overlays:
        o = edit.overlays[k % len(edit.overlays)]
        return update_overlay(edit, o.id, start=max(0.0, x * 5), end=max(0.0, x * 5) + y,
                              position=["top", "center", "bottom"][k % 3])
    if name == "drop_overlay" and edit.overlays:
        return remove_overlay(edit, edit.overlays[k % len(edit.overlays)].id)
    if name == "music":
        return set_music(edit, "velvet-hour" if k % 4 else None, volume=max(0.0, y), fade_in=max(0.0, x * 3),
                         ducking=min(1.0, max(0.0, x)))
    if name == "grade":
        return set_grade(edit, GRADE_PRESETS[k % len(GRADE_PRESETS)])
    if name == "fades":
        return set_fades(edit, x * 3, y * 3)
    if name == "split_at":
        return split_at_time(edit, x * edit.duration)
    if not edit.clips:
        raise TimelineError("empty")
    clip = edit.clips[k % len(edit.clips)]
    if name == "trim":
        lo, hi = sorted((x, y))  # mostly sensible ranges; the edges (< 0, > 1, too short) still get tried
        return trim(edit, clip.id, lo * clip.source_duration, hi * clip.source_duration)
    if name == "split":
        return split(edit, clip.id, x * clip.length)
    if name == "merge":
        return merge(edit, clip.id)
    if name == "delete":
        return delete(edit, clip.id)
    if name == "duplicate":
        return duplicate(edit, clip.id)
    if name == "transition":
        return set_transition(edit, clip.id, TRANSITION_TYPES[k % 3], round(y, 2))
    if name == "move":
        return move(edit, clip.id, int(y * len(edit.clips)))
    raise TimelineError("nothing to do")


def check_invariants(edit: EditList) -> None:
    assert EditList.from_json(edit.to_json()) == edit  # still valid after a round trip
    assert len({c.id for c in edit.clips}) == len(edit.clips)
    assert len({o.id for o in edit.overlays}) == len(edit.overlays)
    for c in edit.clips:
        assert -EPS <= c.in_point < c.out_point <= c.source_duration + EPS
        assert c.length >= MIN_CLIP_LENGTH - EPS
    n = len(edit.clips)
    overlaps = [c.transition.overlap for c in edit.clips]
    if n:
        assert edit.clips[0].transition.type == "cut" and overlaps[0] == 0.0
    expected = sum(c.length for c in edit.clips) - sum(overlaps)
    assert edit.duration == pytest.approx(expected, abs=1e-9)
    for i, c in enumerate(edit.clips):  # each clip holds its own transitions in and out
        out = overlaps[i + 1] if i + 1 < n else 0.0
        assert c.length >= overlaps[i] + out - EPS
    if n:
        starts = edit.starts()
        assert starts[0] == 0.0
        assert starts[-1] + edit.clips[-1].length == pytest.approx(edit.duration)
        assert all(b >= a - EPS for a, b in zip(starts, starts[1:]))
        for start, c in zip(starts, edit.clips):  # the playhead finds every clip at its own start
            found = edit.clip_at(start + 1e-4)
            assert found is not None
    for o in edit.overlays:
        assert o.end - o.start >= 0.1 - EPS


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op_strategy, min_size=1, max_size=25))
def test_random_operation_sequences_keep_the_edit_list_valid(ops):
    edit = EditList()
    history = [edit]
    for op in ops:
        before = edit.model_dump()
        try:
            new = apply(edit, op)
        except TimelineError as exc:
            assert str(exc)  # every refusal says why
            assert edit.model_dump() == before
            continue
        assert edit.model_dump() == before  # the input is never mutated
        check_invariants(new)
        name = op[0]
        if name in ("split", "split_at"):
            assert len(new.clips) == len(edit.clips) + 1
            assert new.duration == pytest.approx(edit.duration, abs=1e-9)  # the second half follows by a cut
        elif name == "merge":
            assert len(new.clips) == len(edit.clips) - 1
        elif name == "delete":
            assert len(new.clips) == len(edit.clips) - 1
        elif name == "duplicate":
            assert len(new.clips) == len(edit.clips) + 1
            assert new.duration == pytest.approx(edit.duration + edit.clips[op[1] % len(edit.clips)].length)
        elif name in ("music", "grade", "fades", "overlay", "edit_overlay", "drop_overlay"):
            assert new.clips == edit.clips and new.duration == edit.duration
        elif name == "move":
            assert sorted(c.id for c in new.clips) == sorted(c.id for c in edit.clips)
        diff = compare(edit, new)
        assert diff["duration"]["change"] == pytest.approx(new.duration - edit.duration, abs=1e-3)
        assert diff["identical"] == (edit == new)
        edit = new
        history.append(edit)
    # an undo stack of immutable edit lists: every step still loads and compares to itself as identical
    for old in history:
        again = EditList.from_dict(old.to_dict())
        assert compare(old, again)["identical"]


@settings(max_examples=150, deadline=None)
@given(lengths=st.lists(st.floats(min_value=0.25, max_value=6.0), min_size=1, max_size=6),
       fades=st.lists(st.tuples(st.sampled_from(TRANSITION_TYPES), st.floats(min_value=0.05, max_value=2.0)),
                      min_size=5, max_size=5),
       fps=st.sampled_from([24, 25, 30]))
def test_duration_arithmetic_and_frame_grid(lengths, fades, fps):
    """duration = sum(lengths) - sum(overlaps), and the exporter's frame grid adds up to round(duration x fps)."""
    from pipeline.timeline.export import _round_half_up

    edit = EditList(fps=fps)
    for i, length in enumerate(lengths):
        edit = add_clip(edit, "a.mp4", 10.0, out_point=length)
    for clip, (kind, seconds) in zip(edit.clips[1:], fades):
        try:
            edit = set_transition(edit, clip.id, kind, seconds)
        except TimelineError:
            pass  # does not fit the clips or is shorter than a frame: refused, edit unchanged
    check_invariants(edit)
    starts = edit.starts()
    frame_of = lambda t: _round_half_up(t * fps)
    total = 0
    prev_end = 0
    for i, (clip, start) in enumerate(zip(edit.clips, starts)):
        first, last = frame_of(start), frame_of(start + clip.length)
        total += (last - first) - (prev_end - first if i else 0)
        prev_end = last
    assert total == frame_of(edit.duration)
