"""The bundled music library: assets/music/manifest.json plus the .m4a files it lists.

The tracks are composed by the project itself (assets/music/compose.py) and released as CC0.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .edit_list import TimelineError

MANIFEST_NAME = "manifest.json"
REQUIRED_FIELDS = ("id", "title", "file", "mood", "tempo_bpm", "key", "length_seconds", "licence")


class MusicLibraryError(TimelineError):
    """The music manifest is missing or broken, or a track/mood is unknown."""


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    file: str  # file name relative to the music folder
    mood: str
    tempo_bpm: int
    key: str
    length_seconds: float
    licence: str
    path: Path  # absolute path of the audio file
    tags: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""

    def matches(self, mood: str) -> bool:
        mood = mood.strip().lower()
        return mood == self.mood.lower() or mood in (t.lower() for t in self.tags)


def load_manifest(music_dir: str | Path) -> list[Track]:
    """Every track of the library, in manifest order. Raises MusicLibraryError with a clear message when the
    manifest is missing, is not valid JSON, lacks fields, or names a file that is not there."""
    music_dir = Path(music_dir)
    path = music_dir / MANIFEST_NAME
    if not path.is_file():
        raise MusicLibraryError(f"The music library has no manifest: '{path}' is missing.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MusicLibraryError(f"The music manifest '{path}' is not valid JSON: {exc}.") from None
    entries = data.get("tracks") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise MusicLibraryError(f"The music manifest '{path}' must hold a list of tracks.")
    tracks: list[Track] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise MusicLibraryError(f"Track {n} in the music manifest is not an object.")
        missing = [k for k in REQUIRED_FIELDS if k not in entry]
        if missing:
            raise MusicLibraryError(f"Track {n} ('{entry.get('id', '?')}') in the music manifest lacks: "
                                    f"{', '.join(missing)}.")
        file = str(entry["file"])
        if Path(file).is_absolute() or ".." in Path(file).parts:
            raise MusicLibraryError(f"Track '{entry['id']}' has an invalid file name '{file}'.")
        audio = music_dir / file
        if not audio.is_file():
            raise MusicLibraryError(f"Track '{entry['id']}' lists the file '{file}', which is missing from "
                                    f"'{music_dir}'.")
        if entry["id"] in seen:
            raise MusicLibraryError(f"The music manifest lists the track id '{entry['id']}' twice.")
        seen.add(entry["id"])
        try:
            tracks.append(Track(
                id=str(entry["id"]),
                title=str(entry["title"]),
                file=file,
                mood=str(entry["mood"]),
                tempo_bpm=int(entry["tempo_bpm"]),
                key=str(entry["key"]),
                length_seconds=float(entry["length_seconds"]),
                licence=str(entry["licence"]),
                path=audio.resolve(),
                tags=tuple(str(t) for t in entry.get("tags", ())),
                description=str(entry.get("description", "")),
            ))
        except (TypeError, ValueError) as exc:
            raise MusicLibraryError(f"Track '{entry['id']}' in the music manifest has a bad value: {exc}.") from None
    return tracks


def find_track(music_dir: str | Path, track_id: str) -> Track:
    """The track with this id. Raises MusicLibraryError listing the known ids when there is none."""
    tracks = load_manifest(music_dir)
    for track in tracks:
        if track.id == track_id:
            return track
    known = ", ".join(t.id for t in tracks) or "none"
    raise MusicLibraryError(f"There is no music track '{track_id}'. Available: {known}.")


def moods(music_dir: str | Path) -> list[str]:
    """The distinct moods of the library, in manifest order."""
    return list(dict.fromkeys(t.mood for t in load_manifest(music_dir)))


def pick_by_mood(music_dir: str | Path, mood: str) -> Track:
    """The first track whose mood (or one of its tags, e.g. 'eco', 'corporate') matches, case-insensitively.
    Raises MusicLibraryError listing the moods when nothing matches."""
    tracks = load_manifest(music_dir)
    for track in tracks:
        if track.matches(mood):
            return track
    known = ", ".join(dict.fromkeys(t.mood for t in tracks)) or "none"
    raise MusicLibraryError(f"No music track fits the mood '{mood}'. Moods: {known}.")
