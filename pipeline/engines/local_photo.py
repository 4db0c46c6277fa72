"""Offline product-photo tools: a strict upload loader and a classical (non-AI) photo enhancer.

load_upload() trusts nothing about a file: it checks the byte size, asks Pillow what the format really is (not the
file name), reads the pixel dimensions from the header before any pixels are decoded, and only then decodes.
LocalPhotoEnhancer.enhance() does what a careful retoucher does first: centre crop, white balance, exposure,
gentle local contrast and sharpening, all measured from the photo and recorded in the result's parameters; a step
that would make the photo worse by any of photo_quality's guards is left out, and the result says why.
"""
from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.engines import photo_quality as quality
from pipeline.engines.interfaces import ASPECT_RATIOS, EngineSpec, PhotoEnhanceOptions, RenderedFrame
from pipeline.errors import EngineInputError

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_MEGAPIXELS = 40.0
MIN_SIDE_PX = 32
LUMA = np.float32([0.2126, 0.7152, 0.0722])
COMFORTABLE_MIDTONES = (0.35, 0.75)  # median brightness range that exposure correction leaves alone
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: a JPEG with extra frames, as many phones save
FORMAT_NAMES = {"GIF": "GIF", "BMP": "BMP image", "TIFF": "TIFF image", "ICO": "icon file", "PSD": "Photoshop file",
                "JPEG2000": "JPEG 2000 image", "PPM": "PPM image", "TGA": "TGA image",
                "DDS": "DDS texture", "EPS": "EPS file", "PDF": "PDF document", "AVIF": "AVIF image"}
