"""Hostile and careless input through the API, on SQLite and on PostgreSQL + Redis (``team_app``).

1. A generated corpus of bad or odd inputs — ids, numbers, text, JSON edit arguments, enum words, media paths and
   broken files — sent by a logged-in user against her own work. Every one must be refused with a clear message:
   no SQL, no Python internals, no server paths, no traceback. Afterwards her work is exactly as before.
2. Two-user probes over every id-taking endpoint *discovered from the API's own listing*: a new endpoint with an id
   parameter is probed without anyone writing a case for it. Bob gets "does not exist" for each of alice's ids.
"""
from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.team.conftest import AliceWork, TeamApp, make_alice_work

#: Words that must never reach a client: internals, SQL, drivers, server paths.
LEAKS = ("Traceback", "sqlite", "psycopg", "SQL", "invalid literal", "int()", "Python int", "unexpected keyword",
         "NoneType", "has no attribute", "KeyError", "TypeError", "ValueError", "JSONDecodeError", "Internal error",
         "/tmp/", "/work/", "site-packages", "studio-data", "object at 0x", "not enabled verbose error")
ID_PARAMS = ("project_id", "frame_id", "hero_frame_id", "group_id", "attempt_id", "plan_id", "job_id", "item_id")
BAD_IDS = (-7, 2**63, 10**30, "12abc", 1.5, [1], "1 OR 1=1")
BAD_NUMBERS = ("nan", "inf", "abc", 10**30)
ITEM_KINDS = ("frame", "attempt", "group", "project")
KINDS_BY_ENDPOINT = {"/rerun_item": ("frame", "attempt", "group")}  # a project is not re-run as a whole


@pytest.fixture(scope="module")
def victim(team_app: TeamApp) -> AliceWork:
    return make_alice_work(team_app)


@pytest.fixture(scope="module")
def endpoints(team_app: TeamApp) -> dict[str, list[dict]]:
    api = team_app.client("alice").view_api(return_format="dict", print_info=False)
    return {name: info["parameters"] for name, info in api["named_endpoints"].items()}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return broken_files(tmp_path_factory.mktemp("hostile-files"))


# ------------------------------------------------------------------ what the user's work looks like
def fingerprint(team: TeamApp, work: AliceWork) -> str:
    """Everything of alice's a bad input could damage, minus clocks and caches."""
    alice = team.client("alice")
    projects = [(p["id"], p["name"], p.get("sharing"), p.get("aspect_ratio")) for p in
                alice.predict(api_name="/list_projects")]
    frames, _ = alice.predict(work.project_id, api_name="/hero_frames")
    group, _ = alice.predict(work.group_id, api_name="/generation_group")
    timeline = alice.predict(work.project_id, api_name="/timeline")
    versions = alice.predict(work.project_id, False, api_name="/timeline_versions")
    plan, _ = alice.predict(work.plan_id, api_name="/ad_plan")
    final = alice.predict(work.project_id, api_name="/final_version")
    return json.dumps({
        "projects": projects,
        "frames": [(f["id"], f.get("is_favourite"), f.get("prompt")) for f in frames],
        "attempts": [(a["id"], a["status"], a.get("is_user_selected_best"), a.get("overall_score"))
                     for a in group["attempts"]],
        "timeline": {k: timeline.get(k) for k in ("version", "edit_list", "duration", "music")},
        "versions": [(v.get("version"), v.get("name"), v.get("kind")) for v in versions],
        "plan": (plan["status"], plan["plan"]), "final": final,
    }, sort_keys=True, default=str)


def refused(team: TeamApp, username: str, endpoint: str, args: list[Any]) -> str:
    """Call and return the refusal's message; fail if the call succeeded or the message leaks internals."""
    client = team.client(username)
    try:
        result = client.predict(*args, api_name=endpoint)
    except Exception as exc:  # noqa: BLE001 - gradio_client raises AppError (or ValueError) with the message
        message = str(exc)
    else:
        raise AssertionError(f"{endpoint}{_short(args)} was accepted: {_short(result)}")
    assert message.strip(), f"{endpoint}{_short(args)}: empty message"
    leaked = [word for word in LEAKS if word.lower() in message.lower()]
    assert not leaked, f"{endpoint}{_short(args)} leaked {leaked}: {message}"
    assert str(team.data_dir) not in message and str(team.media_dir) not in message
    return message


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) < 160 else text[:157] + "…"


