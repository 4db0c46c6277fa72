"""Two users, endpoint by endpoint: bob can neither list, read, download, change nor delete alice's private work —
through gradio_client and through the raw HTTP API the UI exposes (POST /gradio_api/call/<name>) — and sharing
gives exactly viewer or editor rights. Media files are not reachable by path. Every named endpoint must have a case
here (a new endpoint without one fails ``test_every_endpoint_is_covered``).
"""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from tests.team.conftest import AliceWork, TeamApp, make_alice_work

MISSING = "does not exist"


@pytest.fixture(scope="module")
def alice_work(team_app: TeamApp) -> AliceWork:
    return make_alice_work(team_app)


def _upload(team: TeamApp, username: str, path: str) -> dict:
    """A file argument as gradio_client sends it."""
    from gradio_client import handle_file

    return handle_file(path)


# Calls bob makes with alice's ids. Each must fail with the same message as for an id that does not exist.
# endpoint -> list of (label, args builder)
Args = Callable[[AliceWork], list[Any]]
FORBIDDEN: dict[str, list[Args]] = {
    "/rename_project": [lambda w: [w.project_id, "pwned"]],
    "/generate_hero_frames": [lambda w: [w.project_id, "a hijacked frame", 4, "", 1, "", ""]],
    "/hero_frames": [lambda w: [w.project_id]],
    "/enhance_photo": [lambda w: [w.frame_ids[0], ""]],
    "/favourite_hero_frame": [lambda w: [w.frame_ids[1], True]],
    "/hero_frame_fit": [lambda w: [w.frame_ids[1], "extend"]],
    "/select_hero_frame": [lambda w: [w.project_id, w.frame_ids[1]]],
    "/image_to_video": [lambda w: [w.project_id, "slow push in", "", 2, 2.0, w.frame_ids[0], 1, ""]],
    "/regenerate_group": [lambda w: [w.group_id, "pan left", "", 0]],
    "/job": [lambda w: [w.export_job_id], lambda w: [w.frames_job_id]],
    "/cancel_job": [lambda w: [w.export_job_id]],
    "/jobs": [lambda w: [w.project_id]],
    "/generation_group": [lambda w: [w.group_id]],
    "/generation_groups": [lambda w: [w.project_id]],
    "/select_attempt": [lambda w: [w.attempt_ids[-1], "mine now", []]],
    "/timeline": [lambda w: [w.project_id]],
    "/timeline_edit": [lambda w: [w.project_id, "set_fades", json.dumps({"fade_in": 1.0})]],
    "/rebuild_timeline": [lambda w: [w.project_id]],
    "/export_timeline": [lambda w: [w.project_id, "crop", 0, "", 0]],
    "/timeline_undo": [lambda w: [w.project_id]],
    "/timeline_redo": [lambda w: [w.project_id]],
    "/timeline_save": [lambda w: [w.project_id, "stolen", 0]],
    "/timeline_versions": [lambda w: [w.project_id, False]],
    "/timeline_open": [lambda w: [w.project_id, 1]],
    "/timeline_compare": [lambda w: [w.project_id, 1, 0]],
    "/timeline_preview": [lambda w: [w.project_id, 0]],
    "/timeline_gap": [lambda w: [w.project_id]],
    "/fill_gap": [lambda w: [w.project_id, 0, 1.0, "slow push in", "previous", 1, -1]],
    "/ad_plan": [lambda w: [w.plan_id]],
    "/update_storyboard": [lambda w: [w.plan_id, "update_plan", json.dumps({"call_to_action": "pwned"})]],
    "/estimate_ad_cost": [lambda w: [w.plan_id, 2]],
    "/generate_ad": [lambda w: [w.plan_id, 1]],
    "/cancel_ad": [lambda w: [w.plan_id]],
    "/accept_system_pick": [lambda w: [w.group_id, "", []]],
    "/group_decision": [lambda w: [w.group_id]],
    "/suggest_improvements": [lambda w: [w.group_id]],
    "/rerun_attempts": [lambda w: [w.group_id, w.attempt_ids[:1]]],
    "/iterations": [lambda w: [w.project_id]],
    "/compare_attempts": [lambda w: [w.attempt_ids]],
    "/compare_versions": [lambda w: [w.project_id, 1, 1]],
    "/set_final_version": [lambda w: [w.project_id, w.attempt_ids[0]]],
    "/final_version": [lambda w: [w.project_id]],
    "/rerun_item": [lambda w: ["frame", w.frame_ids[0]], lambda w: ["attempt", w.attempt_ids[0]],
                    lambda w: ["group", w.group_id]],
    "/clone_settings": [lambda w: ["project", w.project_id], lambda w: ["frame", w.frame_ids[0]],
                        lambda w: ["group", w.group_id], lambda w: ["attempt", w.attempt_ids[0]]],
    "/download_item": [lambda w: ["frame", w.frame_ids[0]], lambda w: ["attempt", w.attempt_ids[0]],
                       lambda w: ["group", w.group_id], lambda w: ["project", w.project_id]],
    "/delete_item": [lambda w: ["attempt", w.attempt_ids[-1], True], lambda w: ["frame", w.frame_ids[-1], True],
                     lambda w: ["group", w.group_id, True], lambda w: ["project", w.project_id, True]],
    "/dashboard": [lambda w: [w.project_id, "", "", "", "", "", 0]],
    "/dashboard_csv": [lambda w: [w.project_id, "", "", "", "", ""]],
    "/share_project": [lambda w: [w.project_id, "editor"]],
}
# Endpoints whose arguments name no one's work, or that take a file upload / work on the caller's own things;
# covered by dedicated tests below (lists, uploads into alice's project, admin-only views).
SEPARATE = {"/create_project", "/list_projects", "/enhance_prompt", "/engines", "/estimate_cost", "/music_tracks",
            "/plan_ad", "/ad_plans", "/search", "/upload_hero_frame", "/upload_clip", "/upload_music",
            "/product_video", "/start_from_settings", "/media_audit", "/whoami", "/my_usage", "/spend_by_user",
            "/models"}


