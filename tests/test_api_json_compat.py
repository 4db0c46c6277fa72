"""The JSON of the documented endpoints keeps its shape: the same keys at every level, each value the same JSON type.

A seeded project is driven through the app's named endpoints with gradio_client (frames, a finished scored group, a
pick, a rerun iteration, jobs, a timeline with saved and exported versions, library, ads) and every answer's shape —
keys and JSON types, not the values, which hold ids, times and paths — is compared to tests/data/api_json_shapes.json,
recorded from the code before the services returned typed models. A removed or renamed key or a changed type fails;
a new key fails unless it is listed in INTENTIONAL_ADDITIONS.

To re-record after an intended change: HFS_RECORD_API_SHAPES=1 pytest tests/test_api_json_compat.py
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import launched_api_client

SHAPES = Path(__file__).resolve().parent / "data" / "api_json_shapes.json"
#: Free-form stored JSON (engine parameters, metric maps, job results, edit lists, ...): their keys depend on the
#: engine and the data, not on the API's shape, so only "an object" is recorded.
OPAQUE = frozenset({"parameters", "scores", "result", "edit_list", "numbers", "settings", "score_details",
                    "metrics", "plan", "weights", "capabilities", "prices", "details", "diff", "facts"})
#: Keys an endpoint gained on purpose: {"case": {"path.to.key", ...}} (e.g. "generation_group": {"0.new_field"}).
INTENTIONAL_ADDITIONS: dict[str, set[str]] = {}
UNKNOWN = "unknown"  # the items of a list that was empty when recorded
NULLABLE = "(or null)"  # the marker of an object that is null in some items of a list


# ---------------------------------------------------------------------------------------------------- shapes
def shape(value: Any, key: str = "") -> Any:
    """The JSON shape of a value: objects as {key: shape}, lists as [merged item shape], scalars as a type name."""
    if isinstance(value, dict):
        if key in OPAQUE:
            return "object"
        return {k: shape(v, k) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        shapes = [shape(item, key) for item in value]
        items = UNKNOWN
        for item in shapes:
            items = merge(items, item)
        return [items]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def answer_shape(answer: Any, positional: bool) -> Any:
    """The shape of an endpoint's answer; a tuple answer ((view, files): one Gradio output) by position."""
    if positional:
        return {f"#{i}": shape(item) for i, item in enumerate(answer)}
    return shape(answer)


def tuple_endpoints() -> set[str]:
    """The endpoints declared to return a tuple (their one output is a JSON array of differently shaped parts)."""
    import inspect

    from studio.api import RESOURCES

    return {name for resource in RESOURCES for name, _spec in resource.declared()
            if str(inspect.signature(getattr(resource, name)).return_annotation).startswith("tuple")}


def merge(a: Any, b: Any) -> Any:
    """One shape for two list items: objects merge their keys, differing scalar types become "a|b"."""
    if a == UNKNOWN:
        return b
    if b == UNKNOWN:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge(a.get(k, UNKNOWN), b.get(k, UNKNOWN)) for k in sorted(set(a) | set(b))}
    if isinstance(a, list) and isinstance(b, list):
        return [merge(a[0], b[0])]
    if "null" in (a, b) and (isinstance(a, dict) or isinstance(b, dict)):
        return {**(a if isinstance(a, dict) else b), NULLABLE: "null"}  # an object here, null there
    if a == b:
        return a
    names = set(str(a).split("|")) | set(str(b).split("|"))
    return "|".join(sorted(names))


