from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.timeline import (
    EditList,
    ExportError,
    TimelineError,
    add_clip,
    output_size,
    poster,
    probe,
    set_crossfade,
    set_music,
)
from pipeline.timeline.export import export

from .conftest import COLOURS, mean_colour, read_audio, read_frames

SMALL = 320  # long side for quick exports: 320x180 at 16:9


class Cancelled(Exception):
    pass


def three_clips(media_root: Path, prefix: str = "", seconds: float = 2.0, **kw) -> EditList:
    edit = EditList(**kw)
    for name in COLOURS:
        edit = add_clip(edit, prefix + name, seconds, label=name.split(".")[0])
    return edit


def assert_matches_timeline(result, edit: EditList, width: int, height: int) -> None:
    info = probe(result.path)
    assert info.video_codec == "h264"
    assert info.audio_codec == "aac"
    assert info.has_audio
    assert (info.width, info.height) == (width, height) == (result.width, result.height)
    assert info.fps == pytest.approx(edit.fps)
    assert abs(info.duration - edit.duration) <= 1.0 / edit.fps + 1e-6
    assert abs(result.frame_count - edit.duration * edit.fps) <= 1.0
    assert result.duration == pytest.approx(info.duration)


def test_output_sizes():
    assert output_size("16:9") == (1920, 1080)
    assert output_size("9:16") == (1080, 1920)
    assert output_size("1:1") == (1080, 1080)
    assert output_size("16:9", 320) == (320, 180)
    assert output_size("9:16", 320) == (180, 320)
    assert output_size("16:9", 1280) == (1280, 720)
    with pytest.raises(TimelineError):
        output_size("4:3")


def test_probe_source(media_root):
    info = probe(media_root / "red.mp4")
    assert (info.width, info.height, info.fps, info.has_audio) == (320, 180, 24.0, False)
    assert info.duration == pytest.approx(2.0, abs=0.05)
    tone = probe(media_root / "tone.mp4")
    assert tone.has_audio and tone.audio_codec == "aac" and tone.fps == pytest.approx(30)
    with pytest.raises(TimelineError, match="does not exist"):
        probe(media_root / "nope.mp4")


def test_hard_cuts_export(media_root, music_dir, tmp_path):
    edit = three_clips(media_root)
    edit = add_clip(edit, "red.mp4", 2.0, in_point=0.5, out_point=1.3, label="short red")  # 0.8 s, trimmed
    calls: list[tuple[float, str]] = []
    out = tmp_path / "cut.mp4"
    result = export(edit, out, media_root, music_dir, long_side=SMALL, progress=lambda p, s: calls.append((p, s)))
    assert result.path == out and out.is_file()
    assert_matches_timeline(result, edit, 320, 180)
    assert result.frame_count == round(edit.duration * 24) == 163
    # progress goes 0 -> 100 and never backwards
    percents = [p for p, _ in calls]
    assert percents[0] == 0.0 and percents[-1] == 100.0 and percents == sorted(percents)
    # each clip's frames show its colour: middle of clip 1, 2, 3 and the short trimmed clip
    frames = read_frames(out)
    assert len(frames) == result.frame_count
    for frame_index, name in ((24, "red.mp4"), (72, "green.mp4"), (120, "blue.mp4"), (153, "red.mp4")):
        assert np.allclose(mean_colour(frames[frame_index]), COLOURS[name], atol=12), name
    # the cut is exact: last frame of clip 1 is red, first of clip 2 is green
    assert np.allclose(mean_colour(frames[47]), COLOURS["red.mp4"], atol=12)
    assert np.allclose(mean_colour(frames[48]), COLOURS["green.mp4"], atol=12)
    # no music, silent clips: audio exists and is silent
    audio = read_audio(out)
    assert audio.shape[0] == 2
    assert abs(audio.shape[1] / 48000 - edit.duration) < 0.05
    assert float(np.sqrt(np.mean(audio ** 2))) < 1e-4


