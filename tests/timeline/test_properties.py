"""Property tests: any sequence of operations leaves a valid edit list whose duration is the sum of the clip
lengths minus the crossfades; impossible operations fail with TimelineError and change nothing."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.timeline import (
    EditList,
    TimelineError,
    add_clip,
    delete,
    merge,
    move,
    set_crossfade,
    split,
    trim,
)
from pipeline.timeline.edit_list import EPS, MIN_CLIP_LENGTH

SOURCES = [("a.mp4", 5.0), ("b.mp4", 2.0), ("c.mp4", 0.8)]

op_strategy = st.tuples(
    st.sampled_from(["add", "trim", "split", "merge", "delete", "move", "fade"]),
    st.integers(min_value=0, max_value=20),
    st.floats(min_value=-0.2, max_value=1.2, allow_nan=False),
    st.floats(min_value=-0.2, max_value=1.2, allow_nan=False),
)


def apply(edit: EditList, op: tuple[str, int, float, float]) -> EditList:
    name, k, x, y = op
    if name == "add":
        source, length = SOURCES[k % len(SOURCES)]
        return add_clip(edit, source, length, label=f"clip {k}", index=k % (len(edit.clips) + 1))
    if name == "fade":
        return set_crossfade(edit, round(x, 2) if x > 0.05 else 0.0)
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
    return move(edit, clip.id, int(y * len(edit.clips)))


def check_invariants(edit: EditList) -> None:
    assert EditList.from_json(edit.to_json()) == edit  # still valid after a round trip
    assert len({c.id for c in edit.clips}) == len(edit.clips)
    for c in edit.clips:
        assert -EPS <= c.in_point < c.out_point <= c.source_duration + EPS
        assert c.length >= MIN_CLIP_LENGTH - EPS
    n = len(edit.clips)
    expected = sum(c.length for c in edit.clips) - edit.crossfade * max(n - 1, 0)
    assert edit.duration == pytest.approx(expected, abs=1e-9)
    if n >= 2:
        for i, c in enumerate(edit.clips):
            touching = 1 if i in (0, n - 1) else 2
            assert c.length >= touching * edit.crossfade - EPS
    if n:
        starts = edit.starts()
        assert starts[0] == 0.0
        assert starts[-1] + edit.clips[-1].length == pytest.approx(edit.duration)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op_strategy, min_size=1, max_size=25))
def test_random_operation_sequences_keep_the_edit_list_valid(ops):
    edit = EditList()
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
        if name == "split":
            assert len(new.clips) == len(edit.clips) + 1
            assert new.duration == pytest.approx(edit.duration - edit.crossfade, abs=1e-9)
        elif name == "merge":
            assert len(new.clips) == len(edit.clips) - 1
        elif name == "move":
            assert sorted(c.id for c in new.clips) == sorted(c.id for c in edit.clips)
            assert new.duration == pytest.approx(edit.duration, abs=1e-9)
        edit = new
