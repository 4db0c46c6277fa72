"""Pure storyboard edits: each takes an AdPlan and returns a NEW validated AdPlan (the input is never changed).

The durations always add up to the ad's length: changing one scene's duration spreads the difference over the
others (in proportion to their lengths), adding or removing a scene rescales the rest, and changing the ad's
length scales every scene. Scene numbers follow the order. Anything impossible raises AdPlanError.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.ads.frameworks import FRAMEWORKS
from pipeline.ads.plan import (
    MAX_SCENES,
    MIN_SCENE_SECONDS,
    MIN_SCENES,
    AdPlan,
    AdPlanError,
    rescale_durations,
)
from pipeline.validation import check_keywords

SCENE_FIELDS = ("type", "visual_prompt", "motion_prompt", "text_overlay", "duration", "transition")
PLAN_FIELDS = ("product", "rationale", "call_to_action", "music_mood", "grade", "duration", "aspect_ratio", "seed",
               "brand_name", "brand_colours", "style_keywords", "brand_mood")


def _rebuild(plan: AdPlan, data: dict[str, Any]) -> AdPlan:
    for number, scene in enumerate(data["scenes"], start=1):
        scene["number"] = number
    return AdPlan.parse(data)


def _with_durations(data: dict[str, Any], keep: int | None = None) -> dict[str, Any]:
    durations = rescale_durations([float(s["duration"]) for s in data["scenes"]], float(data["duration"]), keep)
    for scene, seconds in zip(data["scenes"], durations):
        scene["duration"] = seconds
    return data


def _number(plan: AdPlan, number: Any) -> int:
    try:
        index = int(number) - 1
    except (TypeError, ValueError):
        raise AdPlanError(f"A scene number must be a whole number, not {number!r}.") from None
    if not 0 <= index < len(plan.scenes):
        raise AdPlanError(f"There is no scene {number}; the storyboard has scenes 1 to {len(plan.scenes)}.")
    return index


def update_scene(plan: AdPlan, number: int, **changes: Any) -> AdPlan:
    """Change fields of one scene (type, visual_prompt, motion_prompt, text_overlay, duration, transition).
    A new duration is kept and the other scenes absorb the difference."""
    unknown = sorted(set(changes) - set(SCENE_FIELDS))
    if unknown:
        raise AdPlanError(f"Unknown scene field(s): {', '.join(unknown)}. Known: {', '.join(SCENE_FIELDS)}.")
    index = _number(plan, number)
    data = plan.to_dict()
    if "duration" in changes:
        try:
            changes["duration"] = float(changes["duration"])
        except (TypeError, ValueError):
            raise AdPlanError(f"A scene duration must be a number of seconds, not {changes['duration']!r}.") from None
        if changes["duration"] < MIN_SCENE_SECONDS:
            raise AdPlanError(f"A scene lasts at least {MIN_SCENE_SECONDS:g} s.")
    data["scenes"][index].update(changes)
    if "duration" in changes:
        _with_durations(data, keep=index)
    return _rebuild(plan, data)


def update_plan(plan: AdPlan, **changes: Any) -> AdPlan:
    """Change plan-wide fields: product, rationale, call_to_action, music_mood, grade, duration (scenes scale),
    aspect_ratio, seed, brand_name, brand_colours (list or comma-separated), style_keywords, brand_mood."""
    unknown = sorted(set(changes) - set(PLAN_FIELDS))
    if unknown:
        raise AdPlanError(f"Unknown plan field(s): {', '.join(unknown)}. Known: {', '.join(PLAN_FIELDS)}.")
    data = plan.to_dict()
    brand_keys = {"brand_name": "name", "brand_colours": "colours", "style_keywords": "style_keywords",
                  "brand_mood": "mood"}
    for key, value in changes.items():
        if key in brand_keys:
            data["brand"][brand_keys[key]] = value
        else:
            data[key] = value
    if "duration" in changes:
        data["duration"] = _duration(changes["duration"])
        _with_durations(data)
    return _rebuild(plan, data)


def _duration(value: Any) -> int:
    try:
        seconds = int(float(str(value).rstrip("s ")))
    except (TypeError, ValueError):
        raise AdPlanError(f"The ad length must be 15, 30 or 60 seconds, not {value!r}.") from None
    if seconds not in (15, 30, 60):
        raise AdPlanError(f"The ad length must be 15, 30 or 60 seconds, not {value!r}.")
    return seconds


def add_scene(plan: AdPlan, after: int | None = None, type: str | None = None, visual_prompt: str | None = None,
              motion_prompt: str | None = None, text_overlay: str = "", duration: float | None = None,
              transition: str = "crossfade") -> AdPlan:
    """Insert a scene after scene ``after`` (default: at the end). Unset fields copy the scene before it; its
    duration defaults to an equal share and the other scenes make room."""
    if len(plan.scenes) >= MAX_SCENES:
        raise AdPlanError(f"A storyboard has at most {MAX_SCENES} scenes; remove one first.")
    if after is None or after == "":
        index = len(plan.scenes)
    elif int(after) == 0:
        index = 0  # before the first scene
    else:
        index = _number(plan, after) + 1
    data = plan.to_dict()
    model = data["scenes"][max(index - 1, 0)]
    scene = {
        "number": index + 1,
        "type": type or model["type"],
        "visual_prompt": visual_prompt or f"{model['visual_prompt']}, another angle",
        "motion_prompt": motion_prompt or model["motion_prompt"],
        "text_overlay": text_overlay,
        "duration": float(duration) if duration else plan.duration / (len(plan.scenes) + 1),
        "transition": transition,
    }
    data["scenes"].insert(index, scene)
    _with_durations(data, keep=index)
    return _rebuild(plan, data)


def remove_scene(plan: AdPlan, number: int) -> AdPlan:
    """Remove a scene; the others grow (in proportion) to keep the ad's length."""
    index = _number(plan, number)
    if len(plan.scenes) <= MIN_SCENES:
        raise AdPlanError(f"A storyboard needs at least {MIN_SCENES} scenes.")
    data = plan.to_dict()
    del data["scenes"][index]
    _with_durations(data)
    return _rebuild(plan, data)


