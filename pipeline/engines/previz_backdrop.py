"""Previz backgrounds: sky or studio sweep, ground plane, and the setting (mountain ridges or a city skyline).

All painters take the float image (H, W, 3), the scene spec and a seeded generator, and paint in place. Noise
textures are kept everywhere on purpose: a flat fill gives optical flow nothing to track when the frame is animated.
"""
from __future__ import annotations

import cv2
import numpy as np

from pipeline.engines.previz_paint import add_light, blend, fbm_noise, vertical_gradient
from pipeline.engines.previz_scene import SceneSpec

SUN_X = {"left": 0.16, "right": 0.84, "top": 0.5, "front": 0.5}
CLOUD_COVER = {"overcast": 0.8, "clear_day": 0.3, "golden_hour": 0.45, "dawn": 0.45, "pastel": 0.35,
               "blue_hour": 0.3, "moonlit_night": 0.25, "neon_night": 0.2, "studio": 0.0}


def sun_position(spec: SceneSpec, rng: np.random.Generator) -> tuple[float, float]:
    """Sun (or moon) centre as fractions of width and height; it sits on the side the light comes from."""
    x = spec.subject_x if spec.light_direction == "back" else SUN_X[spec.light_direction]
    x += rng.uniform(-0.04, 0.04)
    elevation = spec.palette.sun_elevation
    if spec.light_direction == "top":
        return x, 0.07
    return x, spec.horizon * (1.0 - max(elevation, -0.15) * 0.9) - 0.02


