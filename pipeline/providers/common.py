"""What every provider engine shares: redaction of secrets, create retries, sizes, and reading/writing media."""
from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from pipeline.engines.interfaces import ASPECT_RATIOS
from pipeline.errors import ProviderError, TransientEngineError

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


def redact(text: Any, settings: Any) -> str:
    """The text with every configured secret replaced by ***: provider messages can echo a key back."""
    result = str(text)
    for secret in (settings.secret_values() if settings is not None else []):
        result = result.replace(secret, "***")
    return result


def clip(text: str, limit: int = 500) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def with_retries(call: Callable[[], T], *, retries: int, base_delay: float, what: str,
                 classify: Callable[[BaseException], str | None], settings: Any) -> T:
    """Run a create call, retrying rate limits and server errors with exponential backoff.

    `classify(exc)` returns None for errors that are not worth retrying and a short reason ("429", "500",
    "connection") for those that are. After the last retry the error becomes a TransientEngineError, so the job
    runner retries the whole job later; nothing was created, so a retry never pays twice.
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as exc:  # classified below: retried or re-raised
            reason = classify(exc)
            if reason is None:
                raise
            if attempt >= retries:
                raise TransientEngineError(
                    f"{what}: the provider is busy or failing ({reason}) after {attempt + 1} tries") from None
            delay = base_delay * (2 ** attempt)
            log.warning("%s failed (%s); retry %d of %d in %.1f s", what, reason, attempt + 1, retries, delay)
            attempt += 1
            time.sleep(delay)


def provider_failure(provider: str, message: Any, settings: Any) -> ProviderError:
    return ProviderError(f"{provider}: {clip(redact(message, settings))}")


# ---------------------------------------------------------------- sizes and images
def size_for(aspect_ratio: str, long_side: int, multiple: int = 8) -> tuple[int, int]:
    """(width, height) of an aspect ratio with the given long side, both multiples of `multiple`."""
    a, b = ASPECT_RATIOS.get(aspect_ratio, (16, 9))
    short = long_side * min(a, b) / max(a, b)
    long_px = max(multiple, round(long_side / multiple) * multiple)
    short_px = max(multiple, round(short / multiple) * multiple)
    return (long_px, short_px) if a >= b else (short_px, long_px)


def size_for_image(width: int, height: int, long_side: int, multiple: int = 8) -> tuple[int, int]:
    """An image's aspect ratio at the given long side, both sides multiples of `multiple`."""
    scale = long_side / max(width, height)
    return (max(multiple, round(width * scale / multiple) * multiple),
            max(multiple, round(height * scale / multiple) * multiple))


def crop_to_ratio(image, aspect_ratio: str | float):
    """Centre-crop a PIL image to an aspect ratio ("16:9" or width/height) when a model only had a nearby one."""
    if isinstance(aspect_ratio, str):
        if aspect_ratio not in ASPECT_RATIOS:
            return image
        a, b = ASPECT_RATIOS[aspect_ratio]
        target = a / b
    else:
        target = float(aspect_ratio)
    width, height = image.size
    if abs(width / height - target) < 0.01:
        return image
    if width / height > target:
        new_width = round(height * target)
        left = (width - new_width) // 2
        return image.crop((left, 0, left + new_width, height))
    new_height = round(width / target)
    top = (height - new_height) // 2
    return image.crop((0, top, width, top + new_height))


def decode_image(data: bytes, what: str):
    """Bytes -> RGB PIL image, or a ProviderError that says the provider sent something unreadable."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ProviderError(f"{what} returned an image that cannot be read ({type(exc).__name__}).") from None


# ---------------------------------------------------------------- video files
def probe_video(path: Path) -> dict[str, Any]:
    """width, height, frames, fps, duration of a video file; ProviderError if it is not a readable video."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            fps = float(stream.average_rate or stream.guessed_rate or 24)
            frames = stream.frames or sum(1 for _ in container.decode(stream))
            width, height = stream.codec_context.width, stream.codec_context.height
    except (av.error.FFmpegError, IndexError, OSError, ValueError) as exc:
        raise ProviderError(f"The provider's video cannot be read ({type(exc).__name__}).") from None
    if not frames or not width:
        raise ProviderError("The provider's video has no frames.")
    return {"width": width, "height": height, "frames": frames, "fps": fps, "duration": frames / fps}


def write_video(frames: Iterable[Any], fps: int, path: Path) -> None:
    """Encode RGB frames (PIL images or HxWx3 uint8 arrays) as H.264 MP4, atomically."""
    import av
    import numpy as np

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".partial.mp4", dir=path.parent)
    os.close(handle)
    try:
        with av.open(temp_name, mode="w", format="mp4") as container:
            stream = None
            for index, frame in enumerate(frames):
                pixels = np.asarray(frame.convert("RGB") if hasattr(frame, "convert") else frame, dtype=np.uint8)
                pixels = pixels[: pixels.shape[0] // 2 * 2, : pixels.shape[1] // 2 * 2]
                if stream is None:
                    stream = container.add_stream("libx264", rate=fps)
                    stream.height, stream.width = pixels.shape[:2]
                    stream.pix_fmt = "yuv420p"
                    stream.options = {"preset": "veryfast", "crf": "18"}
                video_frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                video_frame.pts, video_frame.time_base = index, Fraction(1, fps)
                for packet in stream.encode(video_frame):
                    container.mux(packet)
            if stream is None:
                raise ProviderError("The model produced no frames.")
            for packet in stream.encode(None):
                container.mux(packet)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    finally:
        Path(temp_name).unlink(missing_ok=True)
