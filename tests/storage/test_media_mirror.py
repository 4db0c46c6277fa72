"""MediaStore with an object store attached (the write-through / read-through mirror), on an in-memory store.

These run without boto3; tests/storage/test_object_store.py runs the same paths against a real S3 server.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PIL import Image

from storage.media import MediaStore
from storage.object_store import ObjectStore, ObjectStoreError, from_settings
from tests.conftest import make_settings


class MemoryStore(ObjectStore):
    """A bucket in a dict; records every call, and can be told to fail."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.calls: list[tuple[str, str]] = []
        self.fail: set[str] = set()

    def _call(self, name: str, relative: str) -> None:
        self.calls.append((name, relative))
        if name in self.fail:
            raise ObjectStoreError(f"S3 {name} of '{relative}' failed: SlowDown (HTTP 503)")

    def put(self, relative, local_path):
        self._call("put", relative)
        self.objects[relative] = Path(local_path).read_bytes()

    def get(self, relative, local_path):
        self._call("get", relative)
        if relative not in self.objects:
            return False
        Path(local_path).write_bytes(self.objects[relative])
        return True

    def exists(self, relative):
        self._call("exists", relative)
        return relative in self.objects

    def delete(self, relative):
        self._call("delete", relative)
        self.objects.pop(relative, None)

    def list(self, prefix=""):
        return iter(sorted(k for k in self.objects if k.startswith(prefix)))


def _image(colour=(200, 30, 30)) -> Image.Image:
    return Image.new("RGB", (64, 48), colour)


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def bucket():
    return MemoryStore()


@pytest.fixture
def machines(tmp_path, bucket):
    return MediaStore(tmp_path / "a", remote=bucket), MediaStore(tmp_path / "b", remote=bucket)


def test_without_a_remote_nothing_changes(tmp_path):
    media = MediaStore(tmp_path / "m")
    assert media.remote is None
    relative = media.new_path("frames", "x", ".png")
    assert not media.exists(relative) and not media.absolute(relative).exists()
    assert _files(media.root) == [] and [p.name for p in media.root.iterdir()] == []  # absolute() made no folder
    media.save_image(_image(), relative)
    assert _files(media.root) == [relative]
    media.publish(relative)  # no-op
    assert media.ensure_local(relative, "frames/none.png", None) == ["frames/none.png"]
    media.delete(relative)
    assert _files(media.root) == []


def test_writes_are_uploaded_and_read_elsewhere(machines, bucket, tmp_path):
    a, b = machines
    image = a.save_image(_image(), a.new_path("frames", "hero", ".png"))
    thumb = a.save_thumbnail(_image(), a.new_path("thumbs", "hero", ".jpg"))
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a video")
    video = a.import_file(source, a.new_path("attempts", "g1-a1", ".mp4"))
    with a.atomic_write("exports/ad_x_1.mp4") as tmp:
        tmp.write_bytes(b"export")
    assert set(bucket.objects) == {image, thumb, video, "exports/ad_x_1.mp4"}
    assert not any(name == "get" for name, _ in bucket.calls)  # writes never look anything up first

    assert _files(b.root) == []
    assert b.exists(image) and b.exists(thumb)
    assert b.absolute(video).read_bytes() == source.read_bytes()
    assert b.absolute(image).read_bytes() == a.absolute(image).read_bytes()
    assert sorted(_files(b.root)) == sorted([image, thumb, video])  # no temp files left behind
    gets = len([c for c in bucket.calls if c[0] == "get"])
    b.absolute(image), b.exists(image)
    assert len([c for c in bucket.calls if c[0] == "get"]) == gets  # cached: no second download


def test_a_failed_upload_leaves_no_local_file(machines, bucket):
    a, _ = machines
    bucket.fail.add("put")
    relative = a.new_path("frames", "x", ".png")
    with pytest.raises(ObjectStoreError, match="SlowDown"):
        a.save_image(_image(), relative)
    assert _files(a.root) == []


def test_files_written_straight_to_a_path_are_uploaded_when_seen(machines, bucket):
    """Engines and ffmpeg write to media.absolute(new_path): the next absolute()/exists() uploads the result."""
    a, b = machines
    relative = a.new_path("attempts", "g1-a1", ".mp4")
    target = a.absolute(relative)
    assert bucket.calls == []  # a fresh path of this machine is never looked up
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"rendered")
    assert a.exists(relative)
    assert bucket.objects[relative] == b"rendered"
    a.absolute(relative)
    assert [c for c in bucket.calls if c[0] == "put"] == [("put", relative)]  # once
    assert b.absolute(relative).read_bytes() == b"rendered"

    # a deterministic path nobody has yet (an export): looked up, then uploaded once it appears
    export = "exports/ad_demo_3.mp4"
    assert not a.absolute(export).exists() and ("get", export) in bucket.calls
    a.absolute(export).parent.mkdir(parents=True, exist_ok=True)
    a.absolute(export).write_bytes(b"v1")
    assert a.absolute(export).is_file() and bucket.objects[export] == b"v1"

    # re-rendered in place: the changed file is uploaded again
    a.absolute(export).write_bytes(b"v2-longer")
    a.absolute(export)
    assert bucket.objects[export] == b"v2-longer"

    # publish() uploads at once
    other = a.new_path("attempts", "g1-a2", ".mp4")
    a.absolute(other).write_bytes(b"now")
    a.publish(other)
    assert bucket.objects[other] == b"now"


