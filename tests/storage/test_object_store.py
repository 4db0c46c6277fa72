"""Media in an S3 bucket: boto3 against moto's S3 server on 127.0.0.1 (a separate process, real HTTP).

"Machine A" and "machine B" are MediaStores (or whole service stacks) with different, empty media folders and the
same bucket: what one writes, the other reads. Needs requirements-test-s3.txt; without it these tests skip, unless
HFS_REQUIRE_S3=1 (CI), where a missing package is a failure.
"""
from __future__ import annotations

import importlib.util
import io
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import make_settings

for _package in ("boto3", "moto"):
    if importlib.util.find_spec(_package) is None:
        if os.environ.get("HFS_REQUIRE_S3") == "1":
            raise ImportError(f"{_package} is missing: pip install -r requirements-test-s3.txt (HFS_REQUIRE_S3=1)")
        pytest.importorskip(_package, reason="S3 tests need: pip install -r requirements-test-s3.txt")

import boto3

from storage.media import MediaStore
from storage.object_store import ObjectStoreError, S3ObjectStore, from_settings, main

KEY_ID = "AKIAPLANTEDS3KEY0042"
SECRET = "planted+S3/secret-access-key-0042"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_url():
    """moto's S3-compatible server in its own process, as a MinIO would be."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture
def bucket(s3_url) -> str:
    name = f"hfs-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_url, region_name=REGION, aws_access_key_id=KEY_ID,
                 aws_secret_access_key=SECRET).create_bucket(Bucket=name)
    return name


@pytest.fixture
def machine(tmp_path, s3_url, bucket):
    """Settings of one machine (its own data and media folder) on the shared bucket."""

    def build(name: str, **overrides):
        values = {"s3_bucket": bucket, "s3_prefix": "studio", "s3_endpoint_url": s3_url, "s3_region": REGION,
                  "HFS_S3_ACCESS_KEY_ID": KEY_ID, "HFS_S3_SECRET_ACCESS_KEY": SECRET, **overrides}
        return make_settings(tmp_path / name, **values)

    return build


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _photo() -> Image.Image:
    rng = np.random.default_rng(7)
    return Image.fromarray((rng.random((270, 480, 3)) * 255).astype(np.uint8))


def test_image_and_video_written_on_a_are_read_on_b(machine, tmp_path):
    from pipeline.timeline.export import probe
    from tests.providers.fakes import make_mp4

    a, b = MediaStore.from_settings(machine("a")), MediaStore.from_settings(machine("b"))
    assert isinstance(a.remote, S3ObjectStore) and a.root != b.root
    image = a.save_image(_photo(), a.new_path("frames", "hero", ".png"), compress_level=3)
    thumb = a.save_thumbnail(_photo(), a.new_path("thumbs", "hero", ".jpg"))
    clip = tmp_path / "upload.mp4"
    clip.write_bytes(make_mp4(seconds=1.0))
    video = a.import_file(clip, a.new_path("uploads/clips", "upload", ".mp4"))
    assert sorted(a.remote.list()) == sorted([image, thumb, video])
    assert a.remote.exists(video) and a.remote.key(video) == f"studio/{video}"

    assert _files(b.root) == []
    assert b.exists(image) and b.exists(thumb)
    with Image.open(b.absolute(image)) as copy:
        assert copy.size == (480, 270)
        assert np.array_equal(np.asarray(copy), np.asarray(_photo()))
    assert b.absolute(video).read_bytes() == clip.read_bytes()
    assert probe(b.absolute(video)).duration == pytest.approx(1.0, abs=0.1)
    assert _files(b.root) == sorted([image, thumb, video])  # cached copies only: no temp files

    # an engine writes straight to the path it was given; the next look at the path uploads it
    render = b.new_path("attempts", "g1-a1", ".mp4")
    target = b.absolute(render)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(make_mp4(seconds=0.5))
    assert b.exists(render)
    assert a.absolute(render).read_bytes() == target.read_bytes()


def test_delete_removes_the_object(machine):
    a, b = MediaStore.from_settings(machine("a")), MediaStore.from_settings(machine("b"))
    relative = a.save_image(_photo(), a.new_path("frames", "gone", ".jpg"))
    assert b.exists(relative)
    b.delete(relative)
    assert not b.remote.exists(relative) and not (b.root / relative).exists()
    assert list(b.remote.list("frames/")) == []
    c = MediaStore.from_settings(machine("c"))
    assert not c.exists(relative)


def test_a_missing_object_reads_as_missing(machine):
    media = MediaStore.from_settings(machine("b"))
    assert media.exists("frames/never-written.png") is False
    assert not media.absolute("frames/never-written.png").exists()
    assert media.remote.get("frames/never-written.png", media.root / "x.png") is False
    assert media.remote.exists("frames/never-written.png") is False
    media.remote.delete("frames/never-written.png")  # no error
    assert media.ensure_local("frames/never-written.png") == ["frames/never-written.png"]
    assert _files(media.root) == []


def test_errors_are_clear_and_carry_no_secret(machine, caplog):
    caplog.set_level(logging.DEBUG)  # botocore logs its requests, Authorization header included, at DEBUG
    settings = machine("a", s3_bucket="hfs-no-such-bucket")
    media = MediaStore.from_settings(settings)
    relative = media.new_path("frames", "x", ".png")
    with pytest.raises(ObjectStoreError) as info:
        media.save_image(_photo(), relative)
    message = str(info.value)
    assert "upload of 'frames/" in message and "s3://hfs-no-such-bucket/studio/" in message
    assert "NoSuchBucket" in message
    assert info.value.__cause__ is None
    assert _files(media.root) == []  # the write failed as a whole
    with pytest.raises(ObjectStoreError, match="listing"):
        list(media.remote.list())

    good = MediaStore.from_settings(machine("b"))
    done = good.save_image(_photo(), good.new_path("frames", "y", ".png"))
    assert MediaStore.from_settings(machine("c")).exists(done)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "botocore" in logged and "Authorization" in logged  # the requests were logged (redacted)
    shown = "\n".join([logged, message, repr(media.remote), media.remote.describe(), str(settings.public_summary()),
                       repr(settings)])
    assert KEY_ID not in shown and SECRET not in shown


def test_services_on_two_machines_share_media(machine, tmp_path):
    """Frames made on A, an attempt rendered on B from A's hero frame, its video and poster watched on A."""
    from pipeline.services import build_services
    from tests.services.seed import group, hero

    settings_a = machine("a")
    settings_b = machine("b", database_url=settings_a.resolved_database_url)  # one database, two media folders
    a, b = build_services(settings_a), build_services(settings_b)
    try:
        project = a.projects.create("Shared", "16:9")
        frame = hero(a, project)
        assert Path(frame.image).is_relative_to(settings_a.media_dir)
        view = group(b, project, count=1)  # B's engine reads the hero frame: downloaded from the bucket
        assert (settings_b.media_dir / "frames").is_dir()
        attempt = view.attempts[0]
        assert Path(attempt.video).is_relative_to(settings_b.media_dir)

        shown = a.attempts.groups(project.id)[0].attempts[0]
        video, poster = Path(shown.video), Path(shown.poster)
        assert video.is_relative_to(settings_a.media_dir) and video.is_file() and poster.is_file()
        assert video.read_bytes() == Path(attempt.video).read_bytes()
        with Image.open(io.BytesIO(poster.read_bytes())) as image:
            assert image.size[0] > 0
    finally:
        a.close()
        b.close()


