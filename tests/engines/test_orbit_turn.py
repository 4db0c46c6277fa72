"""An orbit on a product photo circles the product instead of sliding the picture: the product holds its place
(the pivot), the background sweeps behind it, and the product's surface turns — its label slides across it
towards the side the camera travels from — while its outline stays."""
from __future__ import annotations

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from pipeline.engines.interfaces import VideoRequest
from pipeline.engines.local_motion import LocalCameraMotionEngine

WIDTH, HEIGHT = 960, 540


def _bottle_photo(path):
    """A red bottle with a white label in front of a textured backdrop (no repeating pattern, nothing white)."""
    ys, xs = np.mgrid[:HEIGHT, :WIDTH]
    noise = np.random.default_rng(7).normal(0, 1, (HEIGHT // 8, WIDTH // 8)).astype(np.float32)
    texture = cv2.resize(cv2.GaussianBlur(noise, (0, 0), 1.2), (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    backdrop = np.clip(130 + 28 * texture - 0.05 * ys, 60, 190)
    image = np.repeat(backdrop[..., None], 3, axis=2).astype(np.uint8)
    bottle = ((xs - WIDTH * 0.5) / (WIDTH * 0.09)) ** 2 + ((ys - HEIGHT * 0.55) / (HEIGHT * 0.32)) ** 2 < 1
    image[bottle] = (200, 40, 30)
    label = bottle & (abs(ys - HEIGHT * 0.55) < HEIGHT * 0.08) & (abs(xs - WIDTH * 0.5) < WIDTH * 0.03)
    image[label] = (245, 240, 230)
    Image.fromarray(image).save(path)


def _centre_x(mask: np.ndarray) -> float:
    return float(np.nonzero(mask)[1].mean())


def _measure(frames):
    """(product outline centre, label centre, background shift of the top band) of the last frame against the
    first, as fractions of the frame width; the outline's half-width in pixels."""
    first, last = frames[0].astype(np.int16), frames[-1].astype(np.int16)
    red = lambda f: (f[..., 0] > 150) & (f[..., 1] < 90) & (f[..., 2] < 90)  # noqa: E731
    white = lambda f, outline: (f.min(axis=2) > 215) & (cv2.dilate(outline.astype(np.uint8), None, iterations=25) > 0)  # noqa: E731,E501
    outline_0, outline_1 = red(first), red(last)
    outline_0 |= white(first, outline_0)
    outline_1 |= white(last, outline_1)
    label_0, label_1 = white(first, red(first)) & outline_0, white(last, red(last)) & outline_1
    width = first.shape[1]
    band = slice(0, first.shape[0] // 6)
    grey = lambda f: cv2.cvtColor(f[band].astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)  # noqa: E731
    (shift, _), _ = cv2.phaseCorrelate(grey(first), grey(last))
    half_width = (np.nonzero(outline_0)[1].max() - np.nonzero(outline_0)[1].min()) / 2
    return ((_centre_x(outline_1) - _centre_x(outline_0)) / width,
            (_centre_x(label_1) - _centre_x(outline_1)) - (_centre_x(label_0) - _centre_x(outline_0)),
            shift / width, half_width)


@pytest.mark.parametrize("direction, sign", [("left", 1), ("right", -1)])
def test_an_orbit_turns_the_product_and_sweeps_the_background(tmp_path, direction, sign):
    photo = tmp_path / "bottle.png"
    _bottle_photo(photo)
    out = tmp_path / "orbit.mp4"
    LocalCameraMotionEngine().animate(VideoRequest(image_path=photo, motion_prompt=f"orbit {direction} around the "
                                                   "bottle", seed=3, duration=3.0), out)
    with av.open(str(out)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    outline_moved, label_slid, background_moved, half_width = _measure(frames)
    assert abs(outline_moved) < 0.01  # the pivot holds
    assert sign * label_slid > 0.08 * half_width  # the surface turns towards the far side of the travel
    assert -sign * background_moved > 0.025  # and the background sweeps the other way
