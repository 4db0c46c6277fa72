"""Schema 2 export features, checked on the written files: fades through black, text overlays at their times,
colour grades (the same on every clip), global fades, music offset / delay / fades / ducking, still clips, and
the stream-copy path for pure cuts."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.timeline import (
    EditList,
    add_clip,
    add_overlay,
    probe,
    set_fades,
    set_grade,
    set_music,
    set_transition,
    trim,
)
from pipeline.timeline.export import export
from pipeline.timeline.overlays import font_file, place

from .conftest import COLOURS, make_clip, mean_colour, read_audio, read_frames

SMALL = 320


def clips(*names: str, prefix: str = "", seconds: float = 2.0, **kw) -> EditList:
    edit = EditList(**kw)
    for name in names:
        edit = add_clip(edit, prefix + name, seconds, label=name.split(".")[0])
    return edit


def check_file(result, edit: EditList, size=(320, 180)) -> None:
    info = probe(result.path)
    assert (info.video_codec, info.audio_codec, info.has_audio) == ("h264", "aac", True)
    assert (info.width, info.height) == size
    assert info.fps == pytest.approx(edit.fps)
    assert abs(info.duration - edit.duration) <= 1.0 / edit.fps + 1e-6
    assert abs(info.frame_count - round(edit.duration * edit.fps)) <= 1


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio ** 2)))


def test_fade_through_black(media_root, music_dir, tmp_path):
    edit = clips("red.mp4", "green.mp4")
    edit = set_transition(edit, edit.clips[1].id, "fade_black", 0.5)
    result = export(edit, tmp_path / "dip.mp4", media_root, music_dir, long_side=SMALL)
    check_file(result, edit)
    assert result.method == "encode"
    frames = read_frames(result.path)
    assert len(frames) == 84  # 4 s - 0.5 s overlap at 24 fps
    # the transition covers frames 36..47: it dips to black in the middle, pure colours outside
    brightness = [mean_colour(f).max() for f in frames]
    darkest = int(np.argmin(brightness))
    assert 36 <= darkest <= 47 and brightness[darkest] < 25
    assert brightness[36] > brightness[darkest] + 60 and brightness[47] > brightness[darkest] + 60
    assert np.allclose(mean_colour(frames[20]), COLOURS["red.mp4"], atol=12)
    assert np.allclose(mean_colour(frames[60]), COLOURS["green.mp4"], atol=12)


def _white_pixels(frame: np.ndarray) -> int:
    return int(np.sum(frame.min(axis=2) > 215))


def test_overlays_are_visible_at_their_times(media_root, music_dir, tmp_path):
    edit = clips("blue.mp4", "red.mp4")
    edit = add_overlay(edit, "SALE", start=0.5, end=1.5, position="center", size=220, animation="none")
    edit = add_overlay(edit, "New", start=2.5, end=3.5, position="top", size=160, colour="#FFD400",
                       animation="slide_up", animation_duration=0.4)
    result = export(edit, tmp_path / "text.mp4", media_root, music_dir, long_side=SMALL)
    check_file(result, edit)
    frames = read_frames(result.path)
    h = frames[0].shape[0]
    centre = lambda f: f[h // 3: 2 * h // 3]
    # the first text: none before 0.5 s, plenty at 1.0 s, none after 1.5 s
    assert _white_pixels(centre(frames[6])) == 0
    assert _white_pixels(centre(frames[24])) > 300
    assert _white_pixels(centre(frames[40])) == 0
    # the white text carries a dark shadow for legibility: darker pixels appear around it
    assert np.sum(frames[24].max(axis=2) < 150) > 50 and np.sum(frames[6].max(axis=2) < 150) == 0
    # the second, yellow, sliding text: absent at 2.4 s, rising and fading in at 2.6 s, fully there at 3.0 s
    yellow = lambda f: int(np.sum((f[..., 0] > 200) & (f[..., 1] > 170) & (f[..., 2] < 90)))
    assert yellow(frames[57]) == 0
    assert 0 <= yellow(frames[62]) < yellow(frames[72])
    rows = np.nonzero(((frames[72][..., 0] > 200) & (frames[72][..., 1] > 170) & (frames[72][..., 2] < 90)).any(1))[0]
    assert rows.max() < h // 3  # top position
    assert yellow(frames[90]) == 0


def test_overlay_rendering_fits_the_frame(tmp_path):
    from pipeline.timeline import Overlay

    assert font_file("sans") is not None and font_file("serif") is not None  # fonts from the gradio wheel
    long = Overlay(text="A very long headline that would never fit a vertical frame", end=2, size=120)
    placed = place(long, 180, 320, tmp_path / "o.png")
    assert placed.width <= 180 and 0 <= placed.x and placed.x + placed.width <= 180
    custom = Overlay(text="x", end=1, x=0.25, y=0.75, shadow=False)
    placed = place(custom, 400, 200, tmp_path / "c.png")
    assert abs(placed.x + placed.width / 2 - 100) <= 2 and abs(placed.y + placed.height / 2 - 150) <= 2


@pytest.mark.parametrize("preset", ["cinematic", "luxury", "vibrant"])
def test_grade_changes_the_look_the_same_way_on_every_clip(media_root, music_dir, tmp_path, preset):
    both = set_grade(clips("red.mp4", "green.mp4"), preset)
    plain = export(clips("red.mp4", "green.mp4"), tmp_path / "plain.mp4", media_root, music_dir, long_side=SMALL)
    graded = export(both, tmp_path / "graded.mp4", media_root, music_dir, long_side=SMALL)
    alone = export(set_grade(clips("green.mp4"), preset), tmp_path / "alone.mp4", media_root, music_dir,
                   long_side=SMALL)
    check_file(graded, both)
    p, g, a = read_frames(plain.path), read_frames(graded.path), read_frames(alone.path)
    assert np.abs(mean_colour(g[20]) - mean_colour(p[20])).max() > 6  # the grade shows
    assert np.abs(mean_colour(g[70]) - mean_colour(p[70])).max() > 6
    assert np.allclose(mean_colour(g[70]), mean_colour(a[22]), atol=2)  # same clip, same grade, same colour


def test_global_fades_video_and_audio(media_root, music_dir, tmp_path):
    edit = set_music(set_fades(clips("red.mp4", "green.mp4"), 0.5, 1.0), "velvet-hour", volume=0.6, fade_out=0)
    result = export(edit, tmp_path / "fades.mp4", media_root, music_dir, long_side=SMALL)
    check_file(result, edit)
    frames = read_frames(result.path)
    assert mean_colour(frames[0]).max() < 10 and mean_colour(frames[-1]).max() < 10
    assert np.allclose(mean_colour(frames[24]), COLOURS["red.mp4"], atol=12)
    audio = read_audio(result.path)
    assert rms(audio[:, :960]) < 0.2 * rms(audio[:, 48000:96000])  # fades in from silence
    assert rms(audio[:, -960:]) < 0.2 * rms(audio[:, 48000:96000])


def test_music_start_offset_delay_and_fade_in(media_root, music_dir, tmp_path):
    base = clips("red.mp4", "green.mp4", "blue.mp4")
    delayed = set_music(base, "horizon-rise", volume=0.5, start=2.0, fade_in=0.0, fade_out=0.0)
    result = export(delayed, tmp_path / "late.mp4", media_root, music_dir, long_side=SMALL)
    check_file(result, delayed)
    audio = read_audio(result.path)
    assert rms(audio[:, 4800:86400]) < 1e-3  # silent until the music enters at 2 s
    assert rms(audio[:, 100000:200000]) > 0.01
    # the offset starts the song later: the first second differs from the song's own first second
    plain = read_audio(export(set_music(base, "horizon-rise", volume=0.5, fade_out=0), tmp_path / "a.mp4",
                              media_root, music_dir, long_side=SMALL).path)
    offset = read_audio(export(set_music(base, "horizon-rise", volume=0.5, fade_out=0, start_offset=7.0),
                               tmp_path / "b.mp4", media_root, music_dir, long_side=SMALL).path)
    assert not np.allclose(plain[:, 48000:96000], offset[:, 48000:96000], atol=0.01)
    # ... and equals the plain export seven seconds later (same samples, up to AAC noise)
    n = min(plain.shape[1] - 7 * 48000, 48000)
    corr = np.corrcoef(plain[0, 7 * 48000 + 4800: 7 * 48000 + n], offset[0, 4800:n])[0, 1] if n > 9600 else 1.0
    assert corr > 0.9 or plain.shape[1] < 8 * 48000
    faded = read_audio(export(set_music(base, "horizon-rise", volume=0.5, fade_in=2.0, fade_out=0),
                              tmp_path / "c.mp4", media_root, music_dir, long_side=SMALL).path)
    assert rms(faded[:, :24000]) < 0.5 * rms(plain[:, :24000])


def test_ducking_lowers_the_music_under_clip_audio(media_root, music_dir, tmp_path):
    # tone.mp4 has a 440 Hz tone and is 30 fps; a silent clip follows
    edit = EditList(fps=30)
    edit = add_clip(edit, "tone.mp4", 2.0, label="tone")
    edit = add_clip(edit, "green.mp4", 2.0)
    levels = {}
    for ducking in (0.0, 1.0):
        bed = set_music(edit, "full-throttle", volume=0.8, fade_out=0, ducking=ducking)
        result = export(bed, tmp_path / f"duck{ducking}.mp4", media_root, music_dir, long_side=SMALL)
        check_file(result, bed, (320, 180))
        audio = read_audio(result.path)
        levels[ducking] = (music_level(audio[0, 24000:84000]), music_level(audio[0, 120000:180000]))
    # under the tone the music dips to a fraction; over the silent clip it plays as loud as without ducking
    assert levels[1.0][0] < 0.5 * levels[0.0][0]
    assert levels[1.0][1] == pytest.approx(levels[0.0][1], rel=0.2)


def music_level(samples: np.ndarray) -> float:
    """RMS of everything but the 440 Hz tone of tone.mp4."""
    spectrum = np.fft.rfft(samples)
    freqs = np.fft.rfftfreq(len(samples), 1 / 48000)
    spectrum[(freqs > 400) & (freqs < 480)] = 0
    return float(np.sqrt(np.mean(np.fft.irfft(spectrum, len(samples)) ** 2)))


def test_still_clip_is_held_for_its_length(media_root, music_dir, tmp_path):
    from PIL import Image

    Image.new("RGB", (320, 180), (250, 250, 250)).save(media_root / "still.png")
    edit = clips("red.mp4")
    edit = add_clip(edit, "still.png", 1.5, label="placeholder")
    edit = EditList.model_validate({**edit.model_dump(), "clips": [edit.clips[0].model_dump(), {
        **edit.clips[1].model_dump(), "still": True}]})
    result = export(edit, tmp_path / "still.mp4", media_root, music_dir, long_side=SMALL)
    check_file(result, edit)
    frames = read_frames(result.path)
    assert len(frames) == 84 and mean_colour(frames[60]).min() > 235 and mean_colour(frames[83]).min() > 235


# ---------------------------------------------------------------- stream copy
def test_pure_cuts_of_whole_clips_are_stream_copied(media_root, music_dir, tmp_path):
    edit = clips("red.mp4", "green.mp4", "blue.mp4")
    result = export(edit, tmp_path / "copy.mp4", media_root, music_dir, long_side=SMALL)
    assert result.method == "copy", result.note
    check_file(result, edit)
    frames = read_frames(result.path)
    for index, name in ((0, "red.mp4"), (47, "red.mp4"), (48, "green.mp4"), (96, "blue.mp4"), (143, "blue.mp4")):
        assert np.allclose(mean_colour(frames[index]), COLOURS[name], atol=12), index
    # music: the audio is rebuilt, the video still copied
    with_music = set_music(edit, "velvet-hour", volume=0.5)
    result = export(with_music, tmp_path / "copy-music.mp4", media_root, music_dir, long_side=SMALL)
    assert result.method == "copy"
    check_file(result, with_music)
    assert rms(read_audio(result.path)) > 0.01
    # the same edit re-encoded gives the same frames and length
    encoded = export(edit, tmp_path / "encoded.mp4", media_root, music_dir, long_side=SMALL, allow_copy=False)
    assert encoded.method == "encode" and encoded.frame_count == 144


@pytest.mark.parametrize("change, reason", [
    (lambda e: trim(e, e.clips[1].id, 0.5, 2.0), "starts between keyframes"),
    (lambda e: set_transition(e, e.clips[1].id, "crossfade", 0.5), "transition"),
    (lambda e: set_grade(e, "vibrant"), "effects"),
    (lambda e: add_overlay(e, "hi", 0, 1), "effects"),
    (lambda e: set_fades(e, 0.5, 0), "effects"),
])
def test_anything_but_whole_clip_cuts_is_re_encoded(media_root, music_dir, tmp_path, change, reason):
    edit = change(clips("red.mp4", "green.mp4", "blue.mp4"))
    result = export(edit, tmp_path / "x.mp4", media_root, music_dir, long_side=SMALL)
    assert result.method == "encode" and reason in result.note
    check_file(result, edit)


def test_sources_that_differ_are_re_encoded(media_root, music_dir, tmp_path):
    make_clip(media_root / "other-settings.mp4", (40, 200, 60), size=(320, 180))  # same size, other crf below
    import av

    with av.open(str(media_root / "other-settings.mp4"), "w") as container:  # a different encoder setup
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "35"}
        frame = np.full((180, 320, 3), (40, 200, 60), np.uint8)
        for i in range(48):
            vf = av.VideoFrame.from_ndarray(frame, format="rgb24")
            vf.pts = i
            for packet in stream.encode(vf):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    edit = clips("red.mp4", "other-settings.mp4")
    result = export(edit, tmp_path / "x.mp4", media_root, music_dir, long_side=SMALL)
    assert result.method == "encode" and "other settings" in result.note
    check_file(result, edit)
    # another size than the export: re-encoded (and scaled)
    result = export(clips("red.mp4", "green.mp4"), tmp_path / "y.mp4", media_root, music_dir, long_side=640)
    assert result.method == "encode" and "not the export size" in result.note
    assert (result.width, result.height) == (640, 360)


@pytest.mark.parametrize("preset", ["ultrafast", "veryfast"])  # veryfast has B-frames
def test_cuts_on_keyframes_inside_a_clip_are_exact(media_root, music_dir, tmp_path, preset):
    """A source with a keyframe every 12 frames, trimmed on keyframes: stream-copied when that is exact (the
    result is checked, and re-encoded when the copy would be off by a frame); either way the frames are right."""
    import av

    path = media_root / f"gop12-{preset}.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.options = {"preset": preset, "crf": "20", "x264-params": "keyint=12:min-keyint=12:scenecut=0"}
        for i in range(72):  # 3 s; the colour changes each second so cut points can be checked
            frame = np.full((180, 320, 3), [(220, 40, 40), (40, 200, 60), (40, 60, 220)][i // 24], np.uint8)
            vf = av.VideoFrame.from_ndarray(frame, format="rgb24")
            vf.pts = i
            for packet in stream.encode(vf):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    edit = add_clip(EditList(), path.name, 3.0, in_point=1.0, out_point=2.5)  # frames 24..59: keyframes
    edit = add_clip(edit, path.name, 3.0, in_point=0.0, out_point=1.0)  # then its first second (red)
    result = export(edit, tmp_path / "kf.mp4", media_root, music_dir, long_side=SMALL)
    check_file(result, edit)
    assert result.frame_count == 60
    if preset == "ultrafast":
        assert result.method == "copy", result.note
    else:
        assert result.method == "copy" or "not frame-exact" in result.note
    frames = read_frames(result.path)
    assert np.allclose(mean_colour(frames[0]), (40, 200, 60), atol=12)  # starts at 1.0 s: green
    assert np.allclose(mean_colour(frames[30]), (40, 60, 220), atol=12)  # 2.25 s of the source: blue
    assert np.allclose(mean_colour(frames[35]), (40, 60, 220), atol=12)  # the last frame of the first clip
    assert np.allclose(mean_colour(frames[36]), (220, 40, 40), atol=12)  # the next clip right after 1.5 s
    assert np.allclose(mean_colour(frames[59]), (220, 40, 40), atol=12)
