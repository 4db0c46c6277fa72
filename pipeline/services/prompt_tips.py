"""Prompt-improvement suggestions for the next iteration, built from a group's score breakdown and the feedback
tags of its pick: a proposed motion prompt and negative prompt, shown as word diffs the user can apply.

The rules are data (RULES, WEAK_BELOW); the chat model (openai:llm, when configured) rewrites the motion prompt
and the rules still supply the negative-prompt terms. Thresholds are heuristics on scoring's 0–1 scales
(VBench-like: smoothness and flicker sit near 1, so "weak" there means below 0.985).
"""
from __future__ import annotations

import logging
import re
from typing import Any

from pipeline.services.prompt_diff import word_diff
from pipeline.services.views import GroupView

log = logging.getLogger(__name__)

# A dimension counts as weak when the group's mean is below this (only dimensions that were computed).
WEAK_BELOW = {
    "motion_smoothness": 0.985, "temporal_flickering": 0.985, "camera_motion": 0.5, "i2v_subject": 0.9,
    "i2v_background": 0.95, "imaging_quality": 0.45, "aesthetic_quality": 0.45, "clip_score": 0.5,
    # dynamic_degree is 0/1-ish: judged together with motion_amount
    "motion_amount": 0.05, "motion_continuity": 0.9, "dynamic_degree": None,
}
FEEDBACK_TAGS = ("too chaotic", "not cinematic enough", "product distorted", "too static")

# rule id -> what it does. intensity: -1 calmer, +1 more motion; add: words for the motion prompt; negative: terms
# for the negative prompt; why: shown to the user.
RULES: dict[str, dict[str, Any]] = {
    "steadier": {"intensity": -1, "add": "smooth, steady camera, one continuous move",
                 "negative": ["jitter", "shaky camera", "stutter", "flicker"],
                 "change": "Steadier camera wording and a stronger negative prompt against jitter and flicker."},
    "more_motion": {"intensity": +1, "add": "clearly visible sweeping camera movement",
                    "negative": ["static", "frozen frame", "still image"],
                    "change": "Stronger motion verbs so the clip clearly moves."},
    "less_drift": {"intensity": -1, "add": "gentle, minimal motion, the product stays unchanged",
                   "negative": ["distorted product", "morphing", "warping", "deformed"],
                   "change": "Lower the motion intensity so the clip stays true to the hero frame."},
    "calmer": {"intensity": -1, "add": "calm, controlled, slow camera move",
               "negative": ["chaotic motion", "fast movements", "erratic camera"],
               "change": "Calm the move down: slower, one direction, no erratic motion."},
    "cinematic": {"intensity": 0, "add": "cinematic look, shallow depth of field, soft film grain",
                  "negative": ["amateur footage", "flat lighting"],
                  "change": "Cinematic wording: shallow depth of field, a film look."},
    "plain_move": {"intensity": 0, "add": "slow push in, straight toward the subject",
                   "negative": [], "change": "Name one camera move and its direction plainly."},
    "sharper": {"intensity": 0, "add": "", "negative": ["blurry", "low resolution", "compression artifacts"],
                "change": "Ask against blur and artifacts (or try another seed or a higher-resolution model)."},
    "whole_clip": {"intensity": 0, "add": "one continuous camera move from the first to the last frame",
                   "negative": ["camera stops", "frozen ending", "stalled motion"],
                   "change": "Ask for one move that runs through the whole clip (the last attempts stalled or "
                             "started late)."},
    "match_prompt": {"intensity": 0, "add": "", "negative": [],
                     "change": "Describe the subject and the move more concretely so the clip matches its prompt."},
}
DIMENSION_RULES = {"motion_smoothness": "steadier", "temporal_flickering": "steadier", "i2v_subject": "less_drift",
                   "i2v_background": "less_drift", "camera_motion": "plain_move", "motion_amount": "more_motion",
                   "imaging_quality": "sharper", "aesthetic_quality": "cinematic", "clip_score": "match_prompt",
                   "motion_continuity": "whole_clip"}
TAG_RULES = {"too chaotic": "calmer", "not cinematic enough": "cinematic", "product distorted": "less_drift",
             "too static": "more_motion"}
