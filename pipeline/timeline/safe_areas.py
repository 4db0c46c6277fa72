"""Where a text overlay can sit without covering the subject: "auto" overlays take the caption band at the
bottom, or the title band at the top, whichever the subjects of the clips under them leave free.

The subject of each clip is found in its middle frame by the same classical segmentation the camera moves use
(no weights), once per export.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the frame

#: Text centres of the bands, as in overlays.place: bottom keeps the caption-safe margin, top the title margin.
BOTTOM_EDGE, TOP_EDGE = 0.90, 0.08
#: Clear space kept between the text and the subject (fraction of the frame height).
CLEARANCE = 0.02


def band(position: str, text_height: float) -> tuple[float, float]:
    """(top, bottom) of the rows a text of ``text_height`` (fraction of the frame) covers at ``position``."""
    if position == "top":
        return TOP_EDGE, TOP_EDGE + text_height
    if position == "center":
        return 0.5 - text_height / 2, 0.5 + text_height / 2
    return BOTTOM_EDGE - text_height, BOTTOM_EDGE


def covered(boxes: Sequence[Box], rows: tuple[float, float], columns: tuple[float, float]) -> float:
    """How much of the subjects' area the text's box would cover (fraction of the frame)."""
    total = 0.0
    for x0, y0, x1, y1 in boxes:
        height = min(rows[1] + CLEARANCE, y1) - max(rows[0] - CLEARANCE, y0)
        width = min(columns[1], x1) - max(columns[0], x0)
        total += max(height, 0.0) * max(width, 0.0)
    return total


def auto_position(boxes: Sequence[Box], text_width: float, text_height: float) -> str:
    """bottom when it leaves the subjects clear, else top, else whichever covers the least of them."""
    columns = (0.5 - text_width / 2, 0.5 + text_width / 2)
    options = ["bottom", "top", "center"]
    costs = [covered(boxes, band(position, text_height), columns) for position in options]
    for position, cost in zip(options[:2], costs[:2]):
        if cost == 0.0:
            return position
    # Equal costs (within rounding) keep the preferred order: captions, then titles, then the middle.
    return min(zip(options, costs), key=lambda pair: (round(pair[1], 6), options.index(pair[0])))[0]


def clip_subject_boxes(plans, fps: int, start: float, end: float,
                       found: dict[int, Box | None] | None = None) -> list[Box]:
    """The subject boxes of the clips that play between ``start`` and ``end`` (timeline seconds). ``found``
    keeps each clip's box across the overlays of one export, so a clip is decoded and segmented once."""
    from pipeline.engines.motion_render import subject_box

    found = {} if found is None else found
    boxes, clip_start = [], 0.0
    for plan in plans:
        clip_start -= plan.fade_in_frames / fps
        clip_end = clip_start + plan.frames / fps
        if clip_start < end and clip_end > start:
            if plan.index not in found:
                frame = _middle_frame(plan, fps)
                found[plan.index] = subject_box(frame) if frame is not None else None
            if found[plan.index] is not None:
                boxes.append(found[plan.index])
        clip_start = clip_end
    return boxes


def _middle_frame(plan, fps: int) -> np.ndarray | None:
    """The clip's middle frame as RGB, or None when it cannot be read (the export will say why, not this)."""
    try:
        if plan.still:
            from PIL import Image

            with Image.open(plan.source_path) as image:
                return np.asarray(image.convert("RGB"))
        import av

        with av.open(str(plan.source_path)) as container:
            stream = container.streams.video[0]
            moment = plan.seek + plan.frames / fps / 2
            container.seek(int(moment / stream.time_base), stream=stream, any_frame=False, backward=True)
            for frame in container.decode(stream):
                if frame.time is None or frame.time >= moment - 1.0 / fps:
                    return frame.to_ndarray(format="rgb24")
    except Exception:  # noqa: BLE001 - an unreadable frame only means no subject to avoid; the export reports it
        return None
    return None
