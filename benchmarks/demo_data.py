"""A studio data folder at volume for the browser benchmark and the docs screenshots: the dashboard benchmark's
rows (benchmarks/dashboard.py seed: 4 frames and 3 iterations per project, scores, picks, finals) with real small
media behind every path (one frame, thumbnail, poster and 2 s clip, hard-linked), and every project's last frame
as its hero, and a confidence band on every auto-pick.

    .venv/bin/python benchmarks/demo_data.py /tmp/hfs-demo --projects 100 --attempts 1000
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import select, update  # noqa: E402

from benchmarks.dashboard import seed  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import HeroFrame, Project, VideoAttempt  # noqa: E402

BANDS = ["clear", "clear", "slight", "tie"]
NAMES = ["Amber sneaker", "Glass perfume", "Walnut headphones", "Ceramic mug", "Steel watch", "Linen tote",
         "Copper lamp", "Matte bottle", "Leather wallet", "Mint lipstick"]


def make_media(folder: Path) -> dict[str, Path]:
    """One product-like frame (PIL), its thumbnail and a 2 s push-in clip (ffmpeg) to link every row's paths to."""
    from PIL import Image, ImageDraw, ImageFilter

    folder.mkdir(parents=True, exist_ok=True)
    frame = Image.new("RGB", (1280, 720))
    draw = ImageDraw.Draw(frame)
    for y in range(720):  # a warm studio backdrop
        draw.line([(0, y), (1280, y)], fill=(60 + y // 8, 48 + y // 10, 40 + y // 14))
    draw.ellipse([470, 560, 810, 640], fill=(30, 24, 20))
    draw.rounded_rectangle([540, 180, 740, 600], radius=40, fill=(214, 140, 44))
    draw.rectangle([600, 120, 680, 190], fill=(40, 40, 46))
    frame = frame.filter(ImageFilter.GaussianBlur(1.2))
    paths = {"png": folder / "frame.png", "jpg": folder / "thumb.jpg", "poster": folder / "poster.jpg",
             "mp4": folder / "clip.mp4"}
    frame.save(paths["png"])
    frame.resize((320, 180)).save(paths["jpg"], quality=85)
    frame.resize((640, 360)).save(paths["poster"], quality=85)
    from pipeline.timeline.export import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-loop", "1", "-i", str(paths["png"]), "-t", "2", "-r", "24",
                    "-vf", "scale=640:360,zoompan=z='1+0.002*on':d=48:s=640x360:fps=24", "-pix_fmt", "yuv420p",
                    "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", str(paths["mp4"])], check=True)
    return paths


def link(source: Path, media_root: Path, relative: str | None) -> None:
    if not relative:
        return
    target = media_root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.link(source, target)


def build(data_dir: Path, projects: int, attempts: int) -> dict[str, int]:
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{data_dir / 'studio.db'}")
    db.upgrade()
    counts = seed(db, projects, attempts, random.Random(7))
    media_root = data_dir / "media"
    media = make_media(data_dir / "seed-media")
    with db.engine.begin() as conn:
        for frame_path, thumb in conn.execute(select(HeroFrame.image_path, HeroFrame.thumbnail_path)):
            link(media["png"], media_root, frame_path)
            link(media["jpg"], media_root, thumb)
        for video, poster in conn.execute(select(VideoAttempt.video_path, VideoAttempt.poster_path)):
            link(media["mp4"], media_root, video)
            link(media["poster"], media_root, poster)
        picks = conn.execute(select(VideoAttempt.id).where(VideoAttempt.is_system_selected_best)).scalars().all()
        for attempt_id in picks:  # the auto-pick's margin, as the scorer records it (the dashboard's confidence card)
            band = BANDS[attempt_id % len(BANDS)]
            conn.execute(update(VideoAttempt).where(VideoAttempt.id == attempt_id).values(
                score_details={"ranking": {"pick_confidence": band}}))
        heroes = dict(conn.execute(select(HeroFrame.project_id, HeroFrame.id).order_by(HeroFrame.id)).all())
        for project_id, frame_id in heroes.items():
            conn.execute(update(Project).where(Project.id == project_id).values(
                name=f"{NAMES[project_id % len(NAMES)]} · {project_id}", selected_hero_frame_id=frame_id))
    db.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--attempts", type=int, default=1000)
    args = parser.parse_args()
    print(build(args.data_dir, args.projects, args.attempts))


if __name__ == "__main__":
    main()
