"""Vectorised painting helpers for the previz renderer: noise, gradients, soft masks, shading, compositing.

Images are float32 arrays in 0..1 (H, W, 3); masks are float32 (H, W) in 0..1. Shapes are rasterised by OpenCV with
anti-aliasing and then softened slightly, which reads as "draft" while staying clean.
"""
from __future__ import annotations

import cv2
import numpy as np

RGB = tuple[float, float, float]


def fbm_noise(rng: np.random.Generator, height: int, width: int, cells: float = 4.0, octaves: int = 5,
              stretch: float = 1.0) -> np.ndarray:
    """Fractal value noise in 0..1: random grids upscaled with cubic interpolation and summed over octaves.

    `cells` is the number of blobs across the shorter side at the coarsest octave; `stretch` > 1 widens the
    blobs horizontally (clouds, ground seen in perspective).
    """
    total = np.zeros((height, width), np.float32)
    weight_sum = 0.0
    short = min(height, width)
    for octave in range(octaves):
        count = cells * 2**octave
        grid_h = max(2, round(count * height / short) + 2)
        grid_w = max(2, round(count * width / short / stretch) + 2)
        grid = rng.random((grid_h, grid_w), dtype=np.float32)
        weight = 0.5**octave
        total += weight * cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
        weight_sum += weight
    total /= weight_sum
    low, high = np.percentile(total[:: max(1, height // 64), :: max(1, width // 64)], [1, 99])
    return np.clip((total - low) / max(high - low, 1e-6), 0.0, 1.0)


def vertical_gradient(height: int, width: int, top: RGB, bottom: RGB, y0: float = 0.0, y1: float = 1.0,
                      curve: float = 1.0) -> np.ndarray:
    """Colour ramp from `top` at fraction y0 to `bottom` at y1 (clamped outside), eased by `curve`."""
    y = (np.arange(height, dtype=np.float32) + 0.5) / height
    t = np.clip((y - y0) / max(y1 - y0, 1e-6), 0.0, 1.0) ** curve
    column = (1 - t)[:, None] * np.asarray(top, np.float32) + t[:, None] * np.asarray(bottom, np.float32)
    return np.ascontiguousarray(np.broadcast_to(column[:, None, :], (height, width, 3)))


def blend(canvas: np.ndarray, layer: np.ndarray | RGB, alpha: np.ndarray, region: tuple[slice, slice] | None = None
          ) -> None:
    """In place: canvas = canvas * (1 - alpha) + layer * alpha, optionally only inside a region."""
    target = canvas if region is None else canvas[region]
    colour = np.asarray(layer, np.float32)
    target += (colour - target) * alpha[..., None]


def add_light(canvas: np.ndarray, colour: RGB, amount: np.ndarray) -> None:
    """In place additive light (glows, bokeh, sun), soft-clipped later by the tone curve."""
    canvas += np.asarray(colour, np.float32) * amount[..., None]


def polygon_mask(height: int, width: int, points: np.ndarray, soften: float = 1.0) -> np.ndarray:
    """Filled anti-aliased polygon (points in pixels, float), optionally blurred by `soften` pixels."""
    mask = np.zeros((height, width), np.uint8)
    cv2.fillPoly(mask, [np.round(points * 16).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=4)
    result = mask.astype(np.float32) / 255.0
    return cv2.GaussianBlur(result, (0, 0), soften) if soften > 0 else result


def ellipse_mask(height: int, width: int, centre: tuple[float, float], axes: tuple[float, float],
                 soften: float = 1.0, angle: float = 0.0) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    c = (round(centre[0] * 16), round(centre[1] * 16))
    a = (max(1, round(axes[0] * 16)), max(1, round(axes[1] * 16)))
    cv2.ellipse(mask, c, a, angle, 0, 360, 255, thickness=-1, lineType=cv2.LINE_AA, shift=4)
    result = mask.astype(np.float32) / 255.0
    return cv2.GaussianBlur(result, (0, 0), soften) if soften > 0 else result


def rounded_rect_points(x0: float, y0: float, x1: float, y1: float, radius: float, steps: int = 6) -> np.ndarray:
    radius = min(radius, (x1 - x0) / 2, (y1 - y0) / 2)
    corners = [(x1 - radius, y0 + radius, -90), (x1 - radius, y1 - radius, 0),
               (x0 + radius, y1 - radius, 90), (x0 + radius, y0 + radius, 180)]
    points = []
    for cx, cy, start in corners:
        for angle in np.linspace(np.radians(start), np.radians(start + 90), steps):
            points.append((cx + radius * np.cos(angle), cy + radius * np.sin(angle)))
    return np.asarray(points, np.float32)


def light_vector(direction: str) -> np.ndarray:
    """Unit vector pointing from the surface towards the light; x right, y down (image axes), z towards camera."""
    vectors = {"left": (-0.8, -0.35, 0.5), "right": (0.8, -0.35, 0.5), "top": (0.0, -0.95, 0.3),
               "back": (0.0, -0.3, -0.95), "front": (0.0, -0.25, 0.97)}
    v = np.asarray(vectors[direction], np.float32)
    return v / np.linalg.norm(v)


def cylinder_shading(width: int, x_centre: float, half_width: float, direction: str, shininess: float = 40.0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Per-column diffuse and specular terms for an upright cylinder (bottles, plinths, buildings' curved faces)."""
    u = np.clip((np.arange(width, dtype=np.float32) - x_centre) / max(half_width, 1.0), -1.0, 1.0)
    normal_z = np.sqrt(np.clip(1.0 - u * u, 0.0, 1.0))
    light = light_vector(direction)
    diffuse = np.clip(u * light[0] + normal_z * light[2] + 0.15 * -light[1], 0.0, 1.0)
    half = light + np.asarray([0.0, 0.0, 1.0], np.float32)
    half /= np.linalg.norm(half)
    specular = np.clip(u * half[0] + normal_z * half[2], 0.0, 1.0) ** shininess
    return diffuse, specular


def sphere_shading(height: int, width: int, centre: tuple[float, float], radius: float, direction: str,
                   shininess: float = 60.0) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.ogrid[:height, :width]
    u = (xs.astype(np.float32) - centre[0]) / radius
    v = (ys.astype(np.float32) - centre[1]) / radius
    normal_z = np.sqrt(np.clip(1.0 - u * u - v * v, 0.0, 1.0))
    light = light_vector(direction)
    diffuse = np.clip(u * light[0] + v * light[1] + normal_z * light[2], 0.0, 1.0)
    half = light + np.asarray([0.0, 0.0, 1.0], np.float32)
    half /= np.linalg.norm(half)
    specular = np.clip(u * half[0] + v * half[1] + normal_z * half[2], 0.0, 1.0) ** shininess
    return diffuse, specular


def rim_light(mask: np.ndarray, direction: str, width_px: float) -> np.ndarray:
    """A bright edge on the side of a mask that faces the light (or all round when the light is behind)."""
    shift = {"left": (-1, 0), "right": (1, 0), "top": (0, -1), "front": (0, -1), "back": (0, -1)}[direction]
    step = max(1, round(width_px))
    matrix = np.float32([[1, 0, -shift[0] * step], [0, 1, -shift[1] * step]])
    moved = cv2.warpAffine(mask, matrix, (mask.shape[1], mask.shape[0]), borderMode=cv2.BORDER_CONSTANT)
    edge = np.clip(mask - moved, 0.0, 1.0)
    if direction == "back":  # a backlight outlines the whole silhouette
        eroded = cv2.erode(mask, np.ones((step * 2 + 1, step * 2 + 1), np.uint8))
        edge = np.maximum(edge, np.clip(mask - eroded, 0.0, 1.0))
    return cv2.GaussianBlur(edge, (0, 0), max(1.0, width_px / 2))


def shade_rgb(base: RGB, key: RGB, shadow: RGB, diffuse: np.ndarray, ambient: float = 0.22) -> np.ndarray:
    """Colour for each diffuse value: the base colour lit by the key light, falling off towards the shadow colour."""
    base_a = np.asarray(base, np.float32)
    lit = base_a * np.asarray(key, np.float32)
    dark = base_a * ambient + np.asarray(shadow, np.float32) * 0.5 * ambient
    d = diffuse[..., None]
    return dark + (lit - dark) * d


def to_uint8(image: np.ndarray) -> np.ndarray:
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
