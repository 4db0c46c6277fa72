"""Streaming video and image input for the scorer.

Frames are decoded with PyAV (frame threading on) and converted, already
downscaled by swscale, one at a time: a clip is never held in memory. Every
failure to open, find or decode the input becomes a :class:`ScoringInputError`
with a message fit for a person.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ScoringInputError

__all__ = [
    "ScoringInputError",
    "VideoInfo",
    "VideoReader",
    "iter_frames",
    "load_image",
    "probe_video",
    "scaled_size",
]


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a clip (before decoding it)."""

    path: str
    width: int
    height: int
    fps: float
    #: Frame count from the container; estimated from duration × fps when the
    #: container has none; 0 when unknown.
    frames: int
    #: Seconds; 0.0 when unknown.
    duration: float
    codec: str

    def to_dict(self) -> dict:
        return asdict(self)


def _check_file(path: str | os.PathLike, kind: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise ScoringInputError(f"{kind} not found: {p}")
    if not p.is_file():
        raise ScoringInputError(f"{kind} is not a file: {p}")
    if p.stat().st_size == 0:
        raise ScoringInputError(f"{kind} is empty (0 bytes): {p}")
    return p


def scaled_size(width: int, height: int, *, short_side: int | None = None,
                max_side: int | None = None) -> tuple[int, int]:
    """Size after downscaling so the short side is ≤ ``short_side`` and the long
    side ≤ ``max_side`` (never upscales); both results are even and ≥ 2."""
    scale = 1.0
    if short_side:
        scale = min(scale, short_side / max(1, min(width, height)))
    if max_side:
        scale = min(scale, max_side / max(1, max(width, height)))
    if scale >= 1.0:
        w, h = width, height
    else:
        w, h = round(width * scale), round(height * scale)
    return max(2, w - w % 2), max(2, h - h % 2)


class VideoReader:
    """Open a clip, probe it, and stream its frames.

    >>> reader = VideoReader("clip.mp4")          # doctest: +SKIP
    >>> for index, t, rgb in reader.frames(short_side=360): ...

    After iterating, ``decoded`` holds the number of frames decoded and
    ``decode_error`` the first mid-stream decoding error (decoding stops there,
    and the frames before it are kept), or ``None``.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = _check_file(path, "video")
        self.decoded = 0
        self.decode_error: str | None = None
        self.info = self._probe()

    def _open(self):
        import av

        try:
            container = av.open(str(self.path))
        except (av.error.FFmpegError, OSError) as exc:
            raise ScoringInputError(f"cannot read video {self.path}: {_short(exc)}") from None
        if not container.streams.video:
            container.close()
            raise ScoringInputError(f"no video stream in {self.path}")
        return container

    def _probe(self) -> VideoInfo:
        container = self._open()
        try:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            fps = float(rate) if rate else 0.0
            if not (0.0 < fps < 1000.0):
                fps = 0.0
            duration = 0.0
            if stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            elif container.duration:
                duration = container.duration / 1_000_000
            frames = int(stream.frames or 0)
            if not frames and duration and fps:
                frames = round(duration * fps)
            if not duration and frames and fps:
                duration = frames / fps
            width = int(stream.codec_context.width or stream.width or 0)
            height = int(stream.codec_context.height or stream.height or 0)
            if width <= 0 or height <= 0:
                raise ScoringInputError(f"cannot read video {self.path}: the video stream has no frame size")
            return VideoInfo(
                path=str(self.path),
                width=width,
                height=height,
                fps=fps,
                frames=frames,
                duration=duration,
                codec=stream.codec_context.name or "",
            )
        finally:
            container.close()

    def frames(
        self,
        *,
        short_side: int | None = None,
        max_side: int | None = None,
        max_seconds: float | None = None,
        fmt: str = "rgb24",
    ) -> Iterator[tuple[int, float, object]]:
        """Yield ``(index, seconds, ndarray)`` for each decoded frame, scaled
        down to the requested size (yuv420p → RGB: planes area-averaged with
        OpenCV, then converted; other formats: swscale).

        Raises :class:`ScoringInputError` if not a single frame decodes.
        """
        import av

        self.decoded = 0
        self.decode_error = None
        container = self._open()
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            w, h = scaled_size(self.info.width, self.info.height, short_side=short_side, max_side=max_side)
            resize = (w, h) != (self.info.width, self.info.height)
            fps = self.info.fps or 24.0
            t0: float | None = None
            packets = container.demux(stream)
            while True:
                try:
                    packet = next(packets)
                    decoded = packet.decode()
                except StopIteration:
                    break
                except av.error.FFmpegError as exc:
                    self.decode_error = _short(exc)
                    break
                for frame in decoded:
                    index = self.decoded
                    t = frame.time
                    if t is None:
                        t = index / fps
                    if t0 is None:
                        t0 = t
                    t = t - t0
                    if max_seconds is not None and t > max_seconds:
                        return
                    if (resize and fmt == "rgb24" and frame.format.name == "yuv420p"
                            and not (frame.width % 2 or frame.height % 2)):
                        arr = _yuv420p_to_small_rgb(frame, w, h)
                    elif resize:
                        arr = frame.to_ndarray(format=fmt, width=w, height=h)
                    else:
                        arr = frame.to_ndarray(format=fmt)
                    self.decoded += 1
                    yield index, float(t), arr
        finally:
            container.close()
        if self.decoded == 0:
            detail = f" ({self.decode_error})" if self.decode_error else ""
            raise ScoringInputError(f"video has no decodable frames: {self.path}{detail}")


def _yuv420p_to_small_rgb(frame, w: int, h: int):
    """Downscale a yuv420p frame plane by plane (area averaging) and convert
    the small result to RGB: ~40 % less CPU than swscale's scale-and-convert
    for 720p → 360p, and closer to an area-averaged RGB downscale."""
    import cv2
    import numpy as np

    H, W = frame.height, frame.width
    flat = frame.to_ndarray(format="yuv420p").reshape(-1)
    ysz, csz = H * W, (H // 2) * (W // 2)
    y = cv2.resize(flat[:ysz].reshape(H, W), (w, h), interpolation=cv2.INTER_AREA)
    u = cv2.resize(flat[ysz : ysz + csz].reshape(H // 2, W // 2), (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    v = cv2.resize(flat[ysz + csz : ysz + 2 * csz].reshape(H // 2, W // 2), (w // 2, h // 2),
                   interpolation=cv2.INTER_AREA)
    i420 = np.concatenate([y.reshape(-1), u.reshape(-1), v.reshape(-1)]).reshape(h * 3 // 2, w)
    return cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420)


def probe_video(path: str | os.PathLike) -> VideoInfo:
    """Container facts about a clip; raises :class:`ScoringInputError`."""
    return VideoReader(path).info


def iter_frames(path: str | os.PathLike, **kwargs) -> Iterator[tuple[int, float, object]]:
    """Shorthand for ``VideoReader(path).frames(**kwargs)``."""
    return VideoReader(path).frames(**kwargs)


def load_image(path: str | os.PathLike, *, max_short_side: int | None = None):
    """An image file as an RGB uint8 ``ndarray`` (EXIF orientation applied;
    alpha composited on black). With ``max_short_side``, large images are
    decoded/reduced so their short side is at most that (JPEG draft mode)."""
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = _check_file(path, "image")
    try:
        with Image.open(p) as im:
            if max_short_side and min(im.size) > max_short_side:
                scale = max_short_side / min(im.size)
                im.draft("RGB", (max(1, int(im.size[0] * scale)), max(1, int(im.size[1] * scale))))
            im = ImageOps.exif_transpose(im)
            if max_short_side and min(im.size) > max_short_side:
                scale = max_short_side / min(im.size)
                im = im.resize((max(2, round(im.size[0] * scale)), max(2, round(im.size[1] * scale))),
                               Image.Resampling.BOX)
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                im = im.convert("RGBA")
                bg = Image.new("RGBA", im.size, (0, 0, 0, 255))
                im = Image.alpha_composite(bg, im)
            rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ScoringInputError(f"cannot read image {p}: {_short(exc)}") from None
    if rgb.ndim != 3 or rgb.shape[0] < 2 or rgb.shape[1] < 2:
        raise ScoringInputError(f"image is empty or too small: {p}")
    return np.ascontiguousarray(rgb)


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