def test_crossfade_frames_are_blends(media_root, music_dir, tmp_path):
    edit = set_crossfade(three_clips(media_root), 0.5)
    assert edit.duration == pytest.approx(5.0)
    out = tmp_path / "fade.mp4"
    result = export(edit, out, media_root, music_dir, long_side=SMALL)
    assert_matches_timeline(result, edit, 320, 180)
    frames = read_frames(out)
    assert len(frames) == 120
    red, green, blue = (np.array(COLOURS[n], float) for n in COLOURS)
    # red -> green fade covers frames 36..47; frame 42 is half way
    mid = mean_colour(frames[42])
    assert red[0] - 30 > mid[0] > green[0] + 30  # red channel strictly between
    assert red[1] + 30 < mid[1] < green[1] - 30  # green channel strictly between
    # outside the fades the clips are pure
    assert np.allclose(mean_colour(frames[20]), red, atol=12)
    assert np.allclose(mean_colour(frames[60]), green, atol=12)
    assert np.allclose(mean_colour(frames[110]), blue, atol=12)
    # green -> blue fade covers frames 72..83
    mid2 = mean_colour(frames[78])
    assert green[1] - 30 > mid2[1] > blue[1] + 30


def test_music_is_mixed_under_silent_clips(media_root, music_dir, tmp_path):
    edit = set_music(three_clips(media_root), "velvet-hour", volume=0.5, fade_out=1.0)
    out = tmp_path / "music.mp4"
    result = export(edit, out, media_root, music_dir, long_side=SMALL)
    assert_matches_timeline(result, edit, 320, 180)
    audio = read_audio(out)
    rms = float(np.sqrt(np.mean(audio ** 2)))
    assert rms > 0.01
    # faded out at the end: the last 50 ms is nearly silent
    assert np.sqrt(np.mean(audio[:, -2400:] ** 2)) < 0.2 * rms
    # the volume scales the bed (no normalisation by amix)
    quiet = export(set_music(edit, "velvet-hour", volume=0.25), tmp_path / "quiet.mp4", media_root, music_dir,
                   long_side=SMALL)
    quiet_rms = float(np.sqrt(np.mean(read_audio(quiet.path) ** 2)))
    assert quiet_rms == pytest.approx(rms / 2, rel=0.1)


def test_music_by_relative_path_and_source_audio(media_root, music_dir, tmp_path):
    edit = EditList(aspect_ratio="1:1", fps=30)
    edit = add_clip(edit, "tone.mp4", 2.0, in_point=0.5, label="tone")  # 30 fps source with a 440 Hz tone
    edit = add_clip(edit, "green.mp4", 2.0, out_point=1.0)
    edit = set_crossfade(edit, 0.25)
    edit = set_music(edit, "paper-kites.m4a", volume=0.2)
    out = tmp_path / "square.mp4"
    result = export(edit, out, media_root, music_dir, long_side=SMALL, fit="letterbox")
    assert_matches_timeline(result, edit, 180, 180)
    audio = read_audio(out)
    # the source's own tone is kept: strong 440 Hz in the first second
    first = audio[0, :48000]
    spectrum = np.abs(np.fft.rfft(first))
    freqs = np.fft.rfftfreq(len(first), 1 / 48000)
    assert abs(freqs[np.argmax(spectrum)] - 440) < 5
    # letterbox: the 16:9 source sits between black bars in a square frame
    frame = read_frames(out)[5]
    assert frame[:20].mean() < 10 and frame[-20:].mean() < 10
    assert frame[90].mean() > 60


def test_short_uploaded_music_loops_to_the_end(media_root, music_dir, tmp_path):
    import av

    song = tmp_path / "uploads" / "beep.m4a"
    song.parent.mkdir()
    with av.open(str(song), "w", format="ipod") as container:
        stream = container.add_stream("aac", rate=48000, layout="stereo")
        tone = (0.5 * np.sin(2 * np.pi * 330 * np.arange(48000) / 48000)).astype(np.float32)
        for start in range(0, 48000, 1024):
            chunk = np.ascontiguousarray(np.stack([tone, tone])[:, start:start + 1024])
            chunk = np.pad(chunk, ((0, 0), (0, 1024 - chunk.shape[1])))
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts = 48000, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    edit = set_music(three_clips(media_root), "uploads/beep.m4a", volume=1.0, fade_out=0.0)
    # not in the music folder, so it is looked up under the media root given to export
    for name in COLOURS:
        (tmp_path / name).symlink_to(media_root / name)
    result = export(edit, tmp_path / "loop.mp4", tmp_path, music_dir, long_side=SMALL)
    audio = read_audio(result.path)
    assert audio.shape[1] >= 48000 * 5.9
    for second in range(6):  # a 1 s song under a 6 s timeline: sound in every second
        window = audio[:, second * 48000 + 4800: (second + 1) * 48000 - 4800]
        assert np.sqrt(np.mean(window ** 2)) > 0.05, second


