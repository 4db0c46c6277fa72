"""Named API endpoints of team mode (docs/API.md, "Team mode"): who am I, sharing a project, my usage, and the
admin's spend per user. Thin adapters over pipeline/access.py and the services, like studio/api.py."""
from __future__ import annotations

import gradio as gr

from pipeline.services import Services
from studio.api import user_errors


def register(services: Services) -> None:
    s = services

    def whoami() -> dict:
        """The caller: {username, role (admin|member; "local" in single-user mode), team_mode, auth}."""
        actor = s.access.actor()
        return {"username": actor.username, "role": actor.role, "team_mode": s.settings.team_mode,
                "auth": s.settings.auth}

    def share_project(project_id: int, sharing: str) -> dict:
        """Share a project with the team: sharing private, viewer or editor (owner only). Returns the project with
        owner, sharing and access."""
        return s.projects.share(project_id, sharing)

    def my_usage() -> dict:
        """The caller's usage: generations_last_hour of generations_per_hour, spent_usd this month of cap_usd,
        generations_this_month, estimated_usd (reserved) and reported_usd (what providers reported)."""
        return s.limits.my_usage()

    def spend_by_user() -> dict:
        """Admin only: {month, users: [{username, role, disabled, generations_last_hour, generations_this_month,
        spent_usd, estimated_usd, reported_usd, cap_usd}], team: {spent_usd, cap_usd}, generations_per_hour}."""
        return s.limits.spend_by_user()

    for fn in (whoami, share_project, my_usage, spend_by_user):
        gr.api(user_errors(fn), api_name=fn.__name__, concurrency_limit=None)
