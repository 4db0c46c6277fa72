"""Timeline media: the music library plus the user's own uploaded audio, uploaded video clips, clip
thumbnails for the strip, and the quick low-resolution preview of the current edit."""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from pipeline.errors import StudioError
from pipeline.services.timeline_history import TimelineVersions
from pipeline.services.views import TimelineVersionView
from pipeline.settings import Settings
from pipeline.timeline import operations as ops
from pipeline.timeline.edit_list import TimelineError
from pipeline.timeline.export import AUDIO_EXTENSIONS, probe

VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v", ".webm", ".mkv")
MAX_CLIP_UPLOAD_MB = 500
MAX_MUSIC_UPLOAD_MB = 50
MAX_CLIP_SECONDS = 120.0
UPLOADED_MUSIC = "uploads/music"
UPLOADED_CLIPS = "uploads/clips"
PREVIEWS = "timeline/previews"
PREVIEW_LONG_SIDE = 640  # 640x360 at 16:9: a proxy, quick to render and to stream
PREVIEW_PRESET, PREVIEW_CRF = "ultrafast", 30
PREVIEWS_KEPT = 4  # per project
TITLE_SUFFIX = ".title.json"  # beside an uploaded track: the name the user gave it (the file is named by ids)


class TimelineMedia:
    """Music (the library and each user's uploads, checked by the path gate), uploaded clips and the quick
    preview, over the shared version store; edits go through the timeline service's ``apply``."""

    def __init__(self, store: TimelineVersions, timeline: Any, settings: Settings) -> None:
        self.store, self.timeline, self.settings = store, timeline, settings
        self.db, self.media, self.access = store.db, store.media, store.access

    # ------------------------------------------------------------ music
    def music_tracks(self) -> list[dict[str, Any]]:
        """The library (assets/music, with mood, tempo and length), then the audio files users uploaded."""
        from pipeline.timeline.music import load_manifest

        tracks = [{"id": t.id, "title": t.title, "mood": t.mood, "tempo_bpm": t.tempo_bpm,
                   "length_seconds": t.length_seconds, "file": str(Path(self.settings.music_dir) / t.file),
                   "tags": list(t.tags), "uploaded": False}
                  for t in load_manifest(Path(self.settings.music_dir))]
        for folder in self._music_folders():
            directory = self.media.absolute(folder)
            if not directory.is_dir():
                continue
            for path in sorted(directory.iterdir()):
                if path.is_file() and path.suffix.lower() in AUDIO_EXTENSIONS and not path.name.startswith("."):
                    tracks.append({"id": f"{folder}/{path.name}", "title": _upload_title(path),
                                   "mood": "uploaded", "tempo_bpm": None, "length_seconds": None,
                                   "file": str(path), "tags": [], "uploaded": True})
        return tracks

    def _music_folders(self) -> list[str]:
        """Where the actor's uploaded audio lives: each user has a folder of their own, so nobody lists or uses
        another person's uploads; the single local user (and a worker) also sees the pre-team-mode folder."""
        actor = self.access.actor()
        own = [f"{UPLOADED_MUSIC}/u{actor.user_id}"] if actor.user_id is not None else []
        if not actor.unrestricted:
            return own
        root = self.media.absolute(UPLOADED_MUSIC)
        others = sorted(f"{UPLOADED_MUSIC}/{p.name}" for p in root.iterdir()
                        if p.is_dir() and p.name.startswith("u")) if root.is_dir() else []
        return [UPLOADED_MUSIC, *own, *[f for f in others if f not in own]]

    def _music_gate(self):
        from pipeline.media_refs import MusicGate

        return MusicGate(self.media.root, Path(self.settings.music_dir))

    def checked_track(self, track: Any, current) -> Any:
        """The music bed as it is to be stored: a library track, the actor's own upload, or the bed the timeline
        already has (an editor of a shared project keeps the owner's music) — never a path to someone else's
        file or the server's. Every spelling is normalised first (pipeline/media_refs.py); the canonical one is
        returned. A dict bed has its ``track`` checked the same way."""
        if track is None:
            return None
        if isinstance(track, dict):
            return {**track, "track": self.checked_track(track.get("track"), current)}
        if current.music is not None and isinstance(track, str) and current.music.track == track:
            return track
        return self._music_gate().check(track, self._music_folders()).canonical

    def check_stored_bed(self, session, project_id: int, edit) -> None:
        """Before an export or preview plays a stored bed: it must still name a library track or an upload (of
        whoever edited the project) — not an export or another media file, which a bed stored before the gate
        existed could name."""
        if edit.music is None:
            return
        self.store.project(session, project_id)
        root = self.media.absolute(UPLOADED_MUSIC)
        folders = [UPLOADED_MUSIC, *(f"{UPLOADED_MUSIC}/{p.name}" for p in root.iterdir() if p.is_dir())] \
            if root.is_dir() else []
        self._music_gate().check(edit.music.track, folders)

    def upload_music(self, project_id: int, file_path: str | Path, use: bool = True) -> dict[str, Any]:
        """Add the user's own audio file (m4a, mp3, wav, flac, ogg, opus, aac; at most 50 MB) to the music
        list and, with ``use``, make it the timeline's music bed. Returns {track, timeline}."""
        self.store.check(project_id, "edit")
        source = self._upload_source(file_path, AUDIO_EXTENSIONS, MAX_MUSIC_UPLOAD_MB, "an audio file")
        info = self._probe_upload(source)
        if not info.has_audio or info.duration <= 0:
            raise StudioError(f"'{source.name}' has no audio to use as music.")
        folder = f"{UPLOADED_MUSIC}/u{self.access.user_id()}" if self.access.user_id() is not None \
            else UPLOADED_MUSIC
        # Named by ids and a random part, never by the uploader's file name; the title is kept beside it.
        relative = self.media.import_file(source, self.media.new_path(folder, "m", source.suffix.lower()))
        with self.media.atomic_write(relative.rsplit(".", 1)[0] + TITLE_SUFFIX) as tmp:
            tmp.write_text(json.dumps({"title": source.stem[:120]}), encoding="utf-8")
        track = {"id": relative, "title": source.stem, "mood": "uploaded", "length_seconds": round(info.duration, 2),
                 "file": str(self.media.absolute(relative)), "uploaded": True}
        timeline = self.timeline.apply(project_id, "set_music", track=relative) if use else None
        return {"track": track, "timeline": timeline}

    # ------------------------------------------------------------ uploaded clips
    def upload_clip(self, project_id: int, file_path: str | Path, label: str = "",
                    index: int | None = None) -> TimelineVersionView:
        """Add the user's own video (mp4, mov, m4v, webm, mkv; at most 500 MB and 2 minutes) as a clip, at
        ``index`` or at the end. The file is copied into the media folder; the original is not touched."""
        self.store.check(project_id, "edit")
        source = self._upload_source(file_path, VIDEO_EXTENSIONS, MAX_CLIP_UPLOAD_MB, "a video")
        info = self._probe_upload(source)
        if not info.has_video or info.duration <= 0:
            raise StudioError(f"'{source.name}' has no video stream.")
        if info.duration > MAX_CLIP_SECONDS:
            raise StudioError(f"'{source.name}' is {info.duration:.0f} s long; uploaded clips can be at most "
                              f"{MAX_CLIP_SECONDS:.0f} s.")
        relative = self.media.import_file(source, self.media.new_path(UPLOADED_CLIPS, f"p{int(project_id)}",
                                                                      source.suffix.lower()))
        self.timeline.get(project_id)
        with self.store.editing(project_id) as session:
            edit = self.store.edit_of(self.store.require_head(session, project_id))
            try:
                clip = ops.make_clip(relative, round(info.duration, 3), label=(label or source.stem)[:120])
                edit = ops.add_clip(edit, clip, index=None if index is None or index < 0 else int(index))
            except TimelineError as exc:
                self.media.delete(relative)
                raise StudioError(str(exc)) from exc
            return self.store.save_version(session, project_id, edit, f"Uploaded clip '{clip.display_name}'")

    def _upload_source(self, file_path: str | Path, extensions: tuple[str, ...], max_mb: int, what: str) -> Path:
        if not file_path:
            raise StudioError(f"Choose {what} to upload.")
        source = Path(file_path)
        if not source.is_file():
            raise StudioError(f"The upload '{source.name}' was not received.")
        if source.suffix.lower() not in extensions:
            raise StudioError(f"'{source.name}' is not {what} the studio takes ({', '.join(extensions)}).")
        if source.stat().st_size > max_mb * 2**20:
            raise StudioError(f"'{source.name}' is larger than {max_mb} MB.")
        return source

    @staticmethod
    def _probe_upload(source: Path):
        try:
            return probe(source)
        except TimelineError as exc:
            raise StudioError(f"'{source.name}' can't be read: {exc}") from exc

    # ------------------------------------------------------------ preview
    def preview(self, project_id: int, version: int = 0) -> dict[str, Any]:
        """A quick low-resolution proxy (640 px long side, x264 ultrafast) of the current version (or
        ``version``), with everything the export has: transitions, overlays, grade, music. Cached by content:
        asking again for an unchanged edit returns the same file at once."""
        from pipeline.timeline.export import export

        with self.db.session() as session:
            self.store.project(session, project_id)
            row = self.store.row(session, project_id, version) if version else \
                self.store.require_head(session, project_id)
            edit, number = self.store.edit_of(row), row.version
            self.check_stored_bed(session, project_id, edit)
        if not edit.clips:
            raise StudioError("The timeline is empty: nothing to preview.")
        key = hashlib.sha1(json.dumps({"edit": edit.to_dict(), "side": PREVIEW_LONG_SIDE, "preset": PREVIEW_PRESET,
                                       "crf": PREVIEW_CRF}, sort_keys=True).encode()).hexdigest()[:16]
        relative = f"{PREVIEWS}/p{int(project_id)}-{key}.mp4"
        target = self.media.absolute(relative)
        started = time.perf_counter()
        cached = target.is_file()
        if not cached:
            from pipeline.services.library_queries import paths_in

            self.media.ensure_local(*sorted(paths_in(edit.to_dict())))
            try:
                export(edit, target, self.media.root, Path(self.settings.music_dir), long_side=PREVIEW_LONG_SIDE,
                       preset=PREVIEW_PRESET, crf=PREVIEW_CRF, stall_seconds=self.settings.export_stall_seconds)
            except TimelineError as exc:
                raise StudioError(str(exc)) from exc
            self._prune_previews(int(project_id), keep=target)
        return {"file": str(target), "version": number, "duration": round(edit.duration, 3), "cached": cached,
                "seconds": round(time.perf_counter() - started, 2)}

    def _prune_previews(self, project_id: int, keep: Path) -> None:
        folder = keep.parent
        old = sorted((p for p in folder.glob(f"p{project_id}-*.mp4") if p != keep),
                     key=lambda p: p.stat().st_mtime, reverse=True)
        for path in old[PREVIEWS_KEPT - 1:]:
            path.unlink(missing_ok=True)



def _upload_title(path: Path) -> str:
    """The title of an uploaded track: its sidecar, else (uploads from before files were named by ids) the name."""
    sidecar = path.with_name(path.stem + TITLE_SUFFIX)
    try:
        return str(json.loads(sidecar.read_text(encoding="utf-8"))["title"])
    except (OSError, ValueError, KeyError, TypeError):
        return path.stem.rsplit("-", 1)[0]
