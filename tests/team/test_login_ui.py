"""Team mode at the studio layer: the login (auth=local), whoami / sharing / usage / spend endpoints, uploads that must
come from Gradio's upload folder, the media gate, the project bar in a real browser, and the storage.users CLI.

The studio is launched in-process (build_demo + launch_options, prevent_thread_lock) with HFS_AUTH=local and an
inline queue; accounts are made with UserStore (4 bcrypt rounds, for speed).
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import browser  # noqa: F401 - the shared Chromium fixture
from tests.conftest import ROOT, make_settings

PASSWORDS = {"alice": "alice-password-1", "admin": "admin-password-22", "carol": "carol-password-333",
             "erin": "erin-password-4444"}
ROLES = {"alice": "member", "admin": "admin", "carol": "member", "erin": "member"}
SHOTS = Path(os.environ.get("HFS_SCREENSHOT_DIR", "/tmp/hfs-screenshots"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Studio:
    def __init__(self, url: str, services, upload_dir: Path, tmp: Path) -> None:
        self.url, self.services, self.upload_dir, self.tmp = url, services, upload_dir, tmp
        self.clients: dict = {}

    def client(self, username: str, **kwargs):
        from gradio_client import Client

        key = (username, tuple(sorted(kwargs.items())))
        if key not in self.clients:
            self.clients[key] = Client(self.url, auth=(username, PASSWORDS[username]), verbose=False, **kwargs)
        return self.clients[key]

    def http(self, username: str | None = None) -> httpx.Client:
        """A browser-like session: logged in through the login form (None = anonymous)."""
        http = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)
        if username is not None:
            response = http.post("login", data={"username": username, "password": PASSWORDS[username]})
            assert response.status_code == 200, response.text
        return http


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    from pipeline.services import build_services
    from storage.users import UserStore
    from studio.ui import build_demo, launch_options

    tmp = tmp_path_factory.mktemp("team-ui")
    upload_dir = tmp / "gradio-tmp"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADIO_TEMP_DIR", str(upload_dir))
        settings = make_settings(tmp / "studio-data", port=_free_port(), auth="local", frame_long_side=512,
                                 generations_per_hour=1)
        services = build_services(settings)
        users = UserStore(services.db, rounds=4)
        for name, password in PASSWORDS.items():
            users.add(name, password, ROLES[name])
        users.set_disabled("carol", True)
        demo = build_demo(services)
        demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(services))
        studio = Studio(f"http://127.0.0.1:{settings.port}/", services, upload_dir, tmp)
        try:
            yield studio
        finally:
            for client in studio.clients.values():
                with contextlib.suppress(Exception):  # best effort
                    client.close()
            demo.close()
            services.close()


@pytest.fixture(scope="module")
def photo(studio) -> Path:
    from PIL import Image

    path = studio.tmp / "product.png"
    Image.new("RGB", (640, 480), (200, 120, 40)).save(path)
    return path


@pytest.fixture(scope="module")
def alice_frame(studio, photo) -> dict:
    """alice's project with one uploaded photo (a real upload, through the upload folder)."""
    from gradio_client import handle_file

    alice = studio.client("alice")
    project = alice.predict("Alice's launch", "16:9", api_name="/create_project")
    frame, _files = alice.predict(project["id"], handle_file(str(photo)), False, api_name="/upload_hero_frame")
    return {"project": project, "frame": frame}


# --- login ----------------------------------------------------------------------------------------------------------
def test_anonymous_clients_are_refused(studio):
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    with pytest.raises(AuthenticationError, match="Please login"):
        Client(studio.url, verbose=False)
    anonymous = studio.http()
    assert anonymous.get("gradio_api/info").status_code in (401, 403)
    assert anonymous.post("gradio_api/call/whoami", json={"data": []}).status_code in (401, 403)


