"""A hung ffmpeg never blocks an export for ever: it is stopped when its encoded time stops moving and run once
more; a finished file whose ffmpeg does not exit is kept; looped music is a finite input."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from pipeline.timeline import export as export_module
from pipeline.timeline import ffmpeg_process, set_music
from pipeline.timeline.edit_list import TimelineError
from pipeline.timeline.export import (
    build_command,
    export,
    ffmpeg_exe,
    music_reading,
    probe,
    resolve_music,
)
from pipeline.timeline.ffmpeg_process import ExportStalled

from .test_export import SMALL, assert_matches_timeline, three_clips

# A stand-in for ffmpeg. Its behaviour per call comes from FAKE_PLAN ("stall", "real", "end-then-hang"), one word
# per call in order (the last one repeats); it logs each call's pid to FAKE_LOG.
FAKE = """#!{python}
import os, subprocess, sys, time
log = os.environ["FAKE_LOG"]
calls = open(log).read().split() if os.path.exists(log) else []
plan = os.environ["FAKE_PLAN"].split()
mode = plan[min(len(calls), len(plan) - 1)]
with open(log, "a") as f:
    f.write(f"{{os.getpid()}}\\n")
if mode == "real":
    os.execv(os.environ["REAL_FFMPEG"], [os.environ["REAL_FFMPEG"], *sys.argv[1:]])
if mode == "end-then-hang":
    subprocess.run([os.environ["REAL_FFMPEG"], *sys.argv[1:]], check=True, stdout=subprocess.DEVNULL)
    print("out_time_us=999000000\\ntotal_size=1\\nprogress=end", flush=True)
    time.sleep(3600)
# stall: ffmpeg's reports keep coming, but the encoded time is stuck
print("out_time_us=0\\ntotal_size=48\\nprogress=continue", flush=True)
while True:
    print("out_time_us=1000000\\ntotal_size=4096\\nprogress=continue", flush=True)
    time.sleep(0.5)
"""


@pytest.fixture
def fake_ffmpeg(tmp_path, monkeypatch):
    script = tmp_path / "bin" / "fake-ffmpeg"
    script.parent.mkdir()
    script.write_text(FAKE.format(python=sys.executable))
    script.chmod(0o755)
    log = tmp_path / "bin" / "calls.log"
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.setenv("REAL_FFMPEG", ffmpeg_exe())
    monkeypatch.setattr(export_module, "ffmpeg_exe", lambda: str(script))

    def use(plan: str) -> Path:
        monkeypatch.setenv("FAKE_PLAN", plan)
        return log

    return use


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is not running
        return stat.read().split(")")[-1].split()[0] != "Z"


def _pids(log: Path) -> list[int]:
    return [int(line) for line in log.read_text().split()]


def test_a_stalled_ffmpeg_is_stopped_and_the_export_tried_again(media_root, music_dir, tmp_path, fake_ffmpeg):
    log = fake_ffmpeg("stall real")
    steps: list[str] = []
    out = tmp_path / "out" / "second-try.mp4"
    edit = three_clips(media_root)
    started = time.monotonic()
    result = export(edit, out, media_root, music_dir, long_side=SMALL, allow_copy=False, stall_seconds=2.0,
                    progress=lambda percent, step: steps.append(step))
    assert time.monotonic() - started < 60
    assert_matches_timeline(result, edit, *result_size(result))
    pids = _pids(log)
    assert len(pids) == 2 and not _alive(pids[0])
    assert "Encoding video (second try: ffmpeg stalled)" in steps
    assert sorted(p.name for p in out.parent.iterdir()) == ["second-try.mp4"]


def test_stalling_twice_fails_clearly_and_leaves_nothing(media_root, music_dir, tmp_path, fake_ffmpeg):
    log = fake_ffmpeg("stall")
    out = tmp_path / "out" / "never.mp4"
    out.parent.mkdir()
    out.write_bytes(b"the previous export")
    with pytest.raises(ExportStalled, match="made no progress for 2 s while encoding video"):
        export(three_clips(media_root), out, media_root, music_dir, long_side=SMALL, allow_copy=False,
               stall_seconds=2.0)
    pids = _pids(log)
    assert len(pids) == 2 and not any(_alive(pid) for pid in pids)
    assert sorted(p.name for p in out.parent.iterdir()) == ["never.mp4"]
    assert out.read_bytes() == b"the previous export"


def test_a_finished_file_is_kept_when_ffmpeg_does_not_exit(media_root, music_dir, tmp_path, fake_ffmpeg,
                                                            monkeypatch):
    monkeypatch.setattr(ffmpeg_process, "END_GRACE_SECONDS", 1.0)
    log = fake_ffmpeg("end-then-hang")
    edit = three_clips(media_root)
    result = export(edit, tmp_path / "kept.mp4", media_root, music_dir, long_side=SMALL, allow_copy=False,
                    stall_seconds=30.0)
    assert_matches_timeline(result, edit, *result_size(result))
    assert not any(_alive(pid) for pid in _pids(log))


def test_the_music_input_ends_by_itself_just_before_the_bed(media_root, music_dir, tmp_path):
    edit = set_music(three_clips(media_root), "morning-canopy", start_offset=7.5)
    args, _ = build_command(edit, tmp_path / "x.mp4", media_root, music_dir, long_side=SMALL)
    at = args.index("-stream_loop")
    loops, seconds = int(args[at + 1]), float(args[at + 3])
    assert (args[at + 2] == "-t" and args[at + 4] == "-i"
            and args[at + 5] == str(resolve_music("morning-canopy", music_dir)))
    track = probe(resolve_music("morning-canopy", music_dir)).duration
    assert loops == 0  # 7.5 s in, 6 s of timeline: well inside the track
    # the input ends by itself a hair before the bed (the graph pads it), never cut off while it has more to give
    assert 7.5 + edit.duration - 0.1 <= seconds < 7.5 + edit.duration < track
    assert music_reading(edit, 1.0) == (6, 6.45)  # a 1 s song under a 6 s timeline (offset 0.5) plays 7 times
    late = set_music(edit, "morning-canopy", start=4.0, start_offset=0.0)
    assert music_reading(late, 60.0) == (0, 1.95)  # the bed enters at 4 s: 2 s of music
    with pytest.raises(TimelineError, match="no duration"):
        music_reading(edit, 0.0)


def result_size(result) -> tuple[int, int]:
    return result.width, result.height
