"""Nothing left behind: exports and renders write to temp names (``*.part.*``, ``.tmp-*``, ``*.partial.*``) and a
start of the studio or a worker removes the ones older than that start; a live job's temp file is kept."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import make_settings
from tests.timeline.conftest import make_clip

HOUR = 3600.0
REPO = Path(__file__).resolve().parents[2]


def _file(path: Path, age_seconds: float = 0.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"half a file")
    if age_seconds:
        then = time.time() - age_seconds
        os.utime(path, (then, then))
    return path


def test_a_restart_removes_stale_temp_files_and_keeps_live_ones(tmp_path):
    from pipeline.services import build_services

    settings = make_settings(tmp_path / "data")
    media = settings.media_dir
    stale = [_file(media / "exports" / ".p1-v2-0123456789ab.1a2b3c4d.part.mp4", HOUR),
             _file(media / "frames" / ".tmp-k3j4h5.png", HOUR),
             _file(media / "attempts" / ".g1-a1-x.abcd.partial.mp4", HOUR),
             _file(media / "timeline" / "previews" / ".p1-ffff.0badc0de.part.mp4", HOUR)]
    live = _file(media / "exports" / ".p1-v3-0123456789ab.5e6f7a8b.part.mp4")  # a job writing now
    kept = [_file(media / "exports" / "p1-v1-0123456789ab.mp4", HOUR), _file(media / "frames" / "p1-x.png", HOUR)]
    services = build_services(settings)
    try:
        assert not any(p.exists() for p in stale)
        assert live.exists() and all(p.exists() for p in kept)
        # the later sweep: whatever is older than this start goes, whatever is written after it stays
        os.utime(live, (services.started_at - 1, services.started_at - 1))
        after = _file(media / "exports" / ".p1-v4-0123456789ab.99999999.part.mp4")
        os.utime(after, (services.started_at + 1, services.started_at + 1))
        assert services.sweep_leftovers(before=services.started_at) == [
            "exports/.p1-v3-0123456789ab.5e6f7a8b.part.mp4"]
        assert after.exists() and all(p.exists() for p in kept)
    finally:
        services.close()


def test_a_worker_start_schedules_the_later_sweep(tmp_path):
    from pipeline.services import build_services

    settings = make_settings(tmp_path / "data", queue_mode="external", job_stale_seconds=0.2)
    fresh = _file(settings.media_dir / "exports" / ".p1-v1-0123456789ab.1a2b3c4d.part.mp4")  # killed just now
    services = build_services(settings)
    try:
        assert services._later_sweep is not None
        services._later_sweep.join(timeout=30)
        assert not fresh.exists()
    finally:
        services.close()


KILLED_EXPORT = """
import sys
from pathlib import Path
from pipeline.timeline import operations as ops
from pipeline.timeline.edit_list import EditList
from pipeline.timeline.export import export

media, clip = Path(sys.argv[1]), sys.argv[2]
edit = ops.add_clip(EditList(), clip, 8.0)
print("exporting", flush=True)
export(edit, media / "exports" / "p1-v1-0123456789ab.mp4", media, Path(sys.argv[3]), long_side=1920,
       preset="veryslow")
"""


def test_a_sigkill_during_an_export_leaves_no_temp_file_after_restart(tmp_path):
    """The export process (and its ffmpeg: the whole group, as systemd or docker kill it) dies mid-write."""
    from pipeline.services import build_services

    settings = make_settings(tmp_path / "data")
    media = settings.media_dir
    (media / "exports").mkdir(parents=True)
    make_clip(media / "clip.mp4", (200, 80, 40), seconds=8.0, size=(320, 180))
    process = subprocess.Popen([sys.executable, "-c", KILLED_EXPORT, str(media), "clip.mp4", str(settings.music_dir)],
                               cwd=REPO, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size for p in (media / "exports").glob("*.part.*")):
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "the export never started writing"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert list((media / "exports").glob("*.part.*")), "the kill should have left a temp file"
    services = build_services(settings)
    try:
        services.sweep_leftovers(before=services.started_at)  # what the later sweep does
        assert list((media / "exports").iterdir()) == []
    finally:
        services.close()