# Formats Pillow cannot open at all, recognised by their first bytes so the message can say what the file is.
MAGIC_NAMES = [(b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive or Office document"),
               (b"\x1a\x45\xdf\xa3", "a WebM/Matroska video"), (b"<svg", "an SVG drawing"), (b"<?xml", "an XML file")]
ACCEPTED_HINT = "upload a JPEG, PNG or WebP photo."


def load_upload(source: str | os.PathLike | bytes | bytearray | BinaryIO, *, max_bytes: int = MAX_UPLOAD_BYTES,
                max_megapixels: float = MAX_MEGAPIXELS) -> Image.Image:
    """Open an uploaded photo safely and return it upright, in RGB. Raises EngineInputError with a human message."""
    data = _read_limited(source, max_bytes)
    if not data:
        raise EngineInputError("The file is empty; " + ACCEPTED_HINT)
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past 2x its limit, raises) on huge pixel counts; treat both as "too many pixels".
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only; no pixels decoded yet
            image.size  # noqa: B018 - header must be parsed before the checks below
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EngineInputError(
            f"This image has far too many pixels; the limit is {max_megapixels:.0f} megapixels. Resize it and try "
            "again.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise EngineInputError(f"This file is {_sniff(data)}, not a photo we can read; {ACCEPTED_HINT}") from None

    if image.format not in ACCEPTED_FORMATS:
        name = FORMAT_NAMES.get(image.format or "", f"{image.format} image")
        raise EngineInputError(f"This file is a {name}; {ACCEPTED_HINT}")
    width, height = image.size
    if width * height > max_megapixels * 1_000_000:
        raise EngineInputError(
            f"This photo is {width}×{height} ({width * height / 1e6:.1f} megapixels); the limit is "
            f"{max_megapixels:.0f} megapixels. Resize it and try again.")
    if min(width, height) < MIN_SIDE_PX:
        raise EngineInputError(f"This image is only {width}×{height} pixels; upload a photo at least "
                               f"{MIN_SIDE_PX} pixels on each side.")
    try:
        image.load()
    except Exception:  # noqa: BLE001 - every decoder failure means the same thing to the user
        raise EngineInputError("This image file is damaged or incomplete (it may not have finished uploading). "
                               "Export or download it again and retry.") from None
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a malformed EXIF block should not cost the user their photo
        upright = image
    return _to_rgb(upright)


def _read_limited(source, max_bytes: int) -> bytes:
    """Read the upload, refusing anything over the byte limit before reading it all."""
    if isinstance(source, (bytes, bytearray)):
        size = len(source)
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise EngineInputError(f"The uploaded file '{path.name}' could not be found; please upload it again.")
        size = path.stat().st_size
        data = b"" if size > max_bytes else path.read_bytes()
    else:
        data = source.read(max_bytes + 1)
        size = len(data)
    if size > max_bytes:
        limit = f"{max_bytes / 2**20:g} MB"
        # A stream is only read one byte past the limit, so its true size is unknown.
        shown = f"{size / 2**20:.1f} MB" if size > max_bytes + 1 else f"larger than {limit}"
        raise EngineInputError(f"This file is {shown}; photos must be {limit} or smaller. Export a smaller JPEG "
                               "and try again.")
    return data


def _sniff(data: bytes) -> str:
    head = data[:64].lstrip()
    for magic, name in MAGIC_NAMES:
        if head.startswith(magic):
            return name
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "a HEIC photo (the iPhone format; set the camera to 'Most Compatible' or export as JPEG)"
    if data[4:8] == b"ftyp":
        return "a video or HEIF/AVIF file"
    return "not an image file"


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white (how a product cut-out is usually meant) and return 8-bit RGB."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(image, dtype=np.float64)
        scale = 65535.0 if wide.max() > 255 else 255.0
        image = Image.fromarray((wide / scale * 255.0 + 0.5).clip(0, 255).astype(np.uint8), "L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


# ------------------------------------------------------------------ enhancement
class LocalPhotoEnhancer:
    name = "local-photo"
    label = "Local photo enhancer (offline, classical corrections)"

    def enhance(self, image: Image.Image | np.ndarray, options: PhotoEnhanceOptions) -> RenderedFrame:
        pixels = _as_rgb_array(image)
        parameters: dict[str, object] = {"input_size": [pixels.shape[1], pixels.shape[0]]}
        if options.crop_to_aspect:
            pixels, parameters["crop"] = center_crop(pixels, options.crop_to_aspect)
        work = pixels.astype(np.float32) / 255.0
        # The guards judge every step against the photo as it came: its neutral reference and its coloured areas.
        reference, coloured = quality.estimate_cast(work).mask, quality.coloured_mask(work)
        steps = [("white_balance", options.white_balance, white_balance),
                 ("exposure", options.exposure, correct_exposure),
                 ("contrast", options.contrast, local_contrast),
                 ("sharpen", options.sharpen, sharpen)]
        for name, wanted, step in steps:
            if wanted:
                work, parameters[name] = _guarded(name, step, work, reference, coloured)
        result = (np.clip(work, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
        parameters["output_size"] = [result.shape[1], result.shape[0]]
        parameters["kept_steps"] = [name for name, *_ in steps if (parameters.get(name) or {}).get("applied")]
        return RenderedFrame(image=Image.fromarray(result, "RGB"), seed=0, model=self.name, parameters=parameters)


def _guarded(name: str, step, work: np.ndarray, reference: np.ndarray, coloured: np.ndarray
             ) -> tuple[np.ndarray, dict[str, object]]:
    """Run one step; undo it when it makes the photo worse by any guard (photo_quality.why_worse)."""
    changed, info = step(work)
    if info.get("skipped"):
        return work, {**info, "applied": False}
    reason = quality.why_worse(name, work, np.clip(changed, 0.0, 1.0), reference, coloured)
    if reason:
        return work, {**info, "applied": False, "skipped": f"left out: {reason}"}
    return changed, {**info, "applied": True}


def _as_rgb_array(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, Image.Image):
        return np.asarray(_to_rgb(image))
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise EngineInputError("The photo must be an 8-bit RGB image.")
    return array


def center_crop(pixels: np.ndarray, aspect_ratio: str) -> tuple[np.ndarray, dict[str, object]]:
    """Largest centred crop with exactly the requested ratio (whole multiples of it, so never stretched)."""
    if aspect_ratio not in ASPECT_RATIOS:
        raise EngineInputError(f"Unknown aspect ratio '{aspect_ratio}'. Use one of: {', '.join(ASPECT_RATIOS)}.")
    a, b = ASPECT_RATIOS[aspect_ratio]
    height, width = pixels.shape[:2]
    units = min(width // a, height // b)
    if units < 1:
        raise EngineInputError(f"The photo is too small to crop to {aspect_ratio}.")
    crop_w, crop_h = a * units, b * units
    x0, y0 = (width - crop_w) // 2, (height - crop_h) // 2
    box = [x0, y0, x0 + crop_w, y0 + crop_h]
    return pixels[y0:y0 + crop_h, x0:x0 + crop_w], {"aspect_ratio": aspect_ratio, "box": box}


def white_balance(image: np.ndarray) -> tuple[np.ndarray, dict[str, object]]:
    """Remove a lighting cast only where three independent estimates agree on it (photo_quality.light_verdict).

    Unlike gray-world, a colourful scene — an orange product on a wooden table, a ginger cat — is left as shot
    instead of being pushed towards cyan; an agreed cast is removed at 80 % so it never overshoots.
    """
    verdict = quality.light_verdict(image)
    info: dict[str, object] = {"method": "agreed cast (neutral cluster, grey-edge, white patch)",
                               "estimates_ab": [[round(a, 1), round(b, 1)] for a, b in verdict.estimates]}
    if verdict.reason:
        return image, {**info, "skipped": verdict.reason}
    gains = quality.gains_removing(verdict.a, verdict.b)
    return image * gains.astype(np.float32), {**info, "cast_ab": [round(verdict.a, 2), round(verdict.b, 2)],
                                              "gains_rgb": [round(float(g), 3) for g in gains]}


def correct_exposure(image: np.ndarray) -> tuple[np.ndarray, dict[str, object]]:
    """Auto levels (0.5 / 99.5 percentiles, limited), then a gamma only if the mid-tones are clearly too dark or
    too bright. A bright foggy scene or a dark moody one within the comfortable range is left alone."""
    luma = image @ np.float32([0.2126, 0.7152, 0.0722])
    black, white = np.percentile(luma, [0.5, 99.5])
    black = float(min(black, 0.1))  # never crush more than a sliver of real shadow
    white = float(max(white, 0.6))  # at most ~1.7x gain, so a nearly black frame is not blown into noise
    stretched = np.clip((image - black) / max(white - black, 1e-3), 0.0, 1.0)
    median = float(np.median(stretched @ np.float32([0.2126, 0.7152, 0.0722])))
    gamma = 1.0
    if median < COMFORTABLE_MIDTONES[0] or median > COMFORTABLE_MIDTONES[1]:
        target = 0.42 if median < COMFORTABLE_MIDTONES[0] else 0.6
        gamma = float(np.clip(np.log(target) / np.log(np.clip(median, 0.02, 0.98)), 0.5, 1.6))
    corrected = stretched ** np.float32(gamma)
    return corrected, {"black_point": round(black, 4), "white_point": round(white, 4),
                       "median_before": round(float(np.median(luma)), 4),
                       "median_after": round(float(np.median(corrected @ np.float32([0.2126, 0.7152, 0.0722]))), 4),
                       "gamma": round(gamma, 3)}


def local_contrast(image: np.ndarray, clip_limit: float = 1.6, strength: float = 0.6
                   ) -> tuple[np.ndarray, dict[str, object]]:
    """CLAHE on the L channel of Lab, blended with the original so the effect stays gentle and colours hold."""
    lab = cv2.cvtColor(np.clip(image, 0.0, 1.0), cv2.COLOR_RGB2LAB)
    lightness = lab[..., 0]
    tiles = max(2, min(8, min(image.shape[:2]) // 64))
    clahe = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(tiles, tiles))
    equalised = clahe.apply((lightness * 655.35).astype(np.uint16)).astype(np.float32) / 655.35
    before = float(lightness.std())
    lab[..., 0] = lightness + (equalised - lightness) * strength
    after = float(lab[..., 0].std())
    result = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    return result, {"method": "CLAHE on Lab lightness", "clip_limit": clip_limit, "tiles": tiles,
                    "strength": strength, "lightness_std_before": round(before, 2),
                    "lightness_std_after": round(after, 2)}


def sharpen(image: np.ndarray, amount: float = 0.6, threshold: float = 0.01) -> tuple[np.ndarray, dict[str, object]]:
    """Unsharp mask on luminance only (no colour fringes), held inside each pixel's 3×3 range of the original so it
    never draws halos; the radius grows with resolution and differences below `threshold` (sensor noise) are left
    alone."""
    radius = float(np.clip(max(image.shape[:2]) / 1500.0, 0.8, 2.5))
    luma = image @ LUMA
    detail = luma - cv2.GaussianBlur(luma, (0, 0), radius)
    detail = np.where(np.abs(detail) > threshold, detail, 0.0).astype(np.float32)
    kernel = np.ones((3, 3), np.uint8)
    margin = quality.HALO_MARGIN / 2
    sharpened = np.clip(luma + amount * detail, cv2.erode(luma, kernel) - margin, cv2.dilate(luma, kernel) + margin)
    # Never push a channel past white or black: a saturated label would otherwise clip where it is sharpened.
    headroom = np.maximum(0.0, 0.99 - image.max(axis=2))
    footroom = np.minimum(0.0, 0.01 - image.min(axis=2))
    delta = np.clip(sharpened - luma, footroom, headroom)
    return image + delta[..., None], {"method": "unsharp mask (luminance, range-limited)",
                                      "amount": amount, "radius_px": round(radius, 2), "threshold": threshold}


ENGINES = (EngineSpec("photo", LocalPhotoEnhancer.name, LocalPhotoEnhancer),)
