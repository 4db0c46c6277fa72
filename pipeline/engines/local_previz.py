"""Offline previz renderer: a procedural draft frame whose palette, light, placement and subject follow the prompt.

It is not an image model. It paints a believable layout (sky or studio sweep, ground plane, setting, a shaded
subject with a cast shadow, bokeh, haze, grain and vignette) so that a director can judge framing and light, and
so that the camera-motion engine has a textured frame to animate. The corner mark "PREVIZ · local" keeps it honest.
"""
from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.engines.interfaces import (
    ASPECT_RATIOS,
    EngineCheckpoint,
    EngineSpec,
    FrameRequest,
    ProgressFn,
    RenderedFrame,
    no_progress,
)
from pipeline.engines.previz_backdrop import (
    paint_ground,
    paint_mountains,
    paint_sky,
    paint_skyline,
    paint_studio,
)
from pipeline.engines.previz_paint import add_light, fbm_noise, rim_light, to_uint8
from pipeline.engines.previz_scene import SceneSpec, plan_scene, seeded
from pipeline.engines.previz_subjects import paint_subject
from pipeline.errors import EngineInputError

MIN_LONG_SIDE = 1024
MAX_LONG_SIDE = 4096
MAX_PROMPT_CHARS = 2000
WATERMARK = "PREVIZ · local"


def frame_size(aspect_ratio: str, long_side: int) -> tuple[int, int]:
    """Exact-ratio (width, height), both even, with the long side at least `long_side` (and at least 1024)."""
    if aspect_ratio not in ASPECT_RATIOS:
        raise EngineInputError(f"Unknown aspect ratio '{aspect_ratio}'. Use one of: {', '.join(ASPECT_RATIOS)}.")
    if long_side > MAX_LONG_SIDE:
        raise EngineInputError(f"Previz frames go up to {MAX_LONG_SIDE} px on the long side; {long_side} was asked.")
    a, b = ASPECT_RATIOS[aspect_ratio]
    step = 2 * max(a, b)  # a multiple of this keeps both sides whole and even
    long_px = math.ceil(max(long_side, MIN_LONG_SIDE) / step) * step
    short_px = long_px * min(a, b) // max(a, b)
    return (long_px, short_px) if a >= b else (short_px, long_px)


class LocalPrevizRenderer:
    name = "local-previz"
    label = "Local previz renderer (offline, draft quality)"

    def __init__(self, watermark: bool = True):
        self.watermark = watermark

    def render(self, request: FrameRequest, progress: ProgressFn = no_progress,
               checkpoint: EngineCheckpoint | None = None) -> RenderedFrame:
        if not request.prompt or not request.prompt.strip():
            raise EngineInputError("The prompt is empty. Describe the shot to draft, e.g. 'a red sneaker, neon city'.")
        if len(request.prompt) > MAX_PROMPT_CHARS:
            raise EngineInputError(f"The prompt is too long for previz (over {MAX_PROMPT_CHARS} characters).")
        width, height = frame_size(request.aspect_ratio, request.long_side)
        progress(2, "planning the previz scene")
        spec = plan_scene(request.prompt, request.seed)
        image = np.zeros((height, width, 3), np.float32)

        # Each stage draws from its own seeded stream: the same prompt + seed always gives the same bytes, and a
        # reworded prompt keeps the stages its words do not affect.
        progress(10, "painting sky and ground")
        if spec.setting == "studio":
            paint_studio(image, spec, seeded(request.seed, "studio"))
        else:
            paint_sky(image, spec, seeded(request.seed, "sky"))
            progress(30, "painting the setting")
            if spec.setting == "landscape":
                paint_mountains(image, spec, seeded(request.seed, "mountains"))
            elif spec.setting == "city":
                paint_skyline(image, spec, seeded(request.seed, "skyline"))
            # The ground goes in after the setting, so a wet street can reflect the skyline.
            paint_ground(image, spec, seeded(request.seed, "ground"))
        _paint_haze(image, spec, seeded(request.seed, "haze"))
        _paint_bokeh(image, spec, seeded(request.seed, "bokeh"))
        if spec.light_direction == "back":
            _paint_halo(image, spec)
        _depth_of_field(image, spec)

        progress(55, "painting the subject")
        subject_box = None
        if spec.subject not in ("skyline", "mountains"):
            subject = paint_subject(image, spec, seeded(request.seed, "subject"))
            subject_box = subject.box
            rim = rim_light(subject.mask, spec.light_direction, max(2.0, 0.004 * max(width, height)))
            add_light(image, spec.palette.key_light, rim * (1.1 if spec.light_direction == "back" else 0.55))

        progress(75, "lighting and grading")
        _apply_light_wash(image, spec)
        _grade(image, spec)
        _finish(image, spec, seeded(request.seed, "finish"))
        frame = Image.fromarray(to_uint8(image), "RGB")
        if self.watermark:
            _stamp(frame)
        progress(100, "previz frame ready")
        parameters = {**spec.as_parameters(), "width": width, "height": height, "aspect_ratio": request.aspect_ratio,
                      "engine": self.label}
        if subject_box is not None:
            x0, y0, x1, y1 = subject_box
            parameters["subject_box"] = [round(x0 / width, 4), round(y0 / height, 4), round(x1 / width, 4),
                                         round(y1 / height, 4)]
        return RenderedFrame(image=frame, seed=request.seed, model=self.name, parameters=parameters)


#: Background blur of a long lens (sigma as a fraction of the long side): the subject stays sharp on top of it.
LENS_BLUR = {"tele": 0.004, "macro": 0.009}


