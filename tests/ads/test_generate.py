"""The ad composer end to end through the services, offline, on an inline queue: a 15 s AIDA ad from
"Create a luxury watch ad" (checked at 1080p 9:16), cancel keeping what was made, and the product video."""
from __future__ import annotations

from itertools import pairwise

import av
import numpy as np
import pytest
from PIL import Image

from pipeline.ads.plan import AdPlanError, hex_to_rgb
from pipeline.errors import NotFound, StudioError
from pipeline.timeline.edit_list import EditList
from pipeline.timeline.export import export, probe
from tests.conftest import make_settings

FPS = 24


@pytest.fixture
def ad_services(tmp_path):
    from pipeline.services import build_services

    built = build_services(make_settings(tmp_path / "studio-data", video_min_short_side=256, frame_long_side=1024,
                                         export_long_side=1920))
    yield built
    built.close()


@pytest.fixture
def small_services(tmp_path):
    from pipeline.services import build_services

    built = build_services(make_settings(tmp_path / "studio-data", video_min_short_side=256, frame_long_side=1024,
                                         export_long_side=480))
    yield built
    built.close()


def _record_progress(services, monkeypatch) -> list[tuple[float, str]]:
    seen: list[tuple[float, str]] = []
    original = services.runner._progress_fn

    def wrapped(*args, **kwargs):
        inner = original(*args, **kwargs)

        def progress(percent, step):
            seen.append((float(percent), step))
            return inner(percent, step)

        return progress

    monkeypatch.setattr(services.runner, "_progress_fn", wrapped)
    return seen


def _frames_at(path, times):
    """RGB frames of a video at the given times (the frame showing at each time)."""
    wanted = {round(t * FPS): t for t in times}
    out = {}
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(container.streams.video[0])):
            if index in wanted:
                out[wanted[index]] = np.asarray(frame.to_image().convert("RGB"), np.int16)
    return out


