"""Projects: create, list, rename (sharing is under team.py)."""
from __future__ import annotations

from pipeline.services.views import ProjectView
from studio.api.endpoint import Resource, endpoint


class ProjectsApi(Resource):
    @endpoint
    def create_project(self, name: str, aspect_ratio: str = "16:9") -> ProjectView:
        """Create a project. Returns {id, name, aspect_ratio, ...}."""
        return self.s.projects.create(name, aspect_ratio)

    @endpoint
    def list_projects(self) -> list[ProjectView]:
        """All projects, most recently changed first."""
        return self.s.projects.list()

    @endpoint
    def rename_project(self, project_id: int, name: str) -> ProjectView:
        """Rename a project."""
        return self.s.projects.rename(project_id, name)
