"""The Alembic migrations on PostgreSQL: an empty database upgrades to head, matches the models, keeps data when it
is upgraded from the first version, and downgrades cleanly."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.db import MIGRATIONS_DIR, Database
from storage.models import Base


def _config(db: Database, connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _head() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_empty_database_upgrades_to_head_and_matches_the_models(pg_url):
    db = Database(pg_url)
    assert db.dialect == "postgresql" and not db.is_sqlite
    db.upgrade()
    inspector = inspect(db.engine)
    for table in Base.metadata.sorted_tables:
        assert {c.name for c in table.columns} == {c["name"] for c in inspector.get_columns(table.name)}, table.name
    foreign_keys = {fk["name"] for fk in inspector.get_foreign_keys("projects")}
    assert "fk_project_selected_frame" in foreign_keys  # the projects <-> hero_frames cycle, added after both
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == _head()
    db.upgrade()  # a second run is a no-op
    db.dispose()


def test_upgrade_from_the_first_version_keeps_rows_and_downgrade_works(pg_url):
    db = Database(pg_url)
    with db.engine.begin() as conn:
        command.upgrade(_config(db, conn), "0001")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO projects (name, aspect_ratio, created_at, updated_at) "
                          "VALUES ('kept', '16:9', '2026-01-01', '2026-01-01')"))
        conn.execute(text("INSERT INTO jobs (kind, status, progress, step, cancel_requested, tries, max_tries, "
                          "payload, created_at) "
                          "VALUES ('export', 'succeeded', 100, 'Done', false, 1, 3, '{}', '2026-01-01')"))
    db.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM projects")).scalar_one() == "kept"
        assert conn.execute(text("SELECT engine_state FROM jobs")).scalar_one() is None
    with db.engine.begin() as conn:
        command.downgrade(_config(db, conn), "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.upgrade()
    assert "jobs" in inspect(db.engine).get_table_names()
    db.dispose()


def test_postgres_pool_settings_and_url_normalisation(pg_url):
    bare = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
    db = Database(bare)
    assert db.url.startswith("postgresql+psycopg://")
    assert db.engine.pool.size() == 5 and db.engine.pool._pre_ping  # the pool settings are the point here
    with db.session() as session:
        assert session.execute(text("SELECT current_setting('application_name')")).scalar_one().startswith(
            "hero-frame-studio")
    db.dispose()


def test_processes_starting_together_upgrade_once(pg_url):
    """The web process and the workers all upgrade on start: concurrent upgrades of an empty database must not
    collide (an advisory lock serialises them; the late ones find the schema at head)."""
    from concurrent.futures import ThreadPoolExecutor

    databases = [Database(pg_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(len(databases)) as pool:
            list(pool.map(lambda db: db.upgrade(), databases))
        with databases[0].engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [_head()]
    finally:
        for db in databases:
            db.dispose()
