"""Reads a prompt into a previz scene description: palette, time of day, light direction, placement and subject.

Everything the prompt names is honoured; what it leaves open is chosen from the seed, so different seeds give
different candidate frames for the same prompt while the same prompt and seed always give the same scene.
Each decision draws from its own seeded stream, so changing one word changes only what that word controls.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.engines.text_match import (
    find_phrase,
    mentions,
    stable_hash,
    strip_phrases,
)

RGB = tuple[float, float, float]


@dataclass(frozen=True)
class Palette:
    name: str
    time_of_day: str
    sky_top: RGB
    sky_horizon: RGB
    ground_far: RGB
    ground_near: RGB
    key_light: RGB  # colour of the main light (sun, softbox)
    shadow: RGB  # colour shadows fall towards
    haze: RGB
    sun: RGB
    bokeh: tuple[RGB, ...]
    sun_elevation: float  # 0 = on the horizon, 1 = top of frame; negative = below the horizon (only a glow)
    night: bool = False


PALETTES: dict[str, Palette] = {
    "golden_hour": Palette("golden_hour", "golden hour", (0.42, 0.42, 0.62), (1.0, 0.66, 0.32), (0.62, 0.42, 0.24),
                           (0.30, 0.19, 0.10), (1.0, 0.78, 0.50), (0.22, 0.14, 0.20), (1.0, 0.74, 0.50),
                           (1.0, 0.90, 0.62), ((1.0, 0.75, 0.40), (1.0, 0.55, 0.30), (1.0, 0.88, 0.60)), 0.12),
    "dawn": Palette("dawn", "dawn", (0.36, 0.42, 0.64), (0.98, 0.72, 0.66), (0.50, 0.44, 0.46), (0.22, 0.20, 0.24),
                    (1.0, 0.84, 0.76), (0.20, 0.18, 0.30), (0.92, 0.78, 0.80), (1.0, 0.92, 0.82),
                    ((1.0, 0.80, 0.75), (0.85, 0.75, 1.0)), 0.08),
    "clear_day": Palette("clear_day", "midday", (0.16, 0.38, 0.78), (0.70, 0.82, 0.95), (0.46, 0.56, 0.36),
                         (0.20, 0.32, 0.14), (1.0, 0.98, 0.92), (0.16, 0.22, 0.34), (0.80, 0.88, 0.96),
                         (1.0, 1.0, 0.95), ((1.0, 1.0, 0.95), (0.8, 0.9, 1.0)), 0.80),
    "overcast": Palette("overcast", "overcast day", (0.56, 0.58, 0.62), (0.80, 0.81, 0.82), (0.52, 0.54, 0.52),
                        (0.26, 0.28, 0.27), (0.92, 0.93, 0.95), (0.30, 0.32, 0.36), (0.84, 0.85, 0.86),
                        (0.95, 0.95, 0.95), ((0.9, 0.9, 0.92),), -0.2),
    "blue_hour": Palette("blue_hour", "blue hour", (0.04, 0.08, 0.26), (0.34, 0.44, 0.72), (0.16, 0.20, 0.34),
                         (0.05, 0.07, 0.14), (0.62, 0.72, 1.0), (0.04, 0.05, 0.14), (0.40, 0.50, 0.78),
                         (0.75, 0.82, 1.0), ((1.0, 0.80, 0.45), (0.55, 0.70, 1.0), (1.0, 0.95, 0.80)), -0.10,
                         night=True),
    "moonlit_night": Palette("moonlit_night", "night", (0.01, 0.02, 0.06), (0.08, 0.12, 0.24), (0.07, 0.08, 0.12),
                             (0.02, 0.03, 0.05), (0.62, 0.70, 0.92), (0.01, 0.01, 0.04), (0.14, 0.18, 0.30),
                             (0.92, 0.94, 1.0), ((1.0, 0.82, 0.50), (0.60, 0.72, 1.0)), 0.55, night=True),
    "neon_night": Palette("neon_night", "night", (0.03, 0.01, 0.08), (0.40, 0.05, 0.42), (0.14, 0.04, 0.20),
                          (0.03, 0.02, 0.06), (0.10, 0.85, 1.0), (0.06, 0.01, 0.10), (0.45, 0.10, 0.50),
                          (1.0, 0.30, 0.85), ((1.0, 0.10, 0.80), (0.0, 0.90, 1.0), (0.55, 0.20, 1.0)), -0.3,
                          night=True),
    "pastel": Palette("pastel", "soft daylight", (0.70, 0.68, 0.86), (0.90, 0.76, 0.78), (0.84, 0.76, 0.76),
                      (0.66, 0.62, 0.72), (1.0, 0.96, 0.94), (0.52, 0.46, 0.64), (0.90, 0.82, 0.86),
                      (1.0, 0.97, 0.92), ((1.0, 0.85, 0.90), (0.80, 0.90, 1.0), (0.90, 1.0, 0.88)), 0.5),
    "studio": Palette("studio", "studio", (0.30, 0.29, 0.28), (0.62, 0.60, 0.57), (0.56, 0.54, 0.52),
                      (0.30, 0.29, 0.28), (1.0, 0.97, 0.92), (0.10, 0.10, 0.12), (0.70, 0.68, 0.66),
                      (1.0, 0.98, 0.94), ((1.0, 0.95, 0.85), (0.85, 0.90, 1.0)), -1.0),
}

# Checked in order: a style word (neon, pastel) outranks the time of day it implies.
PALETTE_WORDS: list[tuple[str, str]] = [
    ("neon_night", r"neon|cyberpunk|synthwave"),
    ("pastel", r"pastels?"),
    ("golden_hour", r"golden hour|magic hour|sunset|warm evening"),
    ("dawn", r"dawn|sunrise|early morning|morning"),
    ("blue_hour", r"blue hour|dusk|twilight"),
    ("moonlit_night", r"night|nighttime|midnight|moonlit|moonlight|moon"),
    ("overcast", r"overcast|cloudy|fog|foggy|misty|mist|rain|rainy|grey day|gray day|soft daylight"),
    ("clear_day", r"noon|midday|sunny|daylight|clear sky|daytime|afternoon|blue sky"),
    ("studio", r"studio|seamless|backdrop|packshot"),
]
MONOCHROME_WORDS = r"monochrome|black and white|black-and-white|b&w|noir|greyscale|grayscale"
TIME_PHRASES = r"golden hour|magic hour|blue hour|blue sky|clear sky"  # removed before reading colour words

ACCENT_COLOURS: dict[str, RGB] = {
    "red": (0.78, 0.08, 0.10), "crimson": (0.66, 0.05, 0.16), "scarlet": (0.86, 0.14, 0.08),
    "emerald": (0.03, 0.52, 0.32), "green": (0.16, 0.56, 0.22), "teal": (0.02, 0.50, 0.52),
    "turquoise": (0.10, 0.72, 0.68), "blue": (0.10, 0.28, 0.80), "navy": (0.05, 0.10, 0.36),
    "cobalt": (0.05, 0.24, 0.70), "cyan": (0.05, 0.78, 0.90), "purple": (0.42, 0.14, 0.62),
    "violet": (0.50, 0.22, 0.80), "lavender": (0.70, 0.60, 0.90), "pink": (0.95, 0.45, 0.65),
    "magenta": (0.90, 0.10, 0.62), "orange": (0.95, 0.45, 0.08), "amber": (0.95, 0.62, 0.10),
    "yellow": (0.95, 0.82, 0.16), "gold": (0.86, 0.64, 0.22), "golden": (0.86, 0.64, 0.22),
    "copper": (0.72, 0.40, 0.22), "bronze": (0.60, 0.42, 0.22), "brown": (0.42, 0.26, 0.14),
    "silver": (0.78, 0.80, 0.84), "chrome": (0.82, 0.84, 0.88), "white": (0.92, 0.92, 0.90),
    "black": (0.06, 0.06, 0.07), "matte black": (0.07, 0.07, 0.08),
}

PRODUCT_SHAPES: list[tuple[str, str]] = [
    ("watch", r"watch(?:es)?|wristwatch|ring(?![ -]?light)|jewell?e?ry|necklace|bracelet|pendant|compass|clock"),
    ("bottle", r"bottles?|perfume|fragrance|serum|wine|whisk(?:e)?y|soda can|lotion|shampoo"),
    ("sneaker", r"sneakers?|shoes?|trainers?|boots?|footwear"),
    ("box", (r"product|packshot|box|package|packaging|phone|smartphone|gadget|speaker|headphones?|cosmetics?|"
             r"lipstick|cream|jar|mug|cup|handbag|bag|skincare")),
]
FOOD_WORDS = r"food|dish|plate|burger|pizza|cake|dessert|pastry|meal|salad|pasta|sushi|bowl|breakfast"
CAR_WORDS = r"car|cars|vehicle|sports car|suv|supercar|motorcycle|motorbike|truck"
PERSON_WORDS = (r"person|portrait|woman|man|girl|boy|model|face|figure|people|dancer|athlete|actor|character|"
                r"silhouette|astronaut|hiker|runner")
CITY_WORDS = r"city|cityscape|skyline|street|streets|downtown|urban|skyscrapers?|alley|metropolis|rooftop|buildings?"
LANDSCAPE_WORDS = (r"landscape|mountains?|valley|hills?|desert|canyon|forest|lake|ocean|sea|beach|coast|meadow|"
                   r"fields|waterfall|glacier|horizon|nature|peaks?|dunes?")
STUDIO_WORDS = r"studio|seamless|backdrop|packshot|pedestal|plinth|podium|tabletop"

# Light phrases are read (and removed) before placement, so "light from the left" does not move the subject.
LIGHT_SIDE = r"(?:(?:side|key|rim|hard|soft)[ -]?)?(?:light(?:ing)?|lit|sun(?:light)?)"
LIGHT_RULES: list[tuple[str, str]] = [
    ("top", (r"top[ -]?(?:light(?:ing)?|lit)|overhead (?:light(?:ing)?|sun)|(?:light|lit) from above|"
             r"downlight|spotlight from above|noon sun")),
    ("back", (r"back[ -]?lit|back[ -]?light(?:ing)?|rim[ -]?light(?:ing)?|contre[- ]jour|against the sun|"
              r"silhouetted?")),
    ("left", (rf"{LIGHT_SIDE},? (?:from )?(?:the |camera )?left|left[ -](?:side[ -])?{LIGHT_SIDE}|"
              r"(?:light|lit) (?:coming )?from (?:the )?left")),
    ("right", (rf"{LIGHT_SIDE},? (?:from )?(?:the |camera )?right|right[ -](?:side[ -])?{LIGHT_SIDE}|"
               r"(?:light|lit) (?:coming )?from (?:the )?right")),
    ("front", (r"front[ -]?(?:light(?:ing)?|lit)|frontal light(?:ing)?|flat light(?:ing)?|ring[ -]?light|"
               r"on-camera flash")),
    ("side", r"side[ -]?(?:light(?:ing)?|lit)"),
]
PLACEMENT_X = {"left third": 1 / 3, "centre": 0.5, "right third": 2 / 3}

# Shot types and camera heights a prompt can name (an ad storyboard's scenes name them: "macro detail close-up",
# "lifestyle moment", "packshot, centred on a pedestal", "dramatic hero reveal").
SHOT_RULES: list[tuple[str, str]] = [
    ("macro", r"macro|extreme close-?ups?|detail close-?ups?|details? shots?|texture shots?"),
    ("packshot", r"pack ?shots?|catalog(?:ue)? shots?|on a (?:pedestal|plinth|podium)|product shots?"),
    ("tele", r"close-?ups?|tight(?:ly)? framed|tight shots?|telephoto|portrait lens|85 ?mm|100 ?mm|135 ?mm"),
    ("wide", r"wide(?: shots?|[- ]angle)|establishing|lifestyle|in use|in context|environment(?:al)?|24 ?mm|35 ?mm"),
]
CAMERA_HEIGHT_RULES: list[tuple[str, str]] = [
    ("low", r"low[- ]angle|worm'?s[- ]eye|from below|looking up|hero reveal|towering"),
    ("high", r"high[- ]angle|top[- ]down|bird'?s[- ]eye|flat ?lay|from above|overhead shot|looking down"),
    ("eye level", r"eye[- ]level|straight[- ]on"),
]
LIFESTYLE_WORDS = r"lifestyle|in use|in context|everyday|at home|on the go|aspirational"
#: The compositions the candidates of one request walk through (consecutive seeds take consecutive rows), so four
#: candidates differ on purpose in camera height, lens and placement; whatever the prompt names is kept.
COMPOSITIONS: list[tuple[str, str, str, str]] = [  # camera height, lens, placement, light
    ("eye level", "normal", "centre", "left"),
    ("low", "wide", "left third", "right"),
    ("high", "normal", "right third", "back"),
    ("eye level", "tele", "right third", "left"),
    ("low", "normal", "centre", "right"),
    ("high", "wide", "left third", "left"),
    ("eye level", "macro", "centre", "right"),
    ("low", "tele", "left third", "back"),
]
#: Subject height (fraction of the frame's short side) per lens — macro comes closer than the whole subject —
#: and the horizon per camera height.
LENS_SCALE = {"wide": (0.26, 0.34), "normal": (0.42, 0.52), "tele": (0.58, 0.66), "macro": (1.1, 1.2)}
HORIZON = {"low": (0.72, 0.78), "eye level": (0.58, 0.66), "high": (0.34, 0.44)}


@dataclass(frozen=True)
class SceneSpec:
    subject: str  # product, figure, car, food, skyline, mountains, hero object
    product_shape: str | None  # watch, bottle, sneaker, box (products only)
    setting: str  # studio, city, landscape, outdoor
    palette: Palette
    light_direction: str  # left, right, top, back, front
    placement: str  # left third, centre, right third
    subject_x: float  # horizontal centre of the subject, fraction of the width
    horizon: float  # fraction of the height
    subject_scale: float  # subject height as a fraction of the frame height
    accent_name: str | None
    accent: RGB | None
    monochrome: bool
    hue_jitter: float  # small per-seed colour variation, -1..1
    seed: int
    camera_height: str = "eye level"  # low, eye level, high
    lens: str = "normal"  # wide, normal, tele, macro (tele and macro soften the background)

    def as_parameters(self) -> dict[str, object]:
        return {
            "subject": self.subject if not self.product_shape else f"{self.subject} ({self.product_shape})",
            "setting": self.setting,
            "palette": self.palette.name + (" (monochrome)" if self.monochrome else ""),
            "time_of_day": self.palette.time_of_day,
            "light_direction": self.light_direction,
            "placement": self.placement,
            "accent_colour": self.accent_name,
            "horizon": round(self.horizon, 3),
            "camera_height": self.camera_height,
            "lens": self.lens,
            "seed": self.seed,
        }


def plan_scene(prompt: str, seed: int) -> SceneSpec:
    text = " ".join(prompt.lower().split())
    subject, shape = _subject(text)
    setting = _setting(text, subject)
    palette = PALETTES[_palette_name(text, setting, seeded(seed, "palette"))]
    composition = Composition.for_prompt(text, subject, seed)
    light, text_without_light = _light(text, palette, composition.light)
    placement = _placement(text_without_light, subject, composition)
    rng = seeded(seed, "layout")
    accent_name = _accent_name(text)
    horizon = composition.horizon(rng, setting)
    return SceneSpec(
        subject=subject,
        product_shape=shape,
        setting=setting,
        palette=palette,
        light_direction=light,
        placement=placement,
        subject_x=float(np.clip(PLACEMENT_X[placement] + rng.uniform(-0.03, 0.03), 0.2, 0.8)),
        horizon=horizon,
        subject_scale=composition.subject_scale(rng, subject),
        accent_name=accent_name,
        accent=ACCENT_COLOURS[accent_name] if accent_name else None,
        monochrome=mentions(text, MONOCHROME_WORDS),
        hue_jitter=float(rng.uniform(-1.0, 1.0)),
        seed=seed,
        camera_height=composition.camera_height,
        lens=composition.lens,
    )


@dataclass(frozen=True)
class Composition:
    """Camera height, lens, placement and light of one candidate: what the prompt names, else the seed's row."""

    camera_height: str
    lens: str
    placement: str | None  # None: the prompt's placement words (or the subject's habit) decide
    light: str

    @classmethod
    def for_prompt(cls, text: str, subject: str, seed: int) -> Composition:
        height, lens, placement, light = COMPOSITIONS[seed % len(COMPOSITIONS)]
        shot = next((name for name, words in SHOT_RULES if mentions(text, words)), None)
        named_height = next((name for name, words in CAMERA_HEIGHT_RULES if mentions(text, words)), None)
        if shot == "packshot":  # the catalogue shot: centred, eye level, a normal lens
            height, lens, placement = "eye level", "normal", "centre"
        elif shot is not None:
            lens = shot
        if shot == "macro":
            height, placement = "eye level", "centre"
        if named_height:
            height = named_height
        if height == "high" and lens in ("tele", "macro"):
            lens = "normal"  # looking down on a subject that fills the frame leaves no floor to stand it on
        if subject in ("skyline", "mountains"):
            lens = "wide" if lens == "macro" else lens
        return cls(height, lens, placement, light)

    def horizon(self, rng: np.random.Generator, setting: str) -> float:
        if self.lens == "macro":
            return float(rng.uniform(0.78, 0.82))  # the subject fills the frame; its base sits low
        low, high = HORIZON[self.camera_height]
        return float(rng.uniform(low, high) if setting != "studio" else rng.uniform(max(low, 0.4), high))

    def subject_scale(self, rng: np.random.Generator, subject: str) -> float:
        low, high = LENS_SCALE[self.lens]
        portrait_like = subject in ("figure", "product", "food")
        return float(rng.uniform(low, high) * (1.0 if portrait_like else 0.75))


