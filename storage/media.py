"""The media root: every image and video the studio makes lives here, written atomically.

Paths handed to the database are relative to the root, so a data folder can move or be shared between machines.

With a ``remote`` object store (S3, see storage/object_store.py) the root is a cache of the bucket: every write
through atomic_write / save_image / import_file is uploaded before it appears locally, a path handed out by
absolute() (and so exists()) is downloaded first when it is missing here, and delete() removes both copies. Files
written straight to an absolute() path (engines, ffmpeg) are uploaded when absolute() or exists() next sees them
complete, or at once with publish(). Without a remote store nothing of this runs.
"""
from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.object_store import ObjectStore

log = logging.getLogger(__name__)

THUMBNAIL_LONG_SIDE = 384
# Per-machine folders never mirrored to the object store: transient downloads (CSV exports) and the quick previews,
# which are caches keyed by content that each machine makes for itself.
LOCAL_ONLY = ("downloads", "timeline/previews")
_TRACKED = 20000  # how many paths the mirror remembers (uploaded/downloaded signatures, paths awaiting a write)


def is_temp_name(name: str) -> bool:
    """A file being written: atomic_write's ``.tmp-*``, ffmpeg's and poster's ``*.part.*``, downloads' and
    engines' ``*.partial.*``. It becomes its final name when complete; one left behind was interrupted."""
    return name.startswith(".tmp-") or ".part." in name or ".partial." in name


def mirrored(relative: str) -> bool:
    """Whether a media-relative path is kept in the object store: files (a name with a suffix), not temp files,
    not the per-machine folders in LOCAL_ONLY."""
    name = relative.rsplit("/", 1)[-1]
    return ("." in name.strip(".") and not name.startswith(".tmp-")
            and not any(relative == f or relative.startswith(f + "/") for f in LOCAL_ONLY))


