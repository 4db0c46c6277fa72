"""Helpers for the engine tests: decode a clip with PyAV and measure its motion with optical flow."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

FLOW_WIDTH = 320  # flow is measured on downscaled grey frames: fast, and plenty for a global direction


@dataclass
class Probe:
    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: float
    duration: float
    frames: list[np.ndarray]


def probe(path: Path) -> Probe:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base) if stream.duration else float(container.duration) / 1e6
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
        return Probe(stream.codec_context.name, stream.codec_context.pix_fmt, stream.width, stream.height,
                     float(stream.average_rate), duration, frames)


def _grey(frame: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    height = round(FLOW_WIDTH * grey.shape[0] / grey.shape[1])
    return cv2.resize(grey, (FLOW_WIDTH, height), interpolation=cv2.INTER_AREA)


@dataclass
class FlowStats:
    mean_x: float  # mean horizontal flow, summed over the clip (px at FLOW_WIDTH)
    mean_y: float
    radial: float  # mean outward component (> 0: things move away from the centre, i.e. a push-in)
    magnitude: float  # mean flow length
    top_x: float  # mean horizontal flow in the top third (usually background)


def clip_flow(frames: list[np.ndarray], step: int = 8) -> FlowStats:
    """Sum DIS optical flow over frame pairs (i, i+step) across the whole clip."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    totals = np.zeros(5)
    for start in range(0, len(frames) - step, step):
        flow = dis.calc(_grey(frames[start]), _grey(frames[start + step]), None)
        h, w = flow.shape[:2]
        ys, xs = np.mgrid[:h, :w].astype(np.float32)
        rx, ry = xs - (w - 1) / 2, ys - (h - 1) / 2
        distance = np.hypot(rx, ry)
        outer = distance > 0.15 * w
        radial = (flow[..., 0] * rx + flow[..., 1] * ry)[outer] / distance[outer]
        totals += [flow[..., 0].mean(), flow[..., 1].mean(), radial.mean(),
                   np.hypot(flow[..., 0], flow[..., 1]).mean(), flow[: h // 3, :, 0].mean()]
    return FlowStats(*map(float, totals))


def jitter(frames: list[np.ndarray]) -> float:
    """RMS wobble of the camera path (px) once a smooth cubic trend is removed; a smooth move scores ~0."""
    grey = [cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32) for frame in frames]
    window = cv2.createHanningWindow(grey[0].shape[::-1], cv2.CV_32F)
    steps = [cv2.phaseCorrelate(a, b, window)[0] for a, b in itertools.pairwise(grey)]
    path = np.cumsum(np.asarray(steps), axis=0)
    t = np.linspace(-1.0, 1.0, len(path))
    residuals = [axis - np.polyval(np.polyfit(t, axis, 3), t) for axis in path.T]
    return float(np.sqrt(np.mean(np.square(residuals))))