def seeded(seed: int, decision: str) -> np.random.Generator:
    """One random stream per decision, keyed by the seed only: rewording the prompt ("red" -> "emerald") with the
    same seed keeps every choice the words do not touch, so a user can iterate on one aspect at a time."""
    return np.random.default_rng([seed % 2**32, stable_hash(decision)])


def _subject(text: str) -> tuple[str, str | None]:
    for shape, words in PRODUCT_SHAPES:
        if mentions(text, words):
            return "product", shape
    for subject, words in (("food", FOOD_WORDS), ("car", CAR_WORDS), ("figure", PERSON_WORDS)):
        if mentions(text, words):
            return subject, None
    if mentions(text, CITY_WORDS):
        return "skyline", None
    if mentions(text, LANDSCAPE_WORDS):
        return "mountains", None
    return "hero object", None


def _setting(text: str, subject: str) -> str:
    if mentions(text, CITY_WORDS):
        return "city"
    if mentions(text, LANDSCAPE_WORDS):
        return "landscape"
    if mentions(text, STUDIO_WORDS):
        return "studio"
    if mentions(text, LIFESTYLE_WORDS):
        return "outdoor"  # a lifestyle moment is the product out in the world, not on a sweep
    if subject in ("product", "food"):
        return "studio"
    return "outdoor"


