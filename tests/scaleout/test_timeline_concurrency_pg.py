"""Concurrent timeline edits on PostgreSQL (a row lock on the project, SELECT … FOR UPDATE): two studios on one
database, many threads, every edit applied in order or refused cleanly, versions contiguous. Skipped without
scripts/services.sh (fails instead under HFS_REQUIRE_SERVICES=1)."""
from __future__ import annotations

from tests.conftest import make_settings
from tests.services.test_timeline_concurrency import check_history, hammer, timeline_project


def test_two_studios_on_one_postgres_database(tmp_path, pg_url):
    from pipeline.services import build_services

    settings = make_settings(tmp_path / "studio-data", database_url=pg_url)
    one, two = build_services(settings), build_services(settings)
    try:
        project_id = timeline_project(one, tmp_path)
        first = one.timeline.get(project_id).version
        outcome = hammer([one, two], project_id)
        check_history(two, project_id, outcome, first)
    finally:
        one.close()
        two.close()