def test_login_right_wrong_and_disabled(studio):
    from gradio_client import Client

    assert studio.client("alice").predict(api_name="/whoami") == {"username": "alice", "role": "member",
                                                                   "team_mode": True, "auth": "local"}
    with pytest.raises(ValueError, match="Could not login"):
        Client(studio.url, auth=("alice", "not-her-password"), verbose=False)
    with pytest.raises(ValueError, match="Could not login"):
        Client(studio.url, auth=("nobody", "whatever-password"), verbose=False)
    with pytest.raises(ValueError, match="Could not login"):
        Client(studio.url, auth=("carol", PASSWORDS["carol"]), verbose=False)  # disabled
    assert studio.http().post("login", data={"username": "carol", "password": PASSWORDS["carol"]}).status_code == 400


def test_logout_ends_the_session(studio):
    http = studio.http("alice")
    assert http.get("gradio_api/info").status_code == 200
    assert http.get("logout", params={"all_session": "false"}).status_code in (302, 307)
    http.cookies.clear()  # the browser drops the deleted cookies
    assert http.get("gradio_api/info").status_code in (401, 403)


# --- sharing, usage, spend ------------------------------------------------------------------------------------------
def test_sharing_is_for_the_owner_only(studio, alice_frame):
    alice, admin = studio.client("alice"), studio.client("admin")
    pid = alice_frame["project"]["id"]
    assert alice_frame["project"]["owner"] == "alice" and alice_frame["project"]["access"] == "own"
    assert pid not in [p["id"] for p in admin.predict(api_name="/list_projects")]
    with pytest.raises(Exception, match="does not exist"):
        admin.predict(pid, "editor", api_name="/share_project")
    shared = alice.predict(pid, "viewer", api_name="/share_project")
    assert shared["sharing"] == "viewer" and shared["access"] == "own"
    seen = {p["id"]: p for p in admin.predict(api_name="/list_projects")}
    assert seen[pid]["owner"] == "alice" and seen[pid]["access"] == "view"
    with pytest.raises(Exception, match="owner"):
        admin.predict(pid, "editor", api_name="/share_project")
    with pytest.raises(Exception, match="Sharing is one of"):
        alice.predict(pid, "everyone", api_name="/share_project")
    assert alice.predict(pid, "private", api_name="/share_project")["sharing"] == "private"
    assert pid not in [p["id"] for p in admin.predict(api_name="/list_projects")]


def test_usage_and_the_admin_spend_view(studio):
    usage = studio.client("alice").predict(api_name="/my_usage")
    assert usage["username"] == "alice" and usage["generations_per_hour"] == 1 and usage["cap_usd"] == 20.0
    with pytest.raises(Exception, match="Only an admin"):
        studio.client("alice").predict(api_name="/spend_by_user")
    spend = studio.client("admin").predict(api_name="/spend_by_user")
    assert {"alice", "admin", "carol", "erin"} <= {u["username"] for u in spend["users"]}
    assert spend["team"]["cap_usd"] == 200.0 and spend["enforced"] is True
    assert studio.client("admin").predict(api_name="/whoami")["role"] == "admin"


def test_a_limit_comes_back_as_the_message(studio):
    """LimitExceeded is a StudioError: the API gives its message (and the UI's user_errors shows it as a toast)."""
    from pipeline.errors import StudioError
    from pipeline.services.limits import LimitExceeded
    from studio.components import user_errors

    erin = studio.client("erin")
    pid = erin.predict("Erin's test", "16:9", api_name="/create_project")["id"]
    first = erin.predict(pid, "a red sneaker on concrete", 4, "", 3, "", "", api_name="/generate_hero_frames")
    assert first["job_id"]
    with pytest.raises(Exception, match="generations this hour"):
        erin.predict(pid, "a red sneaker on concrete", 4, "", 4, "", "", api_name="/generate_hero_frames")
    assert issubclass(LimitExceeded, StudioError)

    def refused():
        raise LimitExceeded("over the limit")

    import gradio as gr

    assert user_errors(refused)() == gr.skip()
    assert studio.client("erin").predict(api_name="/my_usage")["generations_last_hour"] == 1


