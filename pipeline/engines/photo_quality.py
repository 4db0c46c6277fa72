"""What "worse" means for a product photo, measured without a reference: the guards of the photo enhancer.

An enhancement step is kept only when none of these get worse (local_photo.LocalPhotoEnhancer):
- **colour cast** — the mean a*/b* of the photo's neutral reference (pixels that read as grey, white or black once
  the cast is taken out) must not move away from neutral;
- **product colours** — the hue of clearly coloured pixels must not turn (a red bottle stays the same red);
- **clipping** — no more highlights or shadows may be lost than a sliver;
- **halos** — sharpening must stay within the local range of the original (no bright or dark rims).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

LUMA = np.float32([0.2126, 0.7152, 0.0722])
#: Chroma (Lab a*b* distance) from the cast estimate under which a pixel counts as neutral under that cast.
NEUTRAL_SPREAD = 9.0
#: A neutral reference smaller than this share of the photo is not trusted (the scene is simply colourful).
MIN_NEUTRAL_SHARE = 0.04
#: A reference this colourful is an object's colour (a wooden table, a red backdrop), not a lighting cast —
#: unless nearly the whole photo shares it (tungsten light tints everything it falls on).
MAX_CAST_CHROMA = 16.0
WHOLE_PHOTO_SHARE = 0.6
#: Limits of what a step may change before it is undone.
MAX_CAST_INCREASE = 1.0  # Lab chroma units
MAX_HUE_TURN_DEG = 6.0
MAX_CLIP_INCREASE = 0.003  # share of pixels
MAX_LEVELS_CLIP_INCREASE = 0.012  # auto levels clips 1 % by design
MAX_HALO_SHARE = 0.01  # share of pixels sharpened beyond the local range by more than HALO_MARGIN
HALO_MARGIN = 0.03


def lab(image: np.ndarray) -> np.ndarray:
    """Float RGB 0..1 → Lab (L 0..100, a/b about -128..127)."""
    return cv2.cvtColor(np.clip(image, 0.0, 1.0).astype(np.float32), cv2.COLOR_RGB2LAB)


@dataclass(frozen=True)
class CastEstimate:
    a: float
    b: float
    share: float  # of the photo's pixels that form the neutral reference
    mask: np.ndarray  # those pixels

    @property
    def chroma(self) -> float:
        return float(np.hypot(self.a, self.b))

    @property
    def trusted(self) -> bool:
        """Enough neutral reference, and one that looks like light rather than an object's colour."""
        return self.share >= MIN_NEUTRAL_SHARE and (self.chroma <= MAX_CAST_CHROMA or self.share >= WHOLE_PHOTO_SHARE)


def estimate_cast(image: np.ndarray) -> CastEstimate:
    """The cast as the mean a*/b* of the pixels that would be neutral under it.

    Start from the median colour of the mid-tones, keep the pixels close to it, and re-centre twice: a grey
    backdrop under warm light is found as one cluster, while a colourful scene yields no large cluster.
    """
    colours = lab(image)
    lightness, a, b = colours[..., 0], colours[..., 1], colours[..., 2]
    midtones = (lightness > 12) & (lightness < 96)
    if midtones.sum() < 100:
        return CastEstimate(0.0, 0.0, 0.0, np.zeros(lightness.shape, bool))
    centre_a, centre_b = float(np.median(a[midtones])), float(np.median(b[midtones]))
    mask = midtones
    for _ in range(3):
        mask = midtones & (np.hypot(a - centre_a, b - centre_b) < NEUTRAL_SPREAD)
        if mask.sum() < 100:
            break
        centre_a, centre_b = float(a[mask].mean()), float(b[mask].mean())
    return CastEstimate(centre_a, centre_b, float(mask.mean()), mask)


def _ab_of(rgb: np.ndarray) -> tuple[float, float]:
    """a*/b* of an RGB colour, scaled to mid-grey brightness first (only its hue and strength matter)."""
    colour = np.asarray(rgb, np.float32)
    colour = np.clip(colour / max(float(colour.mean()), 1e-6) * 0.5, 0.0, 1.0)
    result = lab(colour.reshape(1, 1, 3))[0, 0]
    return float(result[1]), float(result[2])


def grey_edge_cast(image: np.ndarray, power: float = 6.0) -> tuple[float, float]:
    """The light's colour from the edges (grey-edge, Minkowski p=6): a large coloured surface has few edges,
    so it weighs less here than in gray-world."""
    blurred = cv2.GaussianBlur(image.astype(np.float32), (0, 0), 1.0)
    gradient = np.hypot(cv2.Sobel(blurred, cv2.CV_32F, 1, 0), cv2.Sobel(blurred, cv2.CV_32F, 0, 1)).reshape(-1, 3)
    return _ab_of((gradient.astype(np.float64) ** power).mean(axis=0) ** (1.0 / power))


def white_patch_cast(image: np.ndarray) -> tuple[float, float]:
    """The light's colour from the brightest unclipped pixels (a white label, a sweep, a highlight)."""
    luma, unclipped = image @ LUMA, image.max(axis=2) < 0.98
    if unclipped.sum() < 100:
        return 0.0, 0.0
    brightest = unclipped & (luma >= np.percentile(luma[unclipped], 97))
    return _ab_of(image[brightest].mean(axis=0))


@dataclass(frozen=True)
class LightVerdict:
    """What three independent estimates agree the cast is: ``a``/``b`` to remove, or ``reason`` it is left."""

    a: float
    b: float
    reason: str = ""
    estimates: tuple[tuple[float, float], ...] = ()


