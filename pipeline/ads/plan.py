"""The ad plan: a validated description of one video ad, from the prompt to the scenes (pydantic).

An AdPlan holds what the storyboard shows and the generator needs: the product, the brand (name, 2–4 colours
as #RRGGBB, style keywords, mood), the length (15, 30 or 60 s), the aspect ratio (9:16, 16:9, 1:1), the
framework (AIDA, PAS or BAB) with a one-line rationale, the call to action, the music mood (one of the music
library's moods), the colour grade and the scenes. Each scene has a number, a type from its framework, a
visual prompt (for the hero frame), a motion prompt (for image-to-video), a text overlay, a duration and the
transition INTO it (for scene 1 a non-cut means a fade from black).

Invariants (checked on every construction): scene numbers run 1..n in order, every scene type belongs to the
plan's framework, every scene lasts at least MIN_SCENE_SECONDS, and the durations add up to the ad's length
(within DURATION_TOLERANCE). ``rescale_durations`` keeps them adding up after any change.

Nothing here touches files, the database or Gradio. Bad data raises AdPlanError with a readable message.
"""
from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.ads.frameworks import FRAMEWORK_NAMES, FRAMEWORKS
from pipeline.errors import StudioError

MIN_PROMPT_CHARS, MAX_PROMPT_CHARS = 10, 500
DURATIONS: tuple[int, ...] = (15, 30, 60)
AD_ASPECT_RATIOS: tuple[str, ...] = ("9:16", "16:9", "1:1")
MUSIC_MOODS: tuple[str, ...] = ("luxury", "tech", "calm", "energetic", "cinematic", "playful", "upbeat", "chill")
GRADES: tuple[str, ...] = ("none", "cinematic", "luxury", "vibrant")
TRANSITIONS: tuple[str, ...] = ("cut", "crossfade", "fade_black")
TRANSITION_SECONDS = {"cut": 0.0, "crossfade": 0.4, "fade_black": 0.6}
MIN_SCENE_SECONDS = 1.5
MIN_SCENES, MAX_SCENES = 2, 8
DURATION_TOLERANCE = 0.01  # seconds the scene durations may differ from the ad's length (float slack)
TICKS = 10  # durations are kept in tenths of a second
MAX_SEED = 2**31 - 2
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")

Duration = Literal[15, 30, 60]
AspectRatio = Literal["9:16", "16:9", "1:1"]
FrameworkName = Literal["AIDA", "PAS", "BAB"]
MusicMood = Literal["luxury", "tech", "calm", "energetic", "cinematic", "playful", "upbeat", "chill"]
Grade = Literal["none", "cinematic", "luxury", "vibrant"]
TransitionName = Literal["cut", "crossfade", "fade_black"]


class AdPlanError(StudioError):
    """A plan or a storyboard edit that cannot be accepted; the message is meant for the user as is."""


def check_prompt(prompt: Any) -> str:
    """The ad prompt, whitespace-normalised, if it is 10–500 characters; AdPlanError otherwise."""
    text = " ".join(str(prompt or "").split())
    if len(text) < MIN_PROMPT_CHARS:
        raise AdPlanError(f"Describe the ad in at least {MIN_PROMPT_CHARS} characters, e.g. 'Create a luxury watch "
                          f"ad' (got {len(text)}).")
    if len(text) > MAX_PROMPT_CHARS:
        raise AdPlanError(f"The ad prompt is {len(text)} characters long; keep it to {MAX_PROMPT_CHARS} or fewer "
                          f"(the storyboard is where the details go).")
    return text


def parse_hex(value: Any) -> str:
    match = _HEX.match(str(value).strip())
    if not match:
        raise AdPlanError(f"The colour '{value}' is not a hex colour like #D4AF37.")
    return "#" + match.group(1).upper()


def _humanize(error: ValidationError) -> str:
    messages = []
    for item in error.errors(include_url=False):
        inner = (item.get("ctx") or {}).get("error")
        if isinstance(inner, AdPlanError):
            messages.append(str(inner))
            continue
        loc = ".".join(str(p) for p in item.get("loc", ()))
        loc = re.sub(r"scenes\.(\d+)", lambda m: f"scene {int(m.group(1)) + 1}", loc)
        msg = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        messages.append(f"{loc}: {msg}" if loc else msg)
    return "The ad plan is not valid: " + "; ".join(dict.fromkeys(messages)) + "."


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @classmethod
    def parse(cls, data: Any):
        """Validate ``data`` (a dict or a model); AdPlanError with a readable message when it is not valid."""
        try:
            return cls.model_validate(data.model_dump() if isinstance(data, BaseModel) else data)
        except ValidationError as exc:
            raise AdPlanError(_humanize(exc)) from None


