from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from pipeline.engines.interfaces import ASPECT_RATIOS, FrameRequest
from pipeline.engines.local_previz import LocalPrevizRenderer, frame_size
from pipeline.errors import EngineInputError

PRODUCT = "a perfume bottle on a plinth"


@pytest.fixture(scope="module")
def renderer() -> LocalPrevizRenderer:
    return LocalPrevizRenderer()


def render(renderer, prompt, seed=0, aspect_ratio="16:9", long_side=1024):
    return renderer.render(FrameRequest(prompt, aspect_ratio, seed=seed, long_side=long_side))


def pixels(frame) -> np.ndarray:
    return np.asarray(frame.image, dtype=np.float32)


def luminance(frame) -> np.ndarray:
    return pixels(frame) @ np.float32([0.2126, 0.7152, 0.0722])


def detail_centroid_x(frame) -> float:
    """Horizontal centre of sharp detail (edges), as a fraction of the width: where the subject sits."""
    grey = cv2.cvtColor(np.asarray(frame.image), cv2.COLOR_RGB2GRAY).astype(np.float32)
    energy = np.abs(cv2.Laplacian(cv2.GaussianBlur(grey, (0, 0), 2.0), cv2.CV_32F)).sum(axis=0)
    energy = np.maximum(energy - np.median(energy), 0.0)  # drop the even floor of grain
    return float((energy * np.arange(energy.size)).sum() / energy.sum() / energy.size)


@pytest.mark.parametrize("aspect_ratio", list(ASPECT_RATIOS))
def test_every_aspect_ratio_is_exact_and_large_enough(renderer, aspect_ratio):
    frame = render(renderer, PRODUCT, aspect_ratio=aspect_ratio)
    width, height = frame.image.size
    a, b = ASPECT_RATIOS[aspect_ratio]
    assert width * b == height * a
    assert max(width, height) >= 1024
    assert frame.image.mode == "RGB"
    assert (frame.parameters["width"], frame.parameters["height"]) == (width, height)


def test_frame_size_honours_long_side():
    assert frame_size("16:9", 1280) == (1280, 720)
    assert frame_size("9:16", 1280) == (720, 1280)
    assert frame_size("4:5", 1280) == (1024, 1280)
    assert frame_size("1:1", 500) == (1024, 1024)  # never below 1024
    width, height = frame_size("4:5", 1024)
    assert width * 5 == height * 4 and height >= 1024 and width % 2 == 0


def test_unknown_ratio_and_empty_prompt_are_rejected(renderer):
    with pytest.raises(EngineInputError, match="aspect ratio"):
        render(renderer, PRODUCT, aspect_ratio="21:9")
    with pytest.raises(EngineInputError, match="empty"):
        render(renderer, "   ")


def test_same_seed_gives_identical_bytes(renderer):
    first = render(renderer, "neon city street, rule of thirds", seed=42)
    second = LocalPrevizRenderer().render(FrameRequest("neon city street, rule of thirds", seed=42, long_side=1024))
    assert first.image.tobytes() == second.image.tobytes()
    assert first.parameters == second.parameters


def test_different_seeds_give_visibly_different_candidates(renderer):
    frames = [render(renderer, "a lone hiker in the mountains", seed=seed) for seed in (1, 2, 3)]
    for a, b in [(0, 1), (1, 2), (0, 2)]:
        assert np.abs(pixels(frames[a]) - pixels(frames[b])).mean() > 8.0


def warmth(frame) -> float:
    rgb = pixels(frame)
    return float((rgb[..., 0] - rgb[..., 2]).mean())


@pytest.mark.parametrize("seed", [0, 1])
def test_golden_hour_is_warmer_than_blue_hour_and_neon(renderer, seed):
    golden = warmth(render(renderer, "a mountain lake at golden hour", seed))
    blue = warmth(render(renderer, "a mountain lake at blue hour", seed))
    neon = warmth(render(renderer, "a mountain lake, neon", seed))
    assert golden > blue + 30
    assert golden > neon + 30


def test_palette_words_are_recorded(renderer):
    assert render(renderer, "neon alley").parameters["palette"] == "neon_night"
    assert render(renderer, "a bottle, overcast").parameters["palette"] == "overcast"
    assert render(renderer, "a bottle in pastel tones").parameters["palette"] == "pastel"
    blue = render(renderer, "a city at blue hour").parameters
    assert (blue["palette"], blue["time_of_day"]) == ("blue_hour", "blue hour")


def test_monochrome_has_no_colour(renderer):
    rgb = pixels(render(renderer, "a burger on a plate, black and white"))
    assert np.abs(rgb[..., 0] - rgb[..., 1]).mean() < 6 and np.abs(rgb[..., 1] - rgb[..., 2]).mean() < 6