def _case_ids():
    return [(name, index) for name, builders in FORBIDDEN.items() for index in range(len(builders))]


def test_every_endpoint_is_covered(team_app):
    api = team_app.client("bob").view_api(return_format="dict", print_info=False)
    names = set(api["named_endpoints"])
    uncovered = names - set(FORBIDDEN) - SEPARATE
    assert not uncovered, f"endpoints without an isolation case: {sorted(uncovered)}"


@pytest.mark.parametrize("endpoint,index", _case_ids(), ids=[f"{n[1:]}-{i}" for n, i in _case_ids()])
def test_bob_cannot_reach_alices_work_through_gradio_client(team_app, alice_work, endpoint, index):
    bob = team_app.client("bob")
    args = FORBIDDEN[endpoint][index](alice_work)
    with pytest.raises(Exception) as info:
        bob.predict(*args, api_name=endpoint)
    assert MISSING in str(info.value), f"{endpoint}{args}: {info.value}"


@pytest.mark.parametrize("endpoint,index", _case_ids(), ids=[f"{n[1:]}-{i}" for n, i in _case_ids()])
def test_bob_cannot_reach_alices_work_through_raw_http(team_app, alice_work, endpoint, index):
    args = FORBIDDEN[endpoint][index](alice_work)
    with team_app.http("bob") as http:
        status, payload = _call_raw(http, endpoint, args)
    assert status == "error" and MISSING in json.dumps(payload), f"{endpoint}{args}: {status} {payload}"


def _call_raw(http, endpoint: str, args: list[Any]) -> tuple[str, Any]:
    """The documented two-step HTTP API: POST /gradio_api/call/<name>, then read the event stream."""
    started = http.post(f"gradio_api/call{endpoint}", json={"data": args})
    assert started.status_code == 200, started.text
    event_id = started.json()["event_id"]
    with http.stream("GET", f"gradio_api/call{endpoint}/{event_id}") as stream:
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = line.split(":", 1)[1].strip()
                try:
                    return event, json.loads(data)
                except json.JSONDecodeError:
                    return event, data
    return "none", None


def test_alices_work_is_untouched_and_still_hers(team_app, alice_work):
    """After every attack above (module order runs them first), alice still has all of it, unchanged."""
    alice = team_app.client("alice")
    projects = {p["id"]: p for p in alice.predict(api_name="/list_projects")}
    assert projects[alice_work.project_id]["name"] == alice_work.project_name
    assert projects[alice_work.project_id]["owner"] == "alice"
    assert projects[alice_work.project_id]["sharing"] == "private"
    frames, _ = alice.predict(alice_work.project_id, api_name="/hero_frames")
    assert [f["id"] for f in frames] == alice_work.frame_ids
    assert not any(f["is_favourite"] for f in frames)
    group, _ = alice.predict(alice_work.group_id, api_name="/generation_group")
    assert [a["id"] for a in group["attempts"]] == alice_work.attempt_ids
    assert not any(a.get("is_user_selected_best") for a in group["attempts"])
    groups = alice.predict(alice_work.project_id, api_name="/generation_groups")
    assert [g["id"] for g in groups] == [alice_work.group_id]
    assert alice.predict(alice_work.project_id, api_name="/final_version") == {}
    plan, _ = alice.predict(alice_work.plan_id, api_name="/ad_plan")
    assert plan["plan"]["call_to_action"] != "pwned" and plan["status"] == "draft"
    export = team_app.wait_job("alice", alice_work.export_job_id)
    assert export["status"] == "succeeded"


