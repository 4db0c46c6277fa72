"""Turns a motion prompt (plus a negative prompt and a seed) into a concrete camera-move plan.

This module is pure: no pixels, no files. The renderer in local_motion.py follows the plan.

Direction conventions (what the viewer sees; "flow" is the optical flow of scene content between frames):
  pan_left    the camera turns left; content slides RIGHT in the frame  (mean flow x > 0)
  pan_right   the camera turns right; content slides LEFT               (mean flow x < 0)
  tilt_up     the camera tilts up; content slides DOWN                  (mean flow y > 0)
  tilt_down   the camera tilts down; content slides UP                  (mean flow y < 0)
  push_in     the frame tightens (zoom in); flow points AWAY from the centre (positive divergence)
  pull_out    the frame widens (zoom out); flow points TOWARD the centre (negative divergence)
  dolly_in / dolly_out   like push/pull, but near layers grow faster than far ones (parallax)
  truck_left / truck_right   the camera slides sideways; content moves the other way, near layers faster
  crane_up / crane_down      the camera rises / sinks; content moves down / up, near layers faster
  orbit_left / orbit_right   the camera circles the subject, travelling towards its own left / right; the
                             subject holds its place, the background slides the way the camera travels
                             (orbit_left: background flow x < 0) and the foreground the opposite way, with a
                             slight roll
  handheld    a still camera held by hand: low-frequency seeded shake and a slow drift
  static      locked off, with a barely visible "breathing" zoom so the shot does not look frozen
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from pipeline.engines.text_match import (
    find_phrase,
    mentions,
    stable_hash,
    strip_phrases,
)

ZOOM_MOVES = {"push_in", "pull_out", "dolly_in", "dolly_out"}
PARALLAX_MOVES = {"dolly_in", "dolly_out", "truck_left", "truck_right", "crane_up", "crane_down", "orbit_left",
                  "orbit_right"}
EASINGS = ("ease_in_out_sine", "ease_in_out_cubic", "smootherstep")
TAKE_STRIDE = 7919  # seeds of a group's attempts are base + i * TAKE_STRIDE (a prime keeps groups apart)
TRAVEL_RANGE = (0.8, 1.25)  # how far a take's move goes, relative to the middle of the prompt's envelope
GOLDEN = (5**0.5 - 1) / 2  # successive multiples mod 1 are as evenly spread as any sequence can be
SILVER = 2**0.5 - 1

# Earliest phrase in the prompt wins. "{side}" patterns get a direction; a bare "pan" lets the seed choose one.
MOVE_PHRASES: list[tuple[str, str]] = [
    ((r"push(?:es|ing)?[ -]?in|zoom(?:s|ing)?[ -]?in|move[sd]? (?:in|closer)|punch[ -]?in|"
      r"creep(?:s|ing)? in"), "push_in"),
    (r"pull(?:s|ing)?[ -]?(?:out|back)|zoom(?:s|ing)?[ -]?out|move[sd]? (?:out|back|away)|reveal(?:s|ing)?",
     "pull_out"),
    (r"dolly(?:ing)?[ -]?(?:in|forward|towards?)", "dolly_in"),
    (r"dolly(?:ing)?[ -]?(?:out|back|away)", "dolly_out"),
    (r"pan(?:s|ning)?(?: to(?: the)?)? left|pan(?:s|ning)? leftwards?", "pan_left"),
    (r"pan(?:s|ning)?(?: to(?: the)?)? right|pan(?:s|ning)? rightwards?", "pan_right"),
    (r"tilt(?:s|ing)? ?up(?:wards?)?", "tilt_up"),
    (r"tilt(?:s|ing)? ?down(?:wards?)?", "tilt_down"),
    (r"(?:truck|track|crab|slide)(?:s|ing)?(?: to(?: the)?)? left", "truck_left"),
    (r"(?:truck|track|crab|slide)(?:s|ing)?(?: to(?: the)?)? right", "truck_right"),
    (r"(?:crane|boom|pedestal|jib)(?:s|ing)? up|rising shot|rise[sn]? up", "crane_up"),
    (r"(?:crane|boom|pedestal|jib)(?:s|ing)? down|descend(?:s|ing)?", "crane_down"),
    (r"(?:orbit|arc)(?:s|ing)?(?: to(?: the)?)? left|counter-?clockwise orbit", "orbit_left"),
    (r"(?:orbit|arc)(?:s|ing)?(?: to(?: the)?)? right|clockwise orbit", "orbit_right"),
    ((r"orbit(?:s|ing)?|arc(?:s|ing)? (?:shot|around)|circl(?:e|es|ing) around|turntable|rotate[sd]? around|"
      r"360"), "orbit"),
    (r"dolly(?:ing)?", "dolly_in"),
    (r"push(?:es|ing)?|zoom(?:s|ing)?", "push_in"),
    (r"pan(?:s|ning)?", "pan"),
    (r"tilt(?:s|ing)?", "tilt"),
    (r"track(?:ing)? shot|truck(?:s|ing)?|crab(?:s|bing)?", "truck"),
    (r"crane(?: shot)?|jib shot", "crane_up"),
    ((r"static|locked[ -]?off|lock[ -]?off|still camera|tripod|fixed camera|no camera (?:movement|motion)|"
      r"stationary"), "static"),
]
SEEDED_DIRECTION = {"pan": ("pan_left", "pan_right"), "tilt": ("tilt_up", "tilt_down"),
                    "truck": ("truck_left", "truck_right"), "orbit": ("orbit_left", "orbit_right")}
HANDHELD_WORDS = r"hand-?held|shaky[ -]?cam|documentary[ -]style|organic shake|camera shake|run[ -]and[ -]gun"

SPEED_WORDS: list[tuple[str, str, float]] = [  # (pattern, label, factor); first match wins
    (r"slow[ -]?mo(?:tion)?|super slow|very slow|extremely slow", "very slow", 0.45),
    (r"slow(?:ly)?|gentle|gently|leisurely|calm", "slow", 0.65),
    (r"very fast|rapid(?:ly)?|whip|crash", "very fast", 1.9),
    (r"fast|quick(?:ly)?|swift(?:ly)?|energetic|dynamic", "fast", 1.45),
]
INTENSITY_WORDS: list[tuple[str, float]] = [
    (r"subtle|slight(?:ly)?|barely|minimal|soft|gentle|gently|tiny|small", 0.65),
    (r"dramatic(?:ally)?|strong(?:ly)?|extreme|big|epic|bold|intense", 1.5),
]

# What a negative prompt (or "no ..." in the motion prompt) can suppress: pattern -> suppressed aspect.
SUPPRESSORS: list[tuple[str, str]] = [
    (r"shak(?:y|e|ing|iness)|jitter(?:y|s)?|wobbl(?:e|y)|hand-?held|camera shake|jerky|unstable|vibrat\w*", "shake"),
    (r"zoom(?:s|ing)?(?:[ -](?:in|out))?|push[ -]?in|pull[ -]?out|scale change", "zoom"),
    ((r"fast (?:movements?|motion|camera)|fast|quick (?:movements?|motion)|rapid|whip(?:[ -]?pans?)?|"
      r"sudden (?:movements?|motion)"), "fast"),
    (r"pan(?:s|ning)?", "pan"),
    (r"tilt(?:s|ing)?", "tilt"),
    (r"orbit(?:s|ing)?|rotat(?:e|ion|ing)|spin(?:ning)?|roll(?:ing)?|turntable", "rotation"),
    (r"dolly|parallax", "parallax"),
    (r"warp(?:ing|ed)?|distort(?:ion|ed)?|morph(?:ing)?|stretch(?:ing|ed)?", "warping"),
    (r"camera (?:movement|motion)|moving camera|camera moves?|any (?:movement|motion)", "movement"),
]
MOVE_NEEDS = {  # which suppressed aspects rule a move out
    "push_in": {"zoom"}, "pull_out": {"zoom"}, "dolly_in": {"zoom", "parallax"}, "dolly_out": {"zoom", "parallax"},
    "pan_left": {"pan"}, "pan_right": {"pan"}, "tilt_up": {"tilt"}, "tilt_down": {"tilt"},
    "truck_left": {"parallax"}, "truck_right": {"parallax"}, "crane_up": {"parallax"}, "crane_down": {"parallax"},
    "orbit_left": {"rotation", "parallax"}, "orbit_right": {"rotation", "parallax"}, "handheld": {"shake"},
    "static": set(),
}
NEGATION = r"\b(?:no|without|avoid|don'?t|do not|never|zero)\s+((?:[\w-]+\s*){1,3}?)(?=[,.;]|$|\s+(?:and|but|with)\b)"


@dataclass(frozen=True)
class MotionPlan:
    move: str  # one of MOVE_NEEDS' keys
    requested_move: str | None  # what the prompt asked for, before suppression (None: it named no move)
    speed: str  # very slow, slow, medium, fast, very fast
    speed_factor: float  # 1.0 = medium; already includes this seed's variation and any cap
    intensity: float  # 1.0 = normal strength of the move, parallax and shake
    easing: str  # one of EASINGS
    shake: float  # handheld shake amplitude as a fraction of the frame's short side (0 = rock steady)
    parallax: float  # 0..1, how strongly near and far layers separate
    allow_zoom: bool
    allow_rotation: bool
    direction_offset_deg: float  # small seeded tilt of the travel direction (pans drift slightly diagonal)
    focus: tuple[float, float]  # zoom centre offset from the frame centre, fractions of width/height
    seed: int
    suppressed: tuple[str, ...] = ()  # aspects removed because the negative prompt named them
    notes: tuple[str, ...] = field(default_factory=tuple)
    # What makes this seed's take differ from the middle of the prompt's envelope (1.0 / 0 = the middle):
    pace: float = 1.0  # this take's own speed relative to the prompt's speed word (already in speed_factor)
    travel: float = 1.0  # how far the move goes relative to the middle (already in intensity)
    ease_power: float = 1.0  # time warp before the easing: < 1 gets going sooner, > 1 builds up later
    framing: str = "frame"  # zoom moves: "subject" (towards the subject found in the picture) or "frame"
    drift: tuple[float, float] = (0.0, 0.0)  # zoom moves: how far the zoom's aim wanders over the clip
    parallax_scale: float = 1.0  # parallax strength relative to the middle (already in parallax)
    horizon: float = 0.45  # layer split: where the near ground starts (fraction of the height from the top)
    shake_tempo: float = 1.0  # handheld: frequency scale of the shake (< 1 a slow sway, > 1 a quicker shake)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["focus"] = list(self.focus)
        data["drift"] = list(self.drift)
        data["suppressed"] = list(self.suppressed)
        data["notes"] = list(self.notes)
        data["variation"] = describe_variation(self).as_dict()
        return data


def plan_motion(motion_prompt: str, negative_prompt: str = "", seed: int = 0) -> MotionPlan:
    text = " ".join((motion_prompt or "").lower().split())
    negative = " ".join((negative_prompt or "").lower().split())
    # "no zoom" / "without shake" inside the motion prompt count as negative terms.
    negated = [match.group(1) for match in re.finditer(NEGATION, text)]
    text = re.sub(NEGATION, " ", text)
    negative = " ".join([negative, *negated]).strip()
    suppressed = tuple(aspect for pattern, aspect in SUPPRESSORS if mentions(negative, pattern))
    rng = np.random.default_rng([seed % 2**32, stable_hash(f"{text}|{negative}")])
    notes: list[str] = []

    requested = _requested_move(text, rng)
    move = requested or "push_in"
    if requested is None:
        notes.append("no camera move named; defaulting to a slow push-in")
    if "movement" in suppressed:
        move = "static"
        notes.append("the negative prompt rules out camera movement; holding the frame")
    elif MOVE_NEEDS[move] & set(suppressed):
        fallback = _fallback_move(move, set(suppressed), rng)
        instead = "a static frame" if fallback == "static" else f"a gentle {fallback.replace('_', ' ')}"
        notes.append(f"{move.replace('_', ' ')} is excluded by the negative prompt; using {instead} instead")
        move = fallback
    gentle = requested is None or move != requested  # defaults and fallbacks stay unobtrusive

    speed, speed_factor = ("slow", 0.65) if gentle else ("medium", 1.0)
    for pattern, label, factor in SPEED_WORDS:
        if mentions(text, pattern):
            speed, speed_factor = (label, factor) if not gentle or factor <= 0.65 else ("slow", 0.65)
            break
    intensity = 1.0
    for pattern, factor in INTENSITY_WORDS:
        if mentions(text, pattern):
            intensity = min(factor, 1.0) if gentle else factor
            break
    # Every seed is a genuinely different take: its own pace, strength, easing, shake and aim.
    pace = float(rng.uniform(0.8, 1.2))
    rng.uniform(0.82, 1.18)  # the old random reach: still drawn so later draws stay as they were (see travel)
    speed_factor *= pace
    if "fast" in suppressed and speed_factor > 0.8:
        speed, speed_factor = "medium (capped)", 0.8
        notes.append("speed capped because the negative prompt rules out fast movement")

    wants_shake = move == "handheld" or mentions(text, HANDHELD_WORDS)
    shake = 0.0
    if wants_shake and "shake" not in suppressed:
        shake = float(0.006 * intensity * rng.uniform(0.85, 1.15))
    parallax = 0.0
    if move in PARALLAX_MOVES and "parallax" not in suppressed:
        parallax = float(np.clip(0.6 * intensity, 0.2, 1.0))
        if "warping" in suppressed:
            parallax *= 0.5
    takes = _take_variation(move, seed, f"{text}|{negative}")
    parallax = float(min(parallax * takes.parallax_scale, 1.0))
    easing = str(rng.choice(EASINGS))
    # The cubic curve already starts slowest: a later build-up on top of it reads as a late start (a stall).
    ease_power = min(takes.ease_power, 1.0 / takes.ease_power) if easing == "ease_in_out_cubic" else takes.ease_power
    return MotionPlan(
        move=move,
        requested_move=requested,
        speed=speed,
        speed_factor=round(speed_factor, 4),
        intensity=round(intensity * takes.travel, 4),  # how far the move goes: spread over a group's takes
        easing=easing,
        shake=round(shake, 5),
        parallax=round(parallax, 4),
        allow_zoom="zoom" not in suppressed,
        allow_rotation="rotation" not in suppressed,
        direction_offset_deg=round(float(rng.uniform(-8.0, 8.0)), 2),
        focus=(round(float(rng.uniform(-0.05, 0.05)), 4), round(float(rng.uniform(-0.04, 0.04)), 4)),
        seed=seed,
        suppressed=suppressed,
        notes=tuple(note for note in notes if note),
        pace=round(pace, 4),
        travel=takes.travel,
        ease_power=round(ease_power, 4),
        framing=takes.framing,
        drift=takes.drift,
        parallax_scale=takes.parallax_scale if parallax else 1.0,
        horizon=takes.horizon,
        shake_tempo=takes.shake_tempo if shake else 1.0,
    )


@dataclass(frozen=True)
class Take:
    """One seed's departures from the middle of the prompt's envelope (see MotionPlan's fields of the same name)."""

    travel: float
    ease_power: float
    framing: str
    drift: tuple[float, float]
    parallax_scale: float
    horizon: float
    shake_tempo: float


def _take_variation(move: str, seed: int, context: str) -> Take:
    """This seed's take within the prompt's envelope.

    The studio gives a group's attempts the seeds base + i * TAKE_STRIDE. The two main departures (how far the
    move goes, which way a zoom's aim drifts) follow golden-ratio sequences along i, so the takes of one group
    spread over the envelope instead of landing, by chance, next to each other; the rest is drawn from a
    generator of its own, so the draws in plan_motion (direction, speed, easing, ...) stay what they were."""
    rng = np.random.default_rng([seed % 2**32, stable_hash(context), 31])
    step = seed / TAKE_STRIDE
    spread = (step * GOLDEN + rng.uniform(-0.04, 0.04)) % 1.0  # 3 takes of a group land >= ~0.2 apart on 0..1
    travel = float(np.exp(np.log(TRAVEL_RANGE[0]) + spread * np.log(TRAVEL_RANGE[1] / TRAVEL_RANGE[0])))
    # Kept close to 1: a much later (or earlier) build-up reads as a stall to motion_continuity.
    ease_power = float(np.exp(rng.uniform(np.log(0.85), np.log(1.15))))
    framing = "subject" if move in ZOOM_MOVES and int(step) % 2 == 0 else "frame"
    angle = 2 * np.pi * ((step * SILVER) % 1.0)
    reach = rng.uniform(0.07, 0.22) if move in ZOOM_MOVES else 0.0  # in focus units (fractions of the frame)
    drift = (round(float(reach * np.cos(angle)), 4), round(float(0.7 * reach * np.sin(angle)), 4))
    parallax_scale = float(np.exp(rng.uniform(np.log(0.7), np.log(1.45))))
    horizon = float(rng.uniform(0.32, 0.6))
    shake_tempo = float(np.exp(rng.uniform(np.log(0.6), np.log(1.6))))
    return Take(travel=round(travel, 4), ease_power=round(ease_power, 4), framing=framing, drift=drift,
                parallax_scale=round(parallax_scale, 4), horizon=round(horizon, 4), shake_tempo=round(shake_tempo, 4))


def _requested_move(text: str, rng: np.random.Generator) -> str | None:
    best: tuple[int, int, str] | None = None
    for rank, (pattern, move) in enumerate(MOVE_PHRASES):
        match = find_phrase(text, pattern)
        if match and (best is None or (match.start(), rank) < best[:2]):
            best = (match.start(), rank, move)
    if best is None:
        # "handheld" styles another move ("handheld push in"); on its own it is the move.
        return "handheld" if mentions(text, HANDHELD_WORDS) else None
    move = best[2]
    if move in SEEDED_DIRECTION:
        left, right = SEEDED_DIRECTION[move]
        rest = strip_phrases(text, "light from the left|light from the right")
        if mentions(rest, r"left|counter-?clockwise|up|upwards?"):
            return left
        if mentions(rest, r"right|clockwise|down|downwards?"):
            return right
        return str(rng.choice([left, right]))
    return move


def _fallback_move(move: str, suppressed: set[str], rng: np.random.Generator) -> str:
    """A gentle move the negative prompt still allows, in order of how well it suits a hero shot."""
    if move == "handheld":
        return "static"  # a handheld request without shake is a held frame
    candidates = ["push_in", str(rng.choice(["pan_left", "pan_right"])), str(rng.choice(["tilt_up", "tilt_down"])),
                  "static"]
    for candidate in candidates:
        if not MOVE_NEEDS[candidate] & suppressed:
            return candidate
    return "static"


@dataclass(frozen=True)
class Variation:
    """What makes one take differ from the middle of its prompt's envelope, in words and in numbers."""

    phrase: str  # e.g. "faster, ends tighter, stronger parallax"
    numbers: dict[str, object]

    def as_dict(self) -> dict[str, object]:
        return {"phrase": self.phrase, "numbers": dict(self.numbers)}


NOTICEABLE = 0.07  # a relative change under ~7 % is not worth a word
ZOOM_IN_MOVES = {"push_in", "dolly_in"}
DRIFT_WORDS = ((0.0, "right"), (90.0, "down"), (180.0, "left"), (270.0, "up"))


def describe_variation(plan: MotionPlan, most: int = 3) -> Variation:
    """A short phrase naming this take's largest departures from the middle (at most `most`), and the numbers.
    Deterministic: it is a function of the plan, and the plan of the prompt and the seed."""
    candidates: list[tuple[float, str]] = []

    def relative(value: float, more: str, less: str, weight: float = 1.0) -> None:
        size = abs(float(np.log(value)))
        if size >= NOTICEABLE:
            candidates.append((weight * size, more if value > 1 else less))

    moving = plan.move != "static"
    if moving:
        relative(plan.pace, "faster", "slower")
        relative(1.0 / plan.ease_power, "quicker ease-in", "slower ease-in", 0.8)
    if plan.move in ZOOM_MOVES:
        tighter = (plan.travel > 1) == (plan.move in ZOOM_IN_MOVES)
        if abs(np.log(plan.travel)) >= NOTICEABLE:
            candidates.append((abs(float(np.log(plan.travel))), "ends tighter" if tighter else "ends wider"))
        candidates.append((0.12, "subject-centred" if plan.framing == "subject" else "frame-centred"))
        drift = float(np.hypot(*plan.drift))
        if drift >= 0.05:
            angle = float(np.degrees(np.arctan2(plan.drift[1], plan.drift[0]))) % 360
            word = min(DRIFT_WORDS, key=lambda item: min(abs(angle - item[0]), 360 - abs(angle - item[0])))[1]
            candidates.append((drift * 1.5, f"drifts {word}"))
    elif moving:
        relative(plan.travel, "travels further", "travels less")
    else:
        relative(plan.travel, "breathes more", "breathes less")
    if plan.parallax:
        relative(plan.parallax_scale, "stronger parallax", "gentler parallax", 1.2)
        if abs(plan.horizon - 0.45) >= 0.08:
            candidates.append((abs(plan.horizon - 0.45), "deeper foreground" if plan.horizon < 0.45
                               else "shallower foreground"))
    if plan.shake:
        relative(plan.shake_tempo, "quicker shake", "slower sway")
    words = [text for _, text in sorted(candidates, key=lambda item: -item[0])[:most]]
    numbers = {"pace": plan.pace, "travel": plan.travel, "ease_power": plan.ease_power, "easing": plan.easing,
               "framing": plan.framing if plan.move in ZOOM_MOVES else None, "drift": list(plan.drift),
               "parallax_scale": plan.parallax_scale if plan.parallax else None,
               "horizon": plan.horizon if plan.parallax else None,
               "shake_tempo": plan.shake_tempo if plan.shake else None}
    return Variation(", ".join(words) if words else "close to the middle of the range", numbers)
