"""Export qualities (draft vs delivery) and the 4:5 platform size, checked on the written files with PyAV."""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from pipeline.timeline import EditList, TimelineError, add_clip, output_size, probe
from pipeline.timeline.export import QUALITIES, build_command, export

from .conftest import COLOURS, make_clip, mean_colour, read_frames

SMALL = 640  # long side for quick exports: 640x360 at 16:9


def textured_clip(path: Path, seed: int, seconds: float = 1.5, size: tuple[int, int] = (320, 180),
                  fps: int = 24) -> Path:
    """A clip with moving seeded noise over a gradient: detail the encoder has to spend bits on, so the CRF shows
    in the file size (flat colours cost nothing at any quality)."""
    import av

    rng = np.random.default_rng(seed)
    width, height = size
    texture = rng.integers(0, 256, (height, width * 2, 3), dtype=np.uint8)
    ramp = np.linspace(0, 120, width, dtype=np.float64)[None, :, None]
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "12"}
        for i in range(round(seconds * fps)):
            window = texture[:, 2 * i: 2 * i + width].astype(np.float64) * 0.5 + ramp
            frame = av.VideoFrame.from_ndarray(np.clip(window, 0, 255).astype(np.uint8), format="rgb24")
            frame.pts = i
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
    return path


@pytest.fixture(scope="module")
def textured_edit(media_root: Path) -> EditList:
    edit = EditList()
    for k in range(2):
        name = f"textured-{k}.mp4"
        if not (media_root / name).exists():
            textured_clip(media_root / name, seed=k)
        edit = add_clip(edit, name, 1.5, label=f"textured {k}")
    return edit


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order."""
    boxes = []
    with open(path, "rb") as f:
        while header := f.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0] - 8
            boxes.append(kind.decode("latin-1"))
            if size == 0:
                break
            f.seek(size - 8, 1)
    return boxes


def stream_facts(path: Path) -> dict:
    import av

    with av.open(str(path)) as container:
        video = container.streams.video[0].codec_context
        audio = container.streams.audio[0].codec_context
        return {"profile": video.profile, "primaries": int(video.color_primaries), "trc": int(video.color_trc),
                "matrix": int(video.colorspace), "range": int(video.color_range),
                "audio_rate": audio.sample_rate, "audio_channels": audio.channels}


BT709, TV_RANGE = 1, 1  # AVCOL_PRI/TRC/SPC_BT709 and AVCOL_RANGE_MPEG, as ffmpeg numbers them


def test_quality_choices_and_default():
    assert set(QUALITIES) == {"draft", "delivery"}
    assert QUALITIES["draft"].preset == "veryfast" and QUALITIES["draft"].crf == 23  # today's export, unchanged
    with pytest.raises(TimelineError, match="Unknown export quality 'best'"):
        export(EditList(), "/nonexistent/x.mp4", ".", ".", quality="best")


def test_delivery_is_faststart_bt709_high_profile_and_bigger_than_draft(textured_edit, media_root, music_dir,
                                                                        tmp_path):
    draft = export(textured_edit, tmp_path / "draft.mp4", media_root, music_dir, long_side=SMALL)
    delivery = export(textured_edit, tmp_path / "delivery.mp4", media_root, music_dir, long_side=SMALL,
                      quality="delivery")
    assert (draft.quality, delivery.quality) == ("draft", "delivery")
    for result in (draft, delivery):
        boxes = top_level_boxes(result.path)
        assert boxes.index("moov") < boxes.index("mdat"), boxes  # +faststart: playable while downloading
        assert (result.width, result.height) == (640, 360)
        assert result.frame_count == round(textured_edit.duration * textured_edit.fps)
    facts = stream_facts(delivery.path)
    assert facts["profile"] == "High"
    assert (facts["primaries"], facts["trc"], facts["matrix"], facts["range"]) == (BT709, BT709, BT709, TV_RANGE)
    assert (facts["audio_rate"], facts["audio_channels"]) == (48000, 2)
    # the same edit at CRF 18 vs 23: delivery spends clearly more bits on the detail
    assert delivery.path.stat().st_size > 1.3 * draft.path.stat().st_size


def test_delivery_command_caps_the_bitrate_and_asks_for_aac_192k(textured_edit, media_root, music_dir, tmp_path):
    """What the probe of a silent test file cannot show: the VBV cap and the audio bitrate asked of ffmpeg."""
    args, _ = build_command(textured_edit, tmp_path / "x.mp4", media_root, music_dir, quality="delivery")
    joined = " ".join(args)
    for part in ("-crf 18", "-maxrate 12M -bufsize 24M", "-profile:v high", "-c:a aac -b:a 192k -ar 48000",
                 "-movflags +faststart"):
        assert part in joined
    draft, _ = build_command(textured_edit, tmp_path / "x.mp4", media_root, music_dir)
    assert "-preset veryfast -crf 23" in " ".join(draft) and "-maxrate" not in draft and "bt709" not in draft


def test_delivery_converts_colours_to_the_bt709_it_declares(media_root, music_dir, tmp_path):
    """Tags without the conversion would shift every colour; the decoded picture must match the source."""
    edit = add_clip(EditList(), "red.mp4", 1.0, label="red")
    result = export(edit, tmp_path / "red.mp4", media_root, music_dir, long_side=SMALL, quality="delivery")
    source = mean_colour(read_frames(media_root / "red.mp4")[0])
    delivered = mean_colour(read_frames(result.path)[len(read_frames(result.path)) // 2])
    assert np.abs(delivered - source).max() < 6, (delivered, source)
    assert np.abs(delivered - np.array(COLOURS["red.mp4"])).max() < 8


def test_delivery_never_stream_copies(music_dir, tmp_path):
    """Whole clips already at the export size would be stream-copied in draft; delivery encodes them, because a
    copy keeps the sources' own bitrate, profile and (missing) colour tags."""
    root = tmp_path / "media"
    root.mkdir()
    edit = EditList()
    for name, colour in list(COLOURS.items())[:2]:
        make_clip(root / name, colour, seconds=1.0, size=(320, 180))
        edit = add_clip(edit, name, 1.0)
    draft = export(edit, tmp_path / "draft.mp4", root, music_dir, long_side=320)
    delivery = export(edit, tmp_path / "delivery.mp4", root, music_dir, long_side=320, quality="delivery")
    assert draft.method == "copy"
    assert delivery.method == "encode" and "Delivery" in delivery.note
    assert stream_facts(delivery.path)["primaries"] == BT709


def test_four_by_five_is_1080_by_1350(media_root, music_dir, tmp_path):
    assert output_size("4:5") == (1080, 1350)
    edit = EditList(aspect_ratio="4:5")
    edit = add_clip(edit, "green.mp4", 1.0, label="green")
    result = export(edit, tmp_path / "portrait.mp4", media_root, music_dir, long_side=SMALL, quality="delivery")
    info = probe(result.path)
    assert (info.width, info.height) == output_size("4:5", SMALL) == (360, 450)
    assert EditList.from_dict(edit.to_dict()).aspect_ratio == "4:5"  # round trip through the stored JSON
