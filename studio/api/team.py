"""Team mode: who am I, sharing a project, my usage, and the admin's spend per user (pipeline/access.py)."""
from __future__ import annotations

from pipeline.services.views import ProjectView
from studio.api.endpoint import Resource, endpoint


class TeamApi(Resource):
    @endpoint
    def whoami(self) -> dict:
        """The caller: {username, role (admin|member; "local" in single-user mode), team_mode, auth}."""
        actor = self.s.access.actor()
        return {"username": actor.username, "role": actor.role, "team_mode": self.s.settings.team_mode,
                "auth": self.s.settings.auth}

    @endpoint
    def share_project(self, project_id: int, sharing: str) -> ProjectView:
        """Share a project with the team: sharing private, viewer or editor (owner only). Returns the project with
        owner, sharing and access."""
        return self.s.projects.share(project_id, sharing)

    @endpoint
    def my_usage(self) -> dict:
        """The caller's usage: generations_last_hour of generations_per_hour, spent_usd this month of cap_usd,
        generations_this_month, estimated_usd (reserved) and reported_usd (what providers reported)."""
        return self.s.limits.my_usage()

    @endpoint
    def spend_by_user(self) -> dict:
        """Admin only: {month, users: [{username, role, disabled, generations_last_hour, generations_this_month,
        spent_usd, estimated_usd, reported_usd, cap_usd}], team: {spent_usd, cap_usd}, generations_per_hour}."""
        return self.s.limits.spend_by_user()