MAX_ADDITIONS = 2  # phrases added to the motion prompt, so it stays a prompt and not a list of wishes
CALMER_WORDS = {"fast": "slow", "quick": "slow", "rapid": "slow", "dramatic": "subtle", "aggressive": "gentle",
                "whip": "smooth", "energetic": "calm", "swirling": "gentle", "crash": "slow", "sweeping": "gentle"}
LIVELIER_WORDS = {"subtle": "clear", "gentle": "confident", "slight": "noticeable", "minimal": "visible",
                  "tiny": "clear"}
SHAKY_CLAUSE = re.compile(r"\b(handheld|shak(e|y|ing)|jitter\w*|wobbl\w*)\b", re.IGNORECASE)  # dropped when calming
STATIC_WORDS = re.compile(r"\b(static|locked[-\s]?off|still|motionless|tripod)\b", re.IGNORECASE)
STATIC_REPLACEMENT = "steady push in toward the subject"  # replaces a static clause when more motion is wanted


def weak_dimensions(means: dict[str, float], motion_prompt: str = "") -> list[tuple[str, float]]:
    """(name, mean) of the dimensions below their threshold, weakest first (relative to the threshold)."""
    weak = []
    for name, value in means.items():
        limit = WEAK_BELOW.get(name)
        if limit is None or value is None:
            continue
        if name == "motion_amount" and STATIC_WORDS.search(motion_prompt or ""):
            continue  # a still shot is supposed to barely move
        if value < limit:
            weak.append((name, float(value), (limit - value) / max(limit, 1e-6)))
    return [(n, v) for n, v, _ in sorted(weak, key=lambda item: -item[2])]


def rule_suggestions(motion_prompt: str, negative_prompt: str, means: dict[str, float], tags: list[str],
                     gate_failures: list[str] | None = None) -> dict[str, Any]:
    """The rule-based proposal: {changes: [{rule, change, why}], motion_prompt, negative_prompt}.

    Scores and tags may pull in opposite directions (drift says calmer, "too static" says livelier): the user's
    tags decide, and rules against that direction are left out."""
    from_scores: dict[str, list[str]] = {}
    for name, value in weak_dimensions(means, motion_prompt):
        from_scores.setdefault(DIMENSION_RULES[name], []).append(f"{name.replace('_', ' ')} is low ({value:.3f})")
    if any(str(g).startswith("frozen") for g in gate_failures or []):
        from_scores.setdefault("more_motion", []).append("the clip barely moves although motion was asked for")
    from_tags: dict[str, list[str]] = {}
    for tag in tags:
        if tag in TAG_RULES:
            from_tags.setdefault(TAG_RULES[tag], []).append(f"you tagged it “{tag}”")
    if not from_scores and not from_tags:
        return {"changes": [], "motion_prompt": motion_prompt, "negative_prompt": negative_prompt}
    direction = _sign(sum(RULES[r]["intensity"] for r in from_tags)) or \
        _sign(sum(RULES[r]["intensity"] for r in from_scores))
    reasons: dict[str, list[str]] = {}
    for source in (from_tags, from_scores):
        for rule, why in source.items():
            if RULES[rule]["intensity"] * direction >= 0:
                reasons.setdefault(rule, []).extend(why)
    motion = _reword(motion_prompt, direction)
    motion = _join(motion, [RULES[r]["add"] for r in reasons if RULES[r]["add"]][:MAX_ADDITIONS])
    negative = _join_terms(negative_prompt, [t for r in reasons for t in RULES[r]["negative"]])
    changes = [{"rule": rule, "change": RULES[rule]["change"], "why": "; ".join(why)} for rule, why in reasons.items()]
    return {"changes": changes, "motion_prompt": motion, "negative_prompt": negative}


