"""The finished ad as a timeline: from a plan and the picked clips to an EditList (pure; no files, no database).

Timing: scene k is planned to occupy [S_k, S_k + d_k] of the ad (S_k = the sum of the earlier durations). Its clip
is rendered d_k + t_{k+1} long, where t_{k+1} is the overlap of the transition into the next scene; then the
clips start exactly at S_k on the timeline, the next scene's transition plays over the tail of this one, and the
whole timeline lasts exactly the plan's length. The last scene gives its final seconds to the end card (the
brand and the call to action on a brand-coloured card), so the ad still ends at the planned length.

A scene longer than one engine render (MAX_SHOT seconds) is made of several shots of the same scene, joined
with cuts. Text overlays sit where their scene is fully on screen (after its transition in, before the next
one), in a brand colour chosen for contrast against the scene's frame. Scene 1's transition becomes the global
fade from black; the ad fades to black over its last frames; the music bed follows the plan's mood.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.ads.plan import (
    TRANSITION_SECONDS,
    AdPlan,
    contrast_ratio,
    hex_to_rgb,
    legible_colour,
)
from pipeline.timeline.edit_list import Clip, EditList, MusicBed, Overlay, Transition

MAX_SHOT = 9.5  # seconds of one render (the local engine takes 2–10 s; a margin for rounding to frames)
MIN_RENDER, MAX_RENDER = 2.0, 10.0
END_CARD_TRANSITION = "crossfade"
END_FADE_OUT = 0.4
MUSIC_VOLUME = 0.4
# Overlay text sizes in pixels at 1080 on the short side, and the characters per line before wrapping.
SCENE_TEXT_SIZE, BRAND_TEXT_SIZE, CTA_TEXT_SIZE = 64, 110, 60
LINE_CHARS = {"9:16": 18, "1:1": 24, "16:9": 34}
END_CARD_LABEL = "End card"


@dataclass(frozen=True)
class ShotMedia:
    """One rendered clip available for a scene: its media-relative path and length, and where it came from."""

    source: str
    source_duration: float
    attempt_id: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Segment:
    number: int  # scene number; 0 = the end card
    nominal: float  # seconds the segment owns on the timeline
    transition: str  # into this segment
    overlap: float  # seconds of that transition


def segments(plan: AdPlan) -> list[Segment]:
    """The scenes and the end card with their planned lengths and the transitions into them."""
    card = plan.end_card_seconds()
    out = []
    for index, scene in enumerate(plan.scenes):
        nominal = scene.duration - (card if index == len(plan.scenes) - 1 else 0.0)
        kind = scene.transition if index else "cut"  # scene 1's transition is the global fade in
        out.append(Segment(scene.number, round(nominal, 4), kind, TRANSITION_SECONDS[kind]))
    out.append(Segment(0, card, END_CARD_TRANSITION, TRANSITION_SECONDS[END_CARD_TRANSITION]))
    return out


def clip_lengths(plan: AdPlan) -> dict[int, float]:
    """Seconds of footage each scene needs: its planned length plus the overlap of the transition out of it."""
    segs = segments(plan)
    return {seg.number: round(seg.nominal + segs[i + 1].overlap, 4) for i, seg in enumerate(segs[:-1])}


def shot_lengths(plan: AdPlan) -> dict[int, list[float]]:
    """Per scene, the length of each shot to render (one shot unless the scene is longer than MAX_SHOT)."""
    out = {}
    for number, length in clip_lengths(plan).items():
        count = max(1, math.ceil(length / MAX_SHOT - 1e-9))
        out[number] = [round(length / count, 4)] * count
    return out


def render_duration(length: float) -> float:
    """What to ask the video engine for to get at least ``length`` seconds (2–10 s; a margin for frame rounding)."""
    return float(min(MAX_RENDER, max(MIN_RENDER, math.ceil((length + 0.06) * 10) / 10)))


def wrap(text: str, aspect_ratio: str) -> str:
    """Break an overlay into balanced lines that fit the frame's width (at most 3 lines)."""
    limit = LINE_CHARS.get(aspect_ratio, 24)
    words = text.split()
    if len(text) <= limit or len(words) < 2:
        return text
    lines = max(2, min(3, math.ceil(len(text) / limit)))
    target = len(text) / lines
    out, current = [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > target + 4 and len(out) < lines - 1:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    out.append(current)
    return "\n".join(out)


def overlay_colour(plan: AdPlan, background: tuple[float, float, float]) -> str:
    """A brand colour that reads on ``background`` (accent first, then the light one, then the primary)."""
    colours = plan.brand.colours
    return legible_colour([*colours[1:], colours[0]], background)


def card_colours(plan: AdPlan) -> tuple[str, str, str]:
    """(background, brand-name colour, call-to-action colour) of the end card."""
    background = plan.brand.colours[0]
    bg = hex_to_rgb(background)
    others = [c for c in plan.brand.colours[1:]] or ["#FFFFFF"]
    name = legible_colour(others, bg)
    rest = [c for c in others if c != name] + ["#FFFFFF", "#000000"]
    cta = max(rest, key=lambda c: contrast_ratio(hex_to_rgb(c), bg)) if rest else name
    if contrast_ratio(hex_to_rgb(cta), bg) < 4.5:
        cta = legible_colour(others, bg)
    return background, name, cta


def assemble(plan: AdPlan, shots: dict[int, list[ShotMedia]], *, end_card: str | None,
             overlay_colours: dict[int, str] | None = None, music_track: str | None = None,
             fps: int = 24) -> tuple[EditList, list[str]]:
    """The ad's edit list and notes on anything left out (scenes without clips: a partial ad)."""
    segs = segments(plan)
    lengths = shot_lengths(plan)
    colours = overlay_colours or {}
    notes: list[str] = []
    clips: list[Clip] = []
    spans: dict[int, tuple[int, int]] = {}  # scene number -> (first clip index, last clip index)
    for seg in segs:
        if seg.number == 0:
            if end_card is None:
                continue
            clips.append(Clip(source=end_card, source_duration=3600.0, out_point=seg.nominal,
                              label=END_CARD_LABEL, still=True,
                              transition=_transition(seg, bool(clips))))
            spans[0] = (len(clips) - 1, len(clips) - 1)
            continue
        media = shots.get(seg.number) or []
        wanted = lengths[seg.number]
        if len(media) < len(wanted):
            notes.append(f"Scene {seg.number} has no finished clip and is left out.")
            continue
        scene = plan.scene(seg.number)
        first = len(clips)
        for k, (shot, length) in enumerate(zip(media, wanted)):
            out = min(length, shot.source_duration)
            if out < length - 0.5 / fps:
                notes.append(f"Scene {seg.number}: the clip is {shot.source_duration:.2f} s, shorter than the "
                             f"{length:.2f} s planned; the ad is shorter by the difference.")
            label = f"Scene {seg.number} · {scene.type.capitalize()}" + (f" · shot {k + 1}" if len(wanted) > 1 else "")
            into = _transition(seg, bool(clips)) if k == 0 else Transition()
            clips.append(Clip(source=shot.source, source_duration=shot.source_duration, out_point=out,
                              attempt_id=shot.attempt_id, label=label, transition=into))
        spans[seg.number] = (first, len(clips) - 1)
    edit = EditList(aspect_ratio=plan.aspect_ratio, fps=fps, clips=clips, grade=plan.grade)
    starts = edit.starts()

    def window(number: int) -> tuple[float, float]:
        a, b = spans[number]
        start = starts[a] + (clips[a].transition.overlap if a else 0.0)
        end = starts[b] + clips[b].length - (clips[b + 1].transition.overlap if b + 1 < len(clips) else 0.0)
        return start, end

    overlays: list[Overlay] = []
    for scene in plan.scenes:
        if scene.number not in spans or not scene.text_overlay:
            continue
        start, end = window(scene.number)
        start = min(start + 0.15, end - 0.5)
        overlays.append(Overlay(text=wrap(scene.text_overlay, plan.aspect_ratio), font="sans-bold",
                                size=SCENE_TEXT_SIZE, colour=colours.get(scene.number, "#FFFFFF"),
                                position="auto", start=max(0.0, start), end=end, animation="slide_up",
                                animation_duration=0.3, shadow=True))
    if 0 in spans:
        start, end = window(0)
        _, name_colour, cta_colour = card_colours(plan)
        overlays.append(Overlay(text=wrap(plan.brand.name, plan.aspect_ratio), font="display", size=BRAND_TEXT_SIZE,
                                colour=name_colour, position="custom", x=0.5, y=0.43, start=start, end=end,
                                animation="fade", animation_duration=0.3, shadow=False))
        overlays.append(Overlay(text=wrap(plan.call_to_action, plan.aspect_ratio), font="sans-bold",
                                size=CTA_TEXT_SIZE, colour=cta_colour, position="custom", x=0.5, y=0.58,
                                start=min(start + 0.2, end - 0.3), end=end, animation="slide_up",
                                animation_duration=0.3, shadow=False))
    fade_in = TRANSITION_SECONDS[plan.scenes[0].transition] if clips else 0.0
    fade_out = END_FADE_OUT if clips and edit.duration > fade_in + END_FADE_OUT + 0.5 else 0.0
    music = MusicBed(track=music_track, volume=MUSIC_VOLUME, fade_in=0.3, fade_out=1.0) if music_track else None
    edit = EditList(aspect_ratio=plan.aspect_ratio, fps=fps, clips=clips, overlays=overlays, music=music,
                    fade_in=fade_in, fade_out=fade_out, grade=plan.grade)
    return edit, notes


def _transition(seg: Segment, has_previous: bool) -> Transition:
    if not has_previous or seg.transition == "cut":
        return Transition()
    return Transition(type=seg.transition, duration=seg.overlap)


def render_end_card(plan: AdPlan, size: tuple[int, int]):
    """The end card's background as a PIL image: the brand's primary colour as a soft vertical gradient, a glow
    and two thin rules in the accent colour framing the text (the brand name and the call to action are timeline
    overlays, so they stay editable)."""
    import numpy as np
    from PIL import Image

    width, height = size
    base = np.array(hex_to_rgb(plan.brand.colours[0]), np.float32)
    accent = np.array(hex_to_rgb(plan.brand.colours[1]), np.float32)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    x = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :, None]
    dark = base * 0.55
    image = base * (1 - y) + dark * y
    aspect = width / height
    glow = np.exp(-((x * aspect) ** 2 + ((y - 0.5) * 2) ** 2) / 0.35)
    image = image + (accent - image) * glow * 0.12
    vignette = 1.0 - 0.25 * ((x ** 2 + ((y - 0.5) * 2) ** 2) / 2)
    image = np.clip(image * vignette, 0, 255).astype(np.uint8)
    picture = Image.fromarray(image, "RGB")
    from PIL import ImageDraw

    draw = ImageDraw.Draw(picture)
    rule_w, thick = int(width * 0.22), max(2, round(min(width, height) * 0.004))
    colour = tuple(int(c) for c in accent)
    for frac in (0.34, 0.67):
        top = int(height * frac)
        draw.rectangle([(width - rule_w) // 2, top, (width + rule_w) // 2, top + thick], fill=colour)
    return picture