def test_full_hd_vertical_export(media_root, music_dir, tmp_path):
    edit = set_crossfade(three_clips(media_root, prefix="short/", seconds=1.0, aspect_ratio="9:16"), 0.25)
    edit = set_music(edit, "morning-canopy")
    out = tmp_path / "vertical.mp4"
    result = export(edit, out, media_root, music_dir)  # the real default: 1080p
    assert_matches_timeline(result, edit, 1080, 1920)
    assert result.fps == 24


def test_cancel_kills_ffmpeg_and_leaves_no_file(media_root, music_dir, tmp_path):
    edit = set_music(set_crossfade(three_clips(media_root), 0.5), "horizon-rise")
    out = tmp_path / "cancelled.mp4"

    def progress(percent: float, step: str) -> None:
        if percent > 0:
            raise Cancelled()

    with pytest.raises(Cancelled):
        export(edit, out, media_root, music_dir, long_side=SMALL, progress=progress)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no partial temp file either


def test_cancel_keeps_a_previous_export(media_root, music_dir, tmp_path):
    out = tmp_path / "keep.mp4"
    out.write_bytes(b"previous export")

    def progress(percent: float, step: str) -> None:
        if step != "Preparing export":
            raise Cancelled()

    with pytest.raises(Cancelled):
        export(three_clips(media_root), out, media_root, music_dir, long_side=SMALL, progress=progress)
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.mp4"]


def test_export_errors(media_root, music_dir, tmp_path):
    with pytest.raises(TimelineError, match="timeline is empty"):
        export(EditList(), tmp_path / "x.mp4", media_root, music_dir, long_side=SMALL)
    missing = add_clip(EditList(), "gone.mp4", 2.0, label="Attempt 9")
    with pytest.raises(TimelineError, match="Clip 'Attempt 9': its source file 'gone.mp4' is missing"):
        export(missing, tmp_path / "x.mp4", media_root, music_dir, long_side=SMALL)
    bad_music = set_music(three_clips(media_root), "no-such-track")
    with pytest.raises(TimelineError, match="no music track 'no-such-track'"):
        export(bad_music, tmp_path / "x.mp4", media_root, music_dir, long_side=SMALL)
    with pytest.raises(TimelineError, match="fit"):
        export(three_clips(media_root), tmp_path / "x.mp4", media_root, music_dir, long_side=SMALL,
               fit="stretch")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_ffmpeg_failure_is_reported_and_cleaned_up(media_root, music_dir, tmp_path, monkeypatch):
    fake = tmp_path / "fake-ffmpeg"
    fake.write_text("#!/bin/sh\necho 'boom: encoder exploded' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr("pipeline.timeline.export.ffmpeg_exe", lambda: str(fake))
    out_dir = tmp_path / "out"
    with pytest.raises(ExportError, match="exit code 3.*boom: encoder exploded"):
        export(three_clips(media_root), out_dir / "x.mp4", media_root, music_dir, long_side=SMALL)
    assert list(out_dir.iterdir()) == []
    with pytest.raises(TimelineError, match="Unknown x264 preset"):
        export(three_clips(media_root), out_dir / "x.mp4", media_root, music_dir, preset="warp")


def test_poster(media_root, tmp_path):
    png = poster(media_root / "blue.mp4", tmp_path / "thumbs" / "blue.png")
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (320, 180)
        assert np.allclose(mean_colour(np.asarray(image.convert("RGB"))), COLOURS["blue.mp4"], atol=12)
    small = poster(media_root / "green.mp4", tmp_path / "g.png", at=1.5, max_side=100)
    with Image.open(small) as image:
        assert max(image.size) == 100