def test_colour_word_tints_the_subject(renderer):
    red = render(renderer, "a red perfume bottle on a plinth", seed=5)
    emerald = render(renderer, "an emerald perfume bottle on a plinth", seed=5)
    assert red.parameters["accent_colour"] == "red" and emerald.parameters["accent_colour"] == "emerald"
    assert red.parameters["subject_box"] == emerald.parameters["subject_box"]  # same seed, same layout
    x0, y0, x1, y1 = red.parameters["subject_box"]
    height, width = pixels(red).shape[:2]
    box = (slice(int(y0 * height), int(y1 * height)), slice(int(x0 * width), int(x1 * width)))
    red_box, emerald_box = pixels(red)[box], pixels(emerald)[box]
    # Only the subject changed colour, so inside its box red minus green swings hard between the two.
    assert (red_box[..., 0] - red_box[..., 1]).mean() > (emerald_box[..., 0] - emerald_box[..., 1]).mean() + 15


@pytest.mark.parametrize("seed", [0, 1])
def test_light_direction_shapes_brightness(renderer, seed):
    def left_minus_right(frame):
        lum = luminance(frame)
        return float(lum[:, : lum.shape[1] // 2].mean() - lum[:, lum.shape[1] // 2:].mean())

    def top_over_bottom(frame):
        lum = luminance(frame)
        return float(lum[: lum.shape[0] // 2].mean() / lum[lum.shape[0] // 2:].mean())

    left = render(renderer, f"{PRODUCT}, side light left, centered", seed)
    right = render(renderer, f"{PRODUCT}, side light right, centered", seed)
    top = render(renderer, f"{PRODUCT}, top light, centered", seed)
    assert [f.parameters["light_direction"] for f in (left, right, top)] == ["left", "right", "top"]
    assert left_minus_right(left) > 20
    assert left_minus_right(right) < -20
    assert abs(left_minus_right(top)) < 10
    assert top_over_bottom(top) > top_over_bottom(left) + 0.05
    assert top.parameters["placement"] == "centre"  # light words never move the subject


@pytest.mark.parametrize("subject", [PRODUCT, "portrait of a man"])
@pytest.mark.parametrize("seed", [0, 1])
def test_placement_moves_the_subject(renderer, subject, seed):
    left = render(renderer, f"{subject}, rule of thirds, subject on the left", seed)
    right = render(renderer, f"{subject}, rule of thirds, subject on the right", seed)
    assert left.parameters["placement"] == "left third" and right.parameters["placement"] == "right third"
    assert detail_centroid_x(left) < 0.45
    assert detail_centroid_x(right) > 0.55
    x0, _, x1, _ = left.parameters["subject_box"]
    assert (x0 + x1) / 2 < 0.45


@pytest.mark.parametrize("prompt, subject, setting", [
    ("a luxury watch", "product (watch)", "studio"),
    ("a perfume bottle on wet rocks", "product (bottle)", "studio"),
    ("white sneakers", "product (sneaker)", "studio"),
    ("downtown skyline", "skyline", "city"),
    ("snowy mountains", "mountains", "landscape"),
    ("portrait of a dancer", "figure", "outdoor"),
    ("a vintage car in the desert", "car", "landscape"),
    ("a bowl of pasta", "food", "studio"),
])
def test_subject_keywords_pick_the_subject(renderer, prompt, subject, setting):
    parameters = render(renderer, prompt).parameters
    assert (parameters["subject"], parameters["setting"]) == (subject, setting)
    for key in ("palette", "light_direction", "placement", "time_of_day"):
        assert parameters[key]


def test_frames_keep_texture_for_optical_flow(renderer):
    grey = cv2.cvtColor(np.asarray(render(renderer, "a mountain lake at golden hour").image), cv2.COLOR_RGB2GRAY)
    smooth = cv2.GaussianBlur(grey, (0, 0), 1.0).astype(np.float32)
    # Local detail everywhere: even the emptiest tile of the frame has some texture.
    tiles = [smooth[y:y + 64, x:x + 64].std() for y in range(0, 512, 64) for x in range(0, 1024, 64)]
    assert min(tiles) > 0.8


def test_watermark_sits_in_the_corner(renderer):
    marked = render(renderer, PRODUCT, seed=9)
    plain = LocalPrevizRenderer(watermark=False).render(FrameRequest(PRODUCT, seed=9, long_side=1024))
    difference = np.abs(pixels(marked) - pixels(plain)).sum(axis=2)
    height, width = difference.shape
    assert difference[int(height * 0.9):, int(width * 0.75):].sum() == difference.sum() > 0


def test_progress_is_reported(renderer):
    steps = []
    renderer.render(FrameRequest(PRODUCT, long_side=1024), progress=lambda pct, step: steps.append(pct))
    assert steps[0] < steps[-1] == 100 and len(steps) >= 4


def test_one_720p_frame_renders_quickly(renderer):
    start = time.perf_counter()
    renderer.render(FrameRequest("neon city street at night, rule of thirds", long_side=1280))
    assert time.perf_counter() - start < 3.0  # about 0.2 s on an idle core; generous for shared CI machines
