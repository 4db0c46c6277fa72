from __future__ import annotations

import pytest

from pipeline.timeline import (
    EditList,
    MusicBed,
    TimelineError,
    add_clip,
    delete,
    make_clip,
    merge,
    move,
    set_crossfade,
    set_music,
    split,
    split_at_time,
    trim,
)


@pytest.fixture
def edit() -> EditList:
    e = EditList()
    e = add_clip(e, "a.mp4", 5.0, label="Attempt 1")
    e = add_clip(e, "b.mp4", 4.0, label="Attempt 2", attempt_id=2)
    e = add_clip(e, "c.mp4", 3.0, in_point=0.5, out_point=2.5, label="Attempt 3")
    return e


def ids(e: EditList) -> list[str]:
    return [c.id for c in e.clips]


def test_add_clip(edit):
    assert [c.label for c in edit.clips] == ["Attempt 1", "Attempt 2", "Attempt 3"]
    assert edit.duration == pytest.approx(5 + 4 + 2)
    first = add_clip(edit, "d.mp4", 2.0, label="first", index=0)
    assert first.clips[0].label == "first" and len(edit.clips) == 3
    with pytest.raises(TimelineError, match="position 9"):
        add_clip(edit, "d.mp4", 2.0, index=9)
    with pytest.raises(TimelineError, match="source duration"):
        add_clip(edit, "d.mp4")


def test_adding_the_same_clip_twice_gets_a_new_id(edit):
    again = add_clip(edit, edit.clips[0])
    assert len(set(ids(again))) == 4
    assert again.clips[3].source == "a.mp4"


def test_operations_never_mutate_their_input(edit):
    before = edit.model_dump()
    cid = edit.clips[0].id
    trim(edit, cid, 1.0, 4.0)
    split(edit, cid, 2.0)
    delete(edit, cid)
    move(edit, cid, 2)
    set_music(edit, "calm", volume=0.2)
    set_crossfade(edit, 0.5)
    add_clip(edit, "x.mp4", 1.0)
    assert edit.model_dump() == before


def test_trim(edit):
    cid = edit.clips[1].id
    t = trim(edit, cid, 0.5, 3.0)
    assert (t.clips[1].in_point, t.clips[1].out_point) == (0.5, 3.0)
    assert t.clips[1].id == cid
    assert trim(edit, cid, out_point=2.0).clips[1].in_point == 0.0  # None keeps the in point
    with pytest.raises(TimelineError, match="its source is only 4.00 s long"):
        trim(edit, cid, 0.0, 4.5)
    with pytest.raises(TimelineError, match="can't be before 0.00 s"):
        trim(edit, cid, -0.5, 2.0)
    with pytest.raises(TimelineError, match="at least 0.25 s"):
        trim(edit, cid, 2.0, 2.1)
    with pytest.raises(TimelineError, match="no clip with id 'nope'"):
        trim(edit, "nope", 0.0, 1.0)


def test_split_is_relative_to_the_clip_start(edit):
    c = edit.clips[2]  # source 0.5..2.5
    s = split(edit, c.id, 1.0)
    a, b = s.clips[2], s.clips[3]
    assert (a.in_point, a.out_point, b.in_point, b.out_point) == (0.5, 1.5, 1.5, 2.5)
    assert a.id != c.id and b.id != c.id and a.id != b.id
    assert a.label == b.label == "Attempt 3" and a.source == b.source == "c.mp4"
    assert s.duration == pytest.approx(edit.duration)


def test_split_edge_errors_have_clear_messages(edit):
    cid = edit.clips[1].id
    with pytest.raises(TimelineError) as err:
        split(edit, cid, 0.1)
    assert str(err.value) == ("Can't split 0.10 s into clip 'Attempt 2': a split must leave at least 0.25 s on "
                              "both sides.")
    with pytest.raises(TimelineError, match="at least 0.25 s on both sides"):
        split(edit, cid, 3.9)
    with pytest.raises(TimelineError, match="the clip is only 4.00 s long"):
        split(edit, cid, 7.0)
    with pytest.raises(TimelineError, match="no clip with id"):
        split(edit, "missing", 1.0)


