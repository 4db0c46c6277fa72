"""Non-queued (direct) endpoints still know who is calling.

The cheap polls (/job, /jobs, /generation_group: studio/api.py DIRECT) are registered with queue=False so that a
poller can POST /gradio_api/run/<name> — one HTTP round trip instead of the queue's join + event stream. Ownership
checks read the logged-in user from Gradio's request context (pipeline/access.py request_identity); these tests prove
that context is set on the direct path too, first on a bare endpoint, then on the studio's own /job with two users.
"""
from __future__ import annotations

import socket
from contextlib import closing

import httpx
import pytest

from tests.conftest import make_settings

PASSWORDS = {"alice": "alice-password-1", "bob": "bob-password-22"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _login(url: str, username: str | None) -> closing[httpx.Client]:
    """A browser-like session, logged in through the login form (None = anonymous)."""
    http = httpx.Client(base_url=url, timeout=30, follow_redirects=False)
    if username is not None:
        response = http.post("login", data={"username": username, "password": PASSWORDS[username]})
        assert response.status_code == 200, response.text
    return closing(http)


def _run(http: httpx.Client, name: str, *args) -> httpx.Response:
    """The direct call: one POST (a session hash, so Gradio reuses its per-session state instead of building it)."""
    return http.post(f"gradio_api/run/{name}", json={"data": list(args), "session_hash": "direct-test"})


def test_request_identity_sees_the_user_in_a_non_queued_endpoint(tmp_path, monkeypatch):
    import gradio as gr
    from gradio_client import Client

    from pipeline.access import request_identity

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-tmp"))

    def whoami() -> str:
        identity = request_identity()
        return (identity or {}).get("username") or ""

    with gr.Blocks() as demo:
        gr.api(whoami, api_name="whoami", queue=False, concurrency_limit=None)
    port = _free_port()
    demo.queue().launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1", server_port=port,
                        auth=[("alice", PASSWORDS["alice"])])
    url = f"http://127.0.0.1:{port}/"
    try:
        with _login(url, "alice") as http:
            config = http.get("config").json()
            dependency = next(d for d in config["dependencies"] if d.get("api_name") == "whoami")
            assert dependency["queue"] is False
            response = _run(http, "whoami")
            assert response.status_code == 200, response.text
            assert response.json()["data"] == ["alice"]
        with _login(url, None) as anonymous:
            assert _run(anonymous, "whoami").status_code == 401
        # gradio_client calls every endpoint through the queue, a non-queued one too: same identity there.
        client = Client(url, auth=("alice", PASSWORDS["alice"]), verbose=False)
        try:
            assert client.predict(api_name="/whoami") == "alice"
        finally:
            client.close()
    finally:
        demo.close()


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    from pipeline.access import acting_as
    from pipeline.services import build_services
    from storage.models import Job
    from storage.users import UserStore
    from studio.ui import build_demo, launch_options

    tmp = tmp_path_factory.mktemp("direct")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADIO_TEMP_DIR", str(tmp / "gradio-tmp"))
        settings = make_settings(tmp / "studio-data", port=_free_port(), auth="local")
        services = build_services(settings)
        users = UserStore(services.db, rounds=4)
        for name, password in PASSWORDS.items():
            users.add(name, password, "member")
        with acting_as(services.access.user_actor("alice")):
            project = services.projects.create("Alice's project", "16:9")
        with services.db.session() as session:
            job = Job(kind="hero_frames", status="succeeded", project_id=project.id, progress=100.0,
                      user_id=services.access.user_actor("alice").user_id, result={"hero_frame_ids": []})
            session.add(job)
            session.flush()
            job_id = job.id
        demo = build_demo(services)
        demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(services))
        try:
            yield {"url": f"http://127.0.0.1:{settings.port}/", "project_id": project.id, "job_id": job_id,
                   "demo": demo}
        finally:
            demo.close()
            services.close()


def test_studio_polls_are_direct(studio):
    from studio.api import DIRECT

    with _login(studio["url"], "alice") as http:
        config = http.get("config").json()
    queue = {d.get("api_name"): d.get("queue") for d in config["dependencies"]}
    assert {name: queue[name] for name in DIRECT} == {name: False for name in DIRECT}
    # the enqueue endpoints stay on the queue
    assert queue["generate_hero_frames"] is not False and queue["image_to_video"] is not False


def test_direct_job_poll_checks_ownership(studio):
    job_id, project_id = studio["job_id"], studio["project_id"]
    with _login(studio["url"], "alice") as alice:
        response = _run(alice, "job", job_id)
        assert response.status_code == 200, response.text
        view, _files = response.json()["data"][0]
        assert view["id"] == job_id and view["status"] == "succeeded"
        response = _run(alice, "jobs", project_id)
        assert response.status_code == 200, response.text
        assert [j["id"] for j in response.json()["data"][0]] == [job_id]
    with _login(studio["url"], "bob") as bob:
        for name, item in (("job", job_id), ("jobs", project_id)):
            response = _run(bob, name, item)
            assert response.status_code == 404, response.text  # like a missing id (studio/health.py)
            assert "does not exist" in response.json()["error"]
    with _login(studio["url"], None) as anonymous:
        assert _run(anonymous, "job", job_id).status_code == 401
