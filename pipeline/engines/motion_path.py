"""Turns a MotionPlan into a per-frame camera path, and sizes the crop margin so no frame reveals an edge.

Units: a CameraState describes the view relative to the "base window", the part of the picture that frame 0
would show at zoom 1. Offsets are in base-window widths (x) and heights (y); positive offset_x moves the view
right, so content slides left. Parallax terms are content displacements for a layer at depth 1 relative to the
reference depth (depth 0 = far background, 1 = nearest).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from pipeline.engines.motion_plan import MotionPlan

# Travel per second at speed_factor 1 and intensity 1; totals are capped so long clips stay sensible.
ZOOM_LOG_RATE = 0.042  # push/pull: about 1.23x over 5 s
DOLLY_LOG_RATE = 0.03
DOLLY_DEPTH_RATE = 0.025  # extra scale of the nearest layer relative to the background
PAN_RATE = 0.032  # frame widths (or heights for tilts) per second
TRUCK_RATE = 0.02
TRUCK_PARALLAX_RATE = 0.012
ORBIT_PARALLAX_RATE = 0.03
ORBIT_ROLL_RATE_DEG = 0.12
ORBIT_TURN_RATE_DEG = 3.0  # how far the subject's surface turns per unit of strength (speed × intensity × s)
MAX_ORBIT_TURN_DEG = 20.0  # beyond this a single photo's label visibly smears round the edge
MAX_LOG_ZOOM = math.log(1.8)
MAX_PAN = 0.45
MAX_PARALLAX = 0.1  # beyond this a single picture visibly tears at the subject's edges
STATIC_BREATH = 0.006
ORBIT_DEPTH_REF = 0.9  # the subject's depth (motion_render.SUBJECT_DEPTH): an orbit pivots around it
MAX_AIM = 0.3  # a zoom's aim stays this close to the centre (fractions of the frame)


@dataclass(frozen=True)
class CameraState:
    zoom: float = 1.0  # > 1 shows a smaller part of the picture (closer)
    offset_x: float = 0.0
    offset_y: float = 0.0
    roll_deg: float = 0.0
    parallax_x: float = 0.0  # content shift of the nearest layer, base-window widths
    parallax_y: float = 0.0
    depth_zoom: float = 0.0  # extra relative scale of the nearest layer
    depth_ref: float = 0.0  # depth that the parallax terms leave in place
    subject_turn_deg: float = 0.0  # the subject's surface turning about its vertical axis (an orbit's pivot)


def ease(name: str, t: float) -> float:
    t = min(max(t, 0.0), 1.0)
    if name == "ease_in_out_cubic":
        return 4 * t**3 if t < 0.5 else 1 - (-2 * t + 2) ** 3 / 2
    if name == "smootherstep":
        return t * t * t * (t * (6 * t - 15) + 10)
    return 0.5 - 0.5 * math.cos(math.pi * t)  # ease_in_out_sine


def camera_path(plan: MotionPlan, duration: float, fps: int, aspect: float) -> list[CameraState]:
    """One CameraState per frame. `aspect` is width / height (shake is specified against the short side)."""
    frame_count = max(2, round(duration * fps))
    strength = plan.speed_factor * plan.intensity * duration
    angle = math.radians(plan.direction_offset_deg)
    shake = _shake_signal(plan, frame_count, fps, aspect)
    states = []
    for index in range(frame_count):
        p = ease(plan.easing, (index / (frame_count - 1)) ** plan.ease_power)
        state = _move_state(plan, p, strength, angle)
        if shake is not None:
            dx, dy, roll = shake[index]
            state = replace(state, offset_x=state.offset_x + dx, offset_y=state.offset_y + dy,
                            roll_deg=state.roll_deg + roll)
        states.append(state)
    return states


def _move_state(plan: MotionPlan, p: float, strength: float, angle: float) -> CameraState:
    move = plan.move
    lateral = min(PAN_RATE * strength, MAX_PAN) * p
    drift = lateral * math.sin(angle)  # a small seeded diagonal, so no two takes travel identically
    if move in ("push_in", "pull_out"):
        log_zoom = min(ZOOM_LOG_RATE * strength, MAX_LOG_ZOOM) * p
        zoom = math.exp(log_zoom if move == "push_in" else -log_zoom)
        # Zoom about a focus point (the subject, or a seeded point near the centre) that holds still on screen,
        # while the aim drifts a little: the last frame is still a pure zoom about where the aim ended.
        hold = 1.0 - 1.0 / zoom
        aim_x, aim_y = _aim(plan, p)
        return CameraState(zoom=zoom, offset_x=aim_x * hold, offset_y=aim_y * hold)
    if move in ("dolly_in", "dolly_out"):
        log_zoom = min(DOLLY_LOG_RATE * strength, MAX_LOG_ZOOM) * p
        depth = min(DOLLY_DEPTH_RATE * strength * plan.parallax, MAX_PARALLAX) * p
        sign = 1 if move == "dolly_in" else -1
        zoom = math.exp(sign * log_zoom)
        hold = 1.0 - 1.0 / zoom
        aim_x, aim_y = _aim(plan, p)
        return CameraState(zoom=zoom, offset_x=aim_x * hold, offset_y=aim_y * hold, depth_zoom=sign * depth)
    if move in ("pan_left", "pan_right"):
        sign = -1 if move == "pan_left" else 1  # pan left: the view moves left, content slides right
        return CameraState(offset_x=sign * lateral * math.cos(angle), offset_y=drift)
    if move in ("tilt_up", "tilt_down"):
        sign = -1 if move == "tilt_up" else 1  # tilt up: the view rises, content slides down
        return CameraState(offset_y=sign * lateral * math.cos(angle), offset_x=drift)
    if move in ("truck_left", "truck_right", "crane_up", "crane_down"):
        sign = -1 if move in ("truck_left", "crane_up") else 1
        travel = min(TRUCK_RATE * strength, MAX_PAN) * p
        extra = min(TRUCK_PARALLAX_RATE * strength * plan.parallax, MAX_PARALLAX) * p
        if move.startswith("truck"):
            return CameraState(offset_x=sign * travel, offset_y=drift * 0.5, parallax_x=-sign * extra)
        return CameraState(offset_y=sign * travel, offset_x=drift * 0.5, parallax_y=-sign * extra)
    if move in ("orbit_left", "orbit_right"):
        sign = 1 if move == "orbit_left" else -1  # orbit left: the foreground moves right, background left
        shift = min(ORBIT_PARALLAX_RATE * strength * max(plan.parallax, 0.3), MAX_PARALLAX) * p
        roll = ORBIT_ROLL_RATE_DEG * strength * p * sign if plan.allow_rotation else 0.0
        zoom = 1.0 + 0.006 * strength * p if plan.allow_zoom else 1.0
        # The subject holds its place while the background sweeps behind it and its surface turns towards the
        # side the camera travels from: on a product photo that reads as circling the product, not a slide.
        turn = min(ORBIT_TURN_RATE_DEG * strength, MAX_ORBIT_TURN_DEG) * p * sign
        return CameraState(zoom=zoom, roll_deg=roll, parallax_x=sign * shift, depth_ref=ORBIT_DEPTH_REF,
                           subject_turn_deg=turn)
    if move == "handheld":
        # A slow seeded drift under the shake: an operator never holds exactly still.
        heading = angle * 20.0
        return CameraState(offset_x=0.002 * strength * p * math.cos(heading),
                           offset_y=0.002 * strength * p * math.sin(heading))
    # static: a barely visible breathing zoom keeps the frame alive without reading as a move.
    breath = STATIC_BREATH * plan.intensity * math.sin(math.pi * p) if plan.allow_zoom else 0.0
    return CameraState(zoom=1.0 + breath)


def _aim(plan: MotionPlan, p: float) -> tuple[float, float]:
    """Where a zoom is aimed at progress p (fractions of the frame from its centre), kept well inside the frame
    so every border still moves the way the zoom says."""
    return (min(max(plan.focus[0] + plan.drift[0] * p, -MAX_AIM), MAX_AIM),
            min(max(plan.focus[1] + plan.drift[1] * p, -MAX_AIM), MAX_AIM))


def _shake_signal(plan: MotionPlan, frame_count: int, fps: int, aspect: float) -> np.ndarray | None:
    """Low-frequency seeded shake: a few sines per axis at 0.3-1.6 Hz, like a breathing operator."""
    if plan.shake <= 0:
        return None
    rng = np.random.default_rng([plan.seed % 2**32, 7919])
    t = np.arange(frame_count) / fps
    axes = []
    for _ in range(3):
        frequencies = rng.uniform(0.3, 1.6, 3) * plan.shake_tempo
        phases = rng.uniform(0, 2 * np.pi, 3)
        weights = rng.uniform(0.5, 1.0, 3)
        signal = (weights[:, None] * np.sin(2 * np.pi * frequencies[:, None] * t + phases[:, None])).sum(axis=0)
        axes.append(signal / np.sqrt((weights**2).sum() / 2))  # unit RMS
    short_to_width = min(1.0, 1.0 / aspect)  # the amplitude is a fraction of the short side
    short_to_height = min(1.0, aspect)
    dx = axes[0] * plan.shake * short_to_width
    dy = axes[1] * plan.shake * short_to_height
    roll = axes[2] * plan.shake * 25.0 if plan.allow_rotation else np.zeros_like(dx)  # ~0.15 deg at default
    return np.stack([dx, dy, roll], axis=1)


def required_margin(states: list[CameraState], aspect: float) -> float:
    """How much larger than the base window the picture must be (>= 1) so every frame stays inside it."""
    half_w, half_h = 0.5 * aspect, 0.5  # base window in height units
    needed = 1.0
    for state in states:
        # A dolly scales each depth layer by 1 + depth_zoom * (depth - depth_ref); the least magnified layer
        # reaches furthest out. Parallax shifts the layers furthest from depth_ref the most.
        least_layer_scale = 1.0 + min(-state.depth_zoom * state.depth_ref, state.depth_zoom * (1.0 - state.depth_ref))
        zoom = state.zoom * min(max(least_layer_scale, 0.3), 1.0)
        cos, sin = math.cos(math.radians(state.roll_deg)), math.sin(math.radians(state.roll_deg))
        reach_x = (abs(cos) * half_w + abs(sin) * half_h) / zoom
        reach_y = (abs(sin) * half_w + abs(cos) * half_h) / zoom
        spread = max(state.depth_ref, 1.0 - state.depth_ref)
        centre_x = abs(state.offset_x) * 2 * half_w + abs(state.parallax_x) * spread * 2 * half_w
        centre_y = abs(state.offset_y) * 2 * half_h + abs(state.parallax_y) * spread * 2 * half_h
        needed = max(needed, (centre_x + reach_x) / half_w, (centre_y + reach_y) / half_h)
    return needed * 1.01  # a hair extra so bilinear taps never touch the border
