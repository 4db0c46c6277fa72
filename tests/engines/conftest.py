"""Fixtures for the engine tests: hero images rendered once per session by the previz engine."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pipeline.engines.interfaces import FrameRequest
from pipeline.engines.local_previz import LocalPrevizRenderer


def _render_hero(folder: Path, prompt: str, aspect_ratio: str, size: tuple[int, int]) -> Path:
    frame = LocalPrevizRenderer().render(FrameRequest(prompt, aspect_ratio, seed=3, long_side=1024))
    path = folder / f"hero_{aspect_ratio.replace(':', 'x')}.png"
    frame.image.resize(size, Image.LANCZOS).save(path)
    return path


@pytest.fixture(scope="session")
def hero_path(tmp_path_factory) -> Path:
    """A 640x360 product previz: textured sky, ground and a bottle on a plinth, good for optical flow."""
    folder = tmp_path_factory.mktemp("hero")
    return _render_hero(folder, "a perfume bottle on a plinth, golden hour, side light left", "16:9", (640, 360))


@pytest.fixture(scope="session")
def vertical_hero_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hero_vertical")
    return _render_hero(folder, "a red sneaker on a plinth, neon", "9:16", (360, 640))