class Brand(_Model):
    name: str = Field(min_length=1, max_length=40)
    colours: list[str] = Field(min_length=2, max_length=4, description="2–4 brand colours as #RRGGBB")
    style_keywords: list[str] = Field(min_length=1, max_length=6)
    mood: str = Field(min_length=1, max_length=60)

    @field_validator("colours", mode="before")
    @classmethod
    def _colours(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\s]+", value) if v]
        return [parse_hex(v) for v in value] if isinstance(value, (list, tuple)) else value

    @field_validator("style_keywords", mode="before")
    @classmethod
    def _keywords(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, (list, tuple)):
            words = [" ".join(str(v).split()) for v in value]
            words = [w for w in dict.fromkeys(words) if w]
            for word in words:
                if len(word) > 40:
                    raise AdPlanError(f"The style keyword '{word[:20]}…' is too long (40 characters at most).")
            return words
        return value


class Scene(_Model):
    number: int = Field(ge=1)
    type: str = Field(min_length=1, max_length=30)
    visual_prompt: str = Field(min_length=1, max_length=600)
    motion_prompt: str = Field(min_length=1, max_length=300)
    text_overlay: str = Field(default="", max_length=80)
    duration: float = Field(ge=MIN_SCENE_SECONDS - 1e-9, le=60)
    transition: TransitionName = "crossfade"

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        return str(value).strip().lower() if value is not None else value

    @field_validator("text_overlay", mode="before")
    @classmethod
    def _overlay(cls, value: Any) -> Any:
        return " ".join(str(value or "").split())

    @field_validator("duration")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise AdPlanError("Scene durations must be numbers of seconds.")
        return round(float(value), 3)