def suggest(settings: Any, group: GroupView, tags: list[str], gate_failures: list[str] | None = None
            ) -> dict[str, Any]:
    """Suggestions for a group view (services.attempts.group): rules always; the chat model's rewrite of the
    motion prompt when one is configured. Returns current and proposed prompts with word diffs."""
    scored = [a for a in group.attempts if a.scores]
    names = sorted({n for a in scored for n in a.scores})
    means = {n: round(sum(a.scores.get(n, 0.0) for a in scored if n in a.scores) /
                      max(1, sum(1 for a in scored if n in a.scores)), 4) for n in names}
    rules = rule_suggestions(group.motion_prompt, group.negative_prompt, means, tags, gate_failures)
    proposed_motion, source, engine, notes = rules["motion_prompt"], "rules", "rules", []
    llm = _llm_rewrite(settings, group, means, tags, rules)
    if llm is not None:
        engine, items = llm
        rewrite = next((i.get("motion_prompt", "").strip() for i in items
                        if (i.get("motion_prompt") or "").strip()), "")
        notes = [{"rule": "llm", "change": i.get("change", ""), "why": i.get("why", "")} for i in items]
        if rewrite:
            proposed_motion, source = rewrite, "llm"
    changes = notes + rules["changes"] if source == "llm" else rules["changes"]
    return {
        "group_id": group.id, "source": source, "engine": engine, "mean_scores": means, "tags": tags,
        "changes": changes,
        "current": {"motion_prompt": group.motion_prompt, "negative_prompt": group.negative_prompt},
        "proposed": {"motion_prompt": proposed_motion, "negative_prompt": rules["negative_prompt"]},
        "diff": {"motion_prompt": word_diff(group.motion_prompt, proposed_motion),
                 "negative_prompt": word_diff(group.negative_prompt, rules["negative_prompt"])},
        "message": "" if changes else "No weak scores and no feedback tags: the prompts can stay as they are.",
    }


def _llm_rewrite(settings, group, means, tags, rules):
    """(engine name, suggestions) from the configured chat model, or None (none configured, or it failed)."""
    from pipeline.engines import registry
    from pipeline.providers.suggestions import improvement_suggestions

    try:
        engine = registry.create("prompt", settings.prompt_engine, settings)
    except Exception:  # noqa: BLE001 - no usable prompt engine: rules only
        return None
    if not hasattr(engine, "suggest_improvements"):
        return None
    summary = {"motion_prompt": group.motion_prompt, "negative_prompt": group.negative_prompt,
               "engine": group.engine, "mean_scores": means, "feedback_tags": tags,
               "rule_hints": [c["change"] for c in rules["changes"]],
               "selection_reason": group.selection_reason}
    try:
        result = improvement_suggestions(settings, summary)
    except Exception as exc:  # noqa: BLE001 - a provider outage falls back to the rules, and says so in the log
        log.warning("Chat-model suggestions failed, using the rules: %s", exc)
        return None
    return result.get("engine", engine.name), list(result.get("suggestions") or [])


def _reword(text: str, direction: int) -> str:
    """Calmer (-1): faster words slowed, shaky clauses dropped; livelier (+1): static clauses replaced by a move."""
    if direction == 0:
        return text
    clauses = [c.strip() for c in text.split(",") if c.strip()]
    if direction < 0:
        clauses = [c for c in clauses if not SHAKY_CLAUSE.search(c)] or ["slow steady camera move"]
        mapping = CALMER_WORDS
    else:
        replaced = False
        for i, clause in enumerate(clauses):
            if STATIC_WORDS.search(clause):
                clauses[i] = "" if replaced else STATIC_REPLACEMENT
                replaced = True
        clauses = [c for c in clauses if c]
        mapping = LIVELIER_WORDS
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
    return ", ".join(pattern.sub(lambda m: mapping[m.group(1).lower()], c) for c in clauses)


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _join(text: str, additions: list[str]) -> str:
    parts = [p.strip(" ,") for p in re.split(r",", text) if p.strip(" ,")]
    lowered = " ".join(parts).lower()
    for addition in additions:
        if addition.lower() not in lowered:
            parts.append(addition)
            lowered += " " + addition.lower()
    return ", ".join(" ".join(p.split()) for p in parts)


def _join_terms(negative: str, terms: list[str]) -> str:
    current = [t.strip() for t in (negative or "").split(",") if t.strip()]
    lowered = {t.lower() for t in current}
    for term in terms:
        if term.lower() not in lowered:
            current.append(term)
            lowered.add(term.lower())
    return ", ".join(current)
