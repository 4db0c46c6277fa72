from __future__ import annotations

import pytest

from pipeline.engines.local_prompt import LocalPromptEnhancer, classify_shot
from pipeline.errors import EngineInputError

ALL_CATEGORIES = {"camera", "lens", "lighting", "composition", "film", "mood", "aspect"}
TIME_WORDS = ("golden hour", "blue hour", "sunset", "sunrise", "dawn", "dusk", "night", "noon", "morning")


@pytest.fixture
def enhancer() -> LocalPromptEnhancer:
    return LocalPromptEnhancer()


def categories(result) -> set[str]:
    return {addition.category for addition in result.additions}


def test_plain_prompt_gets_every_category(enhancer):
    result = enhancer.enhance("a perfume bottle on wet black rocks")
    assert categories(result) == ALL_CATEGORIES
    assert result.original == "a perfume bottle on wet black rocks"
    assert result.enhanced.startswith("a perfume bottle on wet black rocks, ")
    assert result.engine == "local-prompt-rules"
    for addition in result.additions:
        assert addition.text in result.enhanced


def test_same_prompt_same_output(enhancer):
    first = enhancer.enhance("a red sports car on a coastal road", "9:16")
    second = LocalPromptEnhancer().enhance("a red sports car on a coastal road", "9:16")
    assert first == second


def test_named_time_and_lens_are_not_duplicated(enhancer):
    result = enhancer.enhance("golden hour portrait of a woman, 50mm lens")
    assert "lens" not in categories(result)
    assert result.enhanced.count("mm") == 1  # the prompt's own 50mm and nothing else
    added = " ".join(addition.text.lower() for addition in result.additions)
    assert not any(word in added for word in TIME_WORDS)
    assert "lighting" in categories(result)  # light that suits golden hour is still added


@pytest.mark.parametrize("prompt, covered", [
    ("moody shot of a watch", "mood"),
    ("a cabin in a forest, rule of thirds", "composition"),
    ("street portrait shot on RED Komodo", "camera"),
    ("a bowl of ramen, Kodak Portra look", "film"),
    ("a sneaker lit by a single softbox", "lighting"),
    ("a vertical shot of a waterfall", "aspect"),
])
def test_categories_the_prompt_covers_are_left_alone(enhancer, prompt, covered):
    assert covered not in categories(enhancer.enhance(prompt))


@pytest.mark.parametrize("prompt, expected_class, lens_hint", [
    ("a diamond ring on velvet", "jewellery", "macro"),
    ("a gold watch on marble", "jewellery", "macro"),
    ("a perfume bottle", "product", "85mm"),
    ("mountain lake at dawn", "landscape", "wide"),
    ("portrait of an old fisherman", "portrait", "85mm"),
])
def test_shot_class_drives_the_lens(enhancer, prompt, expected_class, lens_hint):
    assert classify_shot(prompt) == expected_class
    result = enhancer.enhance(prompt)
    lens = next(addition.text for addition in result.additions if addition.category == "lens")
    if expected_class == "product":
        assert "85mm" in lens or "macro" in lens
    else:
        assert lens_hint in lens


def test_landscape_without_time_gets_one(enhancer):
    lighting = next(a.text for a in enhancer.enhance("desert canyon").additions if a.category == "lighting")
    assert "golden-hour" in lighting


def test_night_prompt_gets_night_film_and_mood(enhancer):
    result = enhancer.enhance("neon city street at night")
    texts = {addition.category: addition.text for addition in result.additions}
    assert "CineStill" in texts["film"]
    assert "golden" not in result.enhanced


def test_aspect_hint_follows_ratio(enhancer):
    assert "vertical 9:16" in enhancer.enhance("a sneaker", "9:16").enhanced
    assert "4:5" in enhancer.enhance("a sneaker", "4:5").enhanced
    assert "16:9" in enhancer.enhance("a sneaker", "16:9").enhanced


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t"])
def test_empty_prompt_is_rejected(enhancer, prompt):
    with pytest.raises(EngineInputError, match="empty"):
        enhancer.enhance(prompt)


def test_overlong_prompt_is_rejected(enhancer):
    with pytest.raises(EngineInputError, match="1000"):
        enhancer.enhance("a bottle " * 200)


def test_unknown_aspect_ratio_is_rejected(enhancer):
    with pytest.raises(EngineInputError, match="aspect ratio"):
        enhancer.enhance("a bottle", "3:2")


def test_whitespace_is_tidied(enhancer):
    assert enhancer.enhance("  a   bottle  on   rocks. ").enhanced.startswith("a bottle on rocks, ")
