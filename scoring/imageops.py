"""Small numeric helpers shared by the metrics (OpenCV + NumPy).

Conventions: images are ``uint8`` H×W×3 RGB or H×W gray; optical flow is
``float32`` H×W×2 as returned by OpenCV DIS, i.e. ``I0(x) ≈ I1(x + flow(x))``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def to_gray(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


@lru_cache(maxsize=8)
def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    gx.setflags(write=False)
    gy.setflags(write=False)
    return gx, gy


def flow_magnitude(flow: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.magnitude(flow[..., 0], flow[..., 1])


def top_fraction_mean(values: np.ndarray, fraction: float = 0.05) -> float:
    """Mean of the largest ``fraction`` of ``values`` (VBench dynamic degree:
    mean of the top 5 % flow magnitudes)."""
    flat = values.ravel()
    k = max(1, int(flat.size * fraction))
    if k >= flat.size:
        return float(flat.mean())
    return float(np.partition(flat, flat.size - k)[flat.size - k :].mean())


def warp(image: np.ndarray, flow: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Backward-warp ``image`` by ``scale * flow``: ``out(x) = image(x + scale·flow(x))``.

    Returns the warped image and a boolean mask of pixels whose source lies
    inside the frame."""
    import cv2

    h, w = flow.shape[:2]
    gx, gy = _grid(h, w)
    mx = gx + scale * flow[..., 0] if scale != 1.0 else gx + flow[..., 0]
    my = gy + scale * flow[..., 1] if scale != 1.0 else gy + flow[..., 1]
    out = cv2.remap(image, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    valid = (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
    return out, valid


def masked_mean_abs_diff(a: np.ndarray, b: np.ndarray, valid: np.ndarray | None = None) -> float:
    """Mean absolute difference (0–255 scale) over ``valid`` pixels, all channels."""
    import cv2

    if valid is None:
        return float(np.mean(cv2.mean(cv2.absdiff(a, b))[: (a.shape[2] if a.ndim == 3 else 1)]))
    count = int(np.count_nonzero(valid))
    if count == 0:
        return float("nan")
    diff = cv2.absdiff(a, b)
    m = cv2.mean(diff, mask=valid.view(np.uint8))
    return float(np.mean(m[: (a.shape[2] if a.ndim == 3 else 1)]))


def interpolate(a: np.ndarray, b: np.ndarray, flow_ab: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Synthesise the frame at time ``alpha`` ∈ (0, 1) between ``a`` and ``b``
    from the flow a→b, assuming linear motion and approximating the flow on
    the intermediate grid by ``flow_ab`` itself:

    ``M(y) = (1−α)·a(y − α·F(y)) + α·b(y + (1−α)·F(y))``.

    Returns the uint8 prediction and the mask where both sources are inside."""
    import cv2

    wa, va = warp(a, flow_ab, -alpha)
    wb, vb = warp(b, flow_ab, 1.0 - alpha)
    pred = cv2.addWeighted(wa, 1.0 - alpha, wb, alpha, 0.0)
    return pred, va & vb


def ssim(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None, *, valid: bool = False,
         relu: bool = False) -> float:
    """Gaussian-window SSIM (Wang et al. 2004: 11×11, σ = 1.5, K1 = 0.01,
    K2 = 0.03, L = 255) of two gray images; mean over ``mask`` if given.

    ``valid=True`` averages only where the window fits inside the image (like
    MATLAB's ``filter2(..., 'valid')``) and ``relu=True`` clamps the
    contrast-structure term at 0 (as pyiqa does): with both, on the images of
    ``cv2.COLOR_RGB2GRAY`` (= the Y of YIQ, rounded), this reproduces pyiqa's
    published SSIM values (tests/scoring/test_golden.py)."""
    import cv2

    x = a.astype(np.float32 if not valid else np.float64)
    y = b.astype(x.dtype)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(z):
        return cv2.GaussianBlur(z, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    mx, my = blur(x), blur(y)
    sxx = blur(x * x) - mx * mx
    syy = blur(y * y) - my * my
    sxy = blur(x * y) - mx * my
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    if relu:
        cs = np.maximum(cs, 0)
    s = (2 * mx * my + c1) / (mx * mx + my * my + c1) * cs
    if valid:
        s = s[5:-5, 5:-5]
        mask = None if mask is None else mask[5:-5, 5:-5]
    if mask is not None:
        if not mask.any():
            return float("nan")
        return float(s[mask].mean())
    return float(s.mean())


def estimate_motion(flow: np.ndarray, step: int = 8, threshold: float = 1.0) -> tuple[np.ndarray, float]:
    """Global camera motion of a flow field: a similarity transform (rotation,
    uniform scale, translation; 2×3, float64) mapping points of frame a to
    frame b, fitted with RANSAC to the flow sampled every ``step`` px, and the
    fraction of inliers. Independent local motion (a subject moving) is
    rejected as outliers. Identity when the fit fails."""
    import cv2

    h, w = flow.shape[:2]
    ys, xs = np.mgrid[step // 2 : h : step, step // 2 : w : step]
    src = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)
    dst = src + flow[ys, xs].reshape(-1, 2)
    m, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=threshold, maxIters=200, refineIters=5
    )
    if m is None or not np.all(np.isfinite(m)):
        return IDENTITY.copy(), 0.0
    return m.astype(np.float64), float(np.count_nonzero(inliers)) / max(1, len(src))


IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def compose(second: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The 2×3 transform ``second ∘ first`` (apply ``first``, then ``second``)."""
    a = np.vstack([second, [0.0, 0.0, 1.0]])
    b = np.vstack([first, [0.0, 0.0, 1.0]])
    return (a @ b)[:2]


def scale_transform(m: np.ndarray, factor: float) -> np.ndarray:
    """``m`` expressed in pixel coordinates scaled by ``factor``."""
    out = m.copy()
    out[:, 2] *= factor
    return out


def apply_transform(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 2×3 transform to N×2 points."""
    return points @ m[:, :2].T + m[:, 2]


def layout_correlation(a_gray: np.ndarray, b_gray: np.ndarray, short_side: int = 36) -> float:
    """Pearson correlation of small luminance thumbnails (short side
    ``short_side`` px, area-averaged): agreement of the coarse layout — big
    shapes and light/dark regions — insensitive to fine texture, small shifts
    and compression. About 1 for the same picture, near 0 (±0.3) for unrelated
    ones; 0 when either thumbnail is uniform."""
    import cv2

    def thumb(g):
        h, w = g.shape[:2]
        s = min(1.0, short_side / max(1, min(h, w)))
        size = (max(2, round(w * s)), max(2, round(h * s)))
        return cv2.resize(g, size, interpolation=cv2.INTER_AREA).astype(np.float64)

    ta, tb = thumb(a_gray), thumb(b_gray)
    if ta.shape != tb.shape:
        tb = cv2.resize(tb, (ta.shape[1], ta.shape[0]), interpolation=cv2.INTER_AREA)
    ta -= ta.mean()
    tb -= tb.mean()
    denom = float(np.sqrt((ta * ta).sum() * (tb * tb).sum()))
    if denom < 1e-6 * ta.size:
        return 0.0
    return float(np.clip((ta * tb).sum() / denom, -1.0, 1.0))


def colour_histogram(rgb: np.ndarray, bins: int = 8) -> np.ndarray:
    """Normalised joint RGB histogram (``bins``³ cells, sums to 1)."""
    import cv2

    h = cv2.calcHist([rgb], [0, 1, 2], None, [bins] * 3, [0, 256] * 3).ravel()
    total = float(h.sum())
    return h / total if total > 0 else h


def histogram_similarity(p: np.ndarray, q: np.ndarray) -> float:
    """Bhattacharyya coefficient Σ√(p·q) of two normalised histograms, 0–1."""
    return float(np.clip(np.sum(np.sqrt(p * q)), 0.0, 1.0))


def fit_image(image: np.ndarray, width: int, height: int, mode: str) -> np.ndarray:
    """Resize an RGB image to ``width``×``height``.

    ``mode``: ``"crop"`` (centre-crop to the aspect ratio, then resize),
    ``"stretch"`` (resize, ignoring aspect) or ``"pad"`` (fit inside, black bars).
    """
    import cv2

    ih, iw = image.shape[:2]
    if mode == "stretch" or (iw * height == ih * width):
        src = image
        interp = cv2.INTER_AREA if iw >= width else cv2.INTER_LINEAR
        return cv2.resize(src, (width, height), interpolation=interp)
    if mode == "crop":
        target = width / height
        if iw / ih > target:
            cw = max(1, round(ih * target))
            x0 = (iw - cw) // 2
            src = image[:, x0 : x0 + cw]
        else:
            chh = max(1, round(iw / target))
            y0 = (ih - chh) // 2
            src = image[y0 : y0 + chh]
        interp = cv2.INTER_AREA if src.shape[1] >= width else cv2.INTER_LINEAR
        return cv2.resize(src, (width, height), interpolation=interp)
    if mode == "pad":
        scale = min(width / iw, height / ih)
        nw, nh = max(1, round(iw * scale)), max(1, round(ih * scale))
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        small = cv2.resize(image, (nw, nh), interpolation=interp)
        out = np.zeros((height, width, 3), np.uint8)
        y0, x0 = (height - nh) // 2, (width - nw) // 2
        out[y0 : y0 + nh, x0 : x0 + nw] = small
        return out
    raise ValueError(f"unknown fit mode {mode!r}")


def translation_aligned_ssim(ref_gray: np.ndarray, img_gray: np.ndarray,
                             max_shift_frac: float = 0.05) -> tuple[float, float, float]:
    """SSIM of ``img_gray`` against ``ref_gray`` after compensating a global
    translation found by phase correlation (only shifts up to
    ``max_shift_frac`` of the size are accepted). Returns
    ``(ssim_unaligned, ssim_aligned, shift_px)``; the aligned SSIM is taken
    over the overlapping area."""
    import cv2

    h, w = ref_gray.shape
    plain = ssim(ref_gray, img_gray)
    win = cv2.createHanningWindow((w, h), cv2.CV_32F)
    (dx, dy), _response = cv2.phaseCorrelate(ref_gray.astype(np.float32), img_gray.astype(np.float32), win)
    shift = float(np.hypot(dx, dy))
    if shift < 0.25 or abs(dx) > max_shift_frac * w or abs(dy) > max_shift_frac * h:
        return plain, plain, shift
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    # out(x) = img(x + d): brings img content back onto the reference grid.
    moved = cv2.warpAffine(img_gray, m, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_REPLICATE)
    mask = np.zeros((h, w), bool)
    x0, x1 = int(np.ceil(max(0.0, -dx))), int(np.floor(min(w, w - dx)))
    y0, y1 = int(np.ceil(max(0.0, -dy))), int(np.floor(min(h, h - dy)))
    mask[y0:y1, x0:x1] = True
    aligned = ssim(ref_gray, moved, mask)
    if not np.isfinite(aligned):
        aligned = plain
    return plain, aligned, shift


def blockiness(gray: np.ndarray, period: float = 8.0) -> float:
    """Strength of a block grid of ``period`` px (JPEG / H.264 8×8 blocks, 16-px
    macroblocks as its harmonic): the mean absolute difference between
    neighbouring columns (rows) is averaged down the image into a profile, and
    the profile's Fourier amplitude at ``1/period`` is taken relative to its
    mean. Block edges add a spike every ``period`` px; natural images and
    smooth compression give ≈ 0.01–0.03, visible blocking ≥ 0.08. Mean of the
    two axes; 0 when the period is under 2.5 px (the grid cannot be seen)."""
    if period < 2.5:
        return 0.0
    g = gray.astype(np.float32, copy=False)
    amps = []
    for axis in (1, 0):
        d = np.abs(np.diff(g, axis=axis)).mean(axis=1 - axis)
        mean = float(d.mean())
        if len(d) < 4 * period or mean <= 1e-6:
            continue
        x = np.arange(len(d), dtype=np.float64) + 0.5  # a difference sits between two pixels
        amp = abs(complex(((d - mean) * np.exp(-2j * np.pi * x / period)).sum())) * 2.0 / len(d)
        amps.append(amp / mean)
    return float(np.mean(amps)) if amps else 0.0
