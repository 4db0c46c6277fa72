"""The Huey queue. Huey only carries job ids; the Job rows in the database are the truth about work."""
from __future__ import annotations

from typing import Callable

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from redis import ConnectionPool

from pipeline.settings import Settings

QUEUE_NAME = "hero-frame-studio"  # the default of settings.queue_name


def make_huey(settings: Settings) -> Huey:
    """immediate: inline (tests); REDIS_URL: a Redis queue any number of machines consume; else SQLite in data_dir."""
    name = settings.queue_name or QUEUE_NAME
    if settings.queue_mode == "immediate":
        return MemoryHuey(name, immediate=True, results=False)
    if settings.redis_url:
        # Lost connections are retried by the consumer; health checks drop dead pooled connections (a Redis
        # restart or an idle timeout on a proxy) before they fail an enqueue.
        pool = ConnectionPool.from_url(settings.redis_url, health_check_interval=30, socket_connect_timeout=5,
                                       socket_keepalive=True)
        return RedisHuey(name, connection_pool=pool, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(settings.queue_path), results=False)


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