class MediaStore:
    def __init__(self, root: Path, remote: ObjectStore | None = None) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.remote = remote
        self._lock = threading.Lock()
        # path -> True (made by new_path here: nobody else has it, never looked up) / False (looked up, absent):
        # a file that appears at such a path was written straight to it here and is uploaded when seen.
        self._awaiting: OrderedDict[str, bool] = OrderedDict()
        self._synced: OrderedDict[str, tuple[int, int]] = OrderedDict()  # path -> (size, mtime) when last mirrored

    @classmethod
    def from_settings(cls, settings) -> MediaStore:
        """The settings' media folder, with the object store they configure (HFS_S3_BUCKET) if any."""
        from storage.object_store import from_settings

        return cls(settings.media_dir, remote=from_settings(settings))

    def new_path(self, folder: str, stem: str, suffix: str) -> str:
        """A fresh relative path; a random tag keeps names unguessable and collision-free."""
        safe_stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem)[:60] or "file"
        relative = f"{folder}/{safe_stem}-{secrets.token_hex(6)}{suffix}"
        if self.remote is not None:
            key = self._key(self._resolve(relative))
            if key:
                self._remember(self._awaiting, key, True)
        return relative

    def _resolve(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if self.root not in path.parents and path != self.root:
            raise ValueError(f"Path {relative!r} is outside the media folder.")
        return path

    def absolute(self, relative: str) -> Path:
        path = self._resolve(relative)
        if self.remote is not None:
            self._sync(path)
        return path

    def exists(self, relative: str | None) -> bool:
        return bool(relative) and self.absolute(relative).is_file()

    @contextmanager
    def atomic_write(self, relative: str) -> Iterator[Path]:
        """Yield a temporary path in the target folder; it becomes `relative` only if the block succeeds."""
        target = self._resolve(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            yield tmp
            key = self._key(target) if self.remote is not None else None
            if key:
                self.remote.put(key, tmp)  # write-through: the file appears here only once the bucket has it
            os.replace(tmp, target)
            if key:
                self._mark_synced(key, target)
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
            path = self._resolve(relative)
            path.unlink(missing_ok=True)
            key = self._key(path) if self.remote is not None else None
            if key:
                with self._lock:
                    self._awaiting.pop(key, None)
                    self._synced.pop(key, None)
                try:
                    self.remote.delete(key)
                except Exception as exc:  # noqa: BLE001 - an unreferenced object left behind is harmless
                    log.warning("Media file %s was deleted here but not from the bucket: %s", key, exc)

    def sweep_leftovers(self, before: float) -> list[str]:
        """Remove temp files (is_temp_name) last written before ``before`` (epoch seconds): what a killed export,
        render or download left. A live writer keeps touching its temp file, so it is newer. Returns the
        relative paths removed."""
        removed: list[str] = []
        for folder, _dirs, names in os.walk(self.root):
            for name in names:
                if not is_temp_name(name):
                    continue
                path = Path(folder) / name
                try:
                    if path.lstat().st_mtime >= before:
                        continue
                    path.unlink()
                except OSError:
                    continue  # gone meanwhile, or not ours to remove
                removed.append(path.relative_to(self.root).as_posix())
        return removed

    # ------------------------------------------------------------------------------ the object-store mirror
    def publish(self, relative: str) -> None:
        """Upload a file written straight to ``absolute(relative)`` now (no-op without an object store)."""
        path = self._resolve(relative)
        key = self._key(path) if self.remote is not None else None
        if key and path.is_file():
            self._upload(key, path)

    def ensure_local(self, *relatives: str | None) -> list[str]:
        """Download whatever of ``relatives`` is missing here (e.g. clip sources before an ffmpeg export that
        reads them relative to the root); returns the paths found neither here nor in the bucket."""
        return [r for r in relatives if r and not self.exists(r)]

    def _key(self, path: Path) -> str | None:
        if path == self.root:
            return None
        key = path.relative_to(self.root).as_posix()
        return key if mirrored(key) else None

    def _remember(self, table: OrderedDict, key: str, value) -> None:
        with self._lock:
            table[key] = value
            table.move_to_end(key)
            while len(table) > _TRACKED:
                table.popitem(last=False)

    def _mark_synced(self, key: str, path: Path) -> None:
        try:
            info = path.stat()
        except OSError:
            return
        with self._lock:
            self._awaiting.pop(key, None)
        self._remember(self._synced, key, (info.st_size, info.st_mtime_ns))

    def _upload(self, key: str, path: Path) -> None:
        try:
            self.remote.put(key, path)
        except Exception:
            self._remember(self._awaiting, key, False)  # tried again when next seen
            raise
        self._mark_synced(key, path)

    def _sync(self, path: Path) -> None:
        """Before a path is handed out: upload it if it was just written here, download it if it is missing."""
        key = self._key(path)
        if key is None:
            return
        try:
            info = path.stat()
        except OSError:
            info = None
        if info is not None:
            if not path.is_file():
                return
            with self._lock:
                awaited = self._awaiting.pop(key, None)
                known = self._synced.get(key)
            if awaited is False and known is None and self._in_bucket(key):
                self._mark_synced(key, path)  # another process sharing this folder wrote and uploaded it
            elif awaited is not None or (known is not None and known != (info.st_size, info.st_mtime_ns)):
                self._upload(key, path)  # written straight to this path (an engine, ffmpeg) since it was handed out
            return
        with self._lock:
            fresh = self._awaiting.get(key)
        if fresh:
            return  # a new path of this machine, not written yet: the bucket cannot have it
        if not self._fetch(key, path):
            self._remember(self._awaiting, key, False)

    def _in_bucket(self, key: str) -> bool:
        try:
            return self.remote.exists(key)
        except Exception:  # noqa: BLE001 - unknown: upload, which reports a real failure
            return False

    def _fetch(self, key: str, path: Path) -> bool:
        """Download ``key`` into ``path`` atomically; False when the bucket has no such object or can't be read."""
        try:  # in the root, not the target folder: a missing object leaves no empty folders behind
            fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=path.suffix)
        except OSError as exc:
            log.warning("Media file %s can't be cached here: %s", key, exc)
            return False
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if not self.remote.get(key, tmp):
                return False
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        except Exception as exc:  # noqa: BLE001 - reading must not crash a view: the file is then missing
            log.warning("Media file %s could not be downloaded from the bucket: %s", key, exc)
            return False
        finally:
            tmp.unlink(missing_ok=True)
        self._mark_synced(key, path)
        return True
