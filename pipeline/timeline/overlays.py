"""Text overlays: each one is drawn once with Pillow into a tight transparent PNG (text + soft drop shadow) and
placed by ffmpeg's ``overlay`` filter, animated with x/y expressions and an alpha fade. No ``drawtext`` and no
fontconfig needed.

Fonts come from the installed ``gradio`` wheel (a pinned dependency that ships OFL web fonts for its UI: IBM
Plex Sans/Mono, Montserrat), then DejaVu (matplotlib's copy, installed with pyiqa, or Debian's
fonts-dejavu-core; the serif role uses DejaVu Serif), then Pillow's own built-in scalable font, so text always
renders. Each candidate must cover the overlay's characters. Nothing is vendored.
"""
from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .edit_list import Overlay
from .safe_areas import BOTTOM_EDGE, TOP_EDGE, Box, auto_position

# role -> candidate files: ("gradio", path under gradio's static font folder) or ("dejavu", file name). Web fonts
# are often subsets (split by unicode range), so every candidate is checked to cover the text it must draw.
_CANDIDATES: dict[str, tuple[tuple[str, str], ...]] = {
    "sans": (("gradio", "IBMPlexSans/IBMPlexSans-Regular.woff2"),
             ("gradio", "SourceSansPro/SourceSansPro-Regular.woff2"), ("dejavu", "DejaVuSans.ttf")),
    "sans-bold": (("gradio", "IBMPlexSans/IBMPlexSans-Bold.woff2"),
                  ("gradio", "SourceSansPro/SourceSansPro-Bold.woff2"), ("dejavu", "DejaVuSans-Bold.ttf")),
    "serif": (("dejavu", "DejaVuSerif.ttf"), ("system", "liberation/LiberationSerif-Regular.ttf")),
    "display": (("gradio", "Montserrat/Montserrat-Bold.woff2"), ("gradio", "Quicksand/Quicksand-Bold.woff2"),
                ("dejavu", "DejaVuSans-Bold.ttf")),
    "mono": (("gradio", "IBMPlexMono/IBMPlexMono-Regular.woff2"), ("gradio", "Inconsolata/Inconsolata-Regular.woff2"),
             ("dejavu", "DejaVuSansMono.ttf")),
}
_ASCII = "".join(chr(c) for c in range(33, 127))
REFERENCE_SHORT_SIDE = 1080  # Overlay.size is in pixels at this short side
MAX_WIDTH_FRACTION = 0.92  # text wider than this share of the frame is shrunk to fit
SLIDE_FRACTION = 0.05  # slide_up rises by this share of the frame height


@dataclass(frozen=True)
class PlacedOverlay:
    """A rendered overlay: its PNG and where it goes on a frame of the export size."""

    overlay: Overlay
    path: Path
    x: int  # top-left of the PNG (which includes the shadow margin)
    y: int
    width: int
    height: int
    slide: int  # pixels the slide_up animation starts below its place (0 otherwise)


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _candidate_paths(role: str) -> list[Path]:
    gradio, mpl = _package_dir("gradio"), _package_dir("matplotlib")
    paths: list[Path] = []
    for kind, name in _CANDIDATES.get(role, _CANDIDATES["sans"]):
        if kind == "gradio" and gradio is not None:
            paths.append(gradio / "templates" / "frontend" / "static" / "fonts" / name)
        elif kind == "dejavu":
            if mpl is not None:
                paths.append(mpl / "mpl-data" / "fonts" / "ttf" / name)
            paths.append(Path("/usr/share/fonts/truetype/dejavu") / name)
        elif kind == "system":
            paths.append(Path("/usr/share/fonts/truetype") / name)
    return [p for p in paths if p.is_file()]


@lru_cache(maxsize=None)
def _covers(path: Path, chars: str) -> bool:
    """Whether the font draws every one of ``chars`` (a missing glyph draws the same box as U+E000)."""
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(str(path), 32)
    except OSError:
        return False
    missing = bytes(font.getmask("\ue000"))
    return all(bytes(font.getmask(ch)) != missing for ch in chars)


def font_file(role: str, text: str = _ASCII) -> Path | None:
    """The font file for an overlay font role that can draw ``text`` (by default all of printable ASCII), or
    None when only Pillow's built-in font is left."""
    chars = "".join(sorted({ch for ch in text if not ch.isspace()}))
    candidates = _candidate_paths(role) or _candidate_paths("sans")
    for path in candidates:
        if _covers(path, chars):
            return path
    for path in _candidate_paths("sans") + _candidate_paths("sans-bold"):  # another role's font, if it covers
        if _covers(path, chars):
            return path
    return candidates[0] if candidates else None


def load_font(role: str, size: int, text: str = _ASCII):
    from PIL import ImageFont

    path = font_file(role, text)
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size)
        except OSError:
            pass
    return ImageFont.load_default(size)