# ------------------------------------------------------------------ the corpus
def placeholder(param: dict, work: AliceWork, files: dict[str, Path]) -> Any:
    """A valid value for a parameter of alice's own request (her ids; defaults elsewhere)."""
    from gradio_client import handle_file

    name = param["parameter_name"]
    own = {"project_id": work.project_id, "frame_id": work.frame_ids[0], "hero_frame_id": work.frame_ids[0],
           "group_id": work.group_id, "attempt_id": work.attempt_ids[0], "plan_id": work.plan_id,
           "job_id": work.export_job_id, "item_id": work.frame_ids[0], "attempt_ids": work.attempt_ids}
    if name in own:
        return own[name]
    kind = (param.get("python_type") or {}).get("type", "")
    if "filepath" in kind or "FileData" in str(param.get("type")) or name in ("image", "photo", "video", "audio"):
        return handle_file(str(files["good.png"]))
    if param.get("parameter_has_default"):
        return param["parameter_default"]
    return {"operation": "set_fades", "kind": "frame", "sharing": "private", "arguments": "{}",
            "name": "x", "prompt": "slow push in", "motion_prompt": "slow push in", "settings": {},
            "duration": 1.0, "version": 1, "version_a": 1, "version_b": 1, "index": 0, "position": 0}.get(name, "x")


def id_cases(endpoints: dict[str, list[dict]]) -> list[tuple[str, int]]:
    """(endpoint, index of its first id parameter) for every endpoint that takes an id."""
    cases = []
    for name, params in sorted(endpoints.items()):
        index = next((i for i, p in enumerate(params) if p["parameter_name"] in ID_PARAMS), None)
        if index is not None:
            cases.append((name, index))
    return cases


def number_cases(endpoints: dict[str, list[dict]]) -> list[tuple[str, int]]:
    """(endpoint, index) of every whole or real number parameter that is not an id."""
    cases = []
    for name, params in sorted(endpoints.items()):
        for i, p in enumerate(params):
            kind = (p.get("python_type") or {}).get("type", "")
            if kind in ("int", "float") and p["parameter_name"] not in ID_PARAMS:
                cases.append((name, i))
    return cases


def with_bad_values(cases: list[tuple[str, int]], values: tuple, endpoints: dict[str, list[dict]],
                    work: AliceWork, files: dict[str, Path]) -> list[tuple[str, list[Any]]]:
    """Each case's valid call with one bad value in its parameter, for every bad value."""
    calls = []
    for endpoint, index in cases:
        for bad in values:
            args = [placeholder(p, work, files) for p in endpoints[endpoint]]
            args[index] = bad
            calls.append((endpoint, args))
    return calls


TIMELINE_EDITS: list[tuple[str, str]] = [
    ("trim", "not json"), ("trim", "[1, 2]"), ("trim", '"a string"'), ("trim", "Infinity"),
    ("trim", '{"clip_id": "x", "in_point": NaN, "out_point": 1}'),
    ("trim", '{"clip_id": "x", "in_point": 0, "out_point": 1e400}'),
    ("trim", '{"clip_id": "nope", "in_point": 0, "out_point": 1}'), ("trim", '{"clip_id": "x"}'),
    ("set_grade", '{"bogus": 1}'), ("set_grade", '{"grade": "sepia-ultra"}'), ("frobnicate", "{}"),
    ("", "{}"), ("set_fades", '{"fade_in": -5}'), ("set_fades", '{"fade_in": 1e300}'),
    ("set_fades", '{"fade_in": "slow"}'), ("set_aspect_ratio", '{"aspect_ratio": "7:3"}'),
    ("set_fps", '{"fps": 0}'), ("set_fps", '{"fps": 1000000000}'), ("split_at_time", '{"time": NaN}'),
    ("move", '{"clip_id": "nope", "to": 100000000000000000000000000000}'), ("delete", '{"clip_id": [1, 2]}'),
    ("set_music", '{"track": "no-such-track"}'), ("set_music", '{"track": "../../etc/passwd"}'),
    ("set_music", '{"track": "/etc/passwd"}'), ("set_music", '{"track": "uploads\\\\music\\\\bob\\\\x.mp3"}'),
    ("set_music", '{"track": "%2e%2e%2fstudio.db"}'), ("set_music", '{"track": "exports\\\\ad_x_1.mp4"}'),
    ("set_music", '{"track": "file:///etc/passwd"}'), ("set_music", '{"track": "http://127.0.0.1:1/x.mp3"}'),
    ("music_by_mood", '{"mood": "polka"}'), ("add_attempt", '{"attempt_id": 100000000000000000000000}'),
    ("add_attempt", '{"attempt_id": "abc"}'), ("add_overlay", '{"text": "' + "x" * 30000 + '"}'),
    ("set_crossfade", '{"clip_id": "nope", "seconds": -1}'),
]
STORYBOARD_EDITS: list[tuple[str, str]] = [
    ("update_scene", '{"number": 99, "duration": 2}'), ("update_scene", '{"number": 1, "duration": NaN}'),
    ("update_scene", '{"number": "one"}'), ("update_plan", '{"bogus": 1}'), ("remove_scene", '{"number": -1}'),
    ("move_scene", '{"number": 1, "to": 1e300}'), ("switch_framework", '{"framework": "XYZ"}'),
    ("replace", '{"plan_data": "not a plan"}'), ("explode", "{}"), ("update_plan", "[]"),
]