def move_scene(plan: AdPlan, number: int, to: int) -> AdPlan:
    """Move scene ``number`` to position ``to`` (1 = first); the scenes are renumbered in the new order."""
    index = _number(plan, number)
    target = _number(plan, to)
    data = plan.to_dict()
    scene = data["scenes"].pop(index)
    data["scenes"].insert(target, scene)
    return _rebuild(plan, data)


def switch_framework(plan: AdPlan, framework: str) -> AdPlan:
    """Rebuild the scenes from another framework's structure (product, brand, call to action, music, grade and
    seed are kept); the durations follow the new structure scaled to the ad's length."""
    from pipeline.ads.local_planner import build_scenes, read_prompt

    name = str(framework or "").strip().upper()
    if name not in FRAMEWORKS:
        raise AdPlanError(f"Unknown framework '{framework}'. Use AIDA, PAS or BAB.")
    if name == plan.framework:
        return plan
    reading = read_prompt(plan.prompt)
    product = plan.product.split(":")[0].strip() or reading.product_phrase
    from dataclasses import replace

    reading = replace(reading, product_phrase=product[:1].lower() + product[1:] if product else reading.product_phrase)
    data = plan.to_dict()
    data["framework"] = name
    data["rationale"] = f"Switched to {name} on the storyboard: {FRAMEWORKS[name].summary}"
    data["scenes"] = build_scenes(name, reading, plan.brand.name, float(plan.duration), plan.call_to_action)
    return _rebuild(plan, data)


def replace_plan(plan: AdPlan, data: dict[str, Any]) -> AdPlan:
    """The whole plan as edited on the storyboard (fields missing from ``data`` keep their values). When the
    scene durations no longer add up: a single changed duration is kept and the others absorb the difference;
    otherwise all are scaled in proportion."""
    if not isinstance(data, dict):
        raise AdPlanError("A storyboard must be a JSON object.")
    merged = plan.to_dict()
    for key, value in data.items():
        if key == "brand" and isinstance(value, dict):
            merged["brand"] = {**merged["brand"], **value}
        elif key in merged:
            merged[key] = value
        else:
            raise AdPlanError(f"Unknown plan field '{key}'.")
    if "duration" in data:
        merged["duration"] = _duration(data["duration"])
    scenes = merged["scenes"]
    if not isinstance(scenes, list) or not scenes:
        raise AdPlanError("A storyboard needs scenes.")
    for scene in scenes:
        if not isinstance(scene, dict):
            raise AdPlanError("Every scene must be an object.")
        try:
            scene["duration"] = float(scene.get("duration") or 0)
        except (TypeError, ValueError):
            raise AdPlanError(f"A scene duration must be a number of seconds, not {scene.get('duration')!r}.") \
                from None
    total = sum(s["duration"] for s in scenes)
    if abs(total - float(merged["duration"])) > 0.01:
        old = [s.duration for s in plan.scenes]
        changed = [i for i, s in enumerate(scenes) if i >= len(old) or abs(s["duration"] - old[i]) > 1e-6]
        keep = changed[0] if len(changed) == 1 and len(scenes) == len(old) and merged["duration"] == plan.duration \
            else None
        _with_durations(merged, keep=keep)
    return _rebuild(plan, merged)


OPERATIONS: dict[str, Callable[..., AdPlan]] = {
    "update_scene": update_scene, "update_plan": update_plan, "add_scene": add_scene,
    "remove_scene": remove_scene, "move_scene": move_scene, "switch_framework": switch_framework,
    "replace": lambda plan, plan_data=None, **rest: replace_plan(plan, plan_data if plan_data is not None else rest),
}


def apply(plan: AdPlan, operation: str, **arguments: Any) -> AdPlan:
    """Run one named storyboard edit (see OPERATIONS) with keyword arguments."""
    if operation not in OPERATIONS:
        raise AdPlanError(f"Unknown storyboard operation '{operation}'. Known: {', '.join(OPERATIONS)}.")
    check_keywords(OPERATIONS[operation], operation, arguments)
    try:
        return OPERATIONS[operation](plan, **arguments)
    except TypeError as exc:
        raise AdPlanError(f"Wrong arguments for '{operation}': {exc}") from None