def differences(recorded: Any, live: Any, path: str, allowed: set[str]) -> list[str]:
    """What changed from the recorded shape to the live one (additions listed in ``allowed`` excepted)."""
    if recorded == UNKNOWN or live == UNKNOWN or "null" in (recorded, live):
        return []  # a value that was null (or is now) says nothing about its type
    if isinstance(recorded, dict) and isinstance(live, dict):
        found = [f"removed {path}{k}" for k in recorded if k not in live and k != NULLABLE]
        found += [f"added {path}{k}" for k in live
                  if k not in recorded and k != NULLABLE and f"{path}{k}" not in allowed]
        for k in recorded.keys() & live.keys():
            found += differences(recorded[k], live[k], f"{path}{k}.", allowed)
        return found
    if isinstance(recorded, list) and isinstance(live, list):
        return differences(recorded[0], live[0], f"{path}[].", allowed)
    if _types(recorded) != _types(live):
        return [f"changed {path.rstrip('.') or '(answer)'}: {recorded} -> {live}"]
    return []


def _types(scalar: Any) -> set[str]:
    """The JSON types a scalar shape names, null aside: a nullable field may be null in one run and not in another
    (e.g. the job of a carried-over attempt)."""
    return set(str(scalar).split("|")) - {"null"}


# ---------------------------------------------------------------------------------------------------- the app
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with launched_api_client(tmp_path_factory.mktemp("api-json")) as api:
        yield api


class Recorder:
    """Calls endpoints and keeps each answer under a case name (the endpoint's, or a variant's)."""

    def __init__(self, client) -> None:
        self.client, self.answers, self.endpoints = client, {}, {}

    def __call__(self, name: str, *args: Any, case: str = "") -> Any:
        answer = self.client.predict(*args, api_name=f"/{name}")
        self.answers[case or name], self.endpoints[case or name] = answer, name
        return answer


def drive_frames_and_group(call: Recorder) -> dict[str, Any]:
    from gradio_client import handle_file

    project = call("create_project", "Golden", "16:9")
    pid = project["id"]
    call("rename_project", pid, "Golden launch")
    call("list_projects")
    call("enhance_prompt", "a red sneaker on a pedestal", "16:9")
    started = call("generate_hero_frames", pid, "a red sneaker on a pedestal, neon", 4, "", 42)
    call("job", started["job_id"])
    call("jobs", pid)
    frames, images = call("hero_frames", pid)
    call("favourite_hero_frame", frames[0]["id"], True)
    call("select_hero_frame", pid, frames[-1]["id"])
    call("upload_hero_frame", pid, handle_file(images[0]), False)
    call("select_hero_frame", pid, frames[-1]["id"], case="select_hero_frame_again")
    call("engines")
    call("estimate_cost", "", 2, 2.0, pid, "slow push in")
    call("models")
    group = call("image_to_video", pid, "slow push in", "", 2, 2.0, -1, 5, "")
    call("job", group["job_ids"][0], case="job_attempt")
    call("group_decision", group["id"], case="group_decision_before")
    return {"pid": pid, "gid": group["id"], "frame_id": frames[0]["id"], "job_id": started["job_id"]}


def drive_picks_and_history(call: Recorder, ids: dict[str, Any]) -> None:
    pid, gid = ids["pid"], ids["gid"]
    view, _videos = call("generation_group", gid)
    attempts = [a["id"] for a in view["attempts"]]
    ids["attempts"] = attempts
    call("generation_groups", pid)
    call("suggest_improvements", gid)
    call("select_attempt", attempts[1], "sharper", ["sharp"])
    call("group_decision", gid)
    call("accept_system_pick", gid, "fine", [])
    call("iterations", pid)
    call("compare_attempts", attempts)
    call("final_version", pid, case="final_version_before")
    call("set_final_version", pid, attempts[0])
    call("final_version", pid)
    rerun = call("rerun_attempts", gid, [attempts[1]])
    regenerated = call("regenerate_group", rerun["id"], "slow push in, then hold", "", 1)
    ids["spare_attempt"] = regenerated["attempts"][-1]["id"]
    call("compare_versions", pid, 1, 2)
    call("cancel_job", ids["job_id"])


