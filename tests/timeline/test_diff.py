"""compare(): what changed between two edit lists, structured and in sentences."""
from __future__ import annotations

import pytest

from pipeline.timeline import (
    EditList,
    add_clip,
    add_overlay,
    compare,
    delete,
    move,
    set_grade,
    set_music,
    set_transition,
    split,
    trim,
    update_overlay,
)


@pytest.fixture
def base() -> EditList:
    e = EditList()
    for name in ("a", "b", "c", "d"):
        e = add_clip(e, f"{name}.mp4", 4.0, label=name.upper())
    return add_overlay(e, "Sale", 0.5, 2.0)


def test_identical(base):
    diff = compare(base, EditList.from_dict(base.to_dict()))
    assert diff["identical"] and diff["summary"] == ["No differences."] and diff["duration"]["change"] == 0


def test_every_kind_of_change(base):
    a, b, c, d = (clip.id for clip in base.clips)
    after = move(base, d, 0)  # D first: one clip moved (not three)
    after = trim(after, b, 0.5, 3.0)
    after = delete(after, c)
    after = split(after, a, 1.0)  # A becomes two new clips
    after = set_transition(after, b, "fade_black", 0.5)
    after = update_overlay(after, base.overlays[0].id, text="Big sale", position="top")
    after = add_overlay(after, "Now", 3, 4)
    after = set_grade(set_music(after, "velvet-hour", volume=0.4), "vibrant")
    diff = compare(base, after)
    clips = diff["clips"]
    assert [m["id"] for m in clips["moved"]] == [d]
    assert [t["id"] for t in clips["trimmed"]] == [b] and clips["trimmed"][0]["change"] == pytest.approx(-1.5)
    assert {r["id"] for r in clips["removed"]} == {a, c} and len(clips["added"]) == 2
    assert diff["transitions"] == [{"clip_id": b, "label": "B", "before": "cut",
                                    "after": "0.50 s fade through black"}]
    changed = diff["overlays"]["changed"][0]["fields"]
    assert changed["text"] == ["Sale", "Big sale"] and changed["position"] == ["auto", "top"]
    assert [o["text"] for o in diff["overlays"]["added"]] == ["Now"]
    assert diff["music"]["after"]["track"] == "velvet-hour" and diff["settings"] == {"grade": ["none", "vibrant"]}
    assert diff["duration"]["change"] == pytest.approx(after.duration - base.duration)
    text = " ".join(diff["summary"])
    for phrase in ("moved from position 4 to 1", "trimmed", "removed", "added", "fade through black",
                   "Text 'Big sale' changed", "Music 'velvet-hour' added at 40 %", "Grade: none → vibrant"):
        assert phrase in text, phrase