#: Casts weaker than this (Lab chroma) are left alone: below it, a scene's own colours dominate the estimates.
MIN_CLEAR_CAST = 8.0
#: The estimates must point the same way within this angle to be believed.
MAX_DISAGREEMENT_DEG = 45.0
#: Share of the agreed cast that is removed: a slightly warm photo is better than an overcorrected one.
CORRECTION_SHARE = 0.8


def light_verdict(image: np.ndarray) -> LightVerdict:
    """The cast that the neutral cluster, grey-edge and white-patch estimates agree on, conservatively sized.

    Each estimator is fooled by a different scene (a cat's orange fur, a blue sky, a warm product on wood); a
    cast all three see the same way is the light's, not the scene's."""
    cluster = estimate_cast(image)
    estimates = ((cluster.a, cluster.b), grey_edge_cast(image), white_patch_cast(image))
    strengths = [float(np.hypot(a, b)) for a, b in estimates]
    if cluster.share < MIN_NEUTRAL_SHARE or min(strengths) < MIN_CLEAR_CAST:
        return LightVerdict(0.0, 0.0, "no clear colour cast; colours left as shot", estimates)
    angles = [np.arctan2(b, a) for a, b in estimates]
    spread = max(abs(np.degrees(np.angle(np.exp(1j * (x - y))))) for x in angles for y in angles)
    if spread > MAX_DISAGREEMENT_DEG:
        return LightVerdict(0.0, 0.0, "the light's colour is unclear in this scene; colours left as shot", estimates)
    direction = np.mean([np.exp(1j * angle) for angle in angles])
    size = min(strengths) * CORRECTION_SHARE
    return LightVerdict(float(size * np.cos(np.angle(direction))), float(size * np.sin(np.angle(direction))),
                        "", estimates)


def gains_removing(a: float, b: float) -> np.ndarray:
    """Per-channel gains that turn a mid-grey seen with this a*/b* back to grey (von Kries, brightness kept)."""
    tinted = cv2.cvtColor(np.float32([[[50.0, a, b]]]), cv2.COLOR_LAB2RGB)[0, 0].astype(np.float64)
    gains = np.clip(tinted.mean() / np.maximum(tinted, 1e-4), 0.7, 1.4)
    return gains / float(np.dot(gains * tinted, LUMA) / np.dot(tinted, LUMA))


def cast_on(image: np.ndarray, mask: np.ndarray) -> float:
    """Chroma of the mean a*/b* of ``mask``'s pixels: 0 is perfectly neutral."""
    if not mask.any():
        return 0.0
    colours = lab(image)
    return float(np.hypot(colours[..., 1][mask].mean(), colours[..., 2][mask].mean()))


def coloured_mask(image: np.ndarray) -> np.ndarray:
    """Pixels with a clear colour of their own (the product, a label), away from clipping."""
    colours = lab(image)
    return (np.hypot(colours[..., 1], colours[..., 2]) > 25) & (colours[..., 0] > 15) & (colours[..., 0] < 92)


def hue_turn_deg(before: np.ndarray, after: np.ndarray, mask: np.ndarray) -> float:
    """How far the mean hue of the coloured pixels turned, in degrees (0 when there are too few)."""
    if mask.sum() < 200:
        return 0.0
    first, second = lab(before), lab(after)
    turns = np.angle(np.exp(1j * (np.arctan2(second[..., 2], second[..., 1])
                                  - np.arctan2(first[..., 2], first[..., 1])))[mask])
    return float(abs(np.degrees(np.median(turns))))


def clipped_share(image: np.ndarray) -> float:
    """Share of pixels with a channel blown out or crushed."""
    return float(((image >= 0.995) | (image <= 0.005)).any(axis=2).mean())


def halo_share(before: np.ndarray, after: np.ndarray) -> float:
    """Share of pixels whose brightness left the 3×3 range of the original by more than HALO_MARGIN."""
    luma_before, luma_after = before @ LUMA, after @ LUMA
    kernel = np.ones((3, 3), np.uint8)
    high = cv2.dilate(luma_before, kernel) + HALO_MARGIN
    low = cv2.erode(luma_before, kernel) - HALO_MARGIN
    return float(((luma_after > high) | (luma_after < low)).mean())


#: The guards each step answers to. White balance is meant to turn hues (that is the cast going away) and
#: exposure to widen local ranges, so those two are not judged by the hue and halo guards respectively.
GUARDS = {"white_balance": ("cast", "clipping"), "exposure": ("cast", "hue", "clipping"),
          "contrast": ("cast", "hue", "clipping"), "sharpen": ("cast", "hue", "clipping", "halo")}


def why_worse(step: str, before: np.ndarray, after: np.ndarray, reference: np.ndarray, coloured: np.ndarray
              ) -> str | None:
    """The reason ``step`` made the photo worse, or None. ``reference``/``coloured`` come from the original."""
    guards = GUARDS.get(step, ("cast", "hue", "clipping", "halo"))
    if "cast" in guards and reference.any() and \
            cast_on(after, reference) > cast_on(before, reference) + MAX_CAST_INCREASE:
        return "it would have added a colour cast"
    if "hue" in guards and hue_turn_deg(before, after, coloured) > MAX_HUE_TURN_DEG:
        return "it would have changed the product's colours"
    allowed = MAX_LEVELS_CLIP_INCREASE if step == "exposure" else MAX_CLIP_INCREASE
    if "clipping" in guards and clipped_share(after) > clipped_share(before) + allowed:
        return "it would have blown out highlights or crushed shadows"
    if "halo" in guards and halo_share(before, after) > MAX_HALO_SHARE:
        return "it would have drawn halos around edges"
    return None
