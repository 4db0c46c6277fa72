"""Running one ffmpeg command for an export: progress from ``-progress pipe:1``, cancel by raising from the
progress callback, and a watchdog for an ffmpeg that stops making progress (stopped, then run once more)."""
from __future__ import annotations

import logging
import queue
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable

ProgressFn = Callable[[float, str], None]  # progress(percent 0-100, step text); may raise to cancel
# ffmpeg reports progress every 0.5 s; when the encoded time has not moved for this long it is stuck (seen with a
# music input cut off by the graph: every frame encoded, the trailer never written), so it is stopped and run again.
STALL_SECONDS = 120.0
END_GRACE_SECONDS = 15.0  # after "progress=end" the file is complete; ffmpeg gets this long to exit by itself
log = logging.getLogger(__name__)


class ExportError(RuntimeError):
    """ffmpeg failed. The message ends with the tail of ffmpeg's error output."""


class ExportStalled(ExportError):
    """ffmpeg stopped making progress and was stopped; trying again usually works."""


def run_ffmpeg(args: list[str], duration: float, report: ProgressFn, step: str,
               stall_seconds: float = STALL_SECONDS) -> None:
    """Run ffmpeg, reporting progress from ``-progress pipe:1``; kill it if ``report`` raises, and raise
    ExportStalled when its encoded time stops moving for ``stall_seconds`` (a hung ffmpeg never blocks a job)."""
    proc: subprocess.Popen[str] | None = None
    with tempfile.TemporaryFile() as errlog:
        try:
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errlog, stdin=subprocess.DEVNULL,
                                    text=True, bufsize=1)
            assert proc.stdout is not None
            lines = _pump_lines(proc.stdout)
            last = -1.0
            seen: dict[str, str] = {}  # ffmpeg's out_time_us and total_size: what moves while it works
            moved_at = time.monotonic()
            ended = False
            while True:
                try:
                    line = lines.get(timeout=1.0)
                except queue.Empty:
                    line = ""
                if line is None:  # ffmpeg closed its output: it is exiting
                    break
                key, _, value = line.strip().partition("=")
                if key in ("out_time_us", "total_size") and value.isdigit():
                    if seen.get(key) != value:
                        seen[key] = value
                        moved_at = time.monotonic()
                    if key == "out_time_us":
                        percent = min(98.0, 2.0 + int(value) / 1e6 / max(duration, 1e-6) * 96.0)
                        if percent > last:
                            last = percent
                            report(percent, step)
                elif key == "progress" and value == "end":
                    ended = True
                    report(98.0, "Finishing")
                    break
                if time.monotonic() - moved_at > stall_seconds:
                    raise ExportStalled(f"ffmpeg made no progress for {stall_seconds:.0f} s while "
                                        f"{step[:1].lower() + step[1:]}, so it was stopped.")
            try:
                code = proc.wait(timeout=END_GRACE_SECONDS if ended else stall_seconds)
            except subprocess.TimeoutExpired:
                if not ended:
                    raise ExportStalled(f"ffmpeg did not exit {stall_seconds:.0f} s after it stopped writing, "
                                        "so it was stopped.") from None
                # The final report comes after the trailer: the file is whole, only ffmpeg's teardown hangs.
                log.warning("ffmpeg finished the file but did not exit; stopping it (%s)", step)
                proc.kill()
                proc.wait()
                code = 0
            if code != 0:
                errlog.seek(0)
                tail = errlog.read()[-3000:].decode("utf-8", "replace").strip()
                raise ExportError(f"ffmpeg failed (exit code {code}) while exporting the timeline: {tail}")
        except BaseException:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
            raise
        finally:
            if proc is not None and proc.stdout is not None:
                proc.stdout.close()


def run_ffmpeg_retrying(args: list[str], duration: float, report: ProgressFn, step: str, stall_seconds: float) -> None:
    """``run_ffmpeg``, once more after a stall (the same command; the output file is rewritten from the start)."""
    try:
        run_ffmpeg(args, duration, report, step, stall_seconds)
    except ExportStalled as exc:
        log.warning("%s Trying once more.", exc)
        report(2.0, f"{step} (second try: ffmpeg stalled)")
        run_ffmpeg(args, duration, report, step, stall_seconds)


def _pump_lines(stream) -> queue.Queue:
    """Lines of ``stream`` on a queue, read by a daemon thread (None at the end), so the reader can time out."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        try:
            for line in stream:
                lines.put(line)
        except (OSError, ValueError):  # closed under us after a kill
            pass
        finally:
            lines.put(None)

    threading.Thread(target=pump, name="ffmpeg-progress", daemon=True).start()
    return lines
