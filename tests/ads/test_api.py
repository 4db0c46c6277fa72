"""The ad composer's API endpoints, through gradio_client against the app launched in-process."""
from __future__ import annotations

import json

import pytest

from tests.conftest import launched_api_client


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with launched_api_client(tmp_path_factory.mktemp("ads-api")) as api:
        yield api


def test_plan_edit_estimate_and_read_back(client):
    plan = client.predict("Create a luxury watch ad", 15, "9:16", "", "auto", api_name="/plan_ad")
    assert plan["status"] == "draft" and plan["plan"]["framework"] == "AIDA" and len(plan["plan"]["scenes"]) == 4
    edited = client.predict(plan["id"], "update_scene", json.dumps({"number": 2, "duration": 6,
                                                                     "text_overlay": "Swiss made"}),
                            api_name="/update_storyboard")
    scenes = edited["plan"]["scenes"]
    assert scenes[1]["duration"] == 6 and scenes[1]["text_overlay"] == "Swiss made"
    assert sum(s["duration"] for s in scenes) == pytest.approx(15)
    switched = client.predict(plan["id"], "switch_framework", '{"framework": "BAB"}', api_name="/update_storyboard")
    assert [s["type"] for s in switched["plan"]["scenes"]] == ["before", "after", "bridge"]
    estimate = client.predict(plan["id"], 2, api_name="/estimate_ad_cost")
    assert estimate["usd"] == 0.0 and estimate["attempts"] == 6
    view, files = client.predict(plan["id"], api_name="/ad_plan")
    assert view["id"] == plan["id"] and view["plan"]["framework"] == "BAB" and files == []
    assert [p["id"] for p in client.predict("ad", api_name="/ad_plans")] == [plan["id"]]


def test_bad_requests_come_back_as_messages(client):
    with pytest.raises(Exception) as info:
        client.predict("ad", 15, "9:16", "", "auto", api_name="/plan_ad")
    assert "at least 10 characters" in str(info.value)
    with pytest.raises(Exception) as info:
        client.predict(99999, 2, api_name="/generate_ad")
    assert "does not exist" in str(info.value)
