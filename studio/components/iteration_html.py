"""HTML for the workspace's iteration history: word diffs, the iteration table, the final-version banner,
suggestions and the side-by-side metrics of two versions. Pure functions of service views; values are escaped."""
from __future__ import annotations

from typing import Any

from pipeline.services.views import Comparison, FinalVersion
from studio.components.html import badge, dimension_name, esc

STYLE = ("<style>.diff-ins{background:#dcfce7;color:#166534;border-radius:3px;padding:0 2px}"
         ".diff-del{background:#fee2e2;color:#991b1b;text-decoration:line-through;border-radius:3px;padding:0 2px}"
         ".final-banner{border:2px solid #16a34a;border-radius:8px;padding:8px 12px;margin:4px 0}"
         ".final-banner.none{border-color:#94a3b8;border-style:dashed}"
         ".iter-table td,.iter-table th{padding:3px 8px;vertical-align:top}"
         ".iter-table tr.is-final{background:rgba(22,163,74,.12)}</style>")


def diff_html(ops: list[dict[str, str]]) -> str:
    parts = []
    for op in ops:
        if op["op"] == "insert":
            parts.append(f"<ins class='diff-ins'>{esc(op['text'])}</ins>")
        elif op["op"] == "delete":
            parts.append(f"<del class='diff-del'>{esc(op['text'])}</del>")
        else:
            parts.append(esc(op["text"]))
    return " ".join(parts) or "<i>(empty)</i>"


def final_banner_html(final: FinalVersion | None) -> str:
    if not final:
        return (STYLE + "<div class='final-banner none'><b>FINAL VERSION:</b> not set yet — pick an attempt and press "
                "<i>Mark as FINAL</i>. Export, the timeline and the dashboard use it.</div>")
    score = f" · score {final.overall_score:.1f}" if final.overall_score is not None else ""
    return (STYLE + f"<div class='final-banner'><b>FINAL VERSION:</b> {esc(final.label)} (iteration "
            f"{final.iteration}){score} · set {esc(final.set_at or '')}</div>")


def iterations_html(history: dict[str, Any]) -> str:
    rows = history.get("iterations") or []
    if not rows:
        return "<div class='muted'>No iterations yet: generate attempts first.</div>"
    body = []
    for r in reversed(rows):
        chosen = r.get("chosen")
        pick = (f"{esc(chosen['label'])} <small>({'your pick' if chosen['by'] == 'user' else 'system pick'})</small>"
                if chosen else "<span class='muted'>—</span>")
        changes = []
        for field, name in (("hero_prompt", "hero"), ("motion_prompt", "motion"), ("negative_prompt", "negative")):
            if field in r["changes"]["changed_fields"]:
                changes.append(f"<div><small>{name}:</small> {diff_html(r['changes'][field]['ops'])}</div>")
        if not changes:
            changes.append(f"<small>{esc(r['key_changes'])}</small>")
        if r.get("rerolled_attempts"):
            changes.append("<div><small>re-rolled attempt(s) "
                           f"{', '.join(map(str, r['rerolled_attempts']))}</small></div>")
        tags = (r.get("feedback") or {}).get("tags") or []
        feedback = " ".join(badge(t, "engine-badge") for t in tags)
        best = f"{r['best_score']:.1f}" if r.get("best_score") is not None else "—"
        final = badge("FINAL", "pick-badge") if r.get("is_final") else ""
        parent = "<br><small>from G" + str(r["parent_group_id"]) + "</small>" if r.get("parent_group_id") else ""
        body.append(f"<tr class='{'is-final' if r.get('is_final') else ''}'><td><b>v{r['version']}</b><br><small>"
                    f"iteration {r['iteration']}</small></td><td>G{r['group_id']}{parent}"
                    f"</td><td>{pick} {final}</td><td>{''.join(changes)}</td><td>{best}</td><td>{feedback}</td></tr>")
    return (STYLE + "<table class='score-table iter-table'><thead><tr><th>version</th><th>group</th><th>chosen</th>"
            "<th>key prompt changes</th><th>best</th><th>feedback</th></tr></thead><tbody>" + "".join(body)
            + "</tbody></table>")


def suggestion_html(result: dict[str, Any] | None) -> str:
    if not result:
        return ("<div class='muted'>Press <i>Suggest improvements</i>: changes are built from the scores and your "
                "feedback tags.</div>")
    if not result["changes"]:
        return f"<div class='muted'>{esc(result['message'])}</div>"
    source = "the chat model" if result["source"] == "llm" else "the rules (no chat model configured)"
    items = "".join(f"<li>{esc(c['change'])} <small class='muted'>— {esc(c['why'])}</small></li>"
                    for c in result["changes"])
    return (STYLE + f"<div><b>Suggestions</b> <small>from {esc(source)}</small><ul>{items}</ul>"
            f"<div><small>motion prompt</small><br>{diff_html(result['diff']['motion_prompt'])}</div>"
            f"<div><small>negative prompt</small><br>{diff_html(result['diff']['negative_prompt'])}</div></div>")


def compare_metrics_html(result: Comparison | None) -> str:
    if not result:
        return ""
    attempts = result.attempts
    head = "".join(f"<th>{esc(a.label)}{' ' + badge('FINAL', 'pick-badge') if a.is_final else ''}</th>"
                   for a in attempts)
    head += "<th>Δ (last − first)</th>" if len(attempts) == 2 else ""
    rows = []
    for row in result.rows:
        values = "".join("<td>"
                         f"{'—' if v is None else (f'{v:.1f}' if row.dimension == 'overall' else f'{v:.3f}')}</td>"
                         for v in row.values)
        delta = row.deltas[-1] if len(attempts) == 2 else None
        colour = "" if not delta else (" style='color:#16a34a'" if delta > 0 else " style='color:#dc2626'")
        values += (f"<td{colour}>{'' if delta is None else f'{delta:+.3f}'}</td>" if len(attempts) == 2 else "")
        rows.append(f"<tr><td>{esc(dimension_name(row.dimension))}</td>{values}</tr>")
    prompts = "".join(f"<div><small><b>{esc(a.label)}</b> iteration {a.iteration}: "
                      f"“{esc(a.motion_prompt)}”</small></div>" for a in attempts)
    return (f"<table class='score-table'><thead><tr><th>dimension</th>{head}</tr></thead><tbody>{''.join(rows)}"
            f"</tbody></table>{prompts}")


def trend_note(versions: int) -> str:
    """Shown in place of the score-per-version chart while it would hold a single point."""
    if versions != 1:
        return ""
    return "<div class='muted trend-note'>The score trend per version appears from the second version on.</div>"
