"""HTML for the ad composer: the plan summary (framework, rationale, brand swatches), storyboard card headers,
the generation steps, and the cost estimate. Pure functions of the service views; every value is escaped."""
from __future__ import annotations

from typing import Any

from pipeline.ads.frameworks import FRAMEWORKS, all_scene_types
from studio.components.html import esc

CSS = """
.ad-summary {font-size:14px; line-height:1.5;}
.ad-summary .fw {font-size:18px; font-weight:700;}
.swatch {display:inline-block; width:22px; height:22px; border-radius:5px; margin-right:4px; vertical-align:middle;
  border:1px solid rgba(0,0,0,.25);}
.scene-card {border-left:4px solid #f59e0b !important;}
.ad-steps {display:flex; gap:6px; flex-wrap:wrap; margin:4px 0;}
.ad-step {padding:2px 10px; border-radius:12px; font-size:12px; font-weight:600; background:var(--neutral-200);
  color:var(--body-text-color-subdued);}
.ad-step.done {background:#dcfce7; color:#166534;}
.ad-step.active {background:#fef3c7; color:#92400e;}
.ad-note {font-size:12px; color:#92400e;}
"""


def swatches(colours: list[str]) -> str:
    return "".join(f"<span class='swatch' title='{esc(c)}' style='background:{esc(c)}'></span>" for c in colours)


def plan_summary_html(view: dict[str, Any] | None) -> str:
    if not view or not view.get("plan"):
        return ("<div class='muted'>Describe the ad (10–500 characters), choose the length and the shape, then "
                "<b>Plan</b>. Nothing is generated or paid for until you approve the storyboard.</div>")
    plan = view["plan"]
    if view.get("kind") == "product_video":
        return (f"<div class='ad-summary'><span class='fw'>Product video</span> · {esc(plan.get('title'))} · "
                f"{plan.get('duration'):g} s {esc(plan.get('aspect_ratio'))} · status <b>{esc(view['status'])}</b>"
                "</div>")
    fw = FRAMEWORKS.get(plan["framework"])
    brand = plan["brand"]
    notes = "".join(f"<div class='ad-note'>Note: {esc(n)}</div>"
                    for n in (plan.get("notes") or []) + view.get("notes", []))
    return (
        f"<div class='ad-summary'><div><span class='fw'>{esc(plan['framework'])}</span> "
        f"<span class='muted'>{esc(fw.title if fw else '')}</span> · {plan['duration']} s · "
        f"{esc(plan['aspect_ratio'])} · {len(plan['scenes'])} scenes · status <b>{esc(view['status'])}</b></div>"
        f"<div><i>{esc(plan['rationale'])}</i></div>"
        f"<div>{swatches(brand['colours'])} <b>{esc(brand['name'])}</b> — {esc(brand['mood'])} · "
        f"{esc(', '.join(brand['style_keywords']))}</div>"
        f"<div>Call to action: <b>{esc(plan['call_to_action'])}</b> · music: {esc(plan['music_mood'])} · "
        f"grade: {esc(plan['grade'])} · planner: {esc(plan.get('planner', ''))}</div>{notes}</div>")


def scene_header(plan: dict[str, Any], index: int) -> str:
    scene = plan["scenes"][index]
    start = sum(s["duration"] for s in plan["scenes"][:index])
    kind = all_scene_types().get(scene["type"])
    label = kind.label if kind else scene["type"].capitalize()
    purpose = f" — <span class='muted'>{esc(kind.purpose)}</span>" if kind else ""
    return (f"<div><b>Scene {scene['number']} · {esc(label)}</b> · {start:.1f}–{start + scene['duration']:.1f} s"
            f"{purpose}</div>")


def steps_html(view: dict[str, Any] | None) -> str:
    if not view or not view.get("job"):
        return ""
    chips = []
    for step in view["steps"]:
        css = "done" if step["done"] else "active" if step["active"] else ""
        mark = "✓" if step["done"] else "●" if step["active"] else "○"
        chips.append(f"<span class='ad-step {css}'>{mark} {esc(step['name'])} {step['percent']:.0f} %</span>")
    return f"<div class='ad-steps'>{''.join(chips)}</div>"


def cost_html(estimate: dict[str, Any] | None, actual: float | None = None) -> str:
    if not estimate:
        return ""
    usd = estimate.get("usd")
    amount = "no estimate" if usd is None else ("free (offline engines)" if usd == 0 else f"≈ ${usd:.2f}" +
                                                (" at most" if estimate.get("upper_bound") else ""))
    spent = "" if actual is None else f" · <b>actual:</b> ${actual:.2f}"
    return (f"<div class='attempt-card'><b>Estimated cost:</b> {esc(amount)}{spent} · "
            f"{estimate.get('attempts', 0)} attempts<div class='muted'>{esc(estimate.get('rule_text', ''))}</div>"
            "</div>")