def test_a_file_another_process_uploaded_is_not_sent_twice(tmp_path, bucket):
    """Web process and embedded worker share one folder: what the worker uploaded, the web process doesn't resend."""
    web, worker = MediaStore(tmp_path / "m", remote=bucket), MediaStore(tmp_path / "m", remote=bucket)
    export = "exports/ad_demo_1.mp4"
    assert not web.exists(export)
    with worker.atomic_write(export) as tmp:
        tmp.write_bytes(b"x")
    assert web.exists(export)
    assert [c for c in bucket.calls if c[0] == "put"] == [("put", export)]


def test_delete_removes_both_copies(machines, bucket):
    a, b = machines
    relative = a.save_image(_image(), a.new_path("frames", "x", ".png"))
    assert b.exists(relative)
    b.delete(relative)
    assert relative not in bucket.objects and not b.absolute(relative).exists()
    bucket.fail.add("delete")
    other = a.save_image(_image(), a.new_path("frames", "y", ".png"))
    a.delete(other)  # a bucket failure on delete is logged, not raised: the rows are gone already
    assert not (a.root / other).exists() and other in bucket.objects


def test_missing_or_unreadable_objects_read_as_missing(machines, bucket, caplog):
    _, b = machines
    assert not b.exists("frames/nothing-here.png")
    assert not b.absolute("frames/nothing-here.png").exists()
    assert b.ensure_local("frames/nothing-here.png", None) == ["frames/nothing-here.png"]
    bucket.objects["frames/there.png"] = b"png"
    bucket.fail.add("get")
    with caplog.at_level(logging.WARNING, logger="storage.media"):
        assert not b.exists("frames/there.png")  # the bucket can't be read: the file is missing, no crash
    assert "frames/there.png could not be downloaded" in caplog.text
    assert _files(b.root) == [] and [p.name for p in b.root.iterdir()] == []  # no temp files, no empty folders
    bucket.fail.clear()
    assert b.exists("frames/there.png")


def test_local_only_folders_and_directories_stay_local(machines, bucket):
    a, _ = machines
    with a.atomic_write("downloads/dashboard-1.csv") as tmp:
        tmp.write_text("a,b\n")
    a.absolute("timeline/previews/p1-abc.mp4")
    a.absolute("timeline/previews")
    a.absolute("uploads/music")
    assert bucket.calls == []
    with pytest.raises(ValueError):
        a.absolute("../outside.png")


def test_settings_without_a_bucket_mean_no_object_store(tmp_path):
    settings = make_settings(tmp_path / "d")
    assert from_settings(settings) is None
    media = MediaStore.from_settings(settings)
    assert media.remote is None and media.root == settings.media_dir
    assert settings.public_summary()["media bucket"] == "off (media folder only)"


def test_a_bucket_without_boto3_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if it were not installed
    settings = make_settings(tmp_path / "d", s3_bucket="hfs-media")
    with pytest.raises(ObjectStoreError, match=r"HFS_S3_BUCKET is set but boto3 is not installed: pip install .*"
                                               r"boto3==\d"):
        MediaStore.from_settings(settings)


def test_s3_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAPLANTEDKEYID0001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "planted/secret+access+key")
    settings = make_settings(tmp_path / "d", s3_bucket="hfs-media", s3_prefix="/team/studio/",
                             s3_endpoint_url="https://minio.example:9000")
    assert settings.s3_prefix == "team/studio"
    assert settings.s3_access_key_id.get_secret_value() == "AKIAPLANTEDKEYID0001"
    assert {"AKIAPLANTEDKEYID0001", "planted/secret+access+key"} <= set(settings.secret_values())
    summary = settings.public_summary()
    assert summary["media bucket"] == "s3://hfs-media/team/studio/ at minio.example"
    assert summary["S3 access key"] == "set"
    text = f"{summary} {settings!r} {settings.model_dump_json()}"
    assert "AKIAPLANTEDKEYID0001" not in text and "planted/secret" not in text
    for bad in ({"s3_prefix": "a/../b"}, {"s3_endpoint_url": "minio:9000"}):
        with pytest.raises(ValueError):
            make_settings(tmp_path / "d", s3_bucket="hfs-media", **bad)


def test_media_audit_counts_what_only_the_bucket_has(tmp_path, bucket):
    """With a bucket the media folder is a cache: a file this machine never fetched is not "missing"."""
    from pipeline.services import build_services

    services = build_services(make_settings(tmp_path / "d"))
    try:
        services.media.remote = bucket
        project = services.projects.create("Audit", "16:9")
        services.hero_frames.generate(project.id, "a ceramic teapot on linen", 4, "16:9", 1)
        assert services.library.audit()["missing_files"] == []
        cached = [p for p in services.media.root.rglob("*.png")]
        assert cached and all(p.relative_to(services.media.root).as_posix() in bucket.objects for p in cached)
        for path in cached:  # as on a machine that has not opened them yet
            path.unlink()
        report = services.library.audit()
        assert report["missing_files"] == [] and report["orphan_files"] == []
        bucket.objects.pop(cached[0].relative_to(services.media.root).as_posix())
        assert services.library.audit()["missing_files"] == [cached[0].relative_to(services.media.root).as_posix()]
    finally:
        services.close()