def _depth_of_field(image: np.ndarray, spec: SceneSpec) -> None:
    sigma = LENS_BLUR.get(spec.lens, 0.0) * max(image.shape[:2])
    if sigma > 0:
        image[:] = cv2.GaussianBlur(image, (0, 0), sigma)


def _paint_haze(image: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> None:
    """Atmospheric haze that hugs the horizon, broken up by slow noise so it reads as air rather than a band."""
    height, width = image.shape[:2]
    y = (np.arange(height, dtype=np.float32) + 0.5) / height
    band = np.exp(-(((y - spec.horizon) / 0.09) ** 2))[:, None]
    drift = fbm_noise(rng, max(8, height // 8), max(8, width // 8), cells=2.0, octaves=3, stretch=3.0)
    drift = np.asarray(Image.fromarray(drift).resize((width, height), Image.BILINEAR))
    strength = 0.45 if spec.palette.name in ("overcast", "blue_hour", "dawn") else 0.3
    amount = band * strength * (0.6 + 0.4 * drift)
    image += (np.asarray(spec.palette.haze, np.float32) - image) * amount[..., None]


def _paint_bokeh(image: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> None:
    """Out-of-focus light discs in the background, drawn only inside each disc's box to stay fast."""
    height, width = image.shape[:2]
    count = 28 if spec.palette.night or spec.setting == "city" else 6 if spec.setting == "landscape" else 12
    for _ in range(count):
        radius = rng.uniform(0.008, 0.03) * max(width, height)
        cx = rng.uniform(0, width)
        cy = rng.uniform(0.05, spec.horizon + 0.05) * height
        colour = spec.palette.bokeh[int(rng.integers(len(spec.palette.bokeh)))]
        strength = rng.uniform(0.08, 0.3) * (1.6 if spec.palette.night else 1.0)
        x0, x1 = int(max(cx - radius - 2, 0)), int(min(cx + radius + 2, width))
        y0, y1 = int(max(cy - radius - 2, 0)), int(min(cy + radius + 2, height))
        if x1 <= x0 or y1 <= y0:
            continue
        ys, xs = np.ogrid[y0:y1, x0:x1]
        distance = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2, dtype=np.float32) / radius
        disc = np.clip((1.0 - distance) * 6.0, 0.0, 1.0) * (0.75 + 0.25 * distance)  # brighter rim, like a lens
        add_light(image[y0:y1, x0:x1], colour, (disc * strength).astype(np.float32))


def _paint_halo(image: np.ndarray, spec: SceneSpec) -> None:
    """A backlight blooms behind the subject before the subject is painted over it."""
    height, width = image.shape[:2]
    cx, cy = spec.subject_x, spec.horizon - 0.15
    ys, xs = np.ogrid[:height, :width]
    dx = (xs / width - cx) * (width / height)
    dy = ys / height - cy
    glow = np.exp(-((dx * dx + dy * dy) / 0.06)).astype(np.float32)
    add_light(image, spec.palette.key_light, 0.45 * glow)


def _apply_light_wash(image: np.ndarray, spec: SceneSpec) -> None:
    """The key light's falloff across the whole frame: brighter on the side the light comes from."""
    height, width = image.shape[:2]
    x = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    y = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    direction = spec.light_direction
    if direction == "left":
        gain = 1.0 - 0.24 * x
    elif direction == "right":
        gain = 1.0 + 0.24 * x
    elif direction == "top":
        gain = 1.0 - 0.2 * y - 0.08 * x * x
    elif direction == "back":
        gain = 1.0 + 0.06 * (1 - y * y)
    else:
        gain = np.full((1, 1), 1.04, np.float32)
    image *= np.broadcast_to(gain, (height, width))[..., None]


def _grade(image: np.ndarray, spec: SceneSpec) -> None:
    # A per-seed warm/cool nudge so candidates differ in colour, not only in layout.
    image[..., 0] *= 1.0 + 0.05 * spec.hue_jitter
    image[..., 2] *= 1.0 - 0.05 * spec.hue_jitter
    if spec.monochrome:
        luma = image @ np.float32([0.2126, 0.7152, 0.0722])
        image[:] = luma[..., None] * np.float32([1.02, 1.0, 0.96])  # a faint silver-print warmth
    # Soft shoulder: highlights roll off instead of clipping flat.
    over = np.maximum(image - 0.8, 0.0)
    image -= over - 0.2 * np.tanh(over / 0.2)


def _finish(image: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> None:
    height, width = image.shape[:2]
    y = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    image *= (1.0 - 0.3 * ((x * x + y * y) / 2.0) ** 1.2)[..., None]
    grain = rng.standard_normal((height, width), dtype=np.float32) * 0.018
    image += grain[..., None]


def _stamp(frame: Image.Image) -> None:
    """Small, semi-transparent corner mark so a previz is never mistaken for a final render."""
    width, height = frame.size
    font = ImageFont.load_default(size=max(12, round(0.012 * max(width, height))))
    left, top, right, bottom = ImageDraw.Draw(frame).textbbox((0, 0), WATERMARK, font=font)
    margin = max(8, round(0.012 * max(width, height)))
    x, y = width - (right - left) - margin, height - (bottom - top) - margin - top
    box = (x - 2, y, width - margin + 2, height - margin + 2)
    corner = frame.crop(box).convert("RGBA")
    overlay = Image.new("RGBA", corner.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.text((3, 1), WATERMARK, font=font, fill=(0, 0, 0, 90))
    draw.text((2, 0), WATERMARK, font=font, fill=(255, 255, 255, 150))
    frame.paste(Image.alpha_composite(corner, overlay).convert("RGB"), box[:2])


ENGINES = (EngineSpec("frame", LocalPrevizRenderer.name, LocalPrevizRenderer),)
