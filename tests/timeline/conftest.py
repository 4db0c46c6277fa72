"""Fixtures: tiny source clips made with PyAV (no network, no ffmpeg CLI), and the bundled music folder."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
MUSIC_DIR = REPO / "assets" / "music"

# Solid, well separated colours (RGB) so frames can be attributed to clips after lossy encoding.
COLOURS = {
    "red.mp4": (220, 40, 40),
    "green.mp4": (40, 200, 60),
    "blue.mp4": (40, 60, 220),
}


def make_clip(path: Path, colour: tuple[int, int, int], seconds: float = 2.0, size: tuple[int, int] = (320, 180),
              fps: int = 24, audio_hz: float | None = None, gradient: bool = True) -> Path:
    """Write an H.264 clip of one colour (with a faint horizontal gradient), optionally with a sine tone."""
    import av

    width, height = size
    frames = round(seconds * fps)
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "18"}
        audio = None
        if audio_hz:
            audio = container.add_stream("aac", rate=48000, layout="stereo")
        base = np.empty((height, width, 3), np.uint8)
        base[:] = colour
        if gradient:
            ramp = np.linspace(-12, 12, width)[None, :, None]
            base = np.clip(base.astype(np.float64) + ramp, 0, 255).astype(np.uint8)
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(base, format="rgb24")
            frame.pts = i
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if audio is not None:
            total = int(seconds * 48000)
            t = np.arange(total) / 48000
            tone = (0.3 * np.sin(2 * np.pi * audio_hz * t)).astype(np.float32)
            data = np.stack([tone, tone])
            for start in range(0, total, 1024):
                chunk = np.ascontiguousarray(data[:, start:start + 1024])
                if chunk.shape[1] < 1024:
                    chunk = np.pad(chunk, ((0, 0), (0, 1024 - chunk.shape[1])))
                af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                af.sample_rate = 48000
                af.pts = start
                for packet in audio.encode(af):
                    container.mux(packet)
            for packet in audio.encode():
                container.mux(packet)
    return path


@pytest.fixture(scope="session")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("media")
    for name, colour in COLOURS.items():
        make_clip(root / name, colour)
    (root / "short").mkdir()
    for name, colour in COLOURS.items():
        make_clip(root / "short" / name, colour, seconds=1.0, size=(256, 144))
    make_clip(root / "tone.mp4", (200, 200, 40), seconds=2.0, size=(192, 108), fps=30, audio_hz=440.0)
    return root


@pytest.fixture(scope="session")
def music_dir() -> Path:
    return MUSIC_DIR


def read_frames(path: Path) -> list[np.ndarray]:
    """All video frames of a file as RGB arrays."""
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def read_audio(path: Path) -> np.ndarray:
    """All audio of a file as a (channels, samples) float array."""
    import av

    with av.open(str(path)) as container:
        chunks = [f.to_ndarray() for f in container.decode(audio=0)]
    data = np.concatenate(chunks, axis=1)
    return data.astype(np.float64)


def mean_colour(frame: np.ndarray) -> np.ndarray:
    h, w, _ = frame.shape
    return frame[h // 4: 3 * h // 4, w // 4: 3 * w // 4].reshape(-1, 3).mean(axis=0)