def test_luxury_watch_ad_end_to_end(ad_services, monkeypatch, tmp_path):
    s = ad_services
    seen = _record_progress(s, monkeypatch)
    view = s.ads.plan("Create a luxury watch ad")
    plan = view["plan"]
    assert view["status"] == "draft" and plan["framework"] == "AIDA" and len(plan["scenes"]) == 4
    assert plan["duration"] == 15 and plan["aspect_ratio"] == "9:16"
    estimate = s.ads.estimate_cost(view["id"])
    assert estimate["usd"] == 0.0 and estimate["attempts"] == 8 and "free" in estimate["rule_text"]

    started = s.ads.generate(view["id"])  # default: 2 attempts per scene
    done = s.ads.get(view["id"])
    assert done["job"]["status"] == "succeeded", done["job"]
    assert done["status"] == "done" and done["cost_usd"] == 0.0 and done["estimated_cost_usd"] == 0.0
    assert all(step["done"] for step in done["steps"])
    pid = started["project_id"]
    assert done["project_id"] == pid and s.projects.get(pid).aspect_ratio == "9:16"

    # one job with the documented steps, in order
    percents = [p for p, _ in seen]
    assert all(b >= a - 1e-9 for a, b in pairwise(percents))  # never goes backwards
    for mark, word in ((10, "Plan"), (20, "Scenes"), (30, "Clips"), (80, "Stitching"), (90, "Audio")):
        assert any(p == mark and step.startswith(word) for p, step in seen), (mark, word)
    assert any(30 < p < 70 and step.startswith("Clips") for p, step in seen)

    # an ordinary project: a hero frame and a scored group per scene, the best attempt picked
    assert len(s.hero_frames.list(pid)) == 4
    groups = sorted(s.attempts.groups(pid), key=lambda g: g.id)
    assert len(groups) == 4 and all(len(g.attempts) == 2 for g in groups)
    assert all(a.status == "done" and a.scores for g in groups for a in g.attempts)
    assert all(sum(a.is_system_selected_best for a in g.attempts) == 1 for g in groups)
    seeds = {s.hero_frames.get(g.hero_frame_id).seed for g in groups}
    assert seeds == {plan["seed"]}  # one shared seed keeps the local previz coherent

    # the timeline: clips in order, transitions, overlays in brand colours, music by mood, grade, fades, end card
    timeline = s.timeline.get(pid)
    labels = [c.label for c in timeline.clips]
    assert labels == ["Scene 1 · Attention", "Scene 2 · Interest", "Scene 3 · Desire", "Scene 4 · Action",
                      "End card"]
    edit = EditList.from_dict(timeline.edit_list)
    assert edit.duration == pytest.approx(15.0) and edit.starts()[:4] == pytest.approx([0, 3, 7, 12])
    assert [c.transition.type for c in edit.clips] == ["cut", "crossfade", "crossfade", "crossfade", "crossfade"]
    assert edit.music is not None and edit.music.track == "velvet-hour" and edit.grade == "luxury"
    assert edit.fade_in > 0 and edit.fade_out > 0 and edit.clips[-1].still
    texts = [o.text.replace("\n", " ") for o in edit.overlays]
    assert texts[:4] == [sc["text_overlay"] for sc in plan["scenes"]]
    assert plan["brand"]["name"] in texts and plan["call_to_action"] in texts
    colours = set(plan["brand"]["colours"]) | {"#FFFFFF", "#000000"}
    assert all(o.colour in colours for o in edit.overlays)

    # the exported file: 15 s within one frame, 1080p 9:16, H.264 + AAC
    info = probe(done["result"]["file"])
    assert abs(info.duration - 15.0) <= 1 / FPS + 1e-6 and abs(info.frame_count - 15 * FPS) <= 1
    assert (info.width, info.height) == (1080, 1920)
    assert info.video_codec == "h264" and info.audio_codec == "aac" and info.has_audio

    # overlay text visible at its scene: the same edit with and without overlays differs in the text's band,
    # and pixels of the overlay's colour appear there
    ungraded = edit.model_copy(update={"grade": "none"})  # overlays are drawn after the grade: same text pixels
    without = ungraded.model_copy(update={"overlays": []})
    small = {}
    for name, e in (("with", ungraded), ("without", without)):
        small[name] = export(e, tmp_path / f"{name}.mp4", s.media.root, s.settings.music_dir, long_side=640).path
    checks = [((o.start + o.end) / 2, o) for o in edit.overlays]
    with_frames = _frames_at(small["with"], [t for t, _ in checks])
    without_frames = _frames_at(small["without"], [t for t, _ in checks])
    for t, overlay in checks:
        a, b = with_frames[t], without_frames[t]
        height = a.shape[0]
        auto = [slice(int(height * 0.70), int(height * 0.95)), slice(int(height * 0.03), int(height * 0.30))]
        bands = auto if overlay.position == "auto" else [slice(int(height * (overlay.y - 0.08)),
                                                               int(height * (overlay.y + 0.08)))]
        band = max(bands, key=lambda rows: (np.abs(a[rows] - b[rows]).max(axis=2) > 40).sum())  # where it went
        changed = (np.abs(a[band] - b[band]).max(axis=2) > 40).sum()
        assert changed > 150, (overlay.text, t, changed)
        target = np.array(hex_to_rgb(overlay.colour), np.int16)
        near = (np.abs(a[band] - target).max(axis=2) < 45).sum() - (np.abs(b[band] - target).max(axis=2) < 45).sum()
        assert near > 30, (overlay.text, overlay.colour, near)

    # and it opens for changes like any project: pick another attempt, edit the timeline
    other = next(a for a in groups[0].attempts if not a.is_system_selected_best)
    assert s.selection.select_attempt(other.id, "prefer this one")["agrees_with_system"] is False
    changed = s.timeline.apply(pid, "set_grade", preset="cinematic")
    assert changed.edit_list["grade"] == "cinematic" and changed.can_undo


def test_cancel_stops_the_rest_and_keeps_what_was_made(small_services, monkeypatch):
    s = small_services
    view = s.ads.plan("Tired of dry skin? An ad for our organic face cream", 15, "1:1")
    original = s.attempts.score_attempt
    calls = []

    def score_then_cancel(attempt_id, progress):
        result = original(attempt_id, progress)
        calls.append(attempt_id)
        if len(calls) == 1:
            s.jobs.cancel(s.jobs.unfinished(kind="ad")[0].id)
        return result

    monkeypatch.setattr(s.attempts, "score_attempt", score_then_cancel)
    started = s.ads.generate(view["id"], attempts_per_scene=1)
    result = s.ads.get(view["id"])
    assert result["job"]["status"] == "cancelled" and result["status"] == "cancelled"
    assert len(calls) == 1
    pid = started["project_id"]
    assert len(s.hero_frames.list(pid)) == 4  # frames made before the cancel are kept
    groups = sorted(s.attempts.groups(pid), key=lambda g: g.id)
    statuses = [a.status for g in groups for a in g.attempts]
    assert statuses[0] == "done" and statuses.count("done") == 1
    assert all(st == "cancelled" for st in statuses[1:])
    timeline = s.timeline.get(pid)  # a partial timeline of the finished scene (+ the end card)
    assert [c.label for c in timeline.clips] == ["Scene 1 · Problem", "End card"]
    assert any("partial" in n for n in result["notes"])
    assert result["cost_usd"] == 0.0
    # the storyboard can be edited and generated again afterwards
    assert s.ads.update_storyboard(view["id"], "update_scene", number=1, text_overlay="Dry again?")["status"] == \
        "draft"


