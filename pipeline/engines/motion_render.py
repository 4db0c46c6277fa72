"""Pixels for the camera-motion engine: a subject/background layer split and a per-frame warper.

The warper keeps one supersampled copy of the picture (the "canvas") that is larger than the output by the crop
margin, so every frame samples inside real pixels and no edge is ever revealed. Moves without parallax are a
single cv2.warpAffine. Parallax moves warp a background plate (subject painted out) by a smooth ground-plane
depth with cv2.remap, then composite the subject on top with its own rigid affine, so it slides over the
background and uncovers plausible pixels instead of tearing.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.engines.motion_path import CameraState

# RGB -> BT.709 limited-range Y'CbCr (what the encoder is told the video is), as a 3x4 cv2.transform matrix.
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB
BT709_LIMITED = np.array([
    [219 / 255 * _KR, 219 / 255 * _KG, 219 / 255 * _KB, 16.0],
    [224 / 255 * -_KR / (2 * (1 - _KB)), 224 / 255 * -_KG / (2 * (1 - _KB)), 224 / 255 * 0.5, 128.0],
    [224 / 255 * 0.5, 224 / 255 * -_KG / (2 * (1 - _KR)), 224 / 255 * -_KB / (2 * (1 - _KR)), 128.0],
], np.float32)
DEPTH_WORK_SIDE = 256  # the layer split is coarse by design; it only has to separate subject from background
SUBJECT_DEPTH = 0.9
MAX_SUBJECT_AREA = 0.45  # a "subject" bigger than this is probably background that fooled the saliency cue


@dataclass
class Layers:
    """A picture split for 2.5D moves: a rigid subject over a background plate with a ground-plane depth."""

    background: np.ndarray  # uint8 RGB, the subject painted out (inpainted) so moving it uncovers plausible pixels
    background_depth: np.ndarray  # float32 0 (far, top) .. 0.6 (near ground, bottom), smooth
    subject_alpha: np.ndarray | None  # float32 0..1 feathered mask, None when no clear subject was found


def split_layers(image: np.ndarray, horizon: float = 0.45) -> Layers:
    """Find the hero subject by saliency and build the layers at the image's size.

    `horizon` is where the near ground starts (fraction of the height); above it everything is far.
    Saliency = centre-surround colour contrast plus edge density, weighted by a centre prior; Otsu picks the
    threshold and only salient blobs that do not touch the top edge count (holes filled, edge feathered).
    """
    height, width = image.shape[:2]
    scale = DEPTH_WORK_SIDE / max(height, width)
    small = cv2.resize(image, (max(16, round(width * scale)), max(16, round(height * scale))),
                       interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    background_depth = np.ascontiguousarray(np.broadcast_to(
        0.6 * np.clip((ys - horizon) / (1.0 - horizon), 0.0, 1.0) ** 1.3, (height, width)), np.float32)
    mask = _subject_mask(small)
    if mask is None:
        return Layers(image, background_depth, None)
    reach = 2 * round(0.02 * max(h, w)) + 1  # paint out a margin too, so no sliver of the subject is left behind
    grown = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    plate = cv2.inpaint(small, grown, max(3, round(0.02 * max(h, w))), cv2.INPAINT_TELEA)
    fill = cv2.resize(cv2.GaussianBlur(grown.astype(np.float32) / 255.0, (0, 0), 1.5), (width, height))
    plate = cv2.resize(plate, (width, height), interpolation=cv2.INTER_CUBIC)
    # The painted-out area is smooth; give it the picture's own grain so it does not read as a blur patch.
    luma = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grain = float(np.std(luma - cv2.GaussianBlur(luma, (0, 0), 1.5)))
    noise = np.random.default_rng(0).standard_normal((height, width), dtype=np.float32) * grain
    plate = plate.astype(np.float32) + noise[..., None]
    background = np.clip(image * (1.0 - fill[..., None]) + plate * fill[..., None], 0, 255).astype(np.uint8)
    alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), 0.8)
    alpha = cv2.resize(alpha, (width, height), interpolation=cv2.INTER_LINEAR)
    return Layers(background, background_depth, alpha)


def subject_centre(image: np.ndarray) -> tuple[float, float] | None:
    """The hero subject's centre of mass as offsets from the frame centre (fractions of width and height), or
    None when the picture has no clear subject."""
    height, width = image.shape[:2]
    scale = DEPTH_WORK_SIDE / max(height, width)
    small = cv2.resize(image, (max(16, round(width * scale)), max(16, round(height * scale))),
                       interpolation=cv2.INTER_AREA)
    mask = _subject_mask(small)
    if mask is None:
        return None
    moments = cv2.moments(mask, binaryImage=True)
    if moments["m00"] <= 0:
        return None
    h, w = mask.shape[:2]
    return (moments["m10"] / moments["m00"] / w - 0.5, moments["m01"] / moments["m00"] / h - 0.5)


def subject_box(image: np.ndarray) -> tuple[float, float, float, float] | None:
    """The hero subject's bounding box (x0, y0, x1, y1 as fractions of the picture), or None when the picture
    has no clear subject (the same classical segmentation the parallax moves use)."""
    height, width = image.shape[:2]
    scale = DEPTH_WORK_SIDE / max(height, width)
    small = cv2.resize(image, (max(16, round(width * scale)), max(16, round(height * scale))),
                       interpolation=cv2.INTER_AREA)
    mask = _subject_mask(small)
    if mask is None or not mask.any():
        return None
    x, y, w, h = cv2.boundingRect(mask)
    rows, columns = mask.shape[:2]
    return (x / columns, y / rows, (x + w) / columns, (y + h) / rows)


def _subject_mask(small: np.ndarray) -> np.ndarray | None:
    lab = cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    h, w = lab.shape[:2]
    # Centre-surround contrast: an object stands out from its neighbourhood, a smooth sky glow does not.
    fine = cv2.GaussianBlur(lab, (0, 0), 1.5)
    surround = cv2.GaussianBlur(lab, (0, 0), 0.08 * max(h, w))
    contrast = np.linalg.norm(fine - surround, axis=2)
    lightness = fine[..., 0]
    edges = np.hypot(cv2.Sobel(lightness, cv2.CV_32F, 1, 0), cv2.Sobel(lightness, cv2.CV_32F, 0, 1))
    edges = cv2.GaussianBlur(edges, (0, 0), 0.015 * max(h, w))
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
    centre = np.exp(-(((xs - 0.5) / 0.3) ** 2 + ((ys - 0.5) / 0.35) ** 2) / 2)
    saliency = _normalise((0.6 * _normalise(contrast) + 0.4 * _normalise(edges)) * (0.3 + 0.7 * centre))
    threshold, _ = cv2.threshold((saliency * 255).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # GrabCut refines the salient seed into an object outline using colour models of object and background.
    seed = np.where(saliency * 255 > threshold, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    band = max(2, round(0.04 * min(h, w)))
    seed[:band], seed[:, :band], seed[:, -band:] = cv2.GC_BGD, cv2.GC_BGD, cv2.GC_BGD
    if not (seed == cv2.GC_PR_FGD).any():
        return None
    models = (np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64))
    cv2.setRNGSeed(0)  # GrabCut seeds its colour models with k-means on OpenCV's global RNG; keep it repeatable
    cv2.grabCut(cv2.GaussianBlur(small, (0, 0), 1.0), seed, None, *models, 4, cv2.GC_INIT_WITH_MASK)
    binary = np.where((seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    # Close generously: a highlight that matches the background (the lit side of a bottle) must not be split off,
    # or that sliver would slide with the background while the rest of the subject moves.
    close = 2 * round(0.018 * max(h, w)) + 1
    binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary)
    # A subject is an object standing in the frame: blobs reaching the top or the sides are scenery (a skyline,
    # a ridge) and stay in the background layer, which moves smoothly instead of tearing.
    masses = [(saliency[labels == index].sum(), index) for index in range(1, count)
              if stats[index, cv2.CC_STAT_AREA] > 0.005 * h * w and stats[index, cv2.CC_STAT_TOP] > band + 2
              and stats[index, cv2.CC_STAT_LEFT] > band + 2
              and stats[index, cv2.CC_STAT_LEFT] + stats[index, cv2.CC_STAT_WIDTH] < w - band - 2]
    if not masses:
        return None
    best = max(mass for mass, _ in masses)
    keep = [index for mass, index in masses if mass >= 0.25 * best]
    mask = np.isin(labels, keep).astype(np.uint8) * 255
    if mask.mean() / 255.0 > MAX_SUBJECT_AREA:
        return None
    return _fill_holes(mask)


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    """Fill enclosed gaps. The bottom edge counts as closed, since subjects often stand on it (a bust, a table)."""
    flood = np.pad(mask, ((1, 0), (1, 1)))
    cv2.floodFill(flood, None, (0, 0), 255)
    holes = cv2.bitwise_not(flood[1:, 1:-1])
    return cv2.bitwise_or(mask, holes)


def _normalise(values: np.ndarray) -> np.ndarray:
    low, high = np.percentile(values, [2, 98])
    return np.clip((values - low) / max(float(high - low), 1e-6), 0.0, 1.0).astype(np.float32)


class FrameWarper:
    """Renders CameraStates from one picture. `margin` is motion_path.required_margin for the whole path."""

    def __init__(self, image: np.ndarray, size: tuple[int, int], states: list[CameraState], margin: float,
                 horizon: float = 0.45):
        self.width, self.height = size
        # Sample the canvas at least 1:1 in the tightest frame (up to 2x) so push-ins stay sharp.
        closest = max(s.zoom * max(1.0, 1.0 + s.depth_zoom * (1.0 - s.depth_ref)) for s in states)
        self.supersample = float(np.clip(closest, 1.0, 2.0))
        canvas_w = round(self.width * margin * self.supersample)
        canvas_h = round(self.height * margin * self.supersample)
        shrinking = canvas_w < image.shape[1]
        self.canvas = cv2.resize(image, (canvas_w, canvas_h),
                                 interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)
        self.uses_depth = any(s.parallax_x or s.parallax_y or s.depth_zoom for s in states)
        self.layers = split_layers(self.canvas, horizon) if self.uses_depth else None
        self._planes: tuple[np.ndarray, np.ndarray] | None = None  # the canvas as Y and CbCr (render_yuv420)
        if self.layers is not None and self.layers.subject_alpha is not None:
            x, y, w, h = cv2.boundingRect((self.layers.subject_alpha > 0).astype(np.uint8))
            self._subject_box = (x - 1, y - 1, x + w + 1, y + h + 1)  # canvas pixels the matte touches, +1 for taps
            self._rows = _row_extents(self.layers.subject_alpha)
        if self.uses_depth:
            self.grid_x = np.arange(self.width, dtype=np.float32)[None, :]
            self.grid_y = np.arange(self.height, dtype=np.float32)[:, None]

    def affine(self, state: CameraState) -> np.ndarray:
        """2x3 matrix taking output pixel coordinates to canvas coordinates."""
        cos, sin = np.cos(np.radians(state.roll_deg)), np.sin(np.radians(state.roll_deg))
        linear = (self.supersample / state.zoom) * np.array([[cos, -sin], [sin, cos]])
        canvas_centre = np.array([(self.canvas.shape[1] - 1) / 2, (self.canvas.shape[0] - 1) / 2])
        view_centre = canvas_centre + self.supersample * np.array([state.offset_x * self.width,
                                                                   state.offset_y * self.height])
        output_centre = np.array([(self.width - 1) / 2, (self.height - 1) / 2])
        return np.hstack([linear, (view_centre - linear @ output_centre)[:, None]]).astype(np.float32)

    def has_depth(self, state: CameraState) -> bool:
        return self.layers is not None and bool(state.parallax_x or state.parallax_y or state.depth_zoom
                                                or state.subject_turn_deg)

    def render_yuv420(self, state: CameraState) -> np.ndarray:
        """A frame without parallax as one (height * 3/2, width) yuv420p array (BT.709, limited range), ready
        for the encoder: warped plane by plane from a canvas converted once, the luma at full size and the
        chroma at half size. That is half the pixels of an RGB warp and no colour conversion per frame."""
        if self._planes is None:
            self._planes = yuv420_planes(self.canvas)
        luma, chroma = self._planes
        matrix = self.affine(state)
        # Output chroma sample (x, y) sits at luma (2x + 0.5, 2y + 0.5); canvas chroma likewise.
        half = matrix.copy()
        half[:, 2] = (matrix[:, :2] @ np.float32([0.5, 0.5]) + matrix[:, 2] - 0.5) / 2
        width, height = self.width, self.height
        frame = np.empty((height * 3 // 2, width), np.uint8)
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        cv2.warpAffine(luma, matrix, (width, height), dst=frame[:height], flags=flags, borderMode=cv2.BORDER_REFLECT)
        uv = cv2.warpAffine(chroma, half, (width // 2, height // 2), flags=flags, borderMode=cv2.BORDER_REFLECT)
        quarter = (height // 2) * (width // 2)
        frame.reshape(-1)[height * width:height * width + quarter] = uv[..., 0].reshape(-1)
        frame.reshape(-1)[height * width + quarter:] = uv[..., 1].reshape(-1)
        return frame

    def render(self, state: CameraState) -> np.ndarray:
        matrix = self.affine(state)
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        size = (self.width, self.height)
        if not self.has_depth(state):
            return cv2.warpAffine(self.canvas, matrix, size, flags=flags, borderMode=cv2.BORDER_REFLECT)
        layers = self.layers
        # Background: per-pixel offsets from the smooth ground-plane depth (no edges, so nothing tears).
        depth = cv2.warpAffine(layers.background_depth, matrix, size, flags=flags, borderMode=cv2.BORDER_REFLECT)
        relative = depth - np.float32(state.depth_ref)
        map_x = matrix[0, 0] * self.grid_x + matrix[0, 1] * self.grid_y + matrix[0, 2]
        map_y = matrix[1, 0] * self.grid_x + matrix[1, 1] * self.grid_y + matrix[1, 2]
        centre = matrix @ np.array([(self.width - 1) / 2, (self.height - 1) / 2, 1.0], np.float32)
        if state.depth_zoom:
            # Near layers grow faster than far ones: pull their samples towards the view centre.
            factor = 1.0 / (1.0 + np.float32(state.depth_zoom) * relative)
            map_x = centre[0] + (map_x - centre[0]) * factor
            map_y = centre[1] + (map_y - centre[1]) * factor
        # A layer's content moves by parallax * relative depth, so its samples come from the opposite way.
        shift = np.float32([self.supersample * state.parallax_x * self.width,
                            self.supersample * state.parallax_y * self.height])
        map_x = (map_x - shift[0] * relative).astype(np.float32)
        map_y = (map_y - shift[1] * relative).astype(np.float32)
        frame = cv2.remap(layers.background, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        if layers.subject_alpha is None:
            return frame
        # Subject: one rigid affine (all of it sits at SUBJECT_DEPTH), composited over the background.
        subject_relative = SUBJECT_DEPTH - state.depth_ref
        scale = 1.0 / (1.0 + state.depth_zoom * subject_relative)
        subject_matrix = matrix.copy()
        subject_matrix[:, :2] *= scale
        subject_matrix[:, 2] = centre + (matrix[:, 2] - centre) * scale - shift * subject_relative
        return self._composite_subject(frame, subject_matrix, state.subject_turn_deg)

    def _composite_subject(self, frame: np.ndarray, subject_matrix: np.ndarray, turn_deg: float = 0.0
                           ) -> np.ndarray:
        """Warp the subject and its matte only over the box the subject covers in this frame (a fraction of
        it), and blend there; the rest of the frame is the background already."""
        x0, y0, x1, y1 = self._subject_box
        corners = np.float32([[x0, y0], [x1, y0], [x0, y1], [x1, y1]])
        to_output = cv2.invertAffineTransform(subject_matrix)
        placed = corners @ to_output[:, :2].T + to_output[:, 2]
        left, top = (max(0, int(np.floor(v)) - 2) for v in placed.min(axis=0))
        right = min(self.width, int(np.ceil(placed[:, 0].max())) + 3)
        bottom = min(self.height, int(np.ceil(placed[:, 1].max())) + 3)
        if right <= left or bottom <= top:
            return frame
        box_matrix = subject_matrix.copy()  # output pixel (x, y) of the box is (x + left, y + top) of the frame
        box_matrix[:, 2] += subject_matrix[:, :2] @ np.float32([left, top])
        size = (right - left, bottom - top)
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        if turn_deg:
            subject = self._turned_subject(box_matrix, size, turn_deg)
        else:
            subject = cv2.warpAffine(self.canvas, box_matrix, size, flags=flags, borderMode=cv2.BORDER_REFLECT)
        alpha = cv2.warpAffine(self.layers.subject_alpha, box_matrix, size, flags=flags,
                               borderMode=cv2.BORDER_CONSTANT)
        region = frame[top:bottom, left:right]
        frame[top:bottom, left:right] = cv2.blendLinear(subject, region, alpha, 1.0 - alpha)
        return frame


    def _turned_subject(self, box_matrix: np.ndarray, size: tuple[int, int], turn_deg: float) -> np.ndarray:
        """The subject's pixels as if it turned ``turn_deg`` about its vertical axis: each row of it is a
        cylinder's front whose surface slides across (most at the middle, none at the outline), so a label moves
        round the product while the outline stays where it is."""
        width, height = size
        xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
        map_x = box_matrix[0, 0] * xs + box_matrix[0, 1] * ys + box_matrix[0, 2]
        map_y = box_matrix[1, 0] * xs + box_matrix[1, 1] * ys + box_matrix[1, 2]
        rows = np.clip(np.rint(map_y).astype(np.int32), 0, len(self._rows) - 1)
        centre, radius = self._rows[rows, 0], self._rows[rows, 1]
        inside = np.abs(map_x - centre) < radius
        across = np.clip((map_x - centre) / np.maximum(radius, 1.0), -1.0, 1.0)
        # A surface point at angle a (sin a = across) shows what was at angle a - turn.
        source = np.sin(np.clip(np.arcsin(across) - np.radians(turn_deg), -np.pi / 2, np.pi / 2))
        map_x = np.where(inside, centre + radius * source, map_x).astype(np.float32)
        return cv2.remap(self.canvas, map_x, map_y.astype(np.float32), cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)


def _row_extents(alpha: np.ndarray) -> np.ndarray:
    """Per canvas row, (centre, half-width) of the subject's matte (alpha > 0.5); (0, 0) where it is absent."""
    solid = alpha > 0.5
    columns = np.arange(alpha.shape[1], dtype=np.float32)[None, :]
    present = solid.any(axis=1)
    left = np.where(solid, columns, np.inf).min(axis=1)
    right = np.where(solid, columns, -np.inf).max(axis=1)
    extents = np.zeros((alpha.shape[0], 2), np.float32)
    extents[present, 0] = (left[present] + right[present]) / 2
    extents[present, 1] = (right[present] - left[present]) / 2
    return extents


def yuv420_planes(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Y at full size, interleaved CbCr at half size), uint8, BT.709 limited range. Odd sizes round up."""
    ycc = cv2.transform(rgb.astype(np.float32), BT709_LIMITED)
    height, width = rgb.shape[:2]
    chroma = cv2.resize(ycc[..., 1:], ((width + 1) // 2, (height + 1) // 2), interpolation=cv2.INTER_AREA)
    return (np.clip(ycc[..., 0] + 0.5, 0, 255).astype(np.uint8), np.clip(chroma + 0.5, 0, 255).astype(np.uint8))

