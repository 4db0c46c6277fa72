"""Text overlays keep clear of the subject: an "auto" overlay (the default) takes the caption band at the bottom,
or the title band at the top when the subject of the clips under it reaches into the bottom band."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.timeline.edit_list import Clip, EditList, Overlay
from pipeline.timeline.export import export
from pipeline.timeline.safe_areas import auto_position
from tests.timeline.conftest import read_frames


@pytest.mark.parametrize("boxes, expected", [
    ([], "bottom"),
    ([(0.4, 0.2, 0.6, 0.6)], "bottom"),  # a subject in the upper middle leaves the captions free
    ([(0.4, 0.3, 0.6, 0.95)], "top"),  # a bottle standing on the bottom edge
    ([(0.0, 0.0, 1.0, 1.0)], "bottom"),  # covers everything: the bands cover it equally, captions win
    ([(0.4, 0.0, 0.6, 0.3), (0.4, 0.7, 0.6, 1.0)], "center"),  # subjects above and below
    ([(0.0, 0.7, 0.2, 1.0)], "bottom"),  # in the corner, beside the text, not under it
])
def test_the_band_that_leaves_the_subject_clear(boxes, expected):
    assert auto_position(boxes, text_width=0.3, text_height=0.1) == expected


def _scene_clip(path: Path, subject_rows: tuple[float, float], seconds: float = 2.0, size=(640, 360)) -> Path:
    """A red product (an upright ellipse over ``subject_rows`` of the height) on a grey, lightly textured sweep."""
    import av

    width, height = size
    ys, xs = np.mgrid[:height, :width]
    rng = np.random.default_rng(4)
    image = np.clip(110 + 8 * rng.standard_normal((height, width)) - 0.04 * ys, 0, 255)
    image = np.repeat(image[..., None], 3, axis=2).astype(np.uint8)
    top, bottom = subject_rows
    centre, half = (top + bottom) / 2 * height, (bottom - top) / 2 * height
    image[((xs - width / 2) / (0.12 * width)) ** 2 + ((ys - centre) / half) ** 2 < 1] = (200, 40, 30)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(round(seconds * 24)):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _text_rows(path: Path) -> tuple[float, float]:
    """Top and bottom of the white text in the middle frame, as fractions of the height."""
    frames = read_frames(path)
    frame = frames[len(frames) // 2].astype(np.int16)
    white = frame.min(axis=2) > 225
    rows = np.nonzero(white.any(axis=1))[0]
    return rows.min() / frame.shape[0], rows.max() / frame.shape[0]


@pytest.mark.parametrize("subject_rows, where", [((0.3, 0.97), "top"), ((0.08, 0.55), "bottom")])
def test_an_auto_overlay_moves_out_of_the_subjects_way(tmp_path, music_dir, subject_rows, where):
    _scene_clip(tmp_path / "scene.mp4", subject_rows)
    edit = EditList(aspect_ratio="16:9", fps=24, clips=[Clip(source="scene.mp4", source_duration=2.0, out_point=2.0)],
                    overlays=[Overlay(text="NEW SEASON", end=2.0, animation="none", shadow=False)])
    assert edit.overlays[0].position == "auto"
    out = export(edit, tmp_path / "out.mp4", tmp_path, music_dir, long_side=640).path
    top, bottom = _text_rows(out)
    if where == "top":
        assert bottom < 0.3
    else:
        assert top > 0.7