def paint_sky(image: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> None:
    height, width = image.shape[:2]
    palette = spec.palette
    image[:] = vertical_gradient(height, width, palette.sky_top, palette.sky_horizon, 0.0, spec.horizon, curve=1.6)
    sun_x, sun_y = sun_position(spec, rng)
    ys, xs = np.ogrid[:height, :width]
    dx = (xs.astype(np.float32) / width - sun_x) * (width / height)
    dy = ys.astype(np.float32) / height - sun_y
    distance = np.sqrt(dx * dx + dy * dy)
    glow_size = 0.12 if palette.night else 0.3
    add_light(image, palette.sun, 0.55 * np.exp(-((distance / glow_size) ** 2)))
    if palette.sun_elevation >= 0 and spec.light_direction != "front":
        radius = 0.02 if palette.night else 0.035
        disc = np.clip((radius - distance) / (radius * 0.25), 0.0, 1.0)
        add_light(image, palette.sun, 1.2 * disc + 0.25 * np.exp(-((distance / (radius * 3)) ** 2)))

    cover = CLOUD_COVER[palette.name]
    sky_rows = max(4, int(height * spec.horizon) + 4)
    noise = fbm_noise(rng, sky_rows, width, cells=2.2, octaves=6, stretch=2.6)
    clouds = np.clip((noise - (1.0 - cover)) / 0.35, 0.0, 1.0) * 0.75
    near_sun = np.exp(-((distance[:sky_rows] / 0.35) ** 2))[..., None]
    cloud_colour = (np.asarray(palette.haze, np.float32) * 0.85 * (1 - near_sun)
                    + np.asarray(palette.key_light, np.float32) * near_sun)
    blend(image, cloud_colour, clouds, region=(slice(0, sky_rows), slice(None)))
    # Fine high-altitude texture so even an empty sky has trackable detail.
    image[:sky_rows] *= (0.96 + 0.08 * noise)[..., None]
    if palette.name in ("moonlit_night", "neon_night"):
        stars = (rng.random((sky_rows, width), dtype=np.float32) > 0.9985).astype(np.float32)
        stars = cv2.GaussianBlur(stars, (0, 0), 0.7) * 3.0 * (1 - clouds)
        add_light(image[:sky_rows], (0.9, 0.92, 1.0), stars)


def paint_studio(image: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> None:
    """A seamless sweep: wall gradient, curved floor, and a pool of light thrown by the key."""
    height, width = image.shape[:2]
    palette = spec.palette
    wall = vertical_gradient(height, width, palette.sky_top, palette.sky_horizon, 0.0, spec.horizon, curve=1.2)
    floor = vertical_gradient(height, width, palette.ground_far, palette.ground_near, spec.horizon, 1.0, curve=0.8)
    y = (np.arange(height, dtype=np.float32) + 0.5) / height
    sweep = np.clip((y - spec.horizon) / 0.06 + 0.5, 0.0, 1.0)  # soft cove instead of a hard wall/floor line
    image[:] = wall + (floor - wall) * sweep[:, None, None]
    pool_x = {"left": -0.16, "right": 0.16}.get(spec.light_direction, 0.0) + spec.subject_x
    ys, xs = np.ogrid[:height, :width]
    dx = (xs.astype(np.float32) / width - pool_x) * (width / height)
    dy = ys.astype(np.float32) / height - spec.horizon * 0.72
    pool = np.exp(-((dx / 0.42) ** 2 + (dy / 0.36) ** 2))
    add_light(image, palette.key_light, 0.32 * pool)
    texture = fbm_noise(rng, height, width, cells=5.0, octaves=5)
    image *= (0.94 + 0.12 * texture)[..., None]


def paint_ground(image: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> None:
    height, width = image.shape[:2]
    palette = spec.palette
    top = int(height * spec.horizon)
    rows = height - top
    if rows <= 0:
        return
    far, near = palette.ground_far, palette.ground_near
    if spec.setting == "city":  # asphalt, tinted by the light of the hour
        far, near = (tuple(0.35 * c + 0.65 * sum(tone) / 3 for c in tone) for tone in (far, near))
    ground = vertical_gradient(rows, width, far, near, 0.0, 1.0, curve=0.7)
    texture = fbm_noise(rng, rows, width, cells=3.0, octaves=6, stretch=4.0)
    ground *= (0.78 + 0.44 * texture)[..., None]
    if spec.setting == "city" or palette.night:
        # Wet street: a blurred mirror of the sky and skyline above the horizon.
        reflection = cv2.GaussianBlur(np.ascontiguousarray(image[max(0, top - rows):top][::-1]), (0, 0), 6)
        reflection = cv2.resize(reflection, (width, rows))
        fade = np.linspace(0.55, 0.1, rows, dtype=np.float32)[:, None]
        ground += (reflection - ground) * (fade * (0.6 + 0.4 * texture))[..., None]
    edge = np.clip(np.arange(rows, dtype=np.float32) / 3.0, 0.0, 1.0)[:, None]
    blend(image, ground, edge * np.ones((1, width), np.float32), region=(slice(top, height), slice(None)))


def paint_mountains(image: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> None:
    """Three ridge layers, far to near, with atmospheric haze, slope shading from the light side and snow."""
    height, width = image.shape[:2]
    palette = spec.palette
    horizon = int(height * spec.horizon)
    rows = min(height, horizon + 2)
    x = np.arange(width, dtype=np.float32) / width
    ys = np.arange(rows, dtype=np.float32)[:, None]
    streaks = fbm_noise(rng, rows, width, cells=6.0, octaves=5, stretch=0.5)
    towards_light = {"left": 1.0, "right": -1.0}.get(spec.light_direction, 0.0)
    rock = np.asarray(palette.ground_near, np.float32) * 0.7 + np.asarray(palette.shadow, np.float32) * 0.5
    key = np.asarray(palette.key_light, np.float32)
    for layer, (amplitude, haze) in enumerate([(0.36, 0.6), (0.24, 0.36), (0.12, 0.14)]):
        profile = _ridge_profile(rng, x)
        if layer == 0 and spec.subject == "mountains":  # the hero peak goes where the placement asks
            cone = np.clip(1.0 - np.abs(x - spec.subject_x) / 0.24, 0.0, 1.0) ** 1.3
            profile = np.maximum(0.55 * profile, cone * (0.85 + 0.15 * profile))
        ridge = horizon - amplitude * spec.horizon * height * (0.2 + 0.8 * profile)
        mask = np.clip(ys - ridge[None, :], 0.0, 1.0)
        # A face looks left where the ridge climbs to the right (its y falls), so it catches light from the left.
        facing = np.tanh(-np.gradient(ridge) * 2.0) * towards_light
        colour = rock[None, None, :] * key * (1.0 + 0.5 * facing[None, :, None])
        colour = colour * (0.75 + 0.5 * streaks)[..., None]
        if not palette.night:
            snow_line = ridge[None, :] + 0.03 * height * (0.5 + streaks)
            snow = np.clip((snow_line - ys) / 3.0, 0.0, 1.0) * np.clip((profile[None, :] - 0.55) * 5, 0.0, 1.0)
            colour += (key * (0.8 + 0.2 * facing[None, :, None]) - colour) * snow[..., None]
        base_mist = np.exp(-(horizon - ys) / (0.05 * height))[..., None] * 0.5
        colour += (np.asarray(palette.haze, np.float32) - colour) * np.clip(haze + base_mist, 0.0, 1.0)
        blend(image[:rows], colour, mask)


def _ridge_profile(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Sum of linearly interpolated random heights: straight slopes meeting in sharp peaks, like real ridges."""
    profile = np.zeros_like(x)
    for octave in range(5):
        knots = 4 * 2**octave + 1
        heights = rng.random(knots).astype(np.float32)
        profile += np.interp(x, np.linspace(0.0, 1.0, knots), heights).astype(np.float32) * 0.5**octave
    profile -= profile.min()
    return profile / max(float(profile.max()), 1e-6)


def paint_skyline(image: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> None:
    """Two rows of buildings with window grids; lit windows at night, sky reflections by day."""
    height, width = image.shape[:2]
    palette = spec.palette
    horizon = int(height * spec.horizon)
    window_luck = rng.random((256, 256), dtype=np.float32)
    light_on_left = {"left": 1.0, "right": -1.0}.get(spec.light_direction, 0.0)
    for layer, (max_height, haze) in enumerate([(0.55, 0.55), (0.85, 0.12)]):
        x = rng.uniform(-0.05, 0.02) * width
        while x < width:
            building_w = rng.uniform(0.05, 0.11) * width * (1.3 if layer else 1.0)
            centre = (x + building_w / 2) / width
            boost = 1.0
            if layer == 1 and spec.subject == "skyline":
                boost = 0.55 + 0.6 * np.exp(-(((centre - spec.subject_x) / 0.1) ** 2))
            building_h = rng.uniform(0.35, 1.0) * max_height * spec.horizon * height * boost
            _paint_building(image, palette, (int(x), int(horizon - building_h), int(x + building_w), horizon + 1),
                            haze, light_on_left, window_luck, rng)
            x += building_w * rng.uniform(0.9, 1.15)


def _paint_building(image, palette, box, haze, light_on_left, window_luck, rng) -> None:
    height, width = image.shape[:2]
    x0, y0, x1, y1 = max(box[0], 0), max(box[1], 0), min(box[2], width), min(box[3], height)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    region = image[y0:y1, x0:x1]
    base = np.asarray(palette.ground_near, np.float32) * 0.6 + np.asarray(palette.shadow, np.float32) * 0.5
    face = np.full(region.shape, base, np.float32)
    xs = np.arange(x0, x1, dtype=np.float32)
    side = (xs - box[0]) / max(box[2] - box[0], 1)
    face *= (1.0 + 0.35 * light_on_left * (0.5 - side))[None, :, None]  # the face turned to the light is brighter
    cell = max(5, int(rng.uniform(0.012, 0.018) * min(height, width)))
    local_x, local_y = (xs - box[0]).astype(np.int32), np.arange(y0, y1) - box[1]
    gx, gy = local_x // cell, local_y // cell
    inside = ((local_x % cell) < cell * 0.55)[None, :] & ((local_y % cell) < cell * 0.6)[:, None]
    luck = window_luck[gy[:, None] % 256, (gx[None, :] + box[0] // 7) % 256]
    if palette.night:
        glow = np.where(luck[..., None] > 0.88, np.asarray(palette.bokeh[0], np.float32),
                        np.asarray(palette.key_light, np.float32) * 0.9)
        windows = inside & (luck > 0.45)
        face = np.where(windows[..., None], glow * (0.55 + 0.45 * luck[..., None]), face)
    else:
        glass = np.asarray(palette.sky_horizon, np.float32) * (0.5 + 0.35 * luck[..., None])
        face = np.where(inside[..., None], glass, face)
    face += (np.asarray(palette.haze, np.float32) - face) * haze
    region[:] = face
