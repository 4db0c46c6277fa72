from __future__ import annotations

import json

import pytest

from pipeline.timeline import Clip, EditList, MusicBed, TimelineError
from pipeline.timeline.edit_list import MIN_CLIP_LENGTH, SCHEMA_VERSION


def clip(**kw) -> Clip:
    data = {"source": "attempts/a.mp4", "source_duration": 5.0, "in_point": 0.0, "out_point": 5.0,
            "label": "Attempt 1"}
    data.update(kw)
    return Clip(**data)


def test_defaults_and_duration():
    edit = EditList(clips=[clip(out_point=4.0), clip(in_point=1.0), clip(in_point=0.5, out_point=3.0)],
                    crossfade=0.5)
    assert edit.schema_version == SCHEMA_VERSION == 1
    assert edit.fps == 24 and edit.aspect_ratio == "16:9" and edit.music is None
    assert edit.duration == pytest.approx(4.0 + 4.0 + 2.5 - 2 * 0.5)
    assert edit.starts() == pytest.approx([0.0, 3.5, 7.0])
    assert EditList().duration == 0.0


def test_clip_ids_are_short_and_unique():
    ids = {clip().id for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 8 for i in ids)


def test_json_round_trip():
    edit = EditList(aspect_ratio="9:16", fps=30, clips=[clip(attempt_id=7), clip(in_point=2.0)], crossfade=0.25,
                    music=MusicBed(track="velvet-hour", volume=0.5, fade_out=1.5))
    text = edit.to_json()
    again = EditList.from_json(text)
    assert again == edit
    assert json.loads(text)["schema_version"] == 1
    assert EditList.from_dict(edit.to_dict()) == edit


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"in_point": 3.0, "out_point": 2.0}, "must end after it starts"),
        ({"out_point": 6.0}, "its source is only 5.00 s long"),
        ({"in_point": -1.0}, "can't start before its source"),
        ({"in_point": 1.0, "out_point": 1.1}, f"at least {MIN_CLIP_LENGTH:.2f} s"),
        ({"source": "/etc/passwd"}, "must be relative"),
        ({"source": "../outside.mp4"}, "must not leave the media folder"),
        ({"source": "C:\\clips\\a.mp4"}, "must be relative"),
        ({"source_duration": 0}, "source_duration"),
    ],
)
def test_bad_clips_raise_timeline_error(kw, message):
    with pytest.raises(TimelineError) as err:
        clip(**kw)
    assert message in str(err.value)
    assert isinstance(err.value, ValueError)


def test_validation_messages_are_human():
    with pytest.raises(TimelineError) as err:
        EditList(aspect_ratio="4:3")
    assert "aspect_ratio" in str(err.value)
    assert "pydantic" not in str(err.value).lower()


def test_duplicate_ids_refused():
    a = clip()
    with pytest.raises(TimelineError, match="share the id"):
        EditList(clips=[a, a])


def test_crossfade_must_fit_the_clips():
    with pytest.raises(TimelineError, match="too long for clip 'Attempt 1'"):
        EditList(clips=[clip(out_point=1.0), clip()], crossfade=1.5)
    # a middle clip takes part in two fades, so it needs twice the fade
    with pytest.raises(TimelineError, match="between two crossfades must be at least 2.00 s"):
        EditList(clips=[clip(), clip(out_point=1.5), clip()], crossfade=1.0)
    EditList(clips=[clip(), clip(out_point=2.0), clip()], crossfade=1.0)  # exactly fits


def test_crossfade_shorter_than_a_frame_refused():
    with pytest.raises(TimelineError, match="shorter than one frame"):
        EditList(clips=[clip(), clip()], crossfade=0.01)


def test_music_bed_validation():
    assert MusicBed(track="calm").volume == 0.3
    with pytest.raises(TimelineError, match="volume"):
        MusicBed(track="calm", volume=1.5)
    with pytest.raises(TimelineError, match="must not leave"):
        MusicBed(track="../secret.m4a")


def test_newer_schema_refused_with_clear_message():
    data = EditList().to_dict()
    data["schema_version"] = 99
    with pytest.raises(TimelineError, match="newer version"):
        EditList.from_dict(data)


def test_bad_json_and_unknown_fields():
    with pytest.raises(TimelineError, match="not valid JSON"):
        EditList.from_json("{nope")
    with pytest.raises(TimelineError, match="colour"):
        EditList.from_dict({"schema_version": 1, "colour": "red"})


def test_assignment_is_validated():
    c = clip()
    with pytest.raises(TimelineError):
        c.out_point = 99.0


def test_clip_at():
    a, b = clip(label="A", out_point=2.0), clip(label="B", out_point=2.0)
    edit = EditList(clips=[a, b], crossfade=0.5)
    assert edit.clip_at(0.0).label == "A"
    assert edit.clip_at(1.6).label == "B"  # inside the fade: the incoming clip
    assert edit.clip_at(3.4).label == "B"
    assert edit.clip_at(3.6) is None
