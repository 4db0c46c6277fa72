"""What the services say about how an attempt differs: the local engine's phrase, or a note for seedless models."""
from __future__ import annotations

from types import SimpleNamespace

from pipeline.services.views import SELF_VARYING, AttemptView, Variation, attempt_variation, engine_takes_seed


def _attempt(parameters):
    return SimpleNamespace(parameters=parameters)


def test_local_attempt_shows_its_motion_plan_variation():
    variation = {"phrase": "faster, ends tighter", "numbers": {"pace": 1.1}}
    shown = attempt_variation(_attempt({"motion_plan": {"move": "push_in", "variation": variation}}))
    assert shown.phrase == variation["phrase"] and shown.numbers == variation["numbers"]


def test_seedless_model_says_attempts_may_be_similar():
    assert attempt_variation(_attempt({"provider": {}}), takes_seed=False) == Variation(phrase=SELF_VARYING, numbers={})
    assert attempt_variation(_attempt({}), takes_seed=True) is None  # a seeded cloud model: the seed says it


def test_catalog_knows_which_video_models_take_a_seed():
    assert engine_takes_seed("local-camera-motion") is True
    assert engine_takes_seed("replicate:kwaivgi/kling-v2.1") is False  # Kling takes no seed
    assert engine_takes_seed("replicate:wan-video/wan-2.2-i2v-fast") is True


def test_attempt_card_shows_the_variation_in_one_line():
    from studio.components.html import attempt_card_html

    attempt = AttemptView(id=1, group_id=1, index=2, status="done", seed=9, overall_score=90.0, scores={},
                          variation=Variation(phrase="faster, ends <tighter>", numbers={}))
    card = attempt_card_html(attempt)
    assert card.count("class='variation'") == 1 and "faster, ends &lt;tighter&gt;" in card
    assert "class='variation'" not in attempt_card_html(attempt.model_copy(update={"variation": None}))