def drive_timeline(call: Recorder, ids: dict[str, Any]) -> None:
    pid = ids["pid"]
    call("rebuild_timeline", pid)
    call("timeline", pid)
    call("timeline_edit", pid, "set_fades", json.dumps({"fade_in": 1.0}))
    call("timeline_undo", pid)
    call("timeline_redo", pid)
    saved = call("timeline_save", pid, "Cut A")
    call("timeline_versions", pid, False)
    call("timeline_open", pid, 1)
    call("timeline_compare", pid, 1, 0)
    call("timeline_gap", pid)
    call("music_tracks")
    call("timeline_preview", pid, 0)
    export = call("export_timeline", pid, "crop", saved["version"], "", 0, "draft")
    call("job", export["job_id"], case="job_export")
    call("timeline_versions", pid, True, case="timeline_versions_saved")


def drive_library_ads_team(call: Recorder, ids: dict[str, Any]) -> None:
    call("search", "", "all", "any", 1)
    call("clone_settings", "group", ids["gid"])
    call("clone_settings", "frame", ids["frame_id"], case="clone_settings_frame")
    call("download_item", "attempt", ids["attempts"][0])
    call("delete_item", "attempt", ids["spare_attempt"], True)
    call("media_audit")
    call("dashboard", 0, "", "", "")
    plan = call("plan_ad", "Create a luxury watch ad", 15, "9:16", "", "auto")
    call("update_storyboard", plan["id"], "update_scene", json.dumps({"number": 2, "duration": 6}))
    call("estimate_ad_cost", plan["id"], 2)
    call("ad_plan", plan["id"])
    call("ad_plans", "ad")
    call("whoami")
    call("my_usage")


@pytest.fixture(scope="module")
def live_shapes(client) -> dict[str, Any]:
    call = Recorder(client)
    ids = drive_frames_and_group(call)
    drive_picks_and_history(call, ids)
    drive_timeline(call, ids)
    drive_library_ads_team(call, ids)
    positional = tuple_endpoints()
    return {case: answer_shape(answer, call.endpoints[case] in positional) for case, answer in call.answers.items()}


def test_the_documented_answers_keep_their_json_shape(live_shapes):
    live = live_shapes
    if os.environ.get("HFS_RECORD_API_SHAPES") == "1":
        SHAPES.parent.mkdir(parents=True, exist_ok=True)
        SHAPES.write_text(json.dumps(live, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    recorded = json.loads(SHAPES.read_text(encoding="utf-8"))
    assert set(recorded) <= set(live), f"cases no longer answered: {sorted(set(recorded) - set(live))}"
    found = []
    for case, recorded_shape in recorded.items():
        found += [f"/{case}: {d}" for d in differences(recorded_shape, live[case], "",
                                                          INTENTIONAL_ADDITIONS.get(case, set()))]
    assert not found, "\n".join(found)


def test_the_comparison_catches_a_removed_renamed_or_retyped_key():
    recorded = shape({"id": 1, "attempts": [{"status": "done", "video": "a.mp4"}], "pick_confidence": None})
    assert differences(recorded, recorded, "", set()) == []
    removed = shape({"id": 1, "attempts": [{"status": "done"}], "pick_confidence": None})
    assert differences(recorded, removed, "", set()) == ["removed attempts.[].video"]
    renamed = shape({"id": 1, "attempts": [{"state": "done", "video": "a.mp4"}], "pick_confidence": None})
    assert sorted(differences(recorded, renamed, "", set())) == ["added attempts.[].state",
                                                                 "removed attempts.[].status"]
    retyped = shape({"id": "1", "attempts": [{"status": "done", "video": "a.mp4"}], "pick_confidence": None})
    assert differences(recorded, retyped, "", set()) == ["changed id: number -> string"]
    sometimes_null = shape({"id": 1, "attempts": [{"status": "done", "video": None}, {"status": "done", "video": "b"}],
                            "pick_confidence": {"band": "clear"}})
    assert differences(recorded, sometimes_null, "", set()) == []
    added = shape({"id": 1, "attempts": [{"status": "done", "video": "a.mp4"}], "pick_confidence": None, "x": 1})
    assert differences(recorded, added, "", {"x"}) == []