def test_product_photo_becomes_a_ten_second_square_orbit_video(small_services, tmp_path):
    s = small_services
    photo = tmp_path / "bottle.jpg"
    yy, xx = np.mgrid[0:600, 0:800]
    pixels = np.stack([150 + xx // 16, 120 + yy // 12, 90 + (xx + yy) // 30], -1).astype(np.uint8)  # backdrop
    pixels[(yy // 40 + xx // 40) % 2 == 0] -= 25  # a tiled floor with edges to track
    pixels[150:450, 330:470] = (40, 90, 160)  # the bottle
    pixels[110:150, 375:425] = (200, 200, 210)  # its cap
    Image.fromarray(pixels).save(photo, quality=92)
    started = s.ads.product_video(None, photo, "Azure Eau de Parfum", "A blue glass perfume bottle")
    view = s.ads.get(started["plan_id"])
    assert view["job"]["status"] == "succeeded", view["job"]
    assert view["kind"] == "product_video" and view["status"] == "done"
    pid = started["project_id"]
    project = s.projects.get(pid)
    assert project.aspect_ratio == "1:1" and project.name == "Azure Eau de Parfum"
    sources = sorted(f.source for f in s.hero_frames.list(pid))
    assert sources == ["enhanced", "uploaded"]
    (group,) = s.attempts.groups(pid)
    assert "orbit around the product, turntable" in group.motion_prompt and group.duration == 10.0
    assert len(group.attempts) == 2 and all(a.status == "done" and a.scores for a in group.attempts)
    assert all(a.parameters["motion_plan"]["move"].startswith("orbit") for a in group.attempts)
    picks = [a for a in group.attempts if a.is_system_selected_best]
    # the scorer's pick; when every attempt fails an automatic check the best-scored one is used, with a note
    assert len(picks) == 1 or any("highest-scored" in n for n in view["notes"])
    best = picks[0] if picks else max(group["attempts"], key=lambda a: a["overall_score"])
    timeline = s.timeline.get(pid)
    assert [c.attempt_id for c in timeline.clips] == [best.id]
    assert [o["text"].replace("\n", " ") for o in timeline.overlays] == ["Azure Eau de Parfum"]
    info = probe(view["result"]["file"])
    assert abs(info.duration - 10.0) <= 1 / FPS + 1e-6 and info.width == info.height
    assert info.video_codec == "h264" and info.audio_codec == "aac"


def test_bad_requests_are_explained_and_change_nothing(small_services, tmp_path):
    s = small_services
    with pytest.raises(AdPlanError, match="at least 10"):
        s.ads.plan("watch")
    with pytest.raises(AdPlanError, match="500 or fewer"):
        s.ads.plan("luxury watch " * 50)
    with pytest.raises(AdPlanError, match="15, 30 or 60"):
        s.ads.plan("Create a luxury watch ad", duration=20)
    with pytest.raises(AdPlanError, match="aspect ratio"):
        s.ads.plan("Create a luxury watch ad", aspect_ratio="4:5")
    assert s.ads.list() == []
    view = s.ads.plan("Create a luxury watch ad")
    with pytest.raises(StudioError, match="Attempts per scene"):
        s.ads.generate(view["id"], attempts_per_scene=0)
    with pytest.raises(NotFound):
        s.ads.generate(9999)
    with pytest.raises(AdPlanError, match="Unknown storyboard operation"):
        s.ads.update_storyboard(view["id"], "explode")
    garbage = tmp_path / "photo.jpg"
    garbage.write_bytes(b"not an image" * 50)
    with pytest.raises(ValueError):
        s.ads.product_video(None, garbage, "Title")
    with pytest.raises(StudioError, match="2–10 s"):
        s.ads.product_video(None, garbage, "Title", duration=12)
    assert s.jobs.active() == [] and s.ads.get(view["id"])["status"] == "draft"
