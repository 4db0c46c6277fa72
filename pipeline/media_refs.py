"""The one gate for media references a user writes (today: the timeline's music bed; any operation that takes a
file reference from a user goes through here).

A reference is first normalised the way the file system will read it — percent-encoding decoded, backslashes made
slashes, ``..`` and ``.`` collapsed, symlinks followed, an absolute path taken as it is — and only then checked:
a library id must be in the music library now; a path must name a library file or an existing audio file directly
inside one of the folders the caller may use (the actor's upload folder). Checking the spelling before normalising
it let ``uploads\\music\\<someone else>\\song.wav`` through as a "library id" that the edit list then turned into
a real path. The answer is the canonical spelling (a library id or ``<folder>/<file name>`` as it is on disk), so
what is stored is exactly what was checked.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from pipeline.errors import StudioError
from pipeline.timeline.export import AUDIO_EXTENSIONS

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:/")
MAX_REFERENCE = 500


class UnknownMedia(StudioError):
    """A media reference that names nothing the actor may use (missing, someone else's, or a server path)."""


@dataclass(frozen=True)
class MediaReference:
    """A checked reference: ``canonical`` is what to store (a library id or a path relative to ``root``)."""
    canonical: str
    path: Path
    library: bool


def spelled_path(reference: str) -> str:
    """The reference as the file system would read it: percent-decoded (repeatedly: ``%255C`` is ``\\``) and with
    backslashes as slashes. Still unresolved (``..``, symlinks and case are the resolver's business)."""
    text = reference.strip()
    for _ in range(4):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text.replace("\\", "/")


class MusicGate:
    """Music references of one studio: the library (``music_dir`` and its manifest) and uploads under
    ``media_root``."""

    def __init__(self, media_root: Path, music_dir: Path) -> None:
        self.media_root = Path(os.path.realpath(media_root))
        self.music_dir = Path(os.path.realpath(music_dir))

    def check(self, reference: object, folders: list[str]) -> MediaReference:
        """The library track or the upload in one of ``folders`` (relative to the media root) that ``reference``
        names; UnknownMedia for anything else, with a message that names no server path."""
        if not isinstance(reference, str) or not reference.strip() or len(reference) > MAX_REFERENCE \
                or _CONTROL.search(reference):
            raise self._unknown(reference)
        text = spelled_path(reference)
        if _CONTROL.search(text):
            raise self._unknown(reference)
        if "/" not in text and not text.lower().endswith(AUDIO_EXTENSIONS):
            track = self._library_track(text)
            if track is None:
                raise self._unknown(reference)
            return MediaReference(track.id, track.path, library=True)
        found = self._library_file(text) or self._upload(text, folders)
        if found is None:
            raise self._unknown(reference)
        return found

    # ---------------------------------------------------------------- the library
    def _tracks(self):
        from pipeline.timeline.music import MusicLibraryError, load_manifest

        try:
            return load_manifest(self.music_dir)
        except MusicLibraryError:
            return []

    def _library_track(self, track_id: str):
        return next((t for t in self._tracks() if t.id == track_id), None)

    def _library_file(self, text: str) -> MediaReference | None:
        """A library file named by a path (relative to the library folder, or absolute)."""
        candidate = _real(text, self.music_dir)
        if candidate is None or not candidate.is_file():
            return None
        for track in self._tracks():
            if _same(candidate, track.path):
                return MediaReference(track.id, Path(track.path), library=True)
        return None

    # ---------------------------------------------------------------- uploads
    def _upload(self, text: str, folders: list[str]) -> MediaReference | None:
        candidate = _real(text, self.media_root)
        if candidate is None or not candidate.is_file() or candidate.suffix.lower() not in AUDIO_EXTENSIONS:
            return None
        for folder in folders:
            directory = Path(os.path.realpath(self.media_root / folder))
            if not _same(candidate.parent, directory) or self.media_root not in directory.parents:
                continue
            # The name as it is on disk: on a case-insensitive file system 'SONG.WAV' opens 'song.wav'.
            entry = next((e for e in directory.iterdir()
                          if not e.is_symlink() and e.is_file() and _same(e, candidate)), None)
            if entry is not None:
                return MediaReference(f"{folder}/{entry.name}", entry, library=False)
        return None

    @staticmethod
    def _unknown(reference: object) -> UnknownMedia:
        shown = spelled_path(reference).rsplit("/", 1)[-1][:80] if isinstance(reference, str) else ""
        shown = _CONTROL.sub("", shown)
        return UnknownMedia(f"Music track '{shown}' does not exist. Upload the audio first, or choose a track from "
                            "the music library.")


def _real(text: str, root: Path) -> Path | None:
    """``text`` as an absolute path (an absolute spelling as it is, else under ``root``), with ``..`` and symlinks
    resolved; None for spellings of another system (drive letters, UNC shares)."""
    if _DRIVE.match(text) or text.startswith("//"):
        return None
    try:
        return Path(os.path.realpath(text if text.startswith("/") else root / text))
    except (OSError, ValueError):
        return None


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False