def word_cases(work: AliceWork) -> list[tuple[str, list[Any]]]:
    """Enum words, dates, prompts and names that must be refused."""
    long_text = "x" * 20001
    return [
        ("/export_timeline", [work.project_id, "sideways", 0, "", 0]),
        ("/export_timeline", [work.project_id, "crop", 0, "7:3", 0]),
        ("/export_timeline", [work.project_id, "crop", 0, "", 7]),
        ("/export_timeline", [work.project_id, "crop", 999, "", 0]),
        ("/export_timeline", [work.project_id, "crop", 0, "", 0, "ultra"]),
        ("/share_project", [work.project_id, "everyone"]),
        ("/create_project", ["x", "21:9"]), ("/create_project", ["", "16:9"]), ("/create_project", [long_text]),
        ("/create_project", ["nul\x00byte", "16:9"]), ("/rename_project", [work.project_id, "   "]),
        ("/plan_ad", ["A luxury watch ad for a brand", 17, "9:16", "", "rules"]),
        ("/plan_ad", ["A luxury watch ad for a brand", 15, "4:3", "", "rules"]),
        ("/plan_ad", ["A luxury watch ad for a brand", 15, "9:16", "XYZ", "rules"]),
        ("/plan_ad", ["A luxury watch ad for a brand", 15, "9:16", "", "magic"]),
        ("/plan_ad", ["short", 15, "9:16", "", "rules"]),
        ("/dashboard", [work.project_id, "yesterday", "", "", "", "", 0]),
        ("/dashboard", [work.project_id, "2026-13-45", "", "", "", "", 0]),
        ("/dashboard", [work.project_id, "", "", "", "", "", -3]),
        ("/search", ["", "users", "any", 1, 24]), ("/search", ["", "all", "any", 0, 24]),
        ("/search", ["", "all", "any", 1, 100000]),
        ("/delete_item", ["user", work.frame_ids[0], True]), ("/rerun_item", ["everything", work.group_id]),
        ("/download_item", ["database", 1]), ("/clone_settings", ["timeline", work.project_id]),
        ("/select_attempt", [work.attempt_ids[0], "", [f"tag {i}" for i in range(13)]]),
        ("/generate_hero_frames", [work.project_id, "", 4, "", 1, "", ""]),
        ("/generate_hero_frames", [work.project_id, long_text, 4, "", 1, "", ""]),
        ("/generate_hero_frames", [work.project_id, "a watch", 40, "", 1, "", ""]),
        ("/generate_hero_frames", [work.project_id, "a watch", 4, "5:1", 1, "", ""]),
        ("/generate_hero_frames", [work.project_id, "a watch", 4, "", 1, "", "no-such-engine"]),
        ("/image_to_video", [work.project_id, "", "", 2, 2.0, -1, 1, ""]),
        ("/image_to_video", [work.project_id, "slow push in", "", 0, 2.0, -1, 1, ""]),
        ("/image_to_video", [work.project_id, "slow push in", "", 2, 0.0, -1, 1, ""]),
        ("/image_to_video", [work.project_id, "slow push in", "", 2, 2.0, -1, 1, "no-such-engine"]),
        ("/estimate_cost", ["", 100, 1000]), ("/estimate_cost", ["", 3, -5]),
        ("/estimate_cost", ["no-such-engine", 3, 5]),
        ("/enhance_prompt", ["", "16:9"]), ("/enhance_prompt", [long_text, "16:9"]),
        ("/fill_gap", [work.project_id, 0, 1.0, "slow push in", "sideways", 1, -1]),
        ("/fill_gap", [work.project_id, 50, 1.0, "slow push in", "previous", 1, -1]),
        ("/timeline_open", [work.project_id, 999]), ("/timeline_compare", [work.project_id, 999, 0]),
        ("/select_attempt", [work.attempt_ids[0], "", ["x" * 500]]),
        ("/start_from_settings", [work.project_id, {"motion_prompt": "slow push in", "attempt_count": 10**9}]),
        ("/start_from_settings", [work.project_id, {"motion_prompt": "slow push in", "duration": "forever"}]),
        ("/start_from_settings", [work.project_id, {"hero_frame_id": 10**30, "motion_prompt": "push in"}]),
    ]


