"""The studio's use cases, without Gradio: what the UI, the API and the workers call."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.access import Access
from pipeline.engines import registry
from pipeline.jobs import JobRunner
from pipeline.queue import JobQueue, make_huey
from pipeline.services.ads import AdJob, AdService, ProductVideoJob
from pipeline.services.attempts import AttemptJob, AttemptService, ScoreJob
from pipeline.services.dashboard import DashboardService
from pipeline.services.hero_frames import HeroFrameService, HeroFramesJob
from pipeline.services.history import HistoryService
from pipeline.services.jobs import JobService
from pipeline.services.library import LibraryService
from pipeline.services.limits import LimitsService
from pipeline.services.projects import ProjectService
from pipeline.services.selection import SelectionService
from pipeline.services.timeline import ExportJob, TimelineService
from pipeline.settings import Settings
from storage.db import Database
from storage.media import MediaStore

if TYPE_CHECKING:
    from pipeline.supervisor import WorkerSupervisor

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    media: MediaStore
    queue: JobQueue
    runner: JobRunner
    jobs: JobService
    projects: ProjectService
    hero_frames: HeroFrameService
    attempts: AttemptService
    selection: SelectionService
    timeline: TimelineService
    dashboard: DashboardService
    history: HistoryService | None = None  # iterations, versions, final pointer, re-rolls, suggestions
    library: LibraryService | None = None  # search, re-run, clone, download, delete (rows and files together)
    ads: AdService | None = None  # ad composer: plan, storyboard, generate; one-click product video
    access: Access | None = None  # who is acting and what they may do (ownership, sharing)
    limits: LimitsService | None = None  # generations per hour, monthly spend caps, the usage ledger
    worker: "WorkerSupervisor | None" = None  # the embedded worker's supervisor (app.py sets it; else None)
    started_at: float = field(default_factory=time.time)
    _later_sweep: threading.Timer | None = None

    def sweep_leftovers(self, before: float | None = None) -> list[str]:
        """Remove the temp files (``*.part.*``, ``.tmp-*``, ``*.partial.*``) that work killed before this start
        left in the media folder. By default: those untouched for job_stale_seconds before the start (a live
        job of another process still writes its own; a silent one is recovered as stale anyway)."""
        if before is None:
            before = self.started_at - self.settings.job_stale_seconds
        removed = self.media.sweep_leftovers(before)
        if removed:
            log.info("Removed %d temp file(s) left by interrupted work: %s", len(removed), ", ".join(removed[:5]))
        return removed

    def sweep_leftovers_later(self) -> None:
        """Once job_stale_seconds have passed, remove every temp file older than this start: a kill just before
        a quick restart leaves a file too fresh for the first sweep, but nobody writes to it after the start."""
        def sweep() -> None:
            try:
                self.sweep_leftovers(before=self.started_at)
            except Exception:  # housekeeping must never take the studio down
                log.exception("Sweeping temp files failed")

        self._later_sweep = threading.Timer(self.settings.job_stale_seconds, sweep)
        self._later_sweep.daemon = True
        self._later_sweep.start()

    def close(self) -> None:
        if self._later_sweep is not None:
            self._later_sweep.cancel()
        self.db.dispose()


def build_services(settings: Settings) -> Services:
    """Open the database (migrating it), the media folder and the queue, and wire the job handlers."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    registry.preload()
    db = Database(settings.resolved_database_url)
    renamed = db.upgrade(media_root=settings.media_dir)
    media = MediaStore.from_settings(settings)  # the media folder, mirrored to S3 when HFS_S3_BUCKET is set
    for relative in renamed:  # exports a migration renamed: the bucket (if any) gets them under the new name
        media.publish(relative)
    access = Access(db, settings)
    limits = LimitsService(db, access, settings)
    queue = JobQueue(make_huey(settings))
    runner = JobRunner(db, queue.enqueue, retry_base_delay=settings.retry_base_delay)
    queue.bind(runner.run)
    jobs = JobService(db, queue, runner, settings.job_max_tries, access)
    selection = SelectionService(db, access)
    hero_frames = HeroFrameService(db, media, jobs, settings, access=access, limits=limits)
    attempts = AttemptService(db, media, jobs, selection, settings, access=access, limits=limits)
    timeline = TimelineService(db, media, jobs, settings, attempts, access=access, limits=limits)
    runner.register("hero_frames", HeroFramesJob(hero_frames))
    runner.register("attempt", AttemptJob(attempts))
    runner.register("score", ScoreJob(attempts))
    runner.register("export", ExportJob(timeline))
    history = HistoryService(db, media, jobs, attempts, settings, access=access, limits=limits)
    library = LibraryService(db, media, jobs, hero_frames, attempts, history, access=access)
    projects = ProjectService(db, access)
    ads = AdService(db, media, jobs, projects, hero_frames, attempts, selection, timeline, settings, access=access,
                    limits=limits)
    runner.register("ad", AdJob(ads))
    runner.register("product_video", ProductVideoJob(ads))
    services = Services(settings, db, media, queue, runner, jobs, projects, hero_frames, attempts, selection,
                        timeline, DashboardService(db, media, access), history, library, ads=ads, access=access,
                        limits=limits)
    services.sweep_leftovers()
    if settings.queue_mode != "immediate":
        services.sweep_leftovers_later()
    return services
