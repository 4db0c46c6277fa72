"""Jobs: status, cancel, the project's queue. /job and /jobs also answer one direct round trip (queue=False)."""
from __future__ import annotations

from gradio.data_classes import FileData

from pipeline.services.views import JobView
from storage.models import JobStatus
from studio.api.endpoint import Resource, endpoint


class JobsApi(Resource):
    @endpoint(direct=True)
    def job(self, job_id: int) -> tuple[JobView, list[FileData]]:
        """Status, progress (0–100), step, error and result of a job, plus its output files once it succeeded."""
        view = self.s.jobs.get(job_id)
        result = view.result or {}
        paths = [result.get("file"), result.get("video")] if view.status == JobStatus.succeeded else []
        return view, self.files(*paths)

    @endpoint
    def cancel_job(self, job_id: int) -> JobView:
        """Cancel queued or running work (running work stops at its next check)."""
        return self.s.jobs.cancel(job_id)

    @endpoint(direct=True)
    def jobs(self, project_id: int) -> list[JobView]:
        """The project's queue: running and queued jobs first, then recent ones."""
        return self.s.jobs.active(project_id)
