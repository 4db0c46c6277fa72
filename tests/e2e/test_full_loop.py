"""The whole loop through the public API with gradio_client against the real app — including a SIGKILL restart."""
from __future__ import annotations

import time

import pytest

from tests.e2e.app_process import AppProcess

pytestmark = pytest.mark.e2e


def wait_job(client, job_id, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view, files = client.predict(job_id, api_name="/job")
        if view["status"] in ("succeeded", "failed", "cancelled"):
            return view, files
        time.sleep(0.5)
    raise TimeoutError(f"job {job_id} still {view['status']} after {timeout} s")


def wait_group(client, group_id, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        group, videos = client.predict(group_id, api_name="/generation_group")
        if all(a["status"] in ("done", "failed", "cancelled") for a in group["attempts"]) and group["selection_reason"]:
            return group, videos
        time.sleep(1.0)
    raise TimeoutError(f"group {group_id} not finished: {[a['status'] for a in group['attempts']]}")


@pytest.fixture
def app(tmp_path):
    process = AppProcess(tmp_path / "studio-data").start()
    yield process
    process.stop()


def test_prompt_to_exported_ad_and_restart(app, tmp_path):
    from gradio_client import Client

    from pipeline.timeline.export import probe

    client = Client(app.url, verbose=False)
    project = client.predict("Watch ad", "16:9", api_name="/create_project")
    enhanced = client.predict("a luxury watch on a marble plinth at golden hour", "16:9", api_name="/enhance_prompt")
    assert enhanced["enhanced"] != enhanced["original"] and enhanced["additions"]

    started = client.predict(project["id"], enhanced["original"], 4, "16:9", 1234, enhanced["enhanced"],
                             api_name="/generate_hero_frames")
    job, _ = wait_job(client, started["job_id"])
    assert job["status"] == "succeeded", job
    frames, images = client.predict(project["id"], api_name="/hero_frames")
    assert len(frames) == 4 and len(images) == 4
    assert {f["seed"] for f in frames} == set(started["seeds"])

    client.predict(project["id"], frames[0]["id"], api_name="/select_hero_frame")
    group = client.predict(project["id"], "slow push in", "shaky", 3, 2.0, -1, 7, api_name="/image_to_video")
    assert len(group["job_ids"]) == 3
    group, videos = wait_group(client, group["id"])
    done = [a for a in group["attempts"] if a["status"] == "done"]
    assert len(done) == 3 and len(videos) == 3
    picks = [a for a in done if a["is_system_selected_best"]]
    assert len(picks) == 1 and group["selection_reason"]
    assert all(a["scores"] and a["overall_score"] is not None for a in done)

    other = next(a for a in done if not a["is_system_selected_best"])
    choice = client.predict(other["id"], "prefer the calmer one", ["too chaotic"], api_name="/select_attempt")
    assert choice["agrees_with_system"] is False

    timeline = client.predict(project["id"], api_name="/rebuild_timeline")
    assert [c["attempt_id"] for c in timeline["clips"]] == [other["id"]]
    clip = timeline["clips"][0]
    timeline = client.predict(project["id"], "trim",
                              f'{{"clip_id": "{clip["id"]}", "in_point": 0.25, "out_point": 1.9}}',
                              api_name="/timeline_edit")
    clip = timeline["clips"][0]
    timeline = client.predict(project["id"], "split", f'{{"clip_id": "{clip["id"]}", "at_seconds": 0.8}}',
                              api_name="/timeline_edit")
    assert len(timeline["clips"]) == 2
    track = client.predict(api_name="/music_tracks")[0]
    timeline = client.predict(project["id"], "set_music", f'{{"track": "{track["id"]}", "volume": 0.3}}',
                              api_name="/timeline_edit")

    bad = None
    try:
        client.predict(project["id"], "trim", f'{{"clip_id": "{clip["id"]}", "in_point": 5, "out_point": 9}}',
                       api_name="/timeline_edit")
    except Exception as exc:  # noqa: BLE001 - gradio_client raises AppError with the studio's message
        bad = str(exc)
    assert bad and "clip" in bad.lower()

    export = client.predict(project["id"], "crop", 0, api_name="/export_timeline")
    job, files = wait_job(client, export["job_id"])
    assert job["status"] == "succeeded", job
    info = probe(files[0])
    assert (info.width, info.height) == (1920, 1080)
    assert info.video_codec == "h264" and info.audio_codec == "aac" and info.has_audio
    assert abs(info.duration - timeline["duration"]) <= 1 / 24 + 1e-6

    dashboard = client.predict(project["id"], api_name="/dashboard")
    assert dashboard["agreement"]["decided_groups"] == 1 and dashboard["agreement"]["rate"] == 0.0

    # --- crash while attempts run, then restart: everything is still there and nothing stays "running"
    running = client.predict(project["id"], "pan left", "", 3, 10.0, -1, 11, api_name="/image_to_video")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        jobs = client.predict(project["id"], api_name="/jobs")
        if any(j["status"] == "running" and j["kind"] == "attempt" for j in jobs):
            break
        time.sleep(0.3)
    else:
        pytest.fail("no attempt started running")
    app.kill()

    restarted = AppProcess(app.data_dir, port=app.port).start()
    try:
        client = Client(restarted.url, verbose=False)
        assert [p["name"] for p in client.predict(api_name="/list_projects")] == ["Watch ad"]
        assert len(client.predict(project["id"], api_name="/hero_frames")[0]) == 4
        old_group, _ = client.predict(group["id"], api_name="/generation_group")
        assert [a["is_user_selected_best"] for a in old_group["attempts"]].count(True) == 1
        assert client.predict(project["id"], api_name="/timeline")["version"] == timeline["version"]
        recovered, _ = wait_group(client, running["id"], timeout=300)
        assert all(a["status"] in ("done", "failed") for a in recovered["attempts"])
        for attempt in recovered["attempts"]:
            if attempt["status"] == "failed":
                assert attempt["error"]
        jobs = client.predict(project["id"], api_name="/jobs")
        assert not [j for j in jobs if j["status"] == "running"], jobs
    finally:
        restarted.stop()
