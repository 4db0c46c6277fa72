"""The schema lives in Alembic migrations: a database made by an older version upgrades without losing data."""
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from storage.db import MIGRATIONS_DIR, Database
from storage.models import Base


def _config(url):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


def test_upgrade_from_first_version_keeps_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(_config(url), "0001")
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO projects (name, aspect_ratio, created_at, updated_at) "
                          "VALUES ('kept', '16:9', '2026-01-01', '2026-01-01')"))
    db.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM projects")).scalar_one() == "kept"
    columns = {c["name"] for c in inspect(db.engine).get_columns("jobs")}
    assert "engine_state" in columns


def test_models_match_the_migrations(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'new.db'}")
    db.upgrade()
    inspector = inspect(db.engine)
    for table in Base.metadata.sorted_tables:
        assert {c.name for c in table.columns} == {c["name"] for c in inspector.get_columns(table.name)}, table.name