def test_split_at_time_uses_the_timeline(edit):
    s = split_at_time(edit, 6.0)  # 1.0 s into the second clip
    assert s.clips[1].out_point == pytest.approx(1.0)
    assert s.clips[2].in_point == pytest.approx(1.0)
    with pytest.raises(TimelineError, match="no clip at"):
        split_at_time(edit, 50.0)


def test_merge_undoes_split(edit):
    cid = edit.clips[0].id
    s = split(edit, cid, 2.0)
    m = merge(s, s.clips[0].id)
    assert len(m.clips) == 3
    assert (m.clips[0].in_point, m.clips[0].out_point) == (0.0, 5.0)
    assert m.clips[0].id == s.clips[0].id
    assert m.duration == pytest.approx(edit.duration)


def test_merge_refusals(edit):
    with pytest.raises(TimelineError, match="different source videos"):
        merge(edit, edit.clips[0].id)
    with pytest.raises(TimelineError, match="last clip"):
        merge(edit, edit.clips[-1].id)
    # same source but not contiguous
    e = EditList(clips=[make_clip("a.mp4", 5.0, out_point=2.0, label="x"),
                        make_clip("a.mp4", 5.0, in_point=3.0, label="y")])
    with pytest.raises(TimelineError, match="not contiguous"):
        merge(e, e.clips[0].id)


def test_delete(edit):
    d = delete(edit, edit.clips[1].id)
    assert [c.label for c in d.clips] == ["Attempt 1", "Attempt 3"]
    with pytest.raises(TimelineError, match="no clip with id"):
        delete(edit, "zzz")


def test_move(edit):
    a, b, c = ids(edit)
    assert ids(move(edit, a, 2)) == [b, c, a]
    assert ids(move(edit, c, 0)) == [c, a, b]
    assert ids(move(edit, b, 1)) == [a, b, c]
    with pytest.raises(TimelineError, match="positions go from 0 to 2"):
        move(edit, a, 3)
    with pytest.raises(TimelineError):
        move(edit, a, -1)


def test_set_music(edit):
    m = set_music(edit, "velvet-hour")
    assert m.music == MusicBed(track="velvet-hour", volume=0.3, fade_out=2.0, fade_in=0.0, start_offset=0.0,
                               ducking=0.0)
    m2 = set_music(m, "calm", volume=0.6)
    assert m2.music.track == "calm" and m2.music.volume == 0.6
    m3 = set_music(m2, "tech")  # keeps the volume chosen before
    assert m3.music.volume == 0.6
    assert set_music(m3, None).music is None
    with pytest.raises(TimelineError, match="volume"):
        set_music(edit, "calm", volume=2.0)


def test_set_crossfade(edit):
    c = set_crossfade(edit, 0.5)
    assert c.duration == pytest.approx(edit.duration - 1.0)
    with pytest.raises(TimelineError, match="negative"):
        set_crossfade(edit, -1)
    with pytest.raises(TimelineError, match="too long for clip 'Attempt 2'"):
        set_crossfade(edit, 2.1)  # the middle clip (4 s) takes part in two fades
    assert [c.transition.type for c in c.clips] == ["cut", "crossfade", "crossfade"]
    assert [c.transition.type for c in set_crossfade(c, 0).clips] == ["cut"] * 3
    short_last = trim(edit, edit.clips[2].id, 0.5, 1.1)
    with pytest.raises(TimelineError, match="too long for clip 'Attempt 3' \\(0.60 s\\)"):
        set_crossfade(short_last, 1.0)


def test_trim_that_breaks_the_crossfade_is_refused(edit):
    c = set_crossfade(edit, 1.0)
    with pytest.raises(TimelineError, match="transitions are too long for clip 'Attempt 2'"):
        trim(c, c.clips[1].id, 0.0, 1.5)  # the middle clip needs 2 x 1.0 s
