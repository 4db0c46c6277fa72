from __future__ import annotations

import json

import pytest

from pipeline.timeline import Clip, EditList, MusicBed, TimelineError
from pipeline.timeline.edit_list import MIN_CLIP_LENGTH, SCHEMA_VERSION


def clip(fade: float = 0.0, kind: str = "crossfade", **kw) -> Clip:
    data = {"source": "attempts/a.mp4", "source_duration": 5.0, "in_point": 0.0, "out_point": 5.0,
            "label": "Attempt 1"}
    if fade:
        data["transition"] = {"type": kind, "duration": fade}
    data.update(kw)
    return Clip(**data)


def faded(clips: list[Clip], fade: float, **kw) -> EditList:
    """An edit list with the same crossfade into every clip after the first (schema 1's global crossfade)."""
    data = [c.model_dump() if i == 0 or not fade else {**c.model_dump(), "transition": {"type": "crossfade",
                                                                                        "duration": fade}}
            for i, c in enumerate(clips)]
    return EditList.model_validate({**kw, "clips": data})


def test_defaults_and_duration():
    edit = faded([clip(out_point=4.0), clip(in_point=1.0), clip(in_point=0.5, out_point=3.0)], 0.5)
    assert edit.schema_version == SCHEMA_VERSION == 2
    assert edit.fps == 24 and edit.aspect_ratio == "16:9" and edit.music is None
    assert edit.duration == pytest.approx(4.0 + 4.0 + 2.5 - 2 * 0.5)
    assert edit.starts() == pytest.approx([0.0, 3.5, 7.0])
    assert EditList().duration == 0.0


def test_clip_ids_are_short_and_unique():
    ids = {clip().id for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 8 for i in ids)


def test_json_round_trip():
    edit = faded([clip(attempt_id=7), clip(in_point=2.0)], 0.25, aspect_ratio="9:16", fps=30,
                 music=MusicBed(track="velvet-hour", volume=0.5, fade_out=1.5).model_dump())
    text = edit.to_json()
    again = EditList.from_json(text)
    assert again == edit
    assert json.loads(text)["schema_version"] == 2
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
        faded([clip(out_point=1.0), clip()], 1.5)
    # a middle clip takes part in two fades, so it needs both of them
    with pytest.raises(TimelineError, match="1.00 s crossfade in and a 1.00 s crossfade out it must be at least "
                                            "2.00 s long"):
        faded([clip(), clip(out_point=1.5), clip()], 1.0)
    faded([clip(), clip(out_point=2.0), clip()], 1.0)  # exactly fits
    # mixed transitions: each clip needs its own in + out overlap
    EditList(clips=[clip(), clip(out_point=1.5, fade=1.0, kind="fade_black"), clip(fade=0.5)])
    with pytest.raises(TimelineError, match="fade through black in"):
        EditList(clips=[clip(), clip(out_point=1.4, fade=1.0, kind="fade_black"), clip(fade=0.5)])


def test_crossfade_shorter_than_a_frame_refused():
    with pytest.raises(TimelineError, match="shorter than one frame"):
        faded([clip(), clip()], 0.01)


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
        EditList.from_dict({"schema_version": 2, "colour": "red"})


def test_assignment_is_validated():
    c = clip()
    with pytest.raises(TimelineError):
        c.out_point = 99.0


def test_clip_at():
    a, b = clip(label="A", out_point=2.0), clip(label="B", out_point=2.0)
    edit = faded([a, b], 0.5)
    assert edit.clip_at(0.0).label == "A"
    assert edit.clip_at(1.6).label == "B"  # inside the fade: the incoming clip
    assert edit.clip_at(3.4).label == "B"
    assert edit.clip_at(3.6) is None


def test_schema_1_is_upgraded():
    old = {"schema_version": 1, "aspect_ratio": "16:9", "fps": 24, "crossfade": 0.5,
           "music": {"track": "velvet-hour", "volume": 0.4, "fade_out": 1.0},
           "clips": [clip(label="A").model_dump(exclude={"transition", "still", "generation_group_id"}),
                     clip(label="B").model_dump(exclude={"transition", "still", "generation_group_id"})]}
    edit = EditList.from_dict(old)
    assert edit.schema_version == 2 and [c.transition.type for c in edit.clips] == ["cut", "crossfade"]
    assert edit.clips[1].transition.duration == 0.5 and edit.duration == pytest.approx(9.5)
    assert edit.music.volume == 0.4 and edit.music.ducking == 0.0 and edit.overlays == [] and edit.grade == "none"
    assert "crossfade" in old  # the input is left alone
    hard = EditList.from_dict({**old, "crossfade": 0})
    assert hard.all_cuts and hard.duration == pytest.approx(10.0)


def test_overlay_validation():
    from pipeline.timeline import Overlay

    o = Overlay(text="Hi", end=2, color="gold", position="centre")
    assert (o.colour, o.position, o.font, o.shadow) == ("#D4AF37", "center", "sans-bold", True)
    assert Overlay(text="x", end=1, x=0.2, y=0.8).position == "custom"
    for kw, message in [({"end": 0.05}, "at least 0.10 s"), ({"end": 2, "position": "custom"}, "give both x and y"),
                        ({"end": 2, "colour": "teal-ish"}, "#RRGGBB"), ({"end": 2, "text": "a\nb\nc\nd\ne"}, "4 lines"),
                        ({"end": 2, "animation": "spin"}, "animation")]:
        with pytest.raises(TimelineError, match=message):
            Overlay(**{"text": "Sale", **kw})


def test_the_documented_json_schema_is_current():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "EDIT_LIST.md").read_text(encoding="utf-8")
    embedded = doc.split("```json\n")[-1].split("\n```")[0]
    assert json.loads(embedded) == EditList.model_json_schema(), "regenerate the schema in docs/EDIT_LIST.md"