# --- uploads and the media gate ---------------------------------------------------------------------------------------
def test_an_upload_must_come_from_the_upload_folder(studio, alice_frame):
    alice = studio.client("alice")
    pid = alice_frame["project"]["id"]
    media_path = str(studio.services.media.absolute(alice_frame["frame"]["image"]))
    assert Path(media_path).is_file()
    outside = studio.tmp / "outside.png"
    outside.write_bytes(Path(media_path).read_bytes())
    for path in (media_path, str(outside), str(studio.upload_dir / ".." / "outside.png")):
        with pytest.raises(Exception, match="not accepted as an upload"):
            alice.predict(pid, {"path": path}, False, api_name="/upload_hero_frame")
        with pytest.raises(Exception, match="not accepted as an upload"):
            alice.predict(pid, {"path": path}, "", -1, api_name="/upload_clip")
        with pytest.raises(Exception, match="not accepted as an upload"):
            alice.predict(pid, {"path": path}, True, api_name="/upload_music")
        with pytest.raises(Exception, match="not accepted as an upload"):
            alice.predict({"path": path}, "", "", 10.0, "1:1", 2, True, pid, api_name="/product_video")


def test_media_are_not_served_by_path_but_cache_copies_are(studio, alice_frame):
    alice = studio.client("alice", download_files=False)
    frames, files = alice.predict(alice_frame["project"]["id"], api_name="/hero_frames")
    assert files and all(f.get("url") for f in files)
    media_path = str(studio.services.media.absolute(frames[0]["image"]))
    http = studio.http("alice")
    copy = http.get(files[0]["url"])
    assert copy.status_code == 200 and copy.content == Path(media_path).read_bytes()
    data_file = str(studio.services.settings.data_dir / "studio.db")
    for url in (f"gradio_api/file={media_path}", f"gradio_api/file/{media_path}", f"file={media_path}",
                f"gradio_api/file={studio.services.media.root}/../media/{frames[0]['image']}",
                f"gradio_api/file={data_file}"):
        response = http.get(url)
        assert response.status_code == 403, (url, response.status_code)
    music = min(Path(studio.services.settings.music_dir).glob("*.m4a"))
    assert http.get(f"gradio_api/file={music}").status_code == 200
    assert studio.http().get(files[0]["url"]).status_code in (401, 403)  # anonymous: not even the copy
    # Every endpoint that returns files hands out downloadable copies (gradio_client downloads them).
    downloaded = studio.client("alice").predict("frame", alice_frame["frame"]["id"], api_name="/download_item")
    assert Path(downloaded[0]).read_bytes() == Path(media_path).read_bytes()
    csv = studio.client("alice").predict(alice_frame["project"]["id"], "", "", "", "", "", api_name="/dashboard_csv")
    assert Path(csv).is_file()


def test_media_gate_unit():
    from studio.media_gate import MediaGate, file_route_target

    gate = MediaGate(None, ["/srv/data", "/srv/data/media"], ["/srv/data/music", "/tmp/gradio"])
    assert gate.blocked("/srv/data/media/frames/x.png") and gate.blocked("/srv/data/studio.db")
    assert gate.blocked("/srv/data/music/../media/x.png") and gate.blocked("/SRV/DATA/media/x.png")
    assert not gate.blocked("/srv/data/music/a.m4a") and not gate.blocked("/tmp/gradio/abc/x.png")
    assert not gate.blocked("https://example.com/srv/data/x")
    assert file_route_target("/gradio_api/file=/a") == "/a" and file_route_target("/file=/a") == "/a"
    assert file_route_target("/gradio_api/file/a/b") == "a/b" and file_route_target("/gradio_api/upload") is None


def test_single_user_launch_options_are_unchanged(tmp_path):
    from pipeline.services import build_services
    from studio.ui import launch_options

    services = build_services(make_settings(tmp_path / "studio-data"))
    try:
        options = launch_options(services)
    finally:
        services.close()
    assert "auth" not in options and "auth_message" not in options
    # only /health and the direct-route statuses; no media gate in single-user mode
    assert [m.cls.__name__ for m in options["app_kwargs"]["middleware"]] == ["StudioRoutes", "TrailingDefaults"]


