"""Timing benchmark (not collected by pytest): a 5 s 1280×720 24 fps pan+zoom.

    python -m tests.scoring.bench_720p            # from the repo root

Prints cold (first score in the process, imports included) and warm timings,
with and without the pyiqa tier: wall-clock and process CPU time (user+sys of
all threads; on a busy machine the CPU time is the load-independent figure,
and wall time on 2 idle cores is at most about that).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import synth

CODE = """
import sys, time
t = time.perf_counter()
from scoring import score_video
kw = dict(enable_pyiqa={pyiqa})
r = score_video(sys.argv[1], sys.argv[2], "slow pan right", **kw)
cold = time.perf_counter() - t
cold_cpu = time.process_time()
warm, cpu = [], []
for _ in range(3):
    c = time.process_time()
    warm.append(score_video(sys.argv[1], sys.argv[2], "slow pan right", **kw).seconds)
    cpu.append(time.process_time() - c)
print(f"pyiqa={pyiqa}: cold {{cold:.2f}} s wall / {{cold_cpu:.2f}} s CPU (score_video {{r.seconds:.2f}} s), "
      f"warm {{min(warm):.2f}}-{{max(warm):.2f}} s wall / {{min(cpu):.2f}}-{{max(cpu):.2f}} s CPU; used={{r.metrics_used}}")
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        canvas = synth.make_canvas(1920, 900, seed=3)
        frames = synth.render_frames(canvas, 1280, 720, 120, pan=0.25, zoom=0.1)
        first = next(synth.render_frames(canvas, 1280, 720, 1, pan=0.25, zoom=0.1))
        hero = synth.write_image(tmp / "hero.png", first)
        clip = synth.write_video(tmp / "pan720.mp4", frames, 24)
        print(f"made clip in {time.perf_counter() - t:.1f} s")
        for pyiqa in (False, True):
            subprocess.run([sys.executable, "-c", CODE.format(pyiqa=pyiqa), str(clip), str(hero)], check=True)


if __name__ == "__main__":
    main()
