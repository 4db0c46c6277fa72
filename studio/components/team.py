"""Team mode pieces of the UI: who is signed in and their usage, project sharing labels, and the admin's spend table.

Pure functions from the service views (pipeline/services/limits.py, projects.py) to HTML strings and DataFrames;
every value from the database is escaped.
"""
from __future__ import annotations

from typing import Any

from pipeline.services.views import ProjectView
from studio.components.html import esc

SHARING_LABELS = {"private": "Private", "viewer": "Team can view", "editor": "Team can edit"}
SHARING_CHOICES = [(label, value) for value, label in SHARING_LABELS.items()]
ACCESS_WORDS = {"view": "you can view", "edit": "you can edit", "own": "yours"}
SPEND_COLUMNS = ["user", "role", "status", "gen. last hour", "gen. this month", "spend (USD)",
                 "reserved (USD)", "reported (USD)", "monthly cap (USD)", "cap used"]


def display_name(username: str) -> str:
    """Hugging Face accounts are stored as ``hf:<name>``; people know them by ``<name>``."""
    return username.removeprefix("hf:")


def money(value: float | None) -> str:
    return "no cap" if value is None else f"${value:,.2f}"


def usage_text(usage: dict[str, Any] | None) -> str:
    """One line of the actor's own usage: generations this hour of N, spend this month of the cap."""
    if not usage:
        return ""
    per_hour = usage.get("generations_per_hour")
    hour = f"{usage['generations_last_hour']}" + (f" of {per_hour}" if per_hour else "") + " generations this hour"
    cap = usage.get("cap_usd")
    month = f"${usage['spent_usd']:,.2f}" + (f" of {money(cap)}" if cap is not None else "") + " this month"
    return f"{hour} · {month}"


def identity_html(actor, usage: dict[str, Any] | None, auth: str) -> str:
    """'Signed in as alice (member)', the usage line, and (studio accounts) a Log out link to Gradio's /logout.
    With Hugging Face logins the project bar's LoginButton is the way out."""
    logout = ' · <a href="logout" class="logout-link">Log out</a>' if auth == "local" else ""
    return (f'<div class="identity">Signed in as <b>{esc(display_name(actor.username))}</b> '
            f'<span class="muted">({esc(actor.role)})</span>{logout}'
            f'<div class="muted usage-line">{esc(usage_text(usage))}</div></div>')


def signed_out_html(auth: str, message: str = "") -> str:
    how = ("Sign in with Hugging Face to use the studio." if auth == "hf"
           else 'Your session has ended. <a href="logout">Sign in again</a>.')
    extra = f'<div class="muted">{esc(message)}</div>' if message else ""
    return f'<div class="identity"><b>Not signed in.</b> {how}{extra}</div>'


def project_label(project: ProjectView, team_mode: bool) -> str:
    """The project switcher's label: name · ratio, plus whose it is and what you may do when it is not yours."""
    label = f"{project.name} · {project.aspect_ratio}"
    if team_mode and project.access not in (None, "own"):
        label += f" · {display_name(project.owner or '?')}'s"
        if project.access == "view":
            label += " (view only)"
    return label


def owner_html(project: ProjectView) -> str:
    """For a project someone shared with you: whose it is and what you may do."""
    owner = display_name(project.owner or "unknown")
    sharing = SHARING_LABELS.get(project.sharing or "private", project.sharing)
    return (f'<div class="owner-note">Owner: <b>{esc(owner)}</b><div class="muted">{esc(sharing)} · '
            f'{esc(ACCESS_WORDS.get(project.access, project.access))}</div></div>')


def spend_summary_html(data: dict[str, Any]) -> str:
    """The team line above the admin's table: month, team spend of its cap, the hourly limit."""
    team = data.get("team") or {}
    per_hour = data.get("generations_per_hour")
    parts = [f"Month <b>{esc(data.get('month'))}</b>",
             f"team spend <b>{esc(money(team.get('spent_usd') or 0.0))}</b> of {esc(money(team.get('cap_usd')))}",
             f"limit {per_hour} generation{'s' if per_hour != 1 else ''} per user per hour" if per_hour
             else "no hourly limit",
             "limits enforced" if data.get("enforced") else "limits not enforced (single-user mode)"]
    return ('<div class="spend-summary">' + " · ".join(parts) + '<div class="muted">Spend counts, per generation, the '
            "larger of what was reserved (the estimate when it was queued) and what the providers reported. "
            "Caps: <code>python -m storage.users set-cap</code>.</div>"
            "</div>")


def spend_frame(data: dict[str, Any]):
    """The admin's spend-per-user table (one row per account, biggest spender first)."""
    import pandas as pd

    rows = []
    for row in data.get("users") or []:
        cap = row.get("cap_usd")
        rows.append({
            "user": display_name(row["username"]), "role": row.get("role", ""),
            "status": "disabled" if row.get("disabled") else "active",
            "gen. last hour": row["generations_last_hour"],
            "gen. this month": row["generations_this_month"],
            "spend (USD)": f"{row['spent_usd']:,.2f}", "reserved (USD)": f"{row['estimated_usd']:,.2f}",
            "reported (USD)": f"{row['reported_usd']:,.2f}",
            "monthly cap (USD)": "no cap" if cap is None else f"{cap:,.2f}",
            "cap used": "—" if not cap else f"{100 * row['spent_usd'] / cap:.0f} %",
        })
    return pd.DataFrame(rows, columns=SPEND_COLUMNS)
