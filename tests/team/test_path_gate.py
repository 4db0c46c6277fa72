"""The music path gate (pipeline/media_refs.py): references are normalised first (backslashes, '..', percent-encoding,
absolute paths, symlinks, case) and checked afterwards, so no spelling of another user's upload, an export or a
server file is ever accepted, and every spelling of one's own upload resolves to that upload.

The leak it closes: ``uploads\\music\\u<alice>\\<file>`` (or ``exports\\<name>.mp4``) set as bob's music passed the
ownership check as a "library id" and was turned into a real path by the edit list afterwards."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import StudioError
from pipeline.media_refs import MusicGate, UnknownMedia
from tests.team.test_music_isolation import _wav
from tests.team.test_ownership_core import _services, as_user

MUSIC_DIR = Path(__file__).resolve().parents[2] / "assets" / "music"
OWN = "uploads/music/u1/m-aaaaaaaaaaaa.wav"
OTHERS = ["uploads/music/u2/m-bbbbbbbbbbbb.wav", "exports/p2-v1-cccccccccccc.mp4", "studio.db",
          "uploads/music/u1/m-link00000000.wav", "uploads/music/m-legacy000000.wav"]
PROPERTY = settings(max_examples=250, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# ---------------------------------------------------------------- through the service (the reported leak)
def test_backslash_spellings_of_other_peoples_files_are_refused(tmp_path):
    services = _services(tmp_path / "d")
    try:
        with as_user(services, "alice"):
            alice_project = services.projects.create("Alice", "16:9").id
            track = services.timeline.upload_music(alice_project, str(_wav(tmp_path / "song.wav")))["track"]["id"]
        export = services.media.root / "exports" / "p1-v1-000000000000.mp4"
        export.parent.mkdir(parents=True, exist_ok=True)
        export.write_bytes(b"not really a video")
        with as_user(services, "bob"):
            bob_project = services.projects.create("Bob", "16:9").id
            for spelling in (track.replace("/", "\\"), track.replace("/", "\\\\"), "exports\\p1-v1-000000000000.mp4",
                             quote(track, safe=""), str(services.media.absolute(track)),
                             f"uploads/music/u{services.access.user_id()}/../{track.split('/', 2)[2]}"):
                with pytest.raises(StudioError, match="does not exist") as refused:
                    services.timeline.apply(bob_project, "set_music", track=spelling)
                assert str(services.media.root) not in str(refused.value)
            with pytest.raises(StudioError, match="does not exist"):
                services.timeline.apply(bob_project, "set_music", track={"track": track.replace("/", "\\")})
            assert services.timeline.get(bob_project).edit_list["music"] is None
    finally:
        services.close()


def test_own_spellings_are_stored_canonically_and_unknown_tracks_refused_at_once(tmp_path):
    services = _services(tmp_path / "d")
    try:
        with as_user(services, "alice"):
            project = services.projects.create("Alice", "16:9").id
            track = services.timeline.upload_music(project, str(_wav(tmp_path / "song.wav")), use=False)["track"]["id"]
            view = services.timeline.apply(project, "set_music", track=track.replace("/", "\\"))
            assert view.edit_list["music"]["track"] == track
            view = services.timeline.apply(project, "set_music", track=".\\\\morning-canopy.m4a")
            assert view.edit_list["music"]["track"] == "morning-canopy"  # a library file, stored by its id
            with pytest.raises(StudioError, match="Music track 'no-such-track' does not exist"):
                services.timeline.apply(project, "set_music", track="no-such-track")
            assert services.timeline.get(project).edit_list["music"]["track"] == "morning-canopy"
    finally:
        services.close()


def test_a_stored_bed_naming_an_export_is_refused_at_export(tmp_path):
    """A bed stored before the gate existed (written straight into the edit list) cannot play another file."""
    from pipeline.timeline import operations as ops

    services = _services(tmp_path / "d")
    try:
        with as_user(services, "alice"):
            project = services.projects.create("Alice", "16:9").id
            from tests.timeline.conftest import make_clip

            services.timeline.upload_clip(project, str(make_clip(tmp_path / "c.mp4", (9, 9, 9), seconds=1.0)))
            head = services.timeline.get(project)
            secret = services.media.root / "exports" / "p9-v1-000000000000.mp4"
            secret.parent.mkdir(parents=True, exist_ok=True)
            secret.write_bytes(b"x")
            from pipeline.timeline.edit_list import EditList

            edit = ops.set_music(EditList.from_dict(head.edit_list), "exports\\p9-v1-000000000000.mp4")
            services.timeline.apply_edit(project, edit, "old bed")
            with pytest.raises(StudioError, match="does not exist"):
                services.timeline.export(project, "crop")
    finally:
        services.close()


# ---------------------------------------------------------------- properties over spellings
@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate") / "media"
    for relative in [OWN, *OTHERS[:3], OTHERS[4]]:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(b"RIFF")
    os.symlink(root / OTHERS[0], root / OTHERS[3])  # a link in one's own folder to someone else's file
    return MusicGate(root, MUSIC_DIR), root


def _encode(text: str, choices: list[int]) -> str:
    """Percent-encode some characters (some twice: %25XX), as a browser or a hostile client might."""
    out = []
    for ch, choice in zip(text, choices + [0] * len(text)):
        if choice == 1:
            out.append(quote(ch, safe=""))
        elif choice == 2:
            out.append(quote(quote(ch, safe=""), safe=""))
        else:
            out.append(ch)
    return "".join(out)


@st.composite
def spellings(draw, relative: str, root: Path, change_case: bool = False) -> str:
    parts = relative.split("/")
    text = ""
    for index, part in enumerate(parts):
        if index:
            text += draw(st.sampled_from(["/", "\\", "//", "/./", "\\.\\", "\\\\"]))
        if index < len(parts) - 1 and draw(st.booleans()):
            text += draw(st.sampled_from(["x", "u9", "uploads", "u2"])) + draw(st.sampled_from(["/", "\\"])) + ".." \
                + draw(st.sampled_from(["/", "\\"]))  # a detour that comes back: x/../
        text += part
    if draw(st.booleans()):
        text = str(root).replace("/", draw(st.sampled_from(["/", "\\"]))) + "/" + text
    elif draw(st.booleans()):
        text = "./" + text
    if change_case:
        flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        text = "".join(c.swapcase() if flip else c for c, flip in zip(text, flips))
    return _encode(text, draw(st.lists(st.sampled_from([0, 0, 1, 2]), max_size=len(text))))


@PROPERTY
@given(data=st.data())
def test_every_spelling_of_ones_own_upload_is_that_upload(gate, data):
    music, root = gate
    spelling = data.draw(spellings(OWN, root))
    assert music.check(spelling, ["uploads/music/u1"]).canonical == OWN


@PROPERTY
@given(data=st.data(), target=st.sampled_from(OTHERS + ["../gate-secret.txt", "/etc/passwd", "/etc/hostname"]),
       change_case=st.booleans())
def test_no_spelling_of_another_file_is_accepted(gate, data, target, change_case):
    music, root = gate
    spelling = data.draw(spellings(target, root, change_case))
    try:
        found = music.check(spelling, ["uploads/music/u1"])
    except UnknownMedia as refused:
        assert str(root) not in str(refused) and "/etc" not in str(refused)
        return
    assert found.canonical == OWN, spelling  # only a case-insensitive file system could map a spelling there


@PROPERTY
@given(text=st.text(alphabet=st.sampled_from(list("./\\%25CcAa:u1m-ploadsic~ \x00")), max_size=60)
       | st.text(max_size=40))
def test_whatever_is_accepted_is_a_library_track_or_ones_own(gate, text):
    music, _root = gate
    try:
        found = music.check(text, ["uploads/music/u1"])
    except UnknownMedia:
        return
    assert found.canonical == OWN or (found.library and "/" not in found.canonical)
