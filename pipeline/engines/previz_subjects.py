"""Previz hero subjects: a product on a plinth, a figure, a car, a plated dish or a polished sphere.

Each painter works inside the subject's bounding box (cheap), shades its parts from the light direction, drops a
soft cast shadow on the ground and returns a full-frame mask of what it drew (used for rim light and halo).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.engines import previz_paint as paint
from pipeline.engines.previz_scene import SceneSpec

DEFAULT_PRODUCT_COLOURS = [(0.78, 0.44, 0.12), (0.09, 0.09, 0.10), (0.86, 0.85, 0.82), (0.50, 0.10, 0.14),
                           (0.10, 0.30, 0.45)]
SKIN = (0.80, 0.60, 0.48)


@dataclass
class SubjectMask:
    mask: np.ndarray  # (H, W) float32, 1 where the subject is
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


class Region:
    """A view of the frame around one subject, with helpers that take frame coordinates."""

    def __init__(self, image: np.ndarray, x0: float, y0: float, x1: float, y1: float):
        height, width = image.shape[:2]
        self.x0, self.y0 = max(0, int(x0)), max(0, int(y0))
        self.x1, self.y1 = min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1)))
        self.view = image[self.y0:self.y1, self.x0:self.x1]
        self.h, self.w = self.view.shape[:2]
        self.drawn = np.zeros((self.h, self.w), np.float32)

    def local(self, points) -> np.ndarray:
        return np.asarray(points, np.float32) - np.float32([self.x0, self.y0])

    def polygon(self, points, soften: float = 0.8) -> np.ndarray:
        return paint.polygon_mask(self.h, self.w, self.local(points), soften)

    def ellipse(self, centre, axes, soften: float = 0.8) -> np.ndarray:
        cx, cy = self.local([centre])[0]
        return paint.ellipse_mask(self.h, self.w, (cx, cy), axes, soften)

    def rounded_rect(self, x0, y0, x1, y1, radius, soften: float = 0.8) -> np.ndarray:
        return self.polygon(paint.rounded_rect_points(x0, y0, x1, y1, radius), soften)

    def cylinder(self, x_centre: float, half_width: float, direction: str, shininess: float = 40.0):
        diffuse, specular = paint.cylinder_shading(self.w, x_centre - self.x0, half_width, direction, shininess)
        return diffuse[None, :], specular[None, :]

    def sphere(self, centre, radius, direction: str, shininess: float = 60.0):
        cx, cy = self.local([centre])[0]
        return paint.sphere_shading(self.h, self.w, (cx, cy), radius, direction, shininess)

    def part(self, mask, base, spec: SceneSpec, diffuse, specular=None, gloss: float = 0.6, texture=None) -> None:
        """Shade one part: diffuse from the light, a vertical falloff for top light, optional gloss and texture."""
        light_y = paint.light_vector(spec.light_direction)[1]
        v = np.linspace(0.0, 1.0, self.h, dtype=np.float32)[:, None]
        vertical = 1.0 + 0.45 * (-light_y) * (0.5 - v) * 2.0
        colour = paint.shade_rgb(base, spec.palette.key_light, spec.palette.shadow,
                                 np.clip(diffuse * vertical, 0.0, 1.3))
        if specular is not None:
            colour = colour + np.asarray(spec.palette.key_light, np.float32) * (specular * gloss)[..., None]
        if texture is not None:
            colour = colour * texture[..., None]
        paint.blend(self.view, colour, mask)
        np.maximum(self.drawn, mask, out=self.drawn)

    def result(self, frame_shape) -> SubjectMask:
        full = np.zeros(frame_shape[:2], np.float32)
        full[self.y0:self.y1, self.x0:self.x1] = self.drawn
        rows, cols = np.nonzero(self.drawn > 0.5)
        if rows.size == 0:
            return SubjectMask(full, (self.x0, self.y0, self.x1, self.y1))
        box = (self.x0 + int(cols.min()), self.y0 + int(rows.min()), self.x0 + int(cols.max()) + 1,
               self.y0 + int(rows.max()) + 1)
        return SubjectMask(full, box)


def cast_shadow(image: np.ndarray, spec: SceneSpec, foot_x: float, foot_y: float, foot_w: float) -> None:
    """Darken the ground under a subject; the shadow falls away from the light."""
    offsets = {"left": (0.7, 0.0, 1.3, 0.2), "right": (-0.7, 0.0, 1.3, 0.2), "top": (0.0, 0.0, 0.8, 0.16),
               "back": (0.0, 0.14, 0.75, 0.35), "front": (0.0, -0.04, 0.75, 0.12)}
    dx, dy, ax, ay = offsets[spec.light_direction]
    region = Region(image, foot_x - 2.5 * foot_w, foot_y - foot_w, foot_x + 2.5 * foot_w, foot_y + foot_w)
    mask = region.ellipse((foot_x + dx * foot_w, foot_y + dy * foot_w), (ax * foot_w, ay * foot_w),
                          soften=0.18 * foot_w)
    contact = region.ellipse((foot_x, foot_y), (0.95 * foot_w, 0.06 * foot_w), soften=0.04 * foot_w)
    strength = 0.4 if spec.palette.name == "overcast" else 0.6
    region.view *= (1.0 - np.maximum(strength * mask, 0.55 * contact))[..., None]


def subject_colour(spec: SceneSpec, rng: np.random.Generator, default=None) -> tuple[float, float, float]:
    if spec.accent is not None:
        return spec.accent
    options = default or DEFAULT_PRODUCT_COLOURS
    return tuple(options[int(rng.integers(len(options)))])


def paint_subject(image: np.ndarray, spec: SceneSpec, rng: np.random.Generator) -> SubjectMask:
    height, width = image.shape[:2]
    size = spec.subject_scale * min(height, width * 1.25)
    cx = spec.subject_x * width
    horizon = spec.horizon * height
    painters = {"product": _product, "figure": _figure, "car": _car, "food": _food, "hero object": _sphere}
    return painters[spec.subject](image, spec, rng, cx, horizon, size)


def _product(image, spec, rng, cx, horizon, size) -> SubjectMask:
    height = image.shape[0]
    floor_y = horizon + (height - horizon) * 0.42
    plinth_h, plinth_half = 0.2 * size, (0.42 if spec.product_shape == "sneaker" else 0.3) * size
    top_y = floor_y - plinth_h
    cast_shadow(image, spec, cx, floor_y, plinth_half * 1.1)
    region = Region(image, cx - 0.7 * size, top_y - 0.85 * size, cx + 0.7 * size, floor_y + 0.1 * size)
    stone = np.asarray(spec.palette.ground_far, np.float32) * 0.5 + 0.42
    marble = 0.9 + 0.18 * paint.fbm_noise(rng, region.h, region.w, cells=4.0, octaves=5, stretch=0.6)
    body = region.rounded_rect(cx - plinth_half, top_y, cx + plinth_half, floor_y, 0.02 * size)
    body = np.maximum(body, region.ellipse((cx, floor_y), (plinth_half, 0.05 * size)))
    region.part(body, tuple(stone), spec, *region.cylinder(cx, plinth_half, spec.light_direction, 20), 0.25, marble)
    top_light = 0.55 + 0.45 * max(0.0, -float(paint.light_vector(spec.light_direction)[1]))
    lid = region.ellipse((cx, top_y), (plinth_half, 0.05 * size))
    region.part(lid, tuple(stone * 1.1), spec, np.full((1, region.w), top_light, np.float32), texture=marble)
    shape = spec.product_shape or "box"
    {"bottle": _bottle, "watch": _watch, "sneaker": _sneaker, "box": _box}[shape](
        region, spec, rng, cx, top_y, 0.78 * size)
    return region.result(image.shape)


def _bottle(region: Region, spec, rng, cx, base_y, p) -> None:
    glass = subject_colour(spec, rng)
    light = spec.light_direction
    shoulder_y = base_y - 0.62 * p
    body = np.maximum(region.rounded_rect(cx - 0.2 * p, shoulder_y, cx + 0.2 * p, base_y, 0.05 * p),
                      region.ellipse((cx, shoulder_y + 0.02 * p), (0.2 * p, 0.08 * p)))
    diffuse, specular = region.cylinder(cx, 0.2 * p, light, 60)
    region.part(body, glass, spec, diffuse, specular, gloss=1.2)
    label = region.rounded_rect(cx - 0.2 * p, base_y - 0.42 * p, cx + 0.2 * p, base_y - 0.18 * p, 0.005 * p)
    region.part(label, (0.92, 0.89, 0.82), spec, diffuse)
    for line, half in ((0.34, 0.09), (0.29, 0.12), (0.25, 0.06)):  # mock type on the label
        text = region.rounded_rect(cx - half * p, base_y - line * p, cx + half * p, base_y - (line - 0.015) * p, 1)
        region.part(text * 0.8, (0.15, 0.13, 0.12), spec, diffuse)
    neck = region.rounded_rect(cx - 0.06 * p, base_y - 0.8 * p, cx + 0.06 * p, shoulder_y, 0.01 * p)
    region.part(neck, glass, spec, *region.cylinder(cx, 0.06 * p, light, 60), gloss=1.0)
    cap = region.rounded_rect(cx - 0.1 * p, base_y - p, cx + 0.1 * p, base_y - 0.79 * p, 0.02 * p)
    region.part(cap, (0.80, 0.66, 0.36), spec, *region.cylinder(cx, 0.1 * p, light, 25), gloss=1.0)


def _watch(region: Region, spec, rng, cx, base_y, p) -> None:
    light = spec.light_direction
    centre = (cx, base_y - 0.5 * p)
    leather = 0.85 + 0.25 * paint.fbm_noise(rng, region.h, region.w, cells=12.0, octaves=3)
    strap = region.rounded_rect(cx - 0.15 * p, base_y - p, cx + 0.15 * p, base_y, 0.04 * p)
    region.part(strap, (0.20, 0.13, 0.09), spec, *region.cylinder(cx, 0.2 * p, light, 10), 0.2, leather)
    metal = spec.accent if spec.accent_name in ("gold", "golden", "silver", "chrome", "copper") else (0.8, 0.8, 0.82)
    case = region.ellipse(centre, (0.3 * p, 0.3 * p))
    region.part(case, metal, spec, *region.sphere(centre, 0.3 * p, light, 25), gloss=1.0)
    dial_colour = spec.accent if spec.accent is not None and metal is not spec.accent else (0.05, 0.08, 0.18)
    dial = region.ellipse(centre, (0.25 * p, 0.25 * p))
    diffuse, specular = region.sphere(centre, 0.6 * p, light, 12)
    region.part(dial, dial_colour, spec, 0.5 + 0.5 * diffuse)
    local_c = region.local([centre])[0]
    segments = []
    for hour in range(12):
        angle = hour * np.pi / 6
        inner, outer = (0.17 if hour % 3 == 0 else 0.2) * p, 0.23 * p
        unit = np.float32([np.sin(angle), -np.cos(angle)])
        segments.append((local_c + inner * unit, local_c + outer * unit))
    hand_angle = rng.uniform(0, 2 * np.pi)
    for length, angle in ((0.15, hand_angle), (0.21, hand_angle * 12 % (2 * np.pi))):
        segments.append((local_c, local_c + length * p * np.float32([np.sin(angle), -np.cos(angle)])))
    marks = _lines_mask(region, segments, max(1.0, 0.013 * p))
    region.part(marks, (0.95, 0.93, 0.88), spec, np.ones((1, region.w), np.float32))
    region.part(dial * specular, (1.0, 1.0, 1.0), spec, np.ones((1, region.w), np.float32))


def _lines_mask(region: Region, segments, thickness: float) -> np.ndarray:
    """One mask for many thick line segments (local coordinates), rasterised in a single pass."""
    polygons = []
    for a, b in segments:
        a, b = np.float32(a), np.float32(b)
        direction = b - a
        normal = np.float32([-direction[1], direction[0]]) / max(float(np.linalg.norm(direction)), 1e-6)
        normal *= thickness / 2
        polygons.append(np.round(np.float32([a + normal, b + normal, b - normal, a - normal]) * 16).astype(np.int32))
    mask = np.zeros((region.h, region.w), np.uint8)
    cv2.fillPoly(mask, polygons, 255, lineType=cv2.LINE_AA, shift=4)
    return mask.astype(np.float32) / 255.0


def _sneaker(region: Region, spec, rng, cx, base_y, p) -> None:
    length = 1.15 * p
    to_frame = lambda pts: np.float32(pts) * length + np.float32([cx, base_y])
    upper_colour = subject_colour(spec, rng)
    light_upper = float(np.mean(upper_colour)) > 0.6  # contrast the sole and stripe against the upper
    trim = (0.12, 0.12, 0.14) if light_upper else (0.95, 0.95, 0.93)
    mesh = 0.88 + 0.2 * paint.fbm_noise(rng, region.h, region.w, cells=18.0, octaves=2)
    light = paint.light_vector(spec.light_direction)
    xs = (np.arange(region.w, dtype=np.float32) + region.x0 - cx) / (0.5 * length)
    ys = np.linspace(1.0, 0.0, region.h, dtype=np.float32)[:, None]
    diffuse = np.clip(0.55 + 0.35 * xs[None, :] * light[0] + 0.2 * light[2] + 0.25 * ys * -light[1], 0.05, 1.0)
    upper = to_frame([(-0.47, -0.07), (-0.49, -0.30), (-0.42, -0.40), (-0.30, -0.40), (-0.22, -0.34),
                      (-0.08, -0.31), (0.10, -0.25), (0.30, -0.215), (0.44, -0.175), (0.50, -0.12), (0.49, -0.07)])
    region.part(region.polygon(upper), upper_colour, spec, diffuse, texture=mesh)
    collar = to_frame([(-0.42, -0.40), (-0.30, -0.40), (-0.24, -0.35), (-0.40, -0.34)])
    region.part(region.polygon(collar), (0.10, 0.10, 0.11), spec, diffuse * 0.6)
    swoosh = to_frame([(-0.34, -0.12), (0.16, -0.16), (0.34, -0.22), (0.06, -0.10), (-0.32, -0.09)])
    region.part(region.polygon(swoosh), trim, spec, diffuse)
    laces = [region.local(to_frame([(-0.2 + k * 0.07, -0.33 + k * 0.022), (-0.13 + k * 0.07, -0.30 + k * 0.022)]))
             for k in range(5)]
    region.part(_lines_mask(region, laces, 0.014 * length), trim, spec, diffuse)
    sole = region.rounded_rect(*to_frame([(-0.5, -0.085)])[0], *to_frame([(0.51, 0.0)])[0], 0.03 * length)
    region.part(sole, (0.95, 0.94, 0.90), spec, diffuse * 0.8 + 0.2)
    midsole = region.polygon(to_frame([(-0.5, -0.088), (0.5, -0.088), (0.5, -0.078), (-0.5, -0.078)]), 0.6)
    region.part(midsole, trim, spec, diffuse)
    heel_tab = to_frame([(-0.49, -0.28), (-0.45, -0.41), (-0.41, -0.40), (-0.46, -0.26)])
    region.part(region.polygon(heel_tab), trim, spec, diffuse)


def _box(region: Region, spec, rng, cx, base_y, p) -> None:
    light = paint.light_vector(spec.light_direction)
    half, box_h, depth = 0.24 * p, 0.8 * p, 0.1 * p
    colour = subject_colour(spec, rng)
    flat = lambda value: np.full((1, region.w), float(np.clip(value, 0.08, 1.0)), np.float32)
    front = region.polygon([(cx - half, base_y - box_h), (cx + half, base_y - box_h), (cx + half, base_y),
                            (cx - half, base_y)])
    region.part(front, colour, spec, flat(0.35 + 0.65 * light[2]), texture=None)
    top = region.polygon([(cx - half, base_y - box_h), (cx - half + depth, base_y - box_h - depth * 0.6),
                          (cx + half + depth, base_y - box_h - depth * 0.6), (cx + half, base_y - box_h)])
    region.part(top, colour, spec, flat(0.3 + 0.7 * -light[1]))
    side = region.polygon([(cx + half, base_y - box_h), (cx + half + depth, base_y - box_h - depth * 0.6),
                           (cx + half + depth, base_y - depth * 0.6), (cx + half, base_y)])
    region.part(side, colour, spec, flat(0.3 + 0.7 * light[0]))
    band = region.polygon([(cx - half, base_y - 0.5 * p), (cx + half, base_y - 0.5 * p),
                           (cx + half, base_y - 0.38 * p), (cx - half, base_y - 0.38 * p)])
    region.part(band, (0.92, 0.88, 0.78), spec, flat(0.35 + 0.65 * light[2]))


def _figure(image, spec, rng, cx, horizon, size) -> SubjectMask:
    height = image.shape[0]
    s = size * 1.05
    top = height - 1.12 * s
    region = Region(image, cx - 0.5 * s, top, cx + 0.5 * s, height)
    light = spec.light_direction
    cloth = subject_colour(spec, rng, [(0.14, 0.15, 0.20), (0.55, 0.36, 0.24), (0.80, 0.78, 0.74)])
    fabric = 0.85 + 0.25 * paint.fbm_noise(rng, region.h, region.w, cells=10.0, octaves=4)
    torso = np.maximum(region.rounded_rect(cx - 0.27 * s, top + 0.36 * s, cx + 0.27 * s, height + 0.2 * s, 0.13 * s),
                       region.ellipse((cx, top + 0.4 * s), (0.17 * s, 0.06 * s)))
    region.part(torso, cloth, spec, *region.cylinder(cx, 0.3 * s, light, 8), 0.15, fabric)
    neck = region.rounded_rect(cx - 0.05 * s, top + 0.2 * s, cx + 0.05 * s, top + 0.38 * s, 0.02 * s)
    region.part(neck, SKIN, spec, *region.cylinder(cx, 0.05 * s, light, 20), 0.1)
    head_c = (cx, top + 0.14 * s)
    diffuse, specular = region.sphere(head_c, 0.11 * s, light, 30)
    region.part(region.ellipse(head_c, (0.085 * s, 0.11 * s)), SKIN, spec, diffuse, specular, 0.15)
    hair = region.ellipse((cx, top + 0.085 * s), (0.095 * s, 0.065 * s))
    region.part(hair, (0.12, 0.08, 0.06), spec, 0.3 + 0.4 * diffuse, texture=fabric)
    return region.result(image.shape)


def _car(image, spec, rng, cx, horizon, size) -> SubjectMask:
    height, width = image.shape[:2]
    length = min(1.7 * size, 0.75 * width)
    ground = horizon + (height - horizon) * 0.55
    cast_shadow(image, spec, cx, ground, 0.5 * length)
    region = Region(image, cx - 0.55 * length, ground - 0.45 * length, cx + 0.55 * length, ground + 0.05 * length)
    to_frame = lambda pts: np.float32(pts) * length + np.float32([cx, ground])
    light = spec.light_direction
    paint_colour = subject_colour(spec, rng, [(0.72, 0.06, 0.08), (0.75, 0.76, 0.78), (0.06, 0.06, 0.07)])
    body = region.polygon(to_frame([(-0.50, -0.08), (-0.49, -0.20), (-0.40, -0.23), (-0.20, -0.25), (-0.08, -0.36),
                                    (0.16, -0.37), (0.30, -0.26), (0.48, -0.22), (0.51, -0.14), (0.50, -0.07)]))
    diffuse, specular = region.cylinder(cx, 0.6 * length, light, 30)
    ys = np.linspace(0, 1, region.h, dtype=np.float32)[:, None]
    shoulder = np.exp(-(((ys - 0.52) / 0.05) ** 2))  # the bright crease along the body side
    region.part(body, paint_colour, spec, diffuse, specular + 0.6 * shoulder, gloss=0.8)
    glass = region.polygon(to_frame([(-0.05, -0.34), (0.14, -0.35), (0.25, -0.265), (-0.16, -0.255)]))
    region.part(glass, spec.palette.sky_horizon, spec, 0.25 + 0.3 * diffuse, specular, 0.5)
    for wheel_x in (-0.30, 0.32):
        centre = to_frame([(wheel_x, -0.09)])[0]
        region.part(region.ellipse(centre, (0.085 * length, 0.085 * length)), (0.05, 0.05, 0.05), spec, diffuse)
        rim_d, rim_s = region.sphere(centre, 0.05 * length, light, 20)
        region.part(region.ellipse(centre, (0.05 * length, 0.05 * length)), (0.7, 0.7, 0.72), spec, rim_d, rim_s)
    lamp = region.ellipse(to_frame([(0.47, -0.18)])[0], (0.025 * length, 0.012 * length), soften=2.0)
    paint.add_light(region.view, (1.0, 0.95, 0.85), lamp * (1.5 if spec.palette.night else 0.6))
    return region.result(image.shape)


def _food(image, spec, rng, cx, horizon, size) -> SubjectMask:
    height = image.shape[0]
    plate_y = horizon + (height - horizon) * 0.5
    cast_shadow(image, spec, cx, plate_y + 0.04 * size, 0.45 * size)
    region = Region(image, cx - 0.6 * size, plate_y - 0.5 * size, cx + 0.6 * size, plate_y + 0.2 * size)
    light = spec.light_direction
    plate_d, plate_s = region.sphere((cx, plate_y), 0.9 * size, light, 30)
    region.part(region.ellipse((cx, plate_y), (0.45 * size, 0.14 * size)), (0.94, 0.93, 0.9), spec,
                0.6 + 0.4 * plate_d, plate_s, 0.4)
    region.part(region.ellipse((cx, plate_y), (0.33 * size, 0.1 * size)), (0.86, 0.85, 0.82), spec, 0.5 + 0.4 * plate_d)
    dome_c = (cx, plate_y - 0.06 * size)
    bumps = 0.75 + 0.5 * paint.fbm_noise(rng, region.h, region.w, cells=14.0, octaves=4)
    diffuse, specular = region.sphere(dome_c, 0.25 * size, light, 20)
    dome = region.ellipse(dome_c, (0.25 * size, 0.2 * size)) * (region.local([dome_c])[0][1] + 0.02 * size >
                                                                  np.arange(region.h)[:, None])
    food = subject_colour(spec, rng, [(0.80, 0.42, 0.14), (0.62, 0.30, 0.12), (0.88, 0.70, 0.36)])
    region.part(dome, food, spec, diffuse, specular, 0.35, bumps)
    for _ in range(7):
        leaf_c = (cx + rng.uniform(-0.15, 0.15) * size, plate_y - rng.uniform(0.12, 0.24) * size)
        region.part(region.ellipse(leaf_c, (0.025 * size, 0.012 * size)), (0.2, 0.55, 0.18), spec, 0.6 + 0.4 * diffuse)
    return region.result(image.shape)


def _sphere(image, spec, rng, cx, horizon, size) -> SubjectMask:
    height = image.shape[0]
    ground = horizon + (height - horizon) * 0.45
    radius = 0.32 * size
    cast_shadow(image, spec, cx, ground, radius)
    region = Region(image, cx - 1.2 * radius, ground - 2.2 * radius, cx + 1.2 * radius, ground + 0.3 * radius)
    centre = (cx, ground - radius)
    diffuse, specular = region.sphere(centre, radius, spec.light_direction, 50)
    sky_mirror = 0.85 + 0.3 * paint.fbm_noise(rng, region.h, region.w, cells=3.0, octaves=3)
    region.part(region.ellipse(centre, (radius, radius)), subject_colour(spec, rng), spec, diffuse, specular, 1.2,
                sky_mirror)
    return region.result(image.shape)
