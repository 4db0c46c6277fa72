"""exports named by ids: rename the exports that were named after the project

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Exports used to be written to ``exports/ad_<slug of the project name>_<version>.mp4``: two projects with the same
name (two users' private projects, or two of one user) wrote one file, and each row then served whatever was
written last. Exports are now ``exports/p<project id>-v<version>-<random>.mp4`` (and ``.jpg``); this renames the
old ones and updates their rows. No schema change.

A file named by several rows belongs to the row whose export finished last (it overwrote the others); the other
rows lose their export (re-export them) rather than keep serving someone else's video. The files are renamed when
the media folder is known (``Database.upgrade(media_root=...)``, as the studio does); a row whose file is missing
here keeps its old name (it may live only in the object store; nothing new is ever written under an old name).
Renamed files are uploaded under their new names by the studio when an object store mirrors the folder (the old
objects are left for `media_audit` / the bucket owner).
Running it again changes nothing: only old-style names are touched.
"""
from __future__ import annotations

import os
import re
import secrets
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
from alembic import context, op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NEW_NAME = re.compile(r"^exports/p(\d+)-v(\d+)-[0-9a-f]{12}\.mp4$")


def upgrade() -> None:
    media_root = context.config.attributes.get("media_root")
    written = context.config.attributes.get("written_media")
    rename_legacy_exports(op.get_bind(), Path(media_root) if media_root else None,
                          written if written is not None else [])


def downgrade() -> None:
    """The new names work with the old code too (rows hold the paths): nothing to undo."""


def rename_legacy_exports(connection, media_root: Path | None, written: list[str] | None = None) -> dict[str, int]:
    """Give every old-style export its id-based name; returns counts {renamed, kept, cleared}. The new paths are
    added to ``written`` (the studio uploads them to its object store, if it has one)."""
    rows = connection.execute(sa.text(
        "SELECT v.id, v.project_id, v.version, v.exported_path, v.thumbnail_path, j.finished_at "
        "FROM timeline_versions v LEFT JOIN jobs j ON j.id = v.export_job_id "
        "WHERE v.exported_path IS NOT NULL")).all()
    by_path: dict[str, list] = defaultdict(list)
    for row in rows:
        if not _is_new_name(row.exported_path, row.project_id, row.version):
            by_path[row.exported_path].append(row)
    counts = {"renamed": 0, "kept": 0, "cleared": 0}
    for sharing in by_path.values():
        winner = max(sharing, key=lambda r: (r.finished_at is not None, str(r.finished_at or ""), r.id)) \
            if len(sharing) == 1 or any(r.finished_at for r in sharing) else None
        for row in sharing:
            if row is not winner:  # its file was overwritten by another project's export
                _set_paths(connection, row.id, None, None)
                counts["cleared"] += 1
        if winner is None:
            continue
        renamed = _rename_files(media_root, winner) if media_root is not None else None
        if renamed is None:
            counts["kept"] += 1
        else:
            _set_paths(connection, winner.id, *renamed)
            counts["renamed"] += 1
            if written is not None:
                written.extend(p for p in renamed if p)
    return counts


def _is_new_name(path: str, project_id: int, version: int) -> bool:
    match = NEW_NAME.match(path or "")
    return bool(match) and int(match.group(1)) == project_id and int(match.group(2)) == version


def _rename_files(media_root: Path, row) -> tuple[str, str | None] | None:
    """Move the row's video (and thumbnail) to id-based names; None when the video is not in this folder."""
    video = _inside(media_root, row.exported_path)
    if video is None or not video.is_file():
        return None
    stem = f"exports/p{int(row.project_id)}-v{int(row.version)}-{secrets.token_hex(6)}"
    os.replace(video, media_root / f"{stem}.mp4")
    thumb = None
    old_thumb = _inside(media_root, row.thumbnail_path) if row.thumbnail_path else None
    if old_thumb is not None and old_thumb.is_file():
        os.replace(old_thumb, media_root / f"{stem}.jpg")
        thumb = f"{stem}.jpg"
    return f"{stem}.mp4", thumb


def _inside(root: Path, relative: str) -> Path | None:
    path = (root / relative).resolve()
    return path if root.resolve() in path.parents else None


def _set_paths(connection, row_id: int, video: str | None, thumb: str | None) -> None:
    connection.execute(sa.text("UPDATE timeline_versions SET exported_path = :video, thumbnail_path = :thumb "
                               "WHERE id = :id"), {"video": video, "thumb": thumb, "id": row_id})