def test_bob_lists_and_searches_only_his_own(team_app, alice_work):
    bob = team_app.client("bob")
    mine = bob.predict("Bob's project", "1:1", api_name="/create_project")
    listed = bob.predict(api_name="/list_projects")
    assert [p["id"] for p in listed] == [mine["id"]]
    for kind in ("all", "projects", "frames", "attempts"):
        found = bob.predict("", kind, "any", 1, 100, api_name="/search")
        assert all(item.get("project_id") in (None, mine["id"]) for item in found["items"]), found
        assert "Alice" not in json.dumps(found) and "perfume" not in json.dumps(found)
    assert bob.predict("", api_name="/ad_plans") == []
    board = bob.predict(0, "", "", "", "", "", 0, api_name="/dashboard")
    assert "Alice" not in json.dumps(board) and "perfume" not in json.dumps(board)
    csv_path = bob.predict(0, "", "", "", "", "", api_name="/dashboard_csv")
    assert "perfume" not in open(csv_path, encoding="utf-8").read()
    whoami = bob.predict(api_name="/whoami")
    assert whoami["username"] == "bob" and whoami["role"] == "member"


def test_bob_cannot_upload_into_or_copy_from_alices_project(team_app, alice_work, tmp_path):
    from PIL import Image

    bob = team_app.client("bob")
    photo = tmp_path / "photo.png"
    Image.new("RGB", (640, 480), (200, 40, 40)).save(photo)
    for endpoint, args in (("/upload_hero_frame", [alice_work.project_id, _upload(team_app, "bob", str(photo)),
                                                    False]),
                           ("/start_from_settings", [alice_work.project_id, {"motion_prompt": "slow push in"}])):
        with pytest.raises(Exception) as info:
            bob.predict(*args, api_name=endpoint)
        assert MISSING in str(info.value), endpoint
    # alice's frame cannot be copied into bob's own project through cloned settings
    mine = bob.predict("Bob's copy target", "16:9", api_name="/create_project")
    with pytest.raises(Exception) as info:
        bob.predict(mine["id"], {"hero_frame_id": alice_work.frame_ids[0], "motion_prompt": "slow push in",
                                 "negative_prompt": "", "attempt_count": 1, "duration": 2.0},
                    api_name="/start_from_settings")
    assert MISSING in str(info.value)


def test_admin_views_are_for_admins(team_app, alice_work):
    bob = team_app.client("bob")
    for endpoint in ("/spend_by_user", "/media_audit"):
        with pytest.raises(Exception) as info:
            bob.predict(api_name=endpoint)
        assert "admin" in str(info.value).lower(), endpoint
    spend = team_app.client("boss").predict(api_name="/spend_by_user")
    by_user = {row["username"]: row for row in spend["users"]}
    assert by_user["alice"]["generations_this_month"] >= 2
    assert by_user["bob"]["generations_this_month"] == 0


def test_media_are_not_served_by_path(team_app, alice_work):
    with team_app.http("bob") as bob, team_app.http(None) as anonymous:
        for path in alice_work.media_paths:
            for prefix in ("gradio_api/file=", "gradio_api/file/", "file="):
                assert bob.get(f"{prefix}{path}").status_code in (401, 403, 404), path
                assert anonymous.get(f"{prefix}{path}").status_code in (401, 403, 404), path


def test_anonymous_calls_are_refused(team_app, alice_work):
    with team_app.http(None) as anonymous:
        response = anonymous.post("gradio_api/call/list_projects", json={"data": []})
        assert response.status_code in (401, 403)


def test_sharing_gives_viewer_then_editor_rights(team_app, alice_work):
    alice, bob = team_app.client("alice"), team_app.client("bob")
    project = alice.predict("Alice's shared board", "16:9", api_name="/create_project")
    pid = project["id"]
    try:
        shared = alice.predict(pid, "viewer", api_name="/share_project")
        assert shared["sharing"] == "viewer"
        listed = {p["id"]: p for p in bob.predict(api_name="/list_projects")}
        assert listed[pid]["access"] == "view" and listed[pid]["owner"] == "alice"
        assert bob.predict(pid, api_name="/timeline")["project_id"] == pid
        with pytest.raises(Exception) as info:
            bob.predict(pid, "renamed by bob", api_name="/rename_project")
        assert "viewing only" in str(info.value)
        with pytest.raises(Exception):
            bob.predict(pid, "private", api_name="/share_project")
        alice.predict(pid, "editor", api_name="/share_project")
        renamed = bob.predict(pid, "Renamed by bob", api_name="/rename_project")
        assert renamed["name"] == "Renamed by bob"
        with pytest.raises(Exception) as info:
            bob.predict("project", pid, True, api_name="/delete_item")
        assert "owner" in str(info.value)
        alice.predict(pid, "private", api_name="/share_project")
        with pytest.raises(Exception) as info:
            bob.predict(pid, api_name="/timeline")
        assert MISSING in str(info.value)
    finally:
        alice.predict("project", pid, True, api_name="/delete_item")
