from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from pipeline.engines.interfaces import ASPECT_RATIOS, PhotoEnhanceOptions
from pipeline.engines.local_photo import LocalPhotoEnhancer, load_upload
from pipeline.errors import EngineInputError

ONLY_CROP = PhotoEnhanceOptions(white_balance=False, exposure=False, contrast=False, sharpen=False)


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def textured(width: int = 320, height: int = 240, seed: int = 0) -> np.ndarray:
    """A neutral-grey photo stand-in: smooth shapes plus fine noise, float 0..1."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[:height, :width] / max(width, height)
    base = 0.45 + 0.2 * np.sin(xs * 9) * np.cos(ys * 7) + 0.05 * rng.standard_normal((height, width))
    return np.repeat(np.clip(base, 0, 1)[..., None], 3, axis=2)


def to_image(values: np.ndarray) -> Image.Image:
    return Image.fromarray((np.clip(values, 0, 1) * 255).astype(np.uint8), "RGB")


def png_with_header_size(width: int, height: int) -> bytes:
    """A valid tiny PNG whose IHDR claims another size: only a header check can catch it before decoding."""
    data = bytearray(encode(Image.new("RGB", (8, 8)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


# ------------------------------------------------------------------ uploads
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats_load_as_rgb(fmt):
    image = load_upload(encode(to_image(textured()), fmt))
    assert image.mode == "RGB" and image.size == (320, 240)


def test_path_and_lying_extension(tmp_path):
    path = tmp_path / "photo.jpg"  # really a PNG: the content decides, not the name
    path.write_bytes(encode(to_image(textured()), "PNG"))
    assert load_upload(path).size == (320, 240)
    assert load_upload(str(path)).size == (320, 240)


def test_exif_rotation_is_honoured():
    picture = Image.new("RGB", (60, 40), (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, 30, 40))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    loaded = np.asarray(load_upload(encode(picture, "JPEG", exif=exif.tobytes(), quality=95)))
    assert loaded.shape[:2] == (60, 40)  # portrait now
    assert loaded[5, 20, 0] > 200 and loaded[5, 20, 2] < 60  # the red left half is now on top
    assert loaded[55, 20, 2] > 200


def test_transparency_is_flattened_on_white():
    picture = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    picture.paste((200, 10, 10, 255), (16, 16, 48, 48))
    loaded = np.asarray(load_upload(encode(picture, "PNG")))
    assert tuple(loaded[2, 2]) == (255, 255, 255)
    assert tuple(loaded[32, 32]) == (200, 10, 10)


def test_gif_is_rejected_by_name(tmp_path):
    path = tmp_path / "cat.png"  # a GIF pretending to be a PNG
    path.write_bytes(encode(Image.new("RGB", (64, 64)), "GIF"))
    with pytest.raises(EngineInputError, match="This file is a GIF; upload a JPEG, PNG or WebP photo"):
        load_upload(path)


def test_bmp_and_tiff_are_rejected():
    for fmt, name in [("BMP", "BMP"), ("TIFF", "TIFF")]:
        with pytest.raises(EngineInputError, match=name):
            load_upload(encode(Image.new("RGB", (64, 64)), fmt))


@pytest.mark.parametrize("payload, words", [
    (np.random.default_rng(1).bytes(5000), "not an image"),
    (b"%PDF-1.7\n" + b"0" * 500, "PDF document"),
    (b"\x00\x00\x00\x18ftypheic" + b"0" * 500, "HEIC"),
    (b"", "empty"),
])
def test_non_images_get_a_clear_message(payload, words):
    with pytest.raises(EngineInputError, match=words):
        load_upload(payload)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file_is_rejected(fmt):
    data = encode(to_image(textured(seed=3)), fmt)
    with pytest.raises(EngineInputError, match="damaged or incomplete"):
        load_upload(data[: len(data) // 2])


def test_file_over_25_mb_is_rejected_before_decoding(tmp_path):
    path = tmp_path / "huge.png"
    valid = encode(to_image(textured()), "PNG")
    path.write_bytes(valid + b"\0" * (26 * 1024 * 1024 - len(valid)))  # a valid PNG padded with junk
    with pytest.raises(EngineInputError, match=r"26\.0 MB; photos must be 25 MB or smaller"):
        load_upload(path)


def test_byte_limit_applies_to_streams():
    with pytest.raises(EngineInputError, match="larger than .* MB; photos must be .* MB or smaller"):
        load_upload(io.BytesIO(encode(to_image(textured()), "PNG")), max_bytes=1000)


def test_configured_megapixel_limit_is_used():
    with pytest.raises(EngineInputError, match="the limit is 2 megapixels"):
        load_upload(png_with_header_size(2000, 1500), max_megapixels=2)


def test_too_many_megapixels_is_caught_from_the_header():
    with pytest.raises(EngineInputError, match=r"8000×6000 \(48\.0 megapixels\); the limit is 40 megapixels"):
        load_upload(png_with_header_size(8000, 6000))


def test_decompression_bomb_is_caught():
    with pytest.raises(EngineInputError, match="megapixels"):
        load_upload(png_with_header_size(30000, 30000))


def test_tiny_images_are_rejected():
    with pytest.raises(EngineInputError, match="at least 32 pixels"):
        load_upload(encode(Image.new("RGB", (20, 200)), "PNG"))


# ------------------------------------------------------------------ enhancement
@pytest.fixture
def enhancer() -> LocalPhotoEnhancer:
    return LocalPhotoEnhancer()


def channel_spread(image) -> float:
    means = np.asarray(image, dtype=np.float32).reshape(-1, 3).mean(axis=0)
    return float(means.max() - means.min())


def test_a_strong_cast_is_mostly_removed(enhancer):
    cast = textured() * np.array([1.25, 1.0, 0.72])
    before = to_image(cast)
    result = enhancer.enhance(before, PhotoEnhanceOptions(exposure=False, contrast=False, sharpen=False))
    assert channel_spread(before) > 40
    assert channel_spread(result.image) < 0.3 * channel_spread(before)  # 80 % of an agreed cast is removed
    red_gain, _, blue_gain = result.parameters["white_balance"]["gains_rgb"]
    assert red_gain < 1.0 < blue_gain


def test_exposure_lifts_a_dark_photo(enhancer):
    dark = to_image(textured() * 0.35)
    result = enhancer.enhance(dark, PhotoEnhanceOptions(white_balance=False, contrast=False, sharpen=False))
    assert np.median(np.asarray(result.image)) > np.median(np.asarray(dark)) + 40
    assert result.parameters["exposure"]["gamma"] < 1.0


def test_contrast_and_sharpening_add_detail(enhancer):
    flat = to_image(0.5 + (textured() - 0.45) * 0.3)
    result = enhancer.enhance(flat, PhotoEnhanceOptions(white_balance=False, exposure=False))
    contrast = result.parameters["contrast"]
    assert contrast["lightness_std_after"] > contrast["lightness_std_before"]
    laplacian = lambda image: float(np.abs(np.diff(np.asarray(image, np.float32), 2, axis=1)).mean())
    assert laplacian(result.image) > laplacian(flat) * 1.2
    assert result.parameters["sharpen"]["amount"] > 0


@pytest.mark.parametrize("aspect_ratio", list(ASPECT_RATIOS))
def test_crop_gives_the_exact_ratio_without_stretching(enhancer, aspect_ratio):
    source = np.asarray(to_image(textured(1000, 700, seed=4)))
    result = enhancer.enhance(Image.fromarray(source), PhotoEnhanceOptions(
        white_balance=False, exposure=False, contrast=False, sharpen=False, crop_to_aspect=aspect_ratio))
    width, height = result.image.size
    a, b = ASPECT_RATIOS[aspect_ratio]
    assert width * b == height * a and width <= 1000 and height <= 700
    x0, y0, x1, y1 = result.parameters["crop"]["box"]
    assert np.array_equal(np.asarray(result.image), source[y0:y1, x0:x1])  # a pure crop, pixel for pixel
    assert abs((x0 + x1) / 2 - 500) <= 1 and abs((y0 + y1) / 2 - 350) <= 1


def test_unknown_crop_ratio_is_rejected(enhancer):
    with pytest.raises(EngineInputError, match="aspect ratio"):
        enhancer.enhance(to_image(textured()), PhotoEnhanceOptions(crop_to_aspect="2:1"))


def test_enhancement_is_deterministic_and_recorded(enhancer):
    photo = to_image(textured(seed=7) * np.array([1.1, 1.0, 0.9]))
    first = enhancer.enhance(photo, PhotoEnhanceOptions(crop_to_aspect="1:1"))
    second = LocalPhotoEnhancer().enhance(photo, PhotoEnhanceOptions(crop_to_aspect="1:1"))
    assert first.image.tobytes() == second.image.tobytes()
    assert first.parameters == second.parameters
    assert {"crop", "white_balance", "exposure", "contrast", "sharpen"} <= set(first.parameters)
    assert first.model == "local-photo" and first.image.size == (240, 240)


def test_numpy_input_is_accepted(enhancer):
    array = np.asarray(to_image(textured()))
    assert enhancer.enhance(array, ONLY_CROP).image.size == (320, 240)
