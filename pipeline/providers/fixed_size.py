"""Models that run at one trained size only (CogVideoX-5B-I2V: 720 × 480): the hero is fitted whole onto a canvas of
that size, and the clip is cropped back to the hero's own aspect ratio afterwards.

The margin is filled with a blurred, stretched copy of the hero rather than black bars: a video model animates
bars as if they were part of the scene, while a soft continuation of the picture stays quiet and is cropped away.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Placement:
    size: tuple[int, int]  # the model's (width, height)
    box: tuple[int, int, int, int]  # where the hero sits on it: left, top, right, bottom (even width and height)

    @property
    def crop_size(self) -> tuple[int, int]:
        return self.box[2] - self.box[0], self.box[3] - self.box[1]


def _even(value: float, limit: int) -> int:
    return max(2, min(limit - limit % 2, int(round(value / 2)) * 2))


def place_on_canvas(picture: Any, size: tuple[int, int]) -> tuple[Any, Placement]:
    """The hero fitted whole (centred) onto the model's size, and where it sits."""
    from PIL import ImageFilter

    width, height = size
    scale = min(width / picture.width, height / picture.height)
    fit_w, fit_h = _even(picture.width * scale, width), _even(picture.height * scale, height)
    left, top = (width - fit_w) // 2, (height - fit_h) // 2
    canvas = picture.convert("RGB").resize((width, height)).filter(ImageFilter.GaussianBlur(max(width, height) / 24))
    canvas.paste(picture.convert("RGB").resize((fit_w, fit_h)), (left, top))
    return canvas, Placement((width, height), (left, top, left + fit_w, top + fit_h))


def crop_back(frames: list[Any], placement: Placement) -> list[Any]:
    """The clip's frames cropped to where the hero was (PIL images or H×W×3 arrays)."""
    left, top, right, bottom = placement.box
    if (left, top, right, bottom) == (0, 0, *placement.size):
        return frames
    return [f.crop(placement.box) if hasattr(f, "crop") else f[top:bottom, left:right] for f in frames]