def test_the_project_switcher_follows_project_id(studio):
    """Another tab setting project_id ("Open in workspace", a generated ad's new project) updates the switcher."""
    from studio.ui import build_demo

    demo = build_demo(studio.services)
    config = demo.get_config_file()
    states = {c["id"] for c in config["components"] if c["type"] == "state"}
    dropdowns = {c["id"] for c in config["components"] if c["type"] == "dropdown"
                 and c["props"].get("label") == "Project"}
    follows = [d for d in config["dependencies"]
               if any(t[0] in states and t[1] == "change" for t in d["targets"]) and set(d["outputs"]) & dropdowns]
    assert follows, "no project_id.change listener updates the project dropdown"


# --- the browser ----------------------------------------------------------------------------------------------------
@pytest.mark.browser
def test_login_form_and_the_team_project_bar(studio, browser, alice_frame):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    try:
        page.goto(studio.url, wait_until="load")
        page.get_by_text("sign in with your studio account").wait_for(timeout=30000)
        page.screenshot(path=str(SHOTS / "team-login.png"))
        page.get_by_label("username").fill("alice")
        page.get_by_label("password").fill(PASSWORDS["alice"])
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Signed in as").wait_for(timeout=30000)
        bar = page.locator("#signed-in")
        bar.get_by_text("alice").wait_for(timeout=10000)
        assert "(member)" in bar.inner_text() and "generations this hour" in bar.inner_text()
        assert bar.get_by_role("link", name="Log out").get_attribute("href") == "logout"
        page.locator("#project-sharing").wait_for(state="visible", timeout=15000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "team-project-bar.png"), clip={"x": 0, "y": 0, "width": 1440, "height": 200})
        # The owner shares the project from the bar.
        page.locator("#project-sharing input").click()
        page.get_by_role("option", name="Team can edit").click()
        page.get_by_text("team can edit").first.wait_for(timeout=15000)  # the confirmation toast
        pid = alice_frame["project"]["id"]
        shared = {p["id"]: p for p in studio.client("alice").predict(api_name="/list_projects")}[pid]
        assert shared["sharing"] == "editor"
        studio.client("alice").predict(pid, "private", api_name="/share_project")
        # The dashboard's spend view is not there for a member.
        page.get_by_role("tab", name="5 · Dashboard").click()
        page.wait_for_timeout(1500)
        assert not page.locator("#spend-per-user").is_visible()
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_the_admin_sees_spend_per_user(studio, browser, alice_frame):  # noqa: F811
    """An admin: the spend table; and a project alice shared shows her name instead of the sharing control."""
    studio.client("alice").predict(alice_frame["project"]["id"], "viewer", api_name="/share_project")
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        page.goto(studio.url, wait_until="load")
        page.get_by_label("username").fill("admin")
        page.get_by_label("password").fill(PASSWORDS["admin"])
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Signed in as").wait_for(timeout=30000)
        assert "(admin)" in page.locator("#signed-in").inner_text()
        page.get_by_role("tab", name="5 · Dashboard").click()
        spend = page.locator("#spend-per-user")
        spend.wait_for(state="visible", timeout=15000)
        spend.get_by_text("Spend per user").click()
        spend.get_by_text("team spend").wait_for(timeout=10000)
        page.wait_for_timeout(800)
        assert "erin" in spend.inner_text() and "alice" in spend.inner_text()
        page.mouse.wheel(0, -3000)
        spend.screenshot(path=str(SHOTS / "admin-spend-per-user.png"))
        page.screenshot(path=str(SHOTS / "admin-dashboard.png"), full_page=False)
        # alice's shared project: listed with her name, opened read-only, no sharing control for the admin
        page.locator(".project-bar input[role='listbox'], .project-bar input").first.click()
        page.get_by_role("option", name="Alice's launch · 16:9 · alice's (view only)").click()
        owner = page.locator("#project-owner")
        owner.get_by_text("Owner:").wait_for(timeout=15000)
        assert "alice" in owner.inner_text() and "you can view" in owner.inner_text()
        assert not page.locator("#project-sharing").is_visible()
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "team-project-bar-shared.png"),
                        clip={"x": 0, "y": 0, "width": 1440, "height": 200})
    finally:
        studio.client("alice").predict(alice_frame["project"]["id"], "private", api_name="/share_project")
        context.close()


