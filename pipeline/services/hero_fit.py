"""The hero image a video engine is given: always in the project's aspect ratio.

A 3:2 product photo in a 16:9 project used to give 3:2 clips. Now the attempt gets a copy fitted to 16:9 — cropped
around the subject, or extended with a soft backdrop (the frame's ``fit_mode``, the user's choice) — and scoring
compares the clip with that same copy. The copies are named by ids (``frames/fitted/p<project>-f<frame>-<ratio>-
<mode>.png``), written once per frame, ratio and mode, and removed with their frame or project.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pipeline.engines.interfaces import ASPECT_RATIOS
from pipeline.engines.photo_fit import FIT_MODES, fit_to_aspect
from storage.media import MediaStore
from storage.models import HeroFrame

FITTED_FOLDER = "frames/fitted"
#: Shapes closer than this (relative) to the project's ratio are used as they are (rounding of pixel sizes).
SAME_SHAPE = 0.01


def fit_mode_of(frame: HeroFrame) -> str:
    mode = (frame.parameters or {}).get("fit_mode")
    return mode if mode in FIT_MODES else "crop"


def needs_fitting(width: int, height: int, aspect_ratio: str) -> bool:
    a, b = ASPECT_RATIOS[aspect_ratio]
    return abs((width / height) / (a / b) - 1.0) > SAME_SHAPE


def fitted_name(project_id: int, frame_id: int, aspect_ratio: str, mode: str) -> str:
    return f"{FITTED_FOLDER}/p{int(project_id)}-f{int(frame_id)}-{aspect_ratio.replace(':', 'x')}-{mode}.png"


def fitted_hero(media: MediaStore, frame: HeroFrame, aspect_ratio: str) -> dict[str, Any] | None:
    """The fitted copy of ``frame``'s image for ``aspect_ratio`` ({path, mode, from, to, …}), written if missing;
    None when the image already has that shape."""
    if not needs_fitting(frame.width, frame.height, aspect_ratio):
        return None
    from PIL import Image

    from pipeline.engines.motion_render import subject_centre

    mode = fit_mode_of(frame)
    relative = fitted_name(frame.project_id, frame.id, aspect_ratio, mode)
    with Image.open(media.absolute(frame.image_path)) as image:
        pixels = np.asarray(image.convert("RGB"))
    centre = subject_centre(pixels) if mode == "crop" else None
    fitted, info = fit_to_aspect(pixels, aspect_ratio, mode, centre)
    if not media.exists(relative):
        media.save_image(Image.fromarray(fitted), relative, compress_level=3)
    return {"path": relative, "aspect_ratio": aspect_ratio, "from": [frame.width, frame.height],
            "to": [int(fitted.shape[1]), int(fitted.shape[0])], **info}


def hero_image(media: MediaStore, frame: HeroFrame, attempt_parameters: dict[str, Any] | None) -> Path:
    """The image an attempt was (or is to be) made from: its fitted copy when it has one."""
    fitted = ((attempt_parameters or {}).get("hero_fit") or {}).get("path")
    return media.absolute(fitted) if fitted else media.absolute(frame.image_path)


def fitted_paths(media: MediaStore, project_id: int, frame_id: int | None = None) -> list[str]:
    """The fitted copies of a project's frames (or of one frame), as relative paths, to delete with them."""
    pattern = f"p{int(project_id)}-f{int(frame_id)}-*.png" if frame_id is not None else f"p{int(project_id)}-f*.png"
    folder = media.absolute(FITTED_FOLDER)
    return [f"{FITTED_FOLDER}/{path.name}" for path in folder.glob(pattern)] if folder.is_dir() else []
