"""The chat-model planner against a loopback OpenAI-compatible server, through the real openai SDK."""
from __future__ import annotations

import pytest

from pipeline.ads.llm_planner import plan_ad
from pipeline.ads.plan import AdPlanError
from tests.conftest import make_settings
from tests.providers.conftest import OPENAI_KEY, openai_server, png_bytes  # noqa: F401 - fixtures

ANSWER = {
    "product": "A Swiss automatic watch with a sapphire case back.",
    "brand": {"name": "Helvar", "colours": ["#101820", "#c9a227", "not-a-colour"], "style_keywords":
              ["macro", "chiaroscuro"], "mood": "quiet confidence"},
    "framework": "AIDA",
    "rationale": "A pure product showcase:\nattention first.",
    "call_to_action": "Book a private viewing",
    "music_mood": "luxury",
    "grade": "luxury",
    "scenes": [
        {"type": "attention", "visual_prompt": "a watch emerging from darkness", "motion_prompt": "slow push in",
         "text_overlay": "Time, mastered", "duration": 4, "transition": "fade_black"},
        {"type": "interest", "visual_prompt": "macro of the escapement", "motion_prompt": "slow pan right",
         "text_overlay": "312 hand-finished parts", "duration": 4, "transition": "crossfade"},
        {"type": "hook", "visual_prompt": "the watch on a wrist at a night gala", "motion_prompt": "orbit",
         "text_overlay": "Made for the moment", "duration": 4, "transition": "crossfade"},
        {"type": "action", "visual_prompt": "the watch on black velvet", "motion_prompt": "pull out",
         "text_overlay": "", "duration": 4, "transition": "cut"},
    ],
}


@pytest.fixture
def llm_settings(tmp_path, openai_server):  # noqa: F811
    def build(**overrides):
        values = {"openai_api_key": OPENAI_KEY, "openai_base_url": openai_server.url, "openai_max_retries": 0,
                  "openai_timeout": 5.0, "prompt_engine": "openai:llm", "llm_model": "planner-model"}
        values.update(overrides)
        return make_settings(tmp_path / "studio-data", **values)

    return build


def test_the_plan_comes_from_the_model_as_structured_output(llm_settings, openai_server):  # noqa: F811
    openai_server.answers = [ANSWER]
    plan = plan_ad(llm_settings(), "Create a luxury watch ad", 15, "9:16")
    (request,) = openai_server.server.requests("POST", "/chat/completions")
    body = request.json
    assert body["model"] == "planner-model"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "LLMAdPlan"
    assert "Create a luxury watch ad" in body["messages"][1]["content"] and "15 s" in body["messages"][1]["content"]
    assert plan.planner == "openai:llm (planner-model)" and plan.brand.name == "Helvar"
    assert plan.brand.colours == ["#101820", "#C9A227"]  # the invalid colour is dropped
    assert plan.framework == "AIDA" and plan.rationale == "A pure product showcase: attention first."
    assert [s.type for s in plan.scenes] == ["attention", "interest", "desire", "action"]  # 'hook' mapped
    assert sum(s.duration for s in plan.scenes) == pytest.approx(15)  # 4×4 s rescaled to 15 s
    assert any("read as 'desire'" in n for n in plan.notes) and any("rescaled" in n for n in plan.notes)
    assert plan.call_to_action == "Book a private viewing" and plan.setting == ""


def test_the_users_length_ratio_and_framework_win(llm_settings, openai_server):  # noqa: F811
    openai_server.answers = [ANSWER]
    plan = plan_ad(llm_settings(), "Create a luxury watch ad", 30, "1:1", framework="PAS")
    assert plan.duration == 30 and plan.aspect_ratio == "1:1" and plan.framework == "PAS"
    assert [s.type for s in plan.scenes] == ["problem", "agitate", "solve", "resolution"]
    assert sum(s.duration for s in plan.scenes) == pytest.approx(30)


@pytest.mark.parametrize("fault", [500, "malformed", 401])
def test_failures_fall_back_to_the_rules_with_a_note(llm_settings, openai_server, fault):  # noqa: F811
    openai_server.answers, openai_server.faults = [ANSWER], [fault]
    plan = plan_ad(llm_settings(), "Create a luxury watch ad")
    assert plan.planner == "local-rules" and plan.framework == "AIDA" and len(plan.scenes) == 4
    assert plan.notes and "planned by the local rules instead" in plan.notes[0]
    assert OPENAI_KEY not in " ".join(plan.notes)


def test_an_unusable_answer_falls_back_too(llm_settings, openai_server):  # noqa: F811
    openai_server.answers = [{**ANSWER, "scenes": ANSWER["scenes"][:1]}]
    plan = plan_ad(llm_settings(), "Create a luxury watch ad")
    assert plan.planner == "local-rules" and "1 scene" in plan.notes[0]


def test_rules_never_call_the_model_and_llm_needs_a_key(llm_settings, openai_server, tmp_path):  # noqa: F811
    plan_ad(llm_settings(), "Create a luxury watch ad", planner="rules")
    plan_ad(llm_settings(prompt_engine="local-prompt-rules"), "Create a luxury watch ad")  # auto: the setting
    assert openai_server.server.requests("POST", "/chat/completions") == []
    with pytest.raises(AdPlanError, match="needs OpenAI"):
        plan_ad(make_settings(tmp_path / "other"), "Create a luxury watch ad", planner="llm")
    with pytest.raises(AdPlanError, match="at least 10"):
        plan_ad(llm_settings(), "ad")
