"""The timeline editor through the services: versions, undo/redo, save/open/compare, restarts, schema-1 rows,
uploads, music by mood, preview, export records and gap filling through the attempts pipeline."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import StudioError
from pipeline.timeline.export import probe
from tests.timeline.conftest import make_clip


@pytest.fixture
def clips(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "uploads-in"
    folder.mkdir()
    return {
        "red": make_clip(folder / "red.mp4", (220, 40, 40), seconds=2.0, size=(320, 180)),
        "green": make_clip(folder / "green.mp4", (40, 200, 60), seconds=2.0, size=(320, 180)),
        "blue": make_clip(folder / "blue.mp4", (40, 60, 220), seconds=2.0, size=(320, 180)),
    }


@pytest.fixture
def timeline(services, project, clips):
    tl = services.timeline
    for name in ("red", "green", "blue"):
        view = tl.upload_clip(project.id, clips[name], label=name)
    return view


def labels(view) -> list[str]:
    return [c.label for c in view.clips]


def test_every_edit_is_a_version_and_undo_redo_walk_them(services, project, timeline):
    tl, pid = services.timeline, project.id
    assert labels(timeline) == ["red", "green", "blue"] and timeline.version == 4  # empty + 3 uploads
    assert timeline.can_undo and not timeline.can_redo
    green = timeline.clips[1].id
    trimmed = tl.apply(pid, "trim", clip_id=green, in_point=0.5, out_point=1.5)
    assert trimmed.duration == pytest.approx(5.0)
    deleted = tl.apply(pid, "delete", clip_id=trimmed.clips[0].id)
    assert labels(deleted) == ["green", "blue"] and deleted.duration == pytest.approx(3.0)

    back = tl.undo(pid)
    assert labels(back) == ["red", "green", "blue"] and back.version == trimmed.version
    assert back.can_redo
    back = tl.undo(pid)
    assert back.version == timeline.version and back.duration == pytest.approx(6.0)
    assert tl.get(pid).version == timeline.version  # the head moved; nothing was deleted
    again = tl.redo(pid)
    assert again.version == trimmed.version
    again = tl.redo(pid)
    assert again.version == deleted.version and not again.can_redo
    with pytest.raises(StudioError, match="Nothing to redo"):
        tl.redo(pid)
    # a new edit after an undo starts a new branch: redo then has nothing to go to
    tl.undo(pid)
    branch = tl.apply(pid, "duplicate", clip_id=green)
    assert labels(branch) == ["red", "green", "green", "blue"] and not branch.can_redo
    assert branch.parent_version == trimmed.version
    for _ in range(branch.version):
        try:
            tl.undo(pid)
        except StudioError as exc:
            assert "Nothing to undo" in str(exc)
            break
    assert tl.get(pid).version == 1


def test_save_reopen_compare_and_restart(settings, services, project, timeline):
    from pipeline.services import build_services

    tl, pid = services.timeline, project.id
    saved = tl.save(pid, "First cut")
    assert saved.kind == "saved" and saved.name == "First cut"
    ids = [c.id for c in timeline.clips]
    tl.apply(pid, "set_transition", clip_id=ids[1], type="crossfade", duration=0.5)
    tl.apply(pid, "set_transition", clip_id=ids[2], type="fade_black", duration=0.25)
    tl.apply(pid, "add_overlay", text="New season", start=0.5, end=2.5, position="top", animation="slide_up")
    tl.apply(pid, "move", clip_id=ids[2], new_index=0)
    tl.apply(pid, "music_by_mood", mood="luxury")
    tl.apply(pid, "set_grade", preset="cinematic")
    tl.apply(pid, "set_fades", fade_in=0.5, fade_out=1.0)
    head = tl.apply(pid, "trim", clip_id=ids[0], in_point=0.0, out_point=1.5)
    assert head.edit_list["music"]["track"] == "velvet-hour"
    assert [c.transition["type"] for c in head.clips] == ["cut", "cut", "crossfade"]

    diff = tl.compare(pid, saved.version, 0)
    assert diff["a"]["name"] == "First cut" and diff["b"]["version"] == head.version
    assert [t["id"] for t in diff["clips"]["trimmed"]] == [ids[0]]
    assert [m["id"] for m in diff["clips"]["moved"]] == [ids[2]]
    assert diff["overlays"]["added"][0]["text"] == "New season"
    assert diff["music"]["after"]["track"] == "velvet-hour" and diff["settings"]["grade"] == ["none", "cinematic"]
    assert diff["duration"]["change"] == pytest.approx(head.duration - saved.duration)
    assert any("Into 'green'" in line for line in diff["summary"])

    services.close()  # a restart: a fresh process would build everything again from the same folder
    again = build_services(settings)
    try:
        tl2 = again.timeline
        assert tl2.get(pid).version == head.version
        assert [v.name for v in tl2.versions(pid, saved_only=True)] == ["First cut"]
        assert tl2.undo(pid).version == head.version - 1  # the history survived too
        reopened = tl2.open_version(pid, saved.version)
        assert labels(reopened) == ["red", "green", "blue"] and reopened.version == head.version + 1
        assert reopened.note == "Opened 'First cut'"
        assert tl2.undo(pid).version == head.version - 1
    finally:
        again.close()


def test_impossible_edits_are_explained_and_save_nothing(services, project, timeline):
    tl, pid = services.timeline, project.id
    clip = timeline.clips[0]
    cases = [
        ("trim", {"clip_id": clip.id, "in_point": 1.0, "out_point": 3.0}, "its source is only 2.00 s long"),
        ("trim", {"clip_id": clip.id, "in_point": -1.0, "out_point": 1.0}, "can't be before 0.00 s"),
        ("split", {"clip_id": clip.id, "at_seconds": 0.1}, "at least 0.25 s on both sides"),
        ("split", {"clip_id": clip.id, "at_seconds": 2.0}, "at least 0.25 s on both sides"),
        ("split_at_time", {"timeline_seconds": 99}, "no clip at 99.00 s"),
        ("merge", {"clip_id": clip.id}, "different source videos"),
        ("set_transition", {"clip_id": clip.id, "type": "crossfade", "duration": 0.5}, "first clip"),
        ("set_transition", {"clip_id": timeline.clips[1].id, "type": "crossfade", "duration": 3.0},
         "transitions are too long"),
        ("set_fps", {"fps": 60}, "24 to 30"),
        ("set_grade", {"preset": "sepia"}, "Unknown colour grade"),
        ("music_by_mood", {"mood": "polka"}, "No music track fits"),
        ("frobnicate", {}, "Unknown timeline operation"),
        ("trim", {"clip": "x"}, "does not take .clip.; it takes: clip_id"),
            ("trim", {"clip_id": "x", "in_point": float("nan")}, "must be a finite number"),
            ("set_grade", {"bogus": 1}, "does not take .bogus."),
    ]
    for operation, arguments, message in cases:
        with pytest.raises(StudioError, match=message):
            tl.apply(pid, operation, **arguments)
    assert tl.get(pid).version == timeline.version


def test_schema_1_rows_load_after_the_upgrade(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from storage.db import MIGRATIONS_DIR, Database
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "old-data")
    settings.data_dir.mkdir(parents=True)
    url = settings.resolved_database_url
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0002")
    v1 = ('{"schema_version": 1, "aspect_ratio": "16:9", "fps": 24, "crossfade": 0.5, "music": {"track": '
          '"velvet-hour", "volume": 0.4, "fade_out": 2.0}, "clips": [{"id": "a1", "source": "attempts/a.mp4", '
          '"attempt_id": null, "label": "A", "source_duration": 5.0, "in_point": 0.0, "out_point": 4.0}, '
          '{"id": "b2", "source": "attempts/b.mp4", "attempt_id": null, "label": "B", "source_duration": 5.0, '
          '"in_point": 1.0, "out_point": 5.0}]}')
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO projects (id, name, aspect_ratio, created_at, updated_at) "
                          "VALUES (1, 'old', '16:9', '2026-01-01', '2026-01-01')"))
        for version in (1, 2):
            conn.execute(text("INSERT INTO timeline_versions (project_id, version, edit_list, note, created_at) "
                              "VALUES (1, :v, :e, 'old', '2026-01-01')"), {"v": version, "e": v1})
    db.dispose()
    from pipeline.services import build_services

    services = build_services(settings)  # upgrades to the newest revision
    try:
        view = services.timeline.get(1)
        assert view.version == 2 and view.parent_version == 1 and view.is_head
        assert view.edit_list["schema_version"] == 2
        assert [c.transition for c in view.clips] == [{"type": "cut", "duration": 0.0},
                                                            {"type": "crossfade", "duration": 0.5}]
        assert view.duration == pytest.approx(7.5)
        assert services.timeline.undo(1).version == 1
        edited = services.timeline.apply(1, "set_music", track="velvet-hour", ducking=0.5)
        assert edited.edit_list["music"] == {"track": "velvet-hour", "volume": 0.4, "start_offset": 0.0,
                                                "start": 0.0, "fade_in": 0.0, "fade_out": 2.0, "ducking": 0.5}
    finally:
        services.close()


def test_uploads_music_and_preview(services, project, timeline, tmp_path):
    import av

    tl, pid = services.timeline, project.id
    song = tmp_path / "my song.wav"
    with av.open(str(song), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=48000, layout="stereo")
        tone = (0.4 * np.sin(2 * np.pi * 220 * np.arange(48000) / 48000) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]).reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate = 48000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    result = tl.upload_music(pid, song)
    track = result["track"]
    assert track["id"].startswith("uploads/music/") and result["timeline"].edit_list["music"]["track"] == track["id"]
    assert any(t["id"] == track["id"] and t["uploaded"] for t in tl.music_tracks())
    assert song.is_file()  # the original is not touched
    bad = tmp_path / "notes.txt"
    bad.write_text("la la la")
    with pytest.raises(StudioError, match="not an audio file"):
        tl.upload_music(pid, bad)
    with pytest.raises(StudioError, match="not a video"):
        tl.upload_clip(pid, bad)
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x00" * 1000)
    with pytest.raises(StudioError, match="can't be read"):
        tl.upload_clip(pid, fake)

    first = tl.preview(pid)
    info = probe(first["file"])
    assert (info.width, info.height) == (640, 360) and info.has_audio
    assert abs(info.duration - first["duration"]) <= 1 / 24 + 1e-6 and not first["cached"]
    assert tl.preview(pid)["cached"] and tl.preview(pid)["file"] == first["file"]
    tl.apply(pid, "set_grade", preset="vibrant")
    assert tl.preview(pid)["file"] != first["file"]
    view = tl.get(pid)
    assert all(c.thumbnail and Path(c.thumbnail).is_file() for c in view.clips)


def test_export_records_the_file_on_a_saved_version(services, project, timeline):
    tl, pid = services.timeline, project.id
    started = tl.export(pid, "crop")
    job = services.jobs.get(started["job_id"])
    assert job.status == "succeeded", job
    result = job.result
    assert Path(result["file"]).name.startswith(f"p{pid}-v{started['version']}-")  # ids, not the project's name
    assert Path(result["thumbnail"]).is_file()
    assert result["method"] == "encode"  # 320x180 sources, 640x360 export: scaled, so re-encoded
    info = probe(result["file"])
    assert (info.video_codec, info.audio_codec, info.width, info.height) == ("h264", "aac", 640, 360)
    record = tl.version(pid, started["version"])
    assert record.kind == "saved" and record.exported_file == result["file"] and record.thumbnail
    # another aspect ratio and frame rate: saved as a new version first, so the record matches the file
    vertical = tl.export(pid, "letterbox", aspect_ratio="9:16", fps=30)
    assert vertical["version"] == started["version"] + 1
    job = services.jobs.get(vertical["job_id"])
    assert job.status == "succeeded", job
    info = probe(job.result["file"])
    assert (info.width, info.height, round(info.fps)) == (360, 640, 30)
    assert tl.get(pid).edit_list["aspect_ratio"] == "9:16"


def test_export_by_stream_copy_when_sources_match(settings, services, project, tmp_path):
    tl, pid = services.timeline, project.id
    for colour in ((200, 30, 30), (30, 200, 30)):
        tl.upload_clip(pid, make_clip(tmp_path / f"c{colour[0]}.mp4", colour, seconds=1.0, size=(640, 360)))
    started = tl.export(pid, "crop")
    job = services.jobs.get(started["job_id"])
    assert job.status == "succeeded" and job.result["method"] == "copy", job
    assert abs(probe(job.result["file"]).duration - 2.0) <= 1 / 24 + 1e-6


def test_delivery_export_in_4_5_with_a_readable_download_name(settings, services, project, tmp_path):
    """Quality through the service: delivery encodes (never copies), the job result and the version list name
    the file after the project and version, while the stored file keeps its id-based name."""
    tl, pid = services.timeline, project.id
    for colour in ((200, 30, 30), (30, 200, 30)):
        tl.upload_clip(pid, make_clip(tmp_path / f"c{colour[0]}.mp4", colour, seconds=1.0, size=(640, 360)))
    with pytest.raises(StudioError, match="Quality must be one of draft, delivery"):
        tl.export(pid, "crop", quality="best")
    started = tl.export(pid, "crop", aspect_ratio="4:5", quality="delivery")
    job = services.jobs.get(started["job_id"])
    assert job.status == "succeeded", job
    result = job.result
    assert result["quality"] == "delivery" and result["method"] == "encode"
    assert result["download_name"] == f"Test project – v{started['version']}.mp4"
    assert Path(result["file"]).name.startswith(f"p{pid}-v{started['version']}-")
    assert (result["width"], result["height"]) == (360, 450)
    listed = next(v for v in tl.versions(pid) if v.version == started["version"])
    assert listed.download_name == result["download_name"] and listed.exported_file == result["file"]


def test_fill_a_gap_through_the_attempts_pipeline(services, project, timeline):
    tl, pid = services.timeline, project.id
    green = timeline.clips[1]
    after = tl.apply(pid, "trim", clip_id=green.id, in_point=0.0, out_point=0.75)
    gap = tl.suggest_gap(pid)
    assert gap == {"position": 2, "duration": 1.25, "reason": "Clip 'green' was trimmed by 1.25 s."}
    deleted = tl.apply(pid, "delete", clip_id=after.clips[2].id)
    assert tl.suggest_gap(pid)["position"] == 2 and tl.suggest_gap(pid)["duration"] == pytest.approx(2.0)
    with pytest.raises(StudioError, match="0.25 s to 10.00 s"):
        tl.fill_gap(pid, 2, 12.0, "slow push in")
    with pytest.raises(StudioError, match="positions 0 to 2"):
        tl.fill_gap(pid, 5, 1.0, "slow push in")

    filled = tl.fill_gap(pid, 2, 1.25, "slow push in", attempt_count=2, seed=3)  # the queue runs inline here
    clip = filled.clips[2]
    assert not clip.still and not clip.pending and clip.generation_group_id == filled.gap_group_id
    assert clip.length == pytest.approx(1.25) and clip.attempt_id
    assert filled.duration == pytest.approx(deleted.duration + 1.25)
    group = services.attempts.group(filled.gap_group_id)
    assert group.duration == 2.0 and all(a.status == "done" for a in group.attempts)
    frame = services.hero_frames.get(group.hero_frame_id)
    assert frame.parameters["origin"] == "timeline gap" and frame.aspect_ratio == "16:9"
    notes = [v.note for v in tl.versions(pid)[:2]]
    assert notes[0].startswith("Filled the 1.25 s gap with attempt") and notes[1].startswith("Gap of 1.25 s")
    # the gap clip is a clip of this timeline: rebuilding from the picks does not list it as a shot
    assert all(c.generation_group_id is None for c in tl.rebuild_from_picks(pid).clips)
    # and the export has exactly the edit's length
    tl.undo(pid)
    started = tl.export(pid)
    info = probe(services.jobs.get(started["job_id"]).result["file"])
    assert abs(info.duration - filled.duration) <= 1 / 24 + 1e-6


def test_rebuild_from_picks_keeps_uploads_and_stills_where_they_were(services, project, clips):
    """Rebuilding swaps in the current picks; your own clips (an intro, an ad's end card) stay around them."""
    tl, pid = services.timeline, project.id
    services.hero_frames.generate(pid, "a brass desk lamp, studio light", 4, "16:9", 3)
    frame = services.hero_frames.list(pid)[0]
    services.projects.select_hero_frame(pid, frame.id)
    first = services.attempts.start_group(pid, "slow push in", "", 2, duration=2.0, seed=1)
    second = services.attempts.start_group(pid, "pan left", "", 2, duration=2.0, seed=2)
    built = tl.rebuild_from_picks(pid)
    assert [c.attempt_id is not None for c in built.clips] == [True, True]
    tl.upload_clip(pid, clips["red"], label="intro", index=0)
    tl.upload_clip(pid, clips["green"], label="between", index=2)
    view = tl.upload_clip(pid, clips["blue"], label="end card")
    assert labels(view)[0] == "intro" and labels(view)[2] == "between" and labels(view)[-1] == "end card"
    # the user overrides the pick of the first group: the rebuild takes the new pick and keeps the uploads
    other = next(a for a in services.attempts.group(first.id).attempts if not a.is_system_selected_best)
    services.selection.select_attempt(other.id, "sharper", [])
    rebuilt = tl.rebuild_from_picks(pid)
    assert labels(rebuilt)[0] == "intro" and labels(rebuilt)[2] == "between" and labels(rebuilt)[-1] == "end card"
    assert [c.attempt_id for c in rebuilt.clips if c.attempt_id][0] == other.id
    assert len(rebuilt.clips) == 5 and second.id
