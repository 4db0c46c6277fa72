"""HTML formatting of service views for display: job progress, the queue, score tables, badges, stat cards.

Pure functions from the plain dicts in pipeline/services/views.py to HTML strings. Every value that comes from
the user or the database is escaped.
"""
from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from pipeline.engines.photo_fit import shape_label
from pipeline.services.views import AttemptView, FrameView, GroupView, JobView

STATUS_COLOURS = {
    "queued": "#64748b", "running": "#d97706", "rendering": "#d97706", "scoring": "#7c3aed",
    "succeeded": "#16a34a", "done": "#16a34a", "failed": "#dc2626", "cancelled": "#94a3b8",
}
FINISHED_JOB_STATES = ("succeeded", "failed", "cancelled")


def esc(value: Any) -> str:
    return escape("" if value is None else str(value))


def badge(text: str, css_class: str = "engine-badge", title: str = "") -> str:
    tip = f' title="{esc(title)}"' if title else ""
    return f'<span class="{css_class}"{tip}>{esc(text)}</span>'


def status_chip(status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#64748b")
    return f'<span class="status-chip" style="background:{colour}">{esc(status)}</span>'


def progress_bar(percent: float | None, status: str = "running") -> str:
    pct = max(0.0, min(100.0, float(percent or 0.0)))
    colour = STATUS_COLOURS.get(status, "#d97706")
    return (f'<div class="job-bar"><div class="job-fill" style="width:{pct:.0f}%;background:{colour}"></div>'
            f'</div>')


def as_job(job: JobView | dict[str, Any] | None) -> JobView | None:
    """A job view; an ad plan's view carries its job as the API's JSON object, read back here."""
    return JobView.model_validate(job) if isinstance(job, dict) else job


def job_finished(job: JobView | dict[str, Any] | None) -> bool:
    job = as_job(job)
    return job is None or job.status in FINISHED_JOB_STATES


def job_html(job: JobView | dict[str, Any] | None, title: str = "") -> str:
    """One job as a card: status, progress bar, current step, error."""
    job = as_job(job)
    if not job:
        return ""
    status = job.status
    head = f"{esc(title) + ' · ' if title else ''}job #{job.id} {status_chip(status)} <b>{job.progress:.0f} %</b>"
    step = f'<div class="job-step">{esc(job.step or "")}</div>' if job.step else ""
    error = f'<div class="job-error">{esc(job.error)}</div>' if job.error and status != "succeeded" else ""
    return f'<div class="job-card"><div>{head}</div>{progress_bar(job.progress, status)}{step}{error}</div>'


def jobs_table_html(jobs: Iterable[JobView], limit: int = 8) -> str:
    """The live queue: id, kind, status, worker (host:pid that ran it), progress, step, error."""
    rows = []
    for job in list(jobs)[:limit]:
        rows.append(
            f"<tr><td>#{job.id}</td><td>{esc(job.kind)}</td><td>{status_chip(job.status)}</td>"
            f"<td class='job-worker'><small>{esc(job.worker or '')}</small></td>"
            f"<td style='min-width:110px'>{progress_bar(job.progress, job.status)}"
            f"<small>{job.progress:.0f} %</small></td><td>{esc(job.step or '')}</td>"
            f"<td class='job-error'>{esc(job.error or '')}</td></tr>")
    if not rows:
        return '<div class="muted">The queue is empty.</div>'
    return ('<table class="score-table queue-table"><thead><tr><th>job</th><th>kind</th><th>status</th>'
            '<th>worker</th><th>progress</th><th>step</th><th>error</th></tr></thead><tbody>' + "".join(rows)
            + "</tbody></table>")


def dimension_name(name: str) -> str:
    return name.replace("_", " ")


def score_table_html(scores: dict[str, float]) -> str:
    """Per-dimension scores (0–1) with a small bar each."""
    if not scores:
        return ""
    rows = "".join(
        f"<tr><td>{esc(dimension_name(name))}</td><td><div class='mini-bar'><div style='width:"
        f"{max(0.0, min(1.0, value)) * 100:.0f}%'></div></div></td><td>{value:.3f}</td></tr>"
        for name, value in sorted(scores.items()))
    return f'<table class="score-table"><tbody>{rows}</tbody></table>'


RANK_SCORE_HELP = ("rank score: how the attempt compares within its group (50 = the group's average); "
                   "the pick has the highest")
OVERALL_HELP = ("overall: absolute quality on every measure, comparable across groups; "
                "the pick compares attempts within the group")


def shown_score(attempt: AttemptView) -> tuple[float | None, str]:
    """The one number shown for an attempt, and what it is: the rank score once the group is ranked (the order the
    pick follows), else the overall score."""
    if attempt.relative_score is not None:
        return attempt.relative_score, RANK_SCORE_HELP
    return attempt.overall_score, OVERALL_HELP


def attempt_card_html(attempt: AttemptView, group: GroupView | None = None) -> str:
    """An attempt's state: progress while it renders and scores; overall score, badges and dimensions after."""
    status = attempt.status
    parts = [(f"<div class='attempt-head'><b>Attempt {attempt.index}</b> {status_chip(status)}"
              f" <small>seed {attempt.seed}</small></div>")]
    if attempt.variation is not None and attempt.variation.phrase:
        parts.append(f"<div class='variation'><small>{esc(attempt.variation.phrase)}</small></div>")
    if status in ("queued", "rendering", "scoring"):
        job = attempt.job
        if status == "scoring":
            pct, step = max(80.0, attempt.progress or 0.0), "Scoring the clip…"
        else:
            waiting = "Waiting in the queue" if status == "queued" else ""
            pct, step = (job.progress or 0.0, job.step or waiting) if job is not None else (0.0, waiting)
        parts.append(progress_bar(pct, status) + f"<div class='job-step'>{esc(step)} · {pct:.0f} %</div>")
    if attempt.error and status in ("failed", "cancelled"):
        parts.append(f"<div class='job-error'>{esc(attempt.error)}</div>")
    badges = []
    if attempt.is_system_selected_best:
        reason = (group.selection_reason if group else None) or ""
        badges.append(badge("★ System pick", "pick-badge", reason))
    if attempt.is_user_selected_best:
        badges.append(badge("✔ Your pick", "user-badge"))
    if attempt.tied_with_pick:
        badges.append(badge("= Tie", "tie-badge", "equally good on every measure as the other tied attempts"))
    if badges:
        parts.append(f"<div>{''.join(badges)}</div>")
    if attempt.overall_score is not None:
        relative = attempt.relative_score
        if relative is not None:  # the ranking's own number first; the absolute one explained in one line
            place = f" · rank {attempt.rank}" if attempt.rank else ""
            parts.append(f"<div class='overall' title='{esc(RANK_SCORE_HELP)}'>Rank score <b>{relative:.1f}</b>"
                         f"<small>{place}</small></div>"
                         f"<div class='overall-note'><small>Overall {attempt.overall_score:.1f} — absolute "
                         f"quality, comparable across groups; the pick compares attempts within the group"
                         f"</small></div>")
        else:
            parts.append(f"<div class='overall'>Overall <b>{attempt.overall_score:.1f}</b></div>")
        if attempt.is_system_selected_best and group and group.selection_reason:
            parts.append(f"<div class='pick-reason'>Why: {esc(group.selection_reason)}</div>")
        elif attempt.score_reason:
            parts.append(f"<div class='score-reason'>{esc(attempt.score_reason)}</div>")
        parts.append(score_table_html(attempt.scores or {}))
    return f"<div class='attempt-card'>{''.join(parts)}</div>"


def group_header_html(group: GroupView | None) -> str:
    if not group:
        return "<div class='muted'>No attempts yet.</div>"
    done = sum(1 for a in group.attempts if a.status in ("done", "failed", "cancelled"))
    confidence = group.pick_confidence
    bands = {"clear": "clear pick", "slight": "slight edge", "tie": "tie"}
    short = bands.get(confidence.band, "") if confidence else ""
    band = badge(short, f"confidence-{confidence.band}", confidence.label) if short else ""
    reason = (f"<div class='pick-reason'>{badge('System pick', 'pick-badge')} {band} "
              f"{esc(group.selection_reason)}</div>" if group.selection_reason else "")
    negative = (f"<div><small>negative: {esc(group.negative_prompt)}</small></div>"
                if group.negative_prompt else "")
    return (f"<div class='group-head'><b>Group {group.id}</b> · iteration {group.iteration_index} · "
            f"{esc(group.engine)} · {group.duration:g} s · {done}/{len(group.attempts)} finished"
            f"<div><i>“{esc(group.motion_prompt)}”</i></div>"
            f"{negative}"
            f"{reason}</div>")


def group_label(group: GroupView) -> str:
    motion = group.motion_prompt
    motion = motion if len(motion) <= 48 else motion[:47] + "…"
    return f"Group {group.id} · iteration {group.iteration_index} · {motion}"


def additions_html(additions: list[dict[str, str]]) -> str:
    if not additions:
        return "<div class='muted'>Nothing to add: the prompt already covers camera, lens, light and mood.</div>"
    items = "".join(f"<li><b>{esc(a['category'])}</b>: {esc(a['text'])}</li>" for a in additions)
    return f"<div><b>Added by the enhancer</b><ul class='additions'>{items}</ul></div>"


def frame_caption(frame: FrameView, is_hero: bool = False) -> str:
    seed = f"seed {frame.seed}" if frame.seed is not None else "no seed"
    marks = (" · ★" if frame.is_favourite else "") + (" · HERO" if is_hero else "")
    return f"#{frame.id} · {seed} · {frame.source}{marks}"


def photo_rows(params: dict[str, Any]) -> list[tuple[str, str]]:
    """What an enhancement kept and left out (with why), and how attempts fit an uploaded photo."""
    steps = [(name.replace("_", " "), params[name]) for name in ("white_balance", "exposure", "contrast", "sharpen")
             if isinstance(params.get(name), dict) and "applied" in params[name]]
    rows = [(step, "applied" if info["applied"] else info.get("skipped") or "left out") for step, info in steps]
    if params.get("fit_mode"):
        rows.append(("fit to project", "crop around the subject" if params["fit_mode"] == "crop"
                     else "extend with a soft backdrop (nothing cut off)"))
    return rows


def original_row(frame: FrameView) -> list[tuple[str, str]]:
    """An enhanced photo points back at the untouched original, which stays in the gallery to be used instead."""
    if frame.source != "enhanced" or not frame.parent_frame_id:
        return []
    return [("before", f"frame #{frame.parent_frame_id} — the photo as uploaded, kept unchanged; select it in the "
                       "gallery and use it as hero to keep the original")]


def frame_details_html(frame: FrameView | None, is_hero: bool = False) -> str:
    if not frame:
        return "<div class='muted'>Select a frame in the gallery to see its details and actions.</div>"
    params = frame.parameters or {}
    param_rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in params.items()
                         if k != "render_prompt")
    hero = " " + badge("Hero frame", "pick-badge") if is_hero else ""
    fav = " " + badge("★ favourite", "user-badge") if frame.is_favourite else ""
    rows = [("prompt", frame.prompt or "—"), ("enhanced prompt", frame.enhanced_prompt or "—"),
            ("seed", frame.seed if frame.seed is not None else "—"),
            ("source", frame.source),
            ("engine", frame.engine + (f" ({frame.model})"
                                          if frame.model not in (None, "", frame.engine) else "")),
            ("size", f"{frame.width}×{frame.height} ({shape_label(frame.width, frame.height)})"),
            *photo_rows(params), *original_row(frame), ("created", frame.created_at or "")]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    warning = (params.get("fit") or {}).get("warning")
    body += f"<tr><th>⚠ resolution</th><td class='warn'>{esc(warning)}</td></tr>" if warning else ""
    extra = (f"<details><summary>parameters</summary><table class='score-table'>{param_rows}</table></details>"
             if param_rows else "")
    return (f"<div><b>Frame #{frame.id}</b>{hero}{fav}<table class='score-table details-table'>{body}</table>"
            f"{extra}</div>")


