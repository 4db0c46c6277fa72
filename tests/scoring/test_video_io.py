"""Streaming decode, probing and input errors."""

from __future__ import annotations

import numpy as np
import pytest

from scoring import ScoringInputError, score_video
from scoring.video_io import VideoReader, load_image, probe_video, scaled_size


def test_probe_and_stream(clips):
    info = probe_video(clips.clean)
    assert (info.width, info.height, info.frames) == (320, 180, 60)
    assert info.fps == pytest.approx(24.0)
    assert info.duration == pytest.approx(2.5, abs=0.05)
    reader = VideoReader(clips.clean)
    frames = reader.frames(short_side=90)
    first = next(frames)
    assert first[0] == 0 and first[1] == 0.0 and first[2].shape == (90, 160, 3) and first[2].dtype == np.uint8
    rest = sum(1 for _ in frames)
    assert rest == 59 and reader.decoded == 60 and reader.decode_error is None


def test_max_seconds_limits_decoding(clips):
    reader = VideoReader(clips.clean)
    n = sum(1 for _ in reader.frames(max_seconds=1.0))
    assert 24 <= n <= 26


def test_scaled_size_never_upscales():
    assert scaled_size(1280, 720, short_side=360) == (640, 360)
    assert scaled_size(320, 180, short_side=360) == (320, 180)
    assert scaled_size(720, 1280, short_side=360) == (360, 640)
    assert scaled_size(1280, 720, max_side=512) == (512, 288)


@pytest.mark.parametrize(
    "name, message",
    [("garbage", "cannot read video"), ("empty", "empty"), ("not_image", "cannot read video")],
)
def test_unreadable_videos(clips, name, message):
    with pytest.raises(ScoringInputError, match=message):
        score_video(getattr(clips, name), enable_pyiqa=False)


def test_missing_video(tmp_path):
    with pytest.raises(ScoringInputError, match="not found"):
        score_video(tmp_path / "nope.mp4")


def test_bad_hero_images(clips, tmp_path):
    with pytest.raises(ScoringInputError, match="cannot read image"):
        score_video(clips.clean, clips.not_image, enable_pyiqa=False)
    with pytest.raises(ScoringInputError, match="not found"):
        score_video(clips.clean, tmp_path / "nope.png", enable_pyiqa=False)
    with pytest.raises(ScoringInputError, match="empty"):
        load_image(clips.empty)


def test_load_image_rgba(tmp_path):
    from PIL import Image

    p = tmp_path / "a.png"
    Image.new("RGBA", (8, 6), (255, 0, 0, 128)).save(p)
    rgb = load_image(p)
    assert rgb.shape == (6, 8, 3) and rgb.dtype == np.uint8
    assert rgb[0, 0, 0] in range(120, 136) and rgb[0, 0, 1] == 0


def test_fast_downscale_matches_swscale(clips):
    """yuv420p frames are downscaled plane by plane with OpenCV: same picture."""
    import av

    from scoring.video_io import _yuv420p_to_small_rgb

    with av.open(str(clips.clean)) as c:
        frame = next(c.decode(c.streams.video[0]))
    assert frame.format.name == "yuv420p"
    ours = _yuv420p_to_small_rgb(frame, 160, 90)
    ref = frame.to_ndarray(format="rgb24", width=160, height=90)
    assert ours.shape == ref.shape == (90, 160, 3)
    assert np.abs(ours.astype(int) - ref).mean() < 4.0