def _palette_name(text: str, setting: str, rng: np.random.Generator) -> str:
    for name, words in PALETTE_WORDS:
        if mentions(text, words):
            return name
    if setting == "studio":
        return "studio"
    return str(rng.choice(["golden_hour", "clear_day", "blue_hour", "dawn", "overcast"], p=[0.35, 0.25, 0.2, 0.1, 0.1]))


def _light(text: str, palette: Palette, composed: str) -> tuple[str, str]:
    """Return the light direction and the prompt with its light phrases removed."""
    for direction, words in LIGHT_RULES:
        match = find_phrase(text, words)
        if match:
            if direction == "side":
                # "side light" without a side: look for a bare left/right elsewhere, else the composition's side.
                rest = strip_phrases(text, words)
                side = "left" if mentions(rest, "left") else "right" if mentions(rest, "right") else None
                direction = side or (composed if composed in ("left", "right") else "left")
            return direction, strip_phrases(text, words)
    if palette.name == "overcast":
        return "top", text  # an overcast sky lights from above
    return composed, text


def _placement(text: str, subject: str, composition: Composition) -> str:
    wants_thirds = mentions(text, r"rule of thirds|rule-of-thirds|thirds|off-?cent(?:er|re)")
    if mentions(text, r"left|left third|left side"):
        return "left third"
    if mentions(text, r"right|right third|right side"):
        return "right third"
    composed = composition.placement or "centre"
    if wants_thirds:
        return composed if composed != "centre" else "left third"
    if mentions(text, r"cent(?:er|re)d?|symmetr\w*|middle"):
        return "centre"
    return composed


def _accent_name(text: str) -> str | None:
    text = strip_phrases(text, TIME_PHRASES)
    first: tuple[int, str] | None = None
    for name in sorted(ACCENT_COLOURS, key=len, reverse=True):  # "matte black" before "black"
        match = find_phrase(text, name)
        if match and (first is None or match.start() < first[0]):
            first = (match.start(), name)
    return first[1] if first else None
