"""Exports are named by ids, never by the project's name: two users with a private project of the same name, and
two projects of one user with the same name, each export and each downloads exactly their own video. Migration
0007 renames the old name-based exports (a file several rows named goes to the row that exported last)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from pipeline.timeline.export import poster
from storage.db import Database
from storage.models import TimelineVersion
from tests.team.test_ownership_core import _services, as_user
from tests.timeline.conftest import make_clip

RED, BLUE, GREEN = (220, 30, 30), (30, 40, 220), (30, 200, 40)


def _exported_project(services, folder: Path, name: str, colour: tuple[int, int, int]) -> int:
    """A project called ``name`` whose timeline is one clip of ``colour``, exported; returns its id."""
    clip = make_clip(folder / f"clip-{colour[0]}-{colour[2]}.mp4", colour, seconds=1.0, size=(160, 90))
    project_id = services.projects.create(name, "16:9").id
    services.timeline.upload_clip(project_id, str(clip))
    job = services.timeline.export(project_id, "crop")
    assert services.jobs.get(job["job_id"]).status == "succeeded"
    return project_id


def _colour_of(video: str, folder: Path) -> tuple[float, float, float]:
    from PIL import Image, ImageStat

    image = poster(video, folder / f"poster-{Path(video).stem}.png", at=0.3)
    with Image.open(image) as img:
        return tuple(ImageStat.Stat(img.convert("RGB")).mean)


def _dominant(colour: tuple[float, float, float]) -> int:
    return max(range(3), key=lambda i: colour[i])


def _row_file(services, project_id: int) -> str:
    with services.db.session() as session:
        path = session.scalar(select(TimelineVersion.exported_path).where(
            TimelineVersion.project_id == project_id, TimelineVersion.exported_path.is_not(None)))
    return str(services.media.absolute(path))


def test_same_named_projects_never_share_an_export(tmp_path):
    services = _services(tmp_path / "d")
    try:
        made = {}
        with as_user(services, "alice"):
            made["alice"] = _exported_project(services, tmp_path, "Launch", RED)
            made["alice-2"] = _exported_project(services, tmp_path, "Launch", GREEN)
        with as_user(services, "bob"):
            made["bob"] = _exported_project(services, tmp_path, "Launch", BLUE)
        expected = {"alice": 0, "alice-2": 1, "bob": 2}
        files = set()
        for key, project_id in made.items():
            with as_user(services, key.split("-")[0]):
                (video,) = [f for f in services.library.download("project", project_id) if f.endswith(".mp4")]
            assert video == _row_file(services, project_id)
            assert "launch" not in Path(video).name.lower() and Path(video).name.startswith(f"p{project_id}-v")
            assert _dominant(_colour_of(video, tmp_path)) == expected[key], key
            files.add(video)
        assert len(files) == 3
    finally:
        services.close()


def test_a_re_export_replaces_the_versions_file(tmp_path):
    services = _services(tmp_path / "d")
    try:
        with as_user(services, "alice"):
            project_id = _exported_project(services, tmp_path, "Again", RED)
            first = _row_file(services, project_id)
            services.timeline.export(project_id, "letterbox")
            second = _row_file(services, project_id)
        assert first != second and Path(second).is_file() and not Path(first).exists()
        exports = sorted(p.name for p in Path(second).parent.iterdir())  # nothing else left behind
        assert exports == sorted([Path(second).name, Path(second).with_suffix(".jpg").name])
    finally:
        services.close()


def _legacy_database(tmp_path: Path):
    """A database at 0006 with old-style exports: two projects named 'Launch' wrote one file (bob's export, which
    finished last, overwrote alice's), and a third project whose export file is gone."""
    from alembic import command
    from alembic.config import Config

    from storage.db import MIGRATIONS_DIR

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0006")
    media = tmp_path / "media"
    (media / "exports").mkdir(parents=True)
    (media / "exports" / "ad_launch_1.mp4").write_bytes(b"bob's video")
    (media / "exports" / "ad_launch_1.jpg").write_bytes(b"bob's poster")
    db = Database(url)
    with db.engine.begin() as conn:
        for pid, name in ((1, "Launch"), (2, "Launch"), (3, "Gone")):
            conn.execute(text("INSERT INTO projects (id, name, aspect_ratio, created_at, updated_at) "
                              "VALUES (:id, :name, '16:9', '2026-01-01', '2026-01-01')"), {"id": pid, "name": name})
        for job_id, finished in ((1, "2026-01-01 10:00:00"), (2, "2026-01-01 11:00:00")):
            conn.execute(text("INSERT INTO jobs (id, kind, status, payload, progress, step, cancel_requested, tries, "
                              "max_tries, created_at, finished_at) VALUES (:id, 'export', 'succeeded', '{}', 100, "
                              "'Done', 0, 1, 3, '2026-01-01', :f)"),
                         {"id": job_id, "f": finished})
        for vid, pid, path, job in ((1, 1, "exports/ad_launch_1.mp4", 1), (2, 2, "exports/ad_launch_1.mp4", 2),
                                    (3, 3, "exports/ad_gone_1.mp4", None)):
            conn.execute(text(
                "INSERT INTO timeline_versions (id, project_id, version, edit_list, note, created_at, kind, "
                "exported_path, thumbnail_path, export_job_id) VALUES (:id, :pid, 1, '{}', 'x', '2026-01-01', "
                "'saved', :path, :thumb, :job)"),
                {"id": vid, "pid": pid, "path": path, "thumb": path.replace(".mp4", ".jpg"), "job": job})
    return db, media


def _exports(db) -> dict[int, tuple]:
    with db.engine.connect() as conn:
        return {r.id: (r.exported_path, r.thumbnail_path) for r in conn.execute(
            text("SELECT id, exported_path, thumbnail_path FROM timeline_versions"))}


def test_migration_renames_old_exports_by_id_and_is_idempotent(tmp_path):
    db, media = _legacy_database(tmp_path)
    written = db.upgrade(media_root=media)
    rows = _exports(db)
    assert written == list(rows[2])  # to be uploaded where an object store mirrors the folder
    assert rows[1] == (None, None)  # its file was overwritten by project 2's export
    video, thumb = rows[2]
    assert video.startswith("exports/p2-v1-") and thumb == video.replace(".mp4", ".jpg")
    assert (media / video).read_bytes() == b"bob's video" and (media / thumb).read_bytes() == b"bob's poster"
    assert not (media / "exports" / "ad_launch_1.mp4").exists()
    assert rows[3] == ("exports/ad_gone_1.mp4", "exports/ad_gone_1.jpg")  # missing here: left as it was
    migration = _migration_module()
    with db.engine.begin() as conn:
        assert migration.rename_legacy_exports(conn, media) == {"renamed": 0, "kept": 1, "cleared": 0}
    assert _exports(db) == rows
    db.dispose()


def _migration_module():
    import importlib.util

    from storage.db import MIGRATIONS_DIR

    path = MIGRATIONS_DIR / "versions" / "0007_export_names_by_id.py"
    spec = importlib.util.spec_from_file_location("migration_0007", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
