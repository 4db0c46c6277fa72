"""The three ad frameworks as data: their scene types, in order, with base lengths and what each scene does.

AIDA  Attention 3 s / Interest 4 s / Desire 5 s / Action 3 s     (15 s)
PAS   Problem 4 s / Agitate 3 s / Solve 4 s / Resolution 4 s      (15 s)
BAB   Before 5 s / After 5 s / Bridge 5 s                         (15 s)

Longer ads scale every scene by the same factor (plan.rescale_durations), so a 30 s AIDA ad is 6/8/10/6 s.
Nothing here has logic beyond look-ups: the local planner (local_planner.py) fills the templates.
"""
from __future__ import annotations

from dataclasses import dataclass

FRAMEWORK_NAMES: tuple[str, ...] = ("AIDA", "PAS", "BAB")


@dataclass(frozen=True)
class SceneType:
    key: str  # "attention", "problem", ...
    label: str  # "Attention"
    seconds: float  # base length in the 15 s structure
    purpose: str  # what the scene has to do, shown on the storyboard card
    visual: str  # visual prompt template: {product}, {problem}, {aspiration}
    motion: str  # camera move for the image-to-video engine
    transition: str  # transition INTO this scene: cut, crossfade or fade_black (scene 1: fade from black)


@dataclass(frozen=True)
class Framework:
    name: str
    title: str
    summary: str
    scenes: tuple[SceneType, ...]

    @property
    def base_seconds(self) -> float:
        return sum(s.seconds for s in self.scenes)

    def scene_type(self, key: str) -> SceneType:
        for scene in self.scenes:
            if scene.key == key:
                return scene
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.scenes)


FRAMEWORKS: dict[str, Framework] = {
    "AIDA": Framework("AIDA", "Attention · Interest · Desire · Action",
                      "Grab attention, build interest in what it does, make the viewer want it, then ask for action.",
                      (SceneType("attention", "Attention", 3,
                                 "Stop the scroll: a striking first look at the product.",
                                 "{product}, dramatic hero reveal, bold close-up composition",
                                 "fast dramatic push in toward the product", "fade_black"),
                       SceneType("interest", "Interest", 4,
                                 "Show what makes it special: detail, craft, the key feature.",
                                 "{product}, macro detail close-up showing craftsmanship and features",
                                 "slow pan right across the product details, smooth", "crossfade"),
                       SceneType("desire", "Desire", 5,
                                 "Make the viewer want it: the product in an aspirational moment.",
                                 "{product} in an aspirational lifestyle moment, elegant composition",
                                 "slow orbit around the product, turntable feel", "crossfade"),
                       SceneType("action", "Action", 3,
                                 "Close on the product and the call to action.",
                                 "{product} packshot, centred on a pedestal, clean composition",
                                 "gentle pull out revealing the product, smooth", "crossfade"))),
    "PAS": Framework("PAS", "Problem · Agitate · Solve · Resolution",
                     "Name a pain the viewer knows, make it sting, then show the product solving it.",
                     (SceneType("problem", "Problem", 4,
                                "Show the everyday problem the viewer recognises.",
                                "a frustrated person dealing with {problem}, everyday scene",
                                "handheld camera, subtle natural shake", "fade_black"),
                      SceneType("agitate", "Agitate", 3,
                                "Make the problem hurt: what it costs, how often it happens.",
                                "close-up of the frustration, {problem} getting worse, tense mood",
                                "slow push in, tense and steady", "cut"),
                      SceneType("solve", "Solve", 4,
                                "Reveal the product as the answer.",
                                "{product} revealed as the solution, hero shot",
                                "dramatic push in toward the product", "crossfade"),
                      SceneType("resolution", "Resolution", 4,
                                "Life with the problem gone, and the call to action.",
                                "a happy, relieved person enjoying the {product}",
                                "gentle pull out revealing the scene, smooth", "crossfade"))),
    "BAB": Framework("BAB", "Before · After · Bridge",
                     "Show life before, the better life after, and the product as the bridge between them.",
                     (SceneType("before", "Before", 5,
                                "The world as it is now: the routine, the limitation.",
                                "a person before, stuck with {problem}, muted everyday routine",
                                "static locked-off shot, subtle life", "fade_black"),
                      SceneType("after", "After", 5,
                                "The world as it could be: confident, transformed.",
                                "a confident person after the change, {aspiration}, vibrant",
                                "slow dolly in with parallax between foreground and background", "crossfade"),
                      SceneType("bridge", "Bridge", 5,
                                "The product is how you get there, and the call to action.",
                                "{product} hero shot, showing how it works",
                                "slow orbit around the product, turntable feel", "crossfade"))),
}


def framework(name: str) -> Framework:
    """The framework called ``name`` (case-insensitive); KeyError when there is none."""
    return FRAMEWORKS[str(name).strip().upper()]


def all_scene_types() -> dict[str, SceneType]:
    return {s.key: s for f in FRAMEWORKS.values() for s in f.scenes}
