"""Uploaded music is per user: bob neither lists alice's uploads nor sets one as his music bed by its path; an
editor of alice's shared project keeps the bed alice chose."""
from __future__ import annotations

import pytest

from pipeline.errors import StudioError
from tests.team.test_ownership_core import _services, as_user


def _wav(path):
    import math
    import struct
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 10))) for i in range(22050)))
    return path


def test_uploaded_music_is_private_to_its_uploader(tmp_path):
    services = _services(tmp_path / "d")
    try:
        audio = _wav(tmp_path / "song.wav")
        with as_user(services, "alice"):
            alice_project = services.projects.create("Alice", "16:9").id
            uploaded = services.timeline.upload_music(alice_project, str(audio), use=True)
            track = uploaded["track"]["id"]
            assert any(t["id"] == track for t in services.timeline.music_tracks())
        with as_user(services, "bob"):
            bob_project = services.projects.create("Bob", "16:9").id
            assert not any(t["uploaded"] for t in services.timeline.music_tracks())
            with pytest.raises(StudioError, match="does not exist"):
                services.timeline.apply(bob_project, "set_music", track=track)
            with pytest.raises(StudioError, match="does not exist"):
                services.timeline.apply(bob_project, "set_music", track="../studio.db")
            library = services.timeline.music_tracks()[0]["id"]
            assert services.timeline.apply(bob_project, "set_music", track=library).edit_list["music"]["track"] \
                == library
        with as_user(services, "alice"):
            services.projects.share(alice_project, "editor")
        with as_user(services, "bob"):
            # the bed alice chose stays usable to an editor (e.g. changing its volume)
            view = services.timeline.apply(alice_project, "set_music", track=track, volume=0.5)
            assert view.edit_list["music"]["track"] == track
    finally:
        services.close()
