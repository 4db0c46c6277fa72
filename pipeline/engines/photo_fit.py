"""How a photo fits the formats it will be delivered in: its true shape, whether it is sharp enough for a 1080p
export, the best crop per aspect ratio, and making it fit a project's ratio by cropping or extending.

An uploaded 600×400 product photo is 3:2, not "16:9"; cropped to 16:9 it is 600×338 and would be upscaled 3.2×
for a 1920×1080 export — the studio says so instead of letting the clip come out soft, or 3:2.
"""
from __future__ import annotations

from math import gcd

import numpy as np
from pydantic import BaseModel

from pipeline.engines.interfaces import ASPECT_RATIOS

FIT_MODES = ("crop", "extend")
#: Short side of a delivery export (1080p social video in every aspect ratio).
DELIVERY_SHORT_SIDE = 1080
#: Upscaling beyond this is visibly soft in a delivery export; up to it, the scaler's sharpening hides it.
MAX_CLEAN_UPSCALE = 1.25
#: Familiar photo shapes, so a 4000×2667 photo reads "3:2" rather than "4000:2667".
KNOWN_SHAPES = ["1:1", "5:4", "4:3", "3:2", "16:10", "16:9", "2:1", "21:9", "4:5", "3:4", "2:3", "10:16", "9:16"]


class CropOffer(BaseModel):
    """The largest crop of the photo in one aspect ratio, and what a delivery export would make of it."""

    aspect_ratio: str
    box: list[int]  # x0, y0, x1, y1 in the photo's pixels
    width: int
    height: int
    upscale_for_delivery: float  # how much the crop is enlarged for a 1080p export (1.0 = none)
    sharp_enough: bool


class PhotoFit(BaseModel):
    """What the studio tells a user about an uploaded photo."""

    width: int
    height: int
    shape: str  # the photo's own shape, e.g. "3:2"
    nearest_ratio: str  # the nearest ratio the studio renders
    offers: list[CropOffer]
    warning: str  # "" when the photo is sharp enough for a delivery export in the project's ratio


def shape_label(width: int, height: int) -> str:
    """"3:2" for 600×400 and 6000×4000; a known shape within 1 %; else e.g. "1.87:1"."""
    divisor = gcd(width, height)
    if max(width, height) // divisor <= 21:
        return f"{width // divisor}:{height // divisor}"
    ratio = width / height
    for shape in KNOWN_SHAPES:
        a, b = (int(x) for x in shape.split(":"))
        if abs(ratio / (a / b) - 1.0) < 0.01:
            return shape
    return f"{ratio:.2f}:1" if ratio >= 1 else f"1:{1 / ratio:.2f}"


def nearest_ratio(width: int, height: int) -> str:
    return min(ASPECT_RATIOS, key=lambda r: abs(np.log(ASPECT_RATIOS[r][0] / ASPECT_RATIOS[r][1] / (width / height))))


def crop_box(width: int, height: int, aspect_ratio: str, centre: tuple[float, float] | None = None) -> list[int]:
    """Largest box of exactly ``aspect_ratio`` (whole multiples of it: never stretched), centred on ``centre``
    (offsets from the middle as fractions of the photo, e.g. a subject's) as far as the photo allows."""
    a, b = ASPECT_RATIOS[aspect_ratio]
    units = min(width // a, height // b)
    crop_w, crop_h = a * units, b * units
    dx, dy = centre or (0.0, 0.0)
    x0 = int(round(np.clip(width / 2 + dx * width - crop_w / 2, 0, width - crop_w)))
    y0 = int(round(np.clip(height / 2 + dy * height - crop_h / 2, 0, height - crop_h)))
    return [x0, y0, x0 + crop_w, y0 + crop_h]


def photo_fit(width: int, height: int, project_ratio: str) -> PhotoFit:
    offers = []
    for ratio in ASPECT_RATIOS:
        x0, y0, x1, y1 = crop_box(width, height, ratio)
        upscale = round(max(1.0, DELIVERY_SHORT_SIDE / min(x1 - x0, y1 - y0)), 2)
        offers.append(CropOffer(aspect_ratio=ratio, box=[x0, y0, x1, y1], width=x1 - x0, height=y1 - y0,
                                upscale_for_delivery=upscale, sharp_enough=upscale <= MAX_CLEAN_UPSCALE))
    fit = PhotoFit(width=width, height=height, shape=shape_label(width, height),
                   nearest_ratio=nearest_ratio(width, height), offers=offers, warning="")
    fit.warning = resolution_warning(fit, project_ratio)
    return fit


def resolution_warning(fit: PhotoFit, project_ratio: str) -> str:
    offer = next(o for o in fit.offers if o.aspect_ratio == project_ratio)
    if offer.sharp_enough:
        return ""
    sharp = [o.aspect_ratio for o in fit.offers if o.sharp_enough]
    hint = (f" It is sharp enough for {', '.join(sharp)}." if sharp else
            f" Upload a photo at least {DELIVERY_SHORT_SIDE} pixels on its short side for a crisp 1080p export.")
    return (f"This photo is {fit.width}×{fit.height} ({fit.shape}). Cropped to {project_ratio} it is "
            f"{offer.width}×{offer.height}, which a 1080p export enlarges {offer.upscale_for_delivery:g}× — it will "
            f"look soft.{hint}")


def fit_to_aspect(pixels: np.ndarray, aspect_ratio: str, mode: str = "crop",
                  centre: tuple[float, float] | None = None) -> tuple[np.ndarray, dict[str, object]]:
    """The photo in exactly ``aspect_ratio``: ``crop`` keeps the largest box around ``centre``; ``extend`` keeps
    the whole photo and fills the sides with a soft, darkened enlargement of itself (nothing is cut off)."""
    import cv2  # lazy: the studio reads shape labels from here without loading OpenCV

    if mode not in FIT_MODES:
        raise ValueError(f"fit mode must be one of {FIT_MODES}")
    height, width = pixels.shape[:2]
    if mode == "crop":
        x0, y0, x1, y1 = crop_box(width, height, aspect_ratio, centre)
        return pixels[y0:y1, x0:x1].copy(), {"mode": "crop", "box": [x0, y0, x1, y1]}
    a, b = ASPECT_RATIOS[aspect_ratio]
    # The canvas holds the whole photo: grow the side that is too short for the ratio, to even numbers.
    canvas_w, canvas_h = max(width, int(np.ceil(height * a / b))), max(height, int(np.ceil(width * b / a)))
    canvas_w, canvas_h = canvas_w + canvas_w % 2, canvas_h + canvas_h % 2
    scale = max(canvas_w / width, canvas_h / height)
    backdrop = cv2.resize(pixels, (int(np.ceil(width * scale)), int(np.ceil(height * scale))),
                          interpolation=cv2.INTER_LINEAR)
    top, left = (backdrop.shape[0] - canvas_h) // 2, (backdrop.shape[1] - canvas_w) // 2
    backdrop = backdrop[top:top + canvas_h, left:left + canvas_w]
    backdrop = cv2.GaussianBlur(backdrop, (0, 0), max(canvas_w, canvas_h) / 40)
    canvas = (backdrop.astype(np.float32) * 0.55).astype(np.uint8)
    x0, y0 = (canvas_w - width) // 2, (canvas_h - height) // 2
    canvas[y0:y0 + height, x0:x0 + width] = pixels
    return canvas, {"mode": "extend", "photo_box": [x0, y0, x0 + width, y0 + height]}
