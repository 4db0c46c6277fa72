"""Seeded synthetic clips for the scoring tests (and the timing benchmark).

Every clip is a pan/zoom over one textured canvas (smooth multi-octave noise,
soft shapes and fine grain), encoded with libx264 yuv420p through PyAV.
Degradations are applied per frame so that each one targets one dimension.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def make_canvas(width: int, height: int, seed: int = 0) -> np.ndarray:
    """An RGB uint8 texture: smooth noise octaves + shapes + light grain."""
    import cv2

    rng = np.random.default_rng(seed)
    img = np.zeros((height, width, 3), np.float32)
    for cells, amp in ((4, 0.5), (12, 0.3), (40, 0.15)):
        small = rng.random((max(2, cells * height // width), cells, 3)).astype(np.float32)
        img += amp * cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    img = img / 0.95 * 255.0
    for _ in range(18):
        colour = tuple(float(c) for c in rng.integers(0, 256, 3))
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(height // 30 + 2, height // 7 + 4))
        if rng.random() < 0.5:
            cv2.circle(img, (cx, cy), r, colour, -1, lineType=cv2.LINE_AA)
        else:
            cv2.rectangle(img, (cx - r, cy - r // 2), (cx + r, cy + r // 2), colour, -1, lineType=cv2.LINE_AA)
    img += rng.normal(0.0, 6.0, img.shape).astype(np.float32)
    img = cv2.GaussianBlur(img, (0, 0), 0.7)
    return np.clip(img, 0, 255).astype(np.uint8)


def render_frames(
    canvas: np.ndarray,
    width: int,
    height: int,
    n_frames: int,
    *,
    pan: float = 0.12,
    zoom: float = 0.08,
    jitter_px: float = 0.0,
    flicker: float = 0.0,
    seed: int = 1,
):
    """Yield RGB frames of a smooth pan (fraction of the width) + zoom-in over ``canvas``.

    ``jitter_px``: random per-frame shift (std, in output pixels).
    ``flicker``: per-frame random brightness gain (relative amplitude).
    """
    import cv2

    rng = np.random.default_rng(seed)
    ch, cw = canvas.shape[:2]
    base = min(cw / (width * (1 + pan) * 1.02), ch / (height * 1.02))
    for i in range(n_frames):
        t = i / max(1, n_frames - 1)
        s = base / (1 + zoom * t)  # canvas pixels per output pixel
        cx = cw / 2 + (t - 0.5) * pan * width * base
        cy = ch / 2
        dx = dy = 0.0
        if jitter_px:
            dx, dy = rng.normal(0.0, jitter_px, 2)
        # output (u, v) -> canvas (cx + (u - W/2 + dx) * s, ...)
        m = np.array(
            [[s, 0, cx - (width / 2 - dx) * s], [0, s, cy - (height / 2 - dy) * s]], np.float64
        )
        frame = cv2.warpAffine(
            canvas, m, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REFLECT,
        )
        if flicker:
            gain = 1.0 + flicker * (1 if i % 2 else -1) * (0.5 + 0.5 * rng.random())
            frame = np.clip(frame.astype(np.float32) * gain, 0, 255).astype(np.uint8)
        yield frame


def write_video(path: str | Path, frames, fps: int = 24, *, crf: int = 18, faststart: bool = False) -> Path:
    """Encode RGB uint8 frames to an H.264 yuv420p MP4 with PyAV."""
    import av

    path = Path(path)
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = None
        for frame in frames:
            if stream is None:
                h, w = frame.shape[:2]
                stream = container.add_stream("libx264", rate=fps)
                stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
                stream.options = {"crf": str(crf), "preset": "veryfast", "threads": "2"}
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")):
                container.mux(packet)
        if stream is not None:
            for packet in stream.encode():
                container.mux(packet)
    return path


def write_image(path: str | Path, rgb: np.ndarray) -> Path:
    from PIL import Image

    path = Path(path)
    Image.fromarray(rgb).save(path)
    return path
