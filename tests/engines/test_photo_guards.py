"""The photo enhancer never makes a product photo worse: a reference set of real photographs (shipped inside
installed wheels) and product set-ups that fooled gray-world (a warm product on wood turned cyan).

The checks here are measured against the *clean* photo where one exists, independently of the guards the
enhancer uses on itself.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from pipeline.engines.interfaces import PhotoEnhanceOptions
from pipeline.engines.local_photo import LocalPhotoEnhancer

REAL_PHOTOS = ["coffee.png", "astronaut.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png"]
ALL_STEPS = PhotoEnhanceOptions()


def _real_photos() -> dict[str, np.ndarray]:
    spec = importlib.util.find_spec("skimage")
    root = Path(next(iter(spec.submodule_search_locations))) / "data" if spec else Path("/nonexistent")
    photos = {}
    for name in REAL_PHOTOS:
        if (root / name).is_file():
            image = Image.open(root / name).convert("RGB")
            image.thumbnail((480, 480))  # keeps the test fast; the guards are resolution independent
            photos[Path(name).stem] = np.asarray(image)
    return photos


PHOTOS = _real_photos()


def test_the_reference_set_is_present():
    # scikit-image is a dependency of pyiqa (requirements.txt): without its photos this suite would test nothing.
    assert len(PHOTOS) >= 4, sorted(PHOTOS)


def _lab(pixels: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(pixels.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def _enhance(pixels: np.ndarray, options: PhotoEnhanceOptions = ALL_STEPS):
    result = LocalPhotoEnhancer().enhance(Image.fromarray(pixels), options)
    return np.asarray(result.image), result.parameters


def _neutral_ab(clean: np.ndarray, image: np.ndarray) -> float:
    """Chroma of the mean a*/b* of the pixels that are near-grey in the clean photo, measured in ``image``."""
    clean_lab, lab = _lab(clean), _lab(image)
    grey = (np.hypot(clean_lab[..., 1], clean_lab[..., 2]) < 8) & (clean_lab[..., 0] > 15) & (clean_lab[..., 0] < 92)
    return float(np.hypot(lab[..., 1][grey].mean(), lab[..., 2][grey].mean())) if grey.sum() > 200 else 0.0


def _mean_colour_error(clean: np.ndarray, image: np.ndarray) -> float:
    """Mean a*b* distance from the clean photo (how far the colours are from how they should look)."""
    first, second = _lab(clean), _lab(image)
    return float(np.hypot(first[..., 1] - second[..., 1], first[..., 2] - second[..., 2]).mean())


@pytest.mark.parametrize("name", sorted(PHOTOS))
def test_a_balanced_photograph_gains_no_cast_and_keeps_its_colours(name):
    clean = PHOTOS[name]
    enhanced, parameters = _enhance(clean)
    assert _neutral_ab(clean, enhanced) <= _neutral_ab(clean, clean) + 1.5, parameters["white_balance"]
    assert _mean_colour_error(clean, enhanced) < 4.0, parameters
    clipped = lambda p: float(((p >= 254) | (p <= 1)).any(axis=2).mean())  # noqa: E731
    assert clipped(enhanced) <= clipped(clean) + 0.015


@pytest.mark.parametrize("gains", [(1.22, 1.0, 0.78), (0.82, 0.97, 1.2), (1.0, 1.12, 0.92)],
                         ids=["warm-tungsten", "cool-shade", "green-fluorescent"])
@pytest.mark.parametrize("name", sorted(PHOTOS))
def test_a_lighting_cast_is_reduced_never_increased(name, gains):
    clean = PHOTOS[name]
    cast = np.clip(clean.astype(np.float32) * np.float32(gains), 0, 255).astype(np.uint8)
    enhanced, parameters = _enhance(cast, PhotoEnhanceOptions(exposure=False, contrast=False, sharpen=False))
    assert _mean_colour_error(clean, enhanced) <= _mean_colour_error(clean, cast) + 0.5, parameters


def _wood_table_product(width: int = 480, height: int = 320, seed: int = 3) -> np.ndarray:
    """An orange product on a wooden table against a warm beige wall: nothing in it is grey."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[:height, :width].astype(np.float32)
    image = np.empty((height, width, 3), np.float32)
    image[:] = (0.80, 0.70, 0.55)  # warm wall
    table = ys > height * 0.55
    grain = 0.06 * np.sin(xs / 7.0 + 3 * np.sin(ys / 23.0))[..., None]
    image[table] = ((0.55, 0.37, 0.2) + grain)[table]
    product = ((xs - width / 2) / (width * 0.12)) ** 2 + ((ys - height * 0.5) / (height * 0.3)) ** 2 < 1
    shade = (0.75 + 0.25 * np.cos((xs - width / 2) / (width * 0.12)))[..., None]
    image[product] = ((np.float32([0.92, 0.45, 0.1]) * shade))[product]
    image += rng.normal(0, 0.01, image.shape).astype(np.float32)
    return (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)