# --- Hugging Face logins (auth=hf) ----------------------------------------------------------------------------------
def test_hf_mode_off_a_space_says_what_it_needs(tmp_path, monkeypatch):
    import huggingface_hub

    from pipeline.services import build_services
    from studio.ui import launch_options

    monkeypatch.delenv("SYSTEM", raising=False)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    services = build_services(make_settings(tmp_path / "studio-data", auth="hf"))
    try:
        with pytest.raises(RuntimeError, match="hf_oauth: true"):
            launch_options(services)
    finally:
        services.close()


def _session_cookie(secret: str, session: dict) -> str:
    """The cookie Starlette's SessionMiddleware (attached by Gradio's OAuth) would set after a Hugging Face login."""
    import base64
    import hashlib
    import json

    import itsdangerous

    key = hashlib.sha256((secret + "-v4").encode()).hexdigest()
    data = base64.b64encode(json.dumps(session).encode("utf-8"))
    return itsdangerous.TimestampSigner(key).sign(data).decode("utf-8")


# Gradio starts its Spaces hot-reload watcher when SYSTEM=spaces; without the `spaces` package (present on a real
# Space) that thread just stops with an error.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_hf_mode_on_a_space(tmp_path, monkeypatch):
    """On a Space: the LoginButton attaches Gradio's OAuth; anonymous calls are refused by Access, a signed-in
    Hugging Face member of the organisation is a studio user, others are refused."""
    import time

    import gradio.oauth
    from gradio_client import Client

    from pipeline.services import build_services
    from studio.ui import build_demo, launch_options

    monkeypatch.setenv("SYSTEM", "spaces")
    monkeypatch.setenv("SPACE_ID", "team/hero-frame-studio")
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-tmp"))
    for name, value in (("OAUTH_CLIENT_ID", "client-id"), ("OAUTH_CLIENT_SECRET", "client-secret"),
                        ("OAUTH_SCOPES", "openid profile read-repos"),
                        ("OPENID_PROVIDER_URL", "https://huggingface.co")):
        monkeypatch.setattr(gradio.oauth, name, value)
    settings = make_settings(tmp_path / "studio-data", port=_free_port(), auth="hf", hf_oauth_org="acme")
    services = build_services(settings)
    demo = build_demo(services)
    assert demo.expects_oauth  # the project bar's LoginButton
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(services))
    url = f"http://127.0.0.1:{settings.port}/"

    def oauth(username: str, orgs: list[str]) -> dict:
        return {"oauth_info": {"access_token": "t", "expires_at": int(time.time()) + 3600,
                               "userinfo": {"preferred_username": username, "name": username,
                                            "orgs": [{"preferred_username": o} for o in orgs]}}}

    try:
        anonymous = Client(url, verbose=False)
        with pytest.raises(Exception, match="Log in"):
            anonymous.predict(api_name="/whoami")
        member = Client(url, verbose=False,
                        headers={"Cookie": f"session={_session_cookie('client-secret', oauth('hanna', ['acme']))}"})
        assert member.predict(api_name="/whoami") == {"username": "hf:hanna", "role": "member", "team_mode": True,
                                                       "auth": "hf"}
        outsider = Client(url, verbose=False,
                          headers={"Cookie": f"session={_session_cookie('client-secret', oauth('otto', ['other']))}"})
        with pytest.raises(Exception, match="organisation 'acme'"):
            outsider.predict(api_name="/whoami")
        forged = Client(url, verbose=False,
                        headers={"Cookie": f"session={_session_cookie('wrong-secret', oauth('hanna', ['acme']))}"})
        with pytest.raises(Exception, match="Log in"):
            forged.predict(api_name="/whoami")
        media = services.media.root / "frames" / "probe.png"
        media.parent.mkdir(parents=True, exist_ok=True)
        media.write_bytes(b"not really a png")
        assert httpx.get(f"{url}gradio_api/file={media}").status_code == 403  # the media gate is on here too
        # Gradio checks no login on file routes with OAuth: the gate does — a cache copy needs a signed-in member
        from gradio.utils import get_upload_folder

        copy = Path(get_upload_folder()) / "0123abcd" / "copy.png"
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(b"a cache copy")
        assert httpx.get(f"{url}gradio_api/file={copy}").status_code == 401
        member_cookie = {"session": _session_cookie("client-secret", oauth("hanna", ["acme"]))}
        outsider_cookie = {"session": _session_cookie("client-secret", oauth("otto", ["other"]))}
        assert httpx.get(f"{url}gradio_api/file={copy}", cookies=outsider_cookie).status_code == 401
        fetched = httpx.get(f"{url}gradio_api/file={copy}", cookies=member_cookie)
        assert fetched.status_code == 200 and fetched.content == b"a cache copy"
    finally:
        demo.close()
        services.close()


