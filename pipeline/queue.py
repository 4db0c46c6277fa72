"""The Huey queue. Huey only carries job ids; the Job rows in the database are the truth about work."""
from __future__ import annotations

from typing import Callable

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from pipeline.settings import Settings

QUEUE_NAME = "hero-frame-studio"


def make_huey(settings: Settings) -> Huey:
    if settings.queue_mode == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.queue_path), results=False)


class JobQueue:
    """Puts job ids on Huey. The task body is bound later, once the runner (which needs the services) exists."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self._run: Callable[[int], None] | None = None
        self._task = huey.task(name="run_job")(self._execute)

    def bind(self, run: Callable[[int], None]) -> None:
        self._run = run

    def _execute(self, job_id: int) -> None:
        if self._run is None:
            raise RuntimeError("The job queue has no runner bound: build the services before consuming.")
        self._run(job_id)

    def enqueue(self, job_id: int, delay: float = 0.0) -> None:
        if delay > 0 and not self.huey.immediate:
            self._task.schedule((job_id,), delay=delay)
        else:
            self._task(job_id)

    def pending_count(self) -> int:
        return self.huey.pending_count()