def test_command_line_check_push_and_prune(machine, monkeypatch, capsys, s3_url, bucket, tmp_path):
    settings = machine("a", s3_bucket=None)  # a studio that ran on its local folder until now
    local = MediaStore.from_settings(settings)
    relative = local.save_image(_photo(), local.new_path("frames", "old", ".png"))
    for name, value in {"HFS_DATA_DIR": str(settings.data_dir), "HFS_S3_BUCKET": bucket, "HFS_S3_PREFIX": "studio",
                        "HFS_S3_ENDPOINT_URL": s3_url, "HFS_S3_REGION": REGION,
                        "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}.items():
        monkeypatch.setenv(name, value)  # the standard AWS_* names work too
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0 and "write, read and delete work" in capsys.readouterr().out
    assert main(["push"]) == 0 and "Uploaded 1 file(s)" in capsys.readouterr().out
    store = from_settings(make_settings(settings.data_dir, s3_bucket=bucket, s3_prefix="studio",
                                        s3_endpoint_url=s3_url, s3_region=REGION, s3_access_key_id=KEY_ID,
                                        s3_secret_access_key=SECRET))
    assert list(store.list()) == [relative]
    assert main(["push"]) == 0 and "Uploaded 0 file(s)" in capsys.readouterr().out
    old = time.time() - 30 * 86400
    os.utime(local.absolute(relative), (old, old))
    assert main(["prune-cache", "--days", "14"]) == 0 and "Deleted 1 cached file(s)" in capsys.readouterr().out
    assert not (local.root / relative).exists()
    assert MediaStore.from_settings(make_settings(settings.data_dir, s3_bucket=bucket, s3_prefix="studio",
                                                  s3_endpoint_url=s3_url, s3_region=REGION,
                                                  s3_access_key_id=KEY_ID, s3_secret_access_key=SECRET)
                                    ).exists(relative)  # read through again