# --- the accounts CLI -----------------------------------------------------------------------------------------------
def _cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HFS_") and k != "DATABASE_URL"}
    env.update(HFS_DATA_DIR=str(data_dir), HFS_DATABASE_URL=f"sqlite:///{data_dir / 'studio.db'}")
    return subprocess.run([sys.executable, "-m", "storage.users", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)


def test_users_cli(tmp_path):
    from pipeline.access import Actor, acting_as
    from pipeline.services import build_services
    from storage.users import UserStore

    data = tmp_path / "studio-data"
    added = _cli(data, "add", "alice", "--password-stdin", stdin="alice-password-1\n")
    assert added.returncode == 0 and "alice" in added.stdout and "alice-password-1" not in added.stdout + added.stderr
    assert _cli(data, "add", "bob", "--role", "admin", "--password-stdin", stdin="bob-password-22\n").returncode == 0
    short = _cli(data, "add", "carl", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 8" in short.stderr
    again = _cli(data, "add", "alice", "--password-stdin", stdin="alice-password-1\n")
    assert again.returncode == 2 and "exists" in again.stderr
    assert _cli(data, "disable", "alice").returncode == 0
    assert _cli(data, "set-role", "alice", "admin").returncode == 0
    assert _cli(data, "set-cap", "alice", "50").returncode == 0
    listing = _cli(data, "list").stdout
    row = next(line for line in listing.splitlines() if line.startswith("alice"))
    assert "admin" in row and "disabled" in row and "50.00" in row
    assert _cli(data, "set-cap", "alice", "default").returncode == 0 and _cli(data, "enable", "alice").returncode == 0
    row = next(line for line in _cli(data, "list").stdout.splitlines() if line.startswith("alice"))
    assert "active" in row and "default" in row
    assert _cli(data, "set-role", "nobody", "admin").returncode == 2

    # transfer: alice's projects become bob's
    services = build_services(make_settings(data, auth="local"))
    try:
        users = {u["username"]: u for u in UserStore(services.db).list()}
        assert UserStore(services.db).authenticate("alice", "alice-password-1")
        with acting_as(Actor(users["alice"]["id"], "alice", "member")):
            project = services.projects.create("Handed over", "16:9")
    finally:
        services.close()
    moved = _cli(data, "transfer", "alice", "bob")
    assert moved.returncode == 0 and "Moved 1 project" in moved.stdout
    rows = {line.split()[0]: line.split() for line in _cli(data, "list").stdout.splitlines()[1:]}
    assert rows["alice"][5] == "0" and rows["bob"][5] == "1"
    services = build_services(make_settings(data, auth="local"))
    try:
        with acting_as(Actor(users["bob"]["id"], "bob", "admin")):
            assert services.projects.get(project.id).owner == "bob"
    finally:
        services.close()