def stat_cards_html(items: list[tuple[str, str]]) -> str:
    cards = "".join(f"<div class='stat-card'><div class='stat-value'>{esc(v)}</div><div class='stat-label'>"
                    f"{esc(k)}</div></div>" for k, v in items)
    return f"<div class='stat-cards'>{cards}</div>"


def engine_note_html(info: dict | None, estimate: dict | None, video_prompt: str = "") -> str:
    """What the chosen engine can and cannot take, what the request will cost before it is started, and the
    prompt (scene + motion) the model will be sent."""
    if not info:
        return ""
    notes = []
    if not info.get("prompt", True):
        notes.append("this model takes <b>no text prompt</b>: the motion prompt is ignored")
    if not info.get("negative_prompt", True):
        notes.append("this model <b>cannot take a negative prompt</b>: it will be ignored")
    if not info.get("seed", True):
        notes.append("no seed control: this model varies on its own; attempts may be similar")
    if info.get("durations"):
        notes.append("clip lengths: " + ", ".join(f"{d:g} s" for d in info["durations"]) + " (rounded up)")
    elif info.get("max_seconds"):
        notes.append(f"clips up to {info['max_seconds']:g} s (longer requests are refused)")
    cost = ""
    if estimate is not None:
        usd = estimate.get("usd")
        amount = "no estimate" if usd is None else ("free" if usd == 0 else f"≈ ${usd:.2f}" +
                                                    (" at most" if estimate.get("upper_bound") else ""))
        rule = escape(estimate.get("rule_text", ""))
        cost = f"<div><b>Estimated cost:</b> {escape(amount)} <span class='muted'>({rule})</span></div>"
    warn = "".join(f"<div class='job-error'>⚠ {n}</div>" for n in notes)
    sent = f"<div><b>Prompt sent:</b> {escape(video_prompt)}</div>" if video_prompt else ""
    price_rule = escape(info.get("price_rule", ""))
    return f"<div class='attempt-card'>{cost}{warn}{sent}<div class='muted'>Price rule: {price_rule}</div></div>"