def test_a_warm_product_on_wood_is_not_pushed_to_cyan():
    clean = _wood_table_product()
    enhanced, parameters = _enhance(clean)
    assert parameters["white_balance"]["applied"] is False
    assert "colours left as shot" in parameters["white_balance"]["skipped"]
    before, after = _lab(clean), _lab(enhanced)
    assert after[..., 2].mean() >= before[..., 2].mean() - 2.0  # b*: no drift from warm towards blue
    assert _mean_colour_error(clean, enhanced) < 4.0


def test_gray_world_would_have_pushed_it_to_cyan():
    """The same photo through plain gray-world (the old enhancer): the failure this suite exists to catch."""
    clean = _wood_table_product().astype(np.float32) / 255.0
    means = clean.reshape(-1, 3).mean(axis=0)
    gray_world = np.clip(clean * (means.mean() / means), 0, 1)
    assert _lab((gray_world * 255).astype(np.uint8))[..., 2].mean() < _lab(_wood_table_product())[..., 2].mean() - 10


def test_a_white_product_on_a_white_sweep_under_warm_light_is_corrected():
    clean = np.full((300, 400, 3), 235, np.uint8)
    clean[90:230, 150:250] = 200  # the white product, a little shaded
    clean = np.clip(clean.astype(np.int16) + np.random.default_rng(1).integers(-4, 5, clean.shape), 0, 255)
    clean = clean.astype(np.uint8)
    warm = np.clip(clean * np.float32([1.0, 0.93, 0.8]), 0, 255).astype(np.uint8)
    enhanced, parameters = _enhance(warm, PhotoEnhanceOptions(exposure=False, contrast=False, sharpen=False))
    assert parameters["white_balance"]["applied"] is True
    assert _neutral_ab(clean, enhanced) < 0.4 * _neutral_ab(clean, warm)


def test_sharpening_stays_inside_the_local_range():
    photo = PHOTOS.get("coffee", next(iter(PHOTOS.values())))
    enhanced, parameters = _enhance(photo, PhotoEnhanceOptions(white_balance=False, exposure=False, contrast=False))
    assert parameters["sharpen"]["applied"] is True
    luma_before = photo.astype(np.float32) @ np.float32([0.2126, 0.7152, 0.0722]) / 255
    luma_after = enhanced.astype(np.float32) @ np.float32([0.2126, 0.7152, 0.0722]) / 255
    kernel = np.ones((3, 3), np.uint8)
    high, low = cv2.dilate(luma_before, kernel) + 0.03, cv2.erode(luma_before, kernel) - 0.03
    beyond = (luma_after > high) | (luma_after < low)
    assert beyond.mean() < 0.002
    detail = lambda luma: float(np.abs(cv2.Laplacian(luma, cv2.CV_32F)).mean())  # noqa: E731
    assert detail(luma_after) > detail(luma_before)


def test_every_step_says_whether_it_was_kept():
    _, parameters = _enhance(_wood_table_product())
    for step in ("white_balance", "exposure", "contrast", "sharpen"):
        assert isinstance(parameters[step]["applied"], bool)
        assert parameters[step]["applied"] or parameters[step]["skipped"]
    assert parameters["kept_steps"] == [s for s in ("white_balance", "exposure", "contrast", "sharpen")
                                        if parameters[s]["applied"]]