class AdPlan(_Model):
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    product: str = Field(min_length=1, max_length=300, description="what is advertised, in a sentence")
    brand: Brand
    duration: Duration = 15
    aspect_ratio: AspectRatio = "9:16"
    framework: FrameworkName = "AIDA"
    rationale: str = Field(min_length=1, max_length=240, description="one line: why this framework")
    call_to_action: str = Field(min_length=1, max_length=60)
    music_mood: MusicMood = "upbeat"
    grade: Grade = "cinematic"
    setting: str = Field(default="", max_length=200, description="where every scene takes place (coherence)")
    scenes: list[Scene] = Field(min_length=MIN_SCENES, max_length=MAX_SCENES)
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="shared base seed: keeps the scenes coherent")
    planner: str = Field(default="local-rules", max_length=60)
    notes: list[str] = Field(default_factory=list)

    @field_validator("framework", mode="before")
    @classmethod
    def _framework(cls, value: Any) -> Any:
        return str(value).strip().upper() if isinstance(value, str) else value

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().rstrip("s").strip().isdigit():
            return int(value.strip().rstrip("s"))
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    @field_validator("rationale", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        return " ".join(str(value or "").split())

    @model_validator(mode="after")
    def _check(self) -> AdPlan:
        numbers = [s.number for s in self.scenes]
        if numbers != list(range(1, len(self.scenes) + 1)):
            raise AdPlanError(f"Scenes must be numbered 1 to {len(self.scenes)} in order (got {numbers}).")
        keys = FRAMEWORKS[self.framework].keys
        for scene in self.scenes:
            if scene.type not in keys:
                raise AdPlanError(f"Scene {scene.number} has the type '{scene.type}', which is not part of "
                                  f"{self.framework} ({', '.join(keys)}).")
        total = sum(s.duration for s in self.scenes)
        if abs(total - self.duration) > DURATION_TOLERANCE:
            raise AdPlanError(f"The scenes last {total:.2f} s together but the ad is {self.duration} s; the "
                              f"durations must add up (rescale them).")
        return self

    # ------------------------------------------------------------ derived values
    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def scene(self, number: int) -> Scene:
        for scene in self.scenes:
            if scene.number == int(number):
                return scene
        raise AdPlanError(f"There is no scene {number}; the storyboard has scenes 1 to {len(self.scenes)}.")

    def starts(self) -> list[float]:
        """Where each scene starts in the finished ad, in seconds."""
        out, t = [], 0.0
        for scene in self.scenes:
            out.append(round(t, 3))
            t += scene.duration
        return out

    def style_suffix(self) -> str:
        """What every scene's image prompt carries so the scenes look like one ad: brand colours and style."""
        names = list(dict.fromkeys(colour_name(c) for c in self.brand.colours[:3]))
        colours = " and ".join(names[:2]) if len(names) > 1 else names[0]
        return f"{colours} colour palette, {', '.join(self.brand.style_keywords)}"

    def render_prompt(self, scene: Scene) -> str:
        """The image prompt of a scene as rendered: its visual prompt + the shared setting + the brand style."""
        parts = [scene.visual_prompt.rstrip(" ,.")]
        if self.setting and self.setting.lower() not in scene.visual_prompt.lower():
            parts.append(self.setting)
        suffix = self.style_suffix()
        if suffix.lower() not in scene.visual_prompt.lower():
            parts.append(suffix)
        return ", ".join(parts)[:1900]

    def end_card_seconds(self) -> float:
        """How long the call-to-action end card holds at the end of the last scene."""
        wanted = {15: 1.5, 30: 2.5, 60: 3.0}[self.duration]
        return round(min(wanted, self.scenes[-1].duration / 2), 2)


# ---------------------------------------------------------------- durations
def rescale_durations(durations: list[float], total: float, keep: int | None = None,
                      minimum: float = MIN_SCENE_SECONDS) -> list[float]:
    """Durations (tenths of a second) proportional to ``durations`` that add up to exactly ``total``.

    ``keep`` (an index) holds that scene at its given length (clamped so the others still fit) and spreads the
    rest over the others. Every scene gets at least ``minimum`` seconds. Largest-remainder rounding keeps the
    sum exact: the AIDA structure 3/4/5/3 scaled to 30 s gives 6/8/10/6.
    """
    n = len(durations)
    if n == 0:
        raise AdPlanError("A storyboard needs at least one scene.")
    total_t, min_t = round(total * TICKS), round(minimum * TICKS)
    if n * min_t > total_t:
        raise AdPlanError(f"{n} scenes of at least {minimum:g} s do not fit in {total:g} s; remove a scene.")
    weights = [max(float(d), 0.0) if math.isfinite(float(d)) else 0.0 for d in durations]
    fixed: dict[int, int] = {}
    if keep is not None and n > 1:
        fixed[keep] = min(max(round(weights[keep] * TICKS), min_t), total_t - min_t * (n - 1))
    while True:
        free = [i for i in range(n) if i not in fixed]
        if not free:
            break
        budget = total_t - sum(fixed.values())
        share_weights = [weights[i] if sum(weights[j] for j in free) > 0 else 1.0 for i in free]
        total_w = sum(share_weights)
        exact = [budget * w / total_w for w in share_weights]
        low = [i for i, value in zip(free, exact) if value < min_t - 1e-9]
        if low:  # too short: pin to the minimum and share the rest again
            for i in low:
                fixed[i] = min_t
            continue
        floors = [math.floor(v) for v in exact]
        left = budget - sum(floors)
        order = sorted(range(len(free)), key=lambda k: (-(exact[k] - floors[k]), k))
        for k in order[:left]:
            floors[k] += 1
        for i, value in zip(free, floors):
            fixed[i] = value
        break
    return [fixed[i] / TICKS for i in range(n)]


def structure_durations(framework_name: str, total: float) -> list[float]:
    """The framework's scene lengths scaled to ``total`` seconds."""
    return rescale_durations([s.seconds for s in FRAMEWORKS[framework_name].scenes], total)


# ---------------------------------------------------------------- colours
def colour_name(hex_colour: str) -> str:
    """The nearest named colour (the words the local previz understands), e.g. #D4AF37 -> 'gold'."""
    from pipeline.engines.previz_scene import ACCENT_COLOURS

    rgb = hex_to_rgb(hex_colour)
    target = [c / 255 for c in rgb]
    names = {**ACCENT_COLOURS, **EXTRA_COLOUR_NAMES}
    best = min(names.items(), key=lambda item: sum((a - b) ** 2 for a, b in zip(item[1], target)))
    return best[0]


# Names beyond the previz's own colour words, so brand palettes read naturally in prompts.
EXTRA_COLOUR_NAMES: dict[str, tuple[float, float, float]] = {
    "lime": (0.55, 0.76, 0.29), "sand": (0.95, 0.91, 0.82), "ivory": (0.96, 0.94, 0.90),
    "charcoal": (0.20, 0.20, 0.22), "sky blue": (0.50, 0.75, 0.90), "olive": (0.50, 0.50, 0.10),
    "mint": (0.60, 0.95, 0.70), "coral": (1.0, 0.50, 0.31), "burgundy": (0.50, 0.0, 0.13),
    "beige": (0.91, 0.85, 0.76), "cream": (0.96, 0.94, 0.86), "espresso": (0.24, 0.15, 0.14),
    "slate": (0.18, 0.28, 0.35), "electric blue": (0.16, 0.47, 1.0),
}


def hex_to_rgb(hex_colour: str) -> tuple[int, int, int]:
    text = parse_hex(hex_colour)
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0–255 channels)."""
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG contrast ratio between two colours (1 = none, 21 = black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def legible_colour(colours: list[str], background: tuple[float, float, float], minimum: float = 4.5) -> str:
    """The first brand colour that reads on ``background`` (WCAG ratio >= ``minimum``), else the most
    contrasting of the brand colours, white and black."""
    for colour in colours:
        if contrast_ratio(hex_to_rgb(colour), background) >= minimum:
            return parse_hex(colour)
    candidates = [*colours, "#FFFFFF", "#000000"]
    return parse_hex(max(candidates, key=lambda c: contrast_ratio(hex_to_rgb(c), background)))


__all__ = [
    "AD_ASPECT_RATIOS",
    "DURATIONS",
    "FRAMEWORK_NAMES",
    "GRADES",
    "MAX_SCENES",
    "MIN_SCENES",
    "MIN_SCENE_SECONDS",
    "MUSIC_MOODS",
    "TRANSITIONS",
    "TRANSITION_SECONDS",
    "AdPlan",
    "AdPlanError",
    "Brand",
    "Scene",
    "check_prompt",
    "colour_name",
    "contrast_ratio",
    "legible_colour",
    "rescale_durations",
    "structure_durations",
]