def file_cases(work: AliceWork, files: dict[str, Path]) -> list[tuple[str, list[Any]]]:
    from gradio_client import handle_file

    cases: list[tuple[str, list[Any]]] = []
    for name in ("empty.png", "text.png", "truncated.png", "html.jpg", "bomb.png", "svg.png", "wav.png"):
        cases.append(("/upload_hero_frame", [work.project_id, handle_file(str(files[name])), False]))
    for name in ("empty.mp4", "text.mp4", "truncated.mp4", "png.mp4"):
        cases.append(("/upload_clip", [work.project_id, handle_file(str(files[name])), "", -1]))
    for name in ("empty.mp3", "text.wav", "png.m4a", "truncated.wav", "script.sh"):
        cases.append(("/upload_music", [work.project_id, handle_file(str(files[name])), True]))
    for name in ("text.png", "truncated.png"):
        cases.append(("/product_video", [handle_file(str(files[name])), "", "", 10.0, "1:1", 2, True,
                                         work.project_id]))
    return cases


# ------------------------------------------------------------------ tests
def test_every_bad_input_is_refused_clearly_and_changes_nothing(team_app, victim, endpoints, files):
    before = fingerprint(team_app, victim)
    calls = with_bad_values(id_cases(endpoints), BAD_IDS, endpoints, victim, files)
    calls += with_bad_values(number_cases(endpoints), BAD_NUMBERS, endpoints, victim, files)
    calls += [("/timeline_edit", [victim.project_id, op, arguments]) for op, arguments in TIMELINE_EDITS]
    calls += [("/update_storyboard", [victim.plan_id, op, arguments]) for op, arguments in STORYBOARD_EDITS]
    calls += word_cases(victim) + file_cases(victim, files)
    assert len(calls) >= 150, f"the corpus shrank to {len(calls)} inputs"
    failures = []
    for endpoint, args in calls:
        try:
            refused(team_app, "alice", endpoint, args)
        except AssertionError as exc:
            failures.append(str(exc)[:400])
    assert not failures, f"{len(failures)} of {len(calls)} inputs were mishandled:\n" + "\n".join(failures)
    assert fingerprint(team_app, victim) == before, "a refused input changed saved work"


def test_every_id_taking_endpoint_refuses_another_users_ids(team_app, victim, endpoints, files):
    """Discovered, not listed: bob passes alice's ids (in every id parameter at once) to each endpoint."""
    cases = id_cases(endpoints)
    assert len(cases) >= 45, f"only {len(cases)} id-taking endpoints discovered: the listing changed shape"
    before = fingerprint(team_app, victim)
    failures = []
    for endpoint, _index in cases:
        params = endpoints[endpoint]
        kinds = KINDS_BY_ENDPOINT.get(endpoint, ITEM_KINDS) if any(p["parameter_name"] == "item_id"
                                                                    for p in params) else (None,)
        for kind in kinds:
            args = [placeholder(p, victim, files) for p in params]
            if kind is not None:
                ids = {"frame": victim.frame_ids[0], "attempt": victim.attempt_ids[0], "group": victim.group_id,
                       "project": victim.project_id}
                names = [p["parameter_name"] for p in params]
                args[names.index("kind")], args[names.index("item_id")] = kind, ids[kind]
                if "confirm" in names:
                    args[names.index("confirm")] = True
            try:
                message = refused(team_app, "bob", endpoint, args)
            except AssertionError as exc:
                failures.append(str(exc)[:300])
                continue
            if "does not exist" not in message:
                failures.append(f"{endpoint}{_short(args)}: refused, but not as a missing id: {message[:200]}")
    assert not failures, "\n".join(failures)
    assert fingerprint(team_app, victim) == before


# ------------------------------------------------------------------ broken files, made here
def broken_files(folder: Path) -> dict[str, Path]:
    from PIL import Image

    good = folder / "good.png"
    Image.new("RGB", (640, 360), (180, 120, 60)).save(good)
    wav_header = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x44\xac\x00\x00"
    contents = {
        "empty.png": b"", "text.png": b"hello, I am not a picture", "truncated.png": good.read_bytes()[:120],
        "html.jpg": b"<html><script>alert(1)</script></html>",
        "bomb.png": _bomb_png(),  # 400 MP in a few hundred kB: a decompression bomb
        "svg.png": b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
        "wav.png": wav_header,
        "empty.mp4": b"", "text.mp4": b"not a video at all",
        "truncated.mp4": b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64,
        "png.mp4": good.read_bytes(),
        "empty.mp3": b"", "text.wav": b"RIFF? no.", "png.m4a": good.read_bytes(), "truncated.wav": wav_header[:20],
        "script.sh": b"#!/bin/sh\nrm -rf /\n",
    }
    paths = {"good.png": good}
    for name, data in contents.items():
        path = folder / name
        path.write_bytes(data)
        paths[name] = path
    return paths


def _bomb_png() -> bytes:
    """A 20000 x 20000 greyscale PNG whose pixel data compresses to a few hundred kB (400 MP when decoded)."""
    width = height = 20000
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + \
            struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
