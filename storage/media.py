"""The media root: every image and video the studio makes lives here, written atomically.

Paths handed to the database are relative to the root, so a data folder can move or be shared between machines.
"""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

THUMBNAIL_LONG_SIDE = 384


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def new_path(self, folder: str, stem: str, suffix: str) -> str:
        """A fresh relative path; a random tag keeps names unguessable and collision-free."""
        safe_stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem)[:60] or "file"
        return f"{folder}/{safe_stem}-{secrets.token_hex(6)}{suffix}"

    def absolute(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if self.root not in path.parents and path != self.root:
            raise ValueError(f"Path {relative!r} is outside the media folder.")
        return path

    def exists(self, relative: str | None) -> bool:
        return bool(relative) and self.absolute(relative).is_file()

    @contextmanager
    def atomic_write(self, relative: str) -> Iterator[Path]:
        """Yield a temporary path in the target folder; it becomes `relative` only if the block succeeds."""
        target = self.absolute(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            yield tmp
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def save_image(self, image, relative: str, **save_kwargs) -> str:
        fmt = "PNG" if relative.lower().endswith(".png") else "JPEG"
        with self.atomic_write(relative) as tmp:
            image.save(tmp, format=fmt, **save_kwargs)
        return relative

    def save_thumbnail(self, image, relative: str) -> str:
        thumb = image.copy()
        thumb.thumbnail((THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE))
        return self.save_image(thumb.convert("RGB"), relative, quality=88)

    def import_file(self, source: Path, relative: str) -> str:
        with self.atomic_write(relative) as tmp:
            shutil.copyfile(source, tmp)
        return relative

    def delete(self, relative: str | None) -> None:
        if relative:
            self.absolute(relative).unlink(missing_ok=True)
