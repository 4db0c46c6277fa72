"""Engine and session factory; the schema is created and upgraded by Alembic migrations."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x48465301  # pg_advisory lock id held while migrating ("HFS" + 1)


class Database:
    """SQLite (one machine: a file in the data folder) or PostgreSQL (team mode: `postgresql+psycopg://...`)."""

    def __init__(self, url: str, *, pool_size: int = 5, max_overflow: int = 15) -> None:
        url = normalize_url(url)
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        kwargs: dict = {}
        if self.dialect == "sqlite":
            # The web process and worker processes share the file: wait for locks instead of failing at once.
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            # A server database: a bounded pool per process (the web process serves many polls at once, each
            # worker runs a few jobs plus housekeeping), connections checked before use so a restarted or
            # failed-over server costs one retry, not an error, and recycled before idle timeouts of proxies.
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True, pool_recycle=1800,
                          pool_timeout=30)
            if self.dialect == "postgresql":
                kwargs["connect_args"] = {"connect_timeout": 10, "application_name": _application_name()}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error so nothing half-written is kept."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self, media_root: Path | None = None) -> list[str]:
        """Bring the schema to the newest migration (creates it on a new database). Migrations that move media
        files (0007 renames exports) do so under ``media_root`` when it is given; returns the media paths they
        wrote (to be uploaded where an object store mirrors the folder)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                # The web process and every worker upgrade on start; on a shared server they may start together.
                # One upgrades, the others wait here and then find the schema at head (the lock ends with the
                # transaction).
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            config.attributes["connection"] = connection
            config.attributes["written_media"] = written = []
            if media_root is not None:
                config.attributes["media_root"] = str(media_root)
            command.upgrade(config, "head")
        return written

    def dispose(self) -> None:
        self.engine.dispose()


def normalize_url(url: str) -> str:
    """Hosted databases hand out `postgres://` / `postgresql://` URLs; the studio's driver is psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _application_name() -> str:
    """Shown in pg_stat_activity: which studio process holds a connection."""
    program = os.path.basename(sys.argv[0] or "python") if sys.argv else "python"
    return f"hero-frame-studio {program} {os.getpid()}"[:63]


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
