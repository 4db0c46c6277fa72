"""Seeded synthetic clips shared by the scoring tests (built once per session)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from . import synth

W, H, FPS, N = 320, 180, 24, 60  # 2.5 s


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("scoring_clips")
    canvas = synth.make_canvas(int(W * 1.5), int(H * 1.25), seed=3)
    other = synth.make_canvas(int(W * 1.5), int(H * 1.25), seed=11)

    def render(**kw):
        return synth.render_frames(canvas, W, H, N, **kw)

    first = next(render())
    c = SimpleNamespace(root=root)
    c.hero = synth.write_image(root / "hero.png", first)
    c.wrong_hero = synth.write_image(root / "wrong_hero.png", next(synth.render_frames(other, W, H, 1)))
    c.clean = synth.write_video(root / "clean.mp4", render(), FPS)
    c.flicker = synth.write_video(root / "flicker.mp4", render(flicker=0.05), FPS)
    c.jitter = synth.write_video(root / "jitter.mp4", render(jitter_px=1.5), FPS)
    c.frozen = synth.write_video(root / "frozen.mp4", (first for _ in range(N)), FPS)
    moving = list(render())
    c.stalled = synth.write_video(root / "stalled.mp4", (moving[min(i, N // 3)] for i in range(N)), FPS)
    c.black = synth.write_video(root / "black.mp4", (np.zeros((H, W, 3), np.uint8) for _ in range(N)), FPS)
    c.short = synth.write_video(root / "short.mp4", synth.render_frames(canvas, W, H, 12), FPS)
    full = synth.write_video(root / "faststart.mp4", render(), FPS, faststart=True)
    data = full.read_bytes()
    c.truncated = root / "truncated.mp4"
    c.truncated.write_bytes(data[: len(data) * 2 // 5])
    c.lowfps = synth.write_video(root / "lowfps.mp4", synth.render_frames(canvas, W, H, 20), 8)
    c.garbage = root / "garbage.mp4"
    c.garbage.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)))
    c.empty = root / "empty.mp4"
    c.empty.write_bytes(b"")
    c.not_image = root / "not_image.png"
    c.not_image.write_text("this is not an image")
    return c


@pytest.fixture(scope="session")
def score_cached(clips):
    """``score_cached(name, hero="hero", prompt=..., **kw)`` — weight-free scores, memoised."""
    from scoring import score_video

    cache: dict = {}

    def get(name: str, hero: str | None = "hero", prompt: str = "slow pan to the right", **kw):
        key = (name, hero, prompt, tuple(sorted(kw.items())))
        if key not in cache:
            hero_path = getattr(clips, hero) if hero else None
            kw.setdefault("enable_pyiqa", False)
            cache[key] = score_video(getattr(clips, name), hero_path, prompt, **kw)
        return cache[key]

    return get