def render_text(overlay: Overlay, font_px: int):
    """The overlay's text (and shadow) as a tight RGBA image."""
    from PIL import Image, ImageDraw, ImageFilter

    font = load_font(overlay.font, font_px, overlay.text)
    spacing = max(2, font_px // 5)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox((0, 0), overlay.text, font=font, spacing=spacing,
                                                        align="center")
    left, top = math.floor(left), math.floor(top)
    text_w, text_h = math.ceil(right) - left, math.ceil(bottom) - top
    offset = max(1, round(font_px * 0.05)) if overlay.shadow else 0
    blur = max(1, round(font_px * 0.07)) if overlay.shadow else 0
    pad = offset + 3 * blur + 2
    width, height = text_w + 2 * pad, text_h + 2 * pad
    width += width % 2
    height += height % 2
    origin = (pad - left, pad - top)
    colour = tuple(int(overlay.colour[i:i + 2], 16) for i in (1, 3, 5))
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if overlay.shadow:
        shadow = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        ImageDraw.Draw(shadow).multiline_text((origin[0] + offset, origin[1] + offset), overlay.text, font=font,
                                              fill=(0, 0, 0, 215), spacing=spacing, align="center",
                                              stroke_width=max(1, font_px // 24), stroke_fill=(0, 0, 0, 215))
        image = Image.alpha_composite(image, shadow.filter(ImageFilter.GaussianBlur(blur)))
    text = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(text).multiline_text(origin, overlay.text, font=font, fill=(*colour, 255), spacing=spacing,
                                        align="center")
    return Image.alpha_composite(image, text)


def place(overlay: Overlay, frame_w: int, frame_h: int, out_png: Path, avoid: Sequence[Box] = ()) -> PlacedOverlay:
    """Render ``overlay`` for a ``frame_w`` x ``frame_h`` video into ``out_png`` and work out its position; an
    "auto" overlay takes the bottom or top band, whichever leaves the subjects in ``avoid`` clear."""
    font_px = max(6, round(overlay.size * min(frame_w, frame_h) / REFERENCE_SHORT_SIDE))
    image = render_text(overlay, font_px)
    if image.width > frame_w * MAX_WIDTH_FRACTION:  # too wide for the frame (a long line on 9:16): shrink
        font_px = max(6, int(font_px * frame_w * MAX_WIDTH_FRACTION / image.width))
        image = render_text(overlay, font_px)
    w, h = image.size
    position = overlay.position
    if position == "auto":
        position = auto_position(avoid, w / frame_w, h / frame_h)
    if position == "custom":
        cx, cy = (overlay.x or 0.5) * frame_w, (overlay.y or 0.5) * frame_h
    elif position == "top":
        cx, cy = frame_w / 2, frame_h * TOP_EDGE + h / 2
    elif position == "center":
        cx, cy = frame_w / 2, frame_h / 2
    else:  # bottom, above the usual caption-safe margin
        cx, cy = frame_w / 2, frame_h * BOTTOM_EDGE - h / 2
    x = int(round(min(max(cx - w / 2, 0), max(frame_w - w, 0))))
    y = int(round(min(max(cy - h / 2, 0), max(frame_h - h, 0))))
    out_png.parent.mkdir(parents=True, exist_ok=True)
    image.save(out_png, format="PNG", compress_level=1)
    slide = round(frame_h * SLIDE_FRACTION) if overlay.animation == "slide_up" else 0
    return PlacedOverlay(overlay, out_png, x, y, w, h, slide)


def _num(x: float) -> str:
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def overlay_filters(placed: PlacedOverlay, input_index: int, main: str, out: str, fps: int, timeline_end: float,
                    label: str) -> list[str] | None:
    """Filter-graph entries that put one rendered overlay on the stream ``main``, giving ``out``; None when the
    overlay starts after the end of the video."""
    o = placed.overlay
    start, end = o.start, min(o.end, timeline_end)
    if end - start < 1.0 / fps:
        return None
    frames = max(1, round((end - start) * fps))
    anim = min(o.animation_duration, (end - start) / 2) if o.animation != "none" else 0.0
    chain = (f"[{input_index}:v]format=rgba,loop=loop={frames - 1}:size=1:start=0,"
             f"setpts=N/({fps}*TB)+{_num(start)}/TB")
    if anim > 0:
        chain += (f",fade=t=in:st={_num(start)}:d={_num(anim)}:alpha=1"
                  f",fade=t=out:st={_num(end - anim)}:d={_num(anim)}:alpha=1")
    y = str(placed.y)
    if placed.slide and anim > 0:
        y = f"'{placed.y}+{placed.slide}*pow(1-min(1,max(0,(t-{_num(start)})/{_num(anim)})),2)'"
    return [chain + f"[{label}]",
            f"[{main}][{label}]overlay=x={placed.x}:y={y}:eof_action=pass:format=auto[{out}]"]
