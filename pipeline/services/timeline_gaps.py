"""Gap filling: when a trim or a delete leaves a gap the user wants filled, make a clip of exactly the gap's
length through the attempts pipeline, from a neighbouring frame and a local prompt, and put it on this timeline.

1. The neighbouring frame (the last frame of the clip before the gap, or the first frame of the clip after it)
   is stored as a hero frame of the project (marked ``origin: timeline gap``).
2. A generation group starts from it through AttemptService.start_group with the gap's length (engines take
   2–10 s: a shorter gap gets a 2 s clip that is trimmed to the exact length).
3. At once, a placeholder (that frame held still for the gap's length, ``still`` + ``generation_group_id``) is
   put at the gap, so the timeline, preview and export keep their timing while the attempts render.
4. When the group has finished, the best attempt (the user's pick, else the system's, else the best score)
   replaces the placeholder, trimmed to the gap: a clip of this timeline, not a standalone video. This happens
   on the next read of the timeline (or at once when the queue runs inline).
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pipeline.errors import StudioError
from pipeline.services.timeline_history import TimelineVersions
from pipeline.services.views import TimelineVersionView
from pipeline.timeline import operations as ops
from pipeline.timeline.edit_list import MIN_CLIP_LENGTH, Clip, TimelineError, fmt_seconds
from storage.models import FINISHED_ATTEMPT_STATES, AttemptStatus, FrameSource, HeroFrame, VideoAttempt

MAX_GAP = 10.0  # the longest clip the engines make
ENGINE_MIN = 2.0  # the shortest clip the engines make


class TimelineGaps:
    """Filling the gaps edits leave: a group of attempts from a neighbouring frame (through the injected attempts
    service), a still placeholder meanwhile, and the best attempt put in its place when the group is done."""

    def __init__(self, store: TimelineVersions, timeline: Any, attempts: Any) -> None:
        self.store, self.timeline, self.attempts = store, timeline, attempts
        self.db, self.media = store.db, store.media

    def suggest_gap(self, project_id: int) -> dict[str, Any] | None:
        """The gap the last edit left, if it removed time: {position, duration, reason}, or None.
        ``position`` is where a filling clip would go (an index into the clips)."""
        with self.db.session() as session:
            self.store.project(session, project_id)
            head = self.store.require_head(session, project_id)
            if head.parent_version is None:
                return None
            before = self.store.edit_of(self.store.row(session, project_id, head.parent_version))
            after = self.store.edit_of(head)
        kept = {c.id for c in after.clips}
        for i, clip in enumerate(before.clips):
            if clip.id not in kept and len(after.clips) == len(before.clips) - 1:
                position = sum(1 for c in before.clips[:i] if c.id in kept)
                return {"position": position, "duration": round(clip.length, 3),
                        "reason": f"Clip '{clip.display_name}' was deleted ({fmt_seconds(clip.length)})."}
        old = {c.id: c for c in before.clips}
        for i, clip in enumerate(after.clips):
            if clip.id in old and clip.length < old[clip.id].length - 1e-6:
                lost = old[clip.id].length - clip.length
                at_start = clip.in_point > old[clip.id].in_point + 1e-6
                return {"position": i if at_start else i + 1, "duration": round(lost, 3),
                        "reason": f"Clip '{clip.display_name}' was trimmed by {fmt_seconds(lost)}."}
        return None

    def fill_gap(self, project_id: int, position: int, duration: float, prompt: str, frame_from: str = "previous",
                 attempt_count: int = 2, engine: str | None = None, seed: int | None = None) -> TimelineVersionView:
        """Generate a clip of exactly ``duration`` seconds for a gap at ``position`` (0 = before the first clip,
        len(clips) = after the last) from the neighbouring frame (``frame_from``: "previous" or "next") and a
        local motion prompt. Returns the timeline with the placeholder (or the filled clip, if the queue ran
        inline) and ``gap_group_id``."""

        duration = float(duration)
        if not MIN_CLIP_LENGTH <= duration <= MAX_GAP:
            raise StudioError(f"A gap to fill must be {fmt_seconds(MIN_CLIP_LENGTH)} to {fmt_seconds(MAX_GAP)} long; "
                              f"got {fmt_seconds(duration)}.")
        if frame_from not in ("previous", "next"):
            raise StudioError("Take the frame from the 'previous' or the 'next' clip.")
        if not (prompt or "").strip():
            raise StudioError("Describe the motion for the gap, e.g. 'slow push in on the product'.")
        self.store.check(project_id, "edit")
        self.timeline.get(project_id)
        with self.db.session() as session:
            edit = self.store.edit_of(self.store.require_head(session, project_id))
        n = len(edit.clips)
        position = int(position)
        if not 0 <= position <= n:
            raise StudioError(f"A gap can be at positions 0 to {n} (before, between or after the {n} clip(s)).")
        if n == 0:
            raise StudioError("The timeline is empty: there is no neighbouring frame to start the gap from.")
        use_previous = (frame_from == "previous" and position > 0) or position == n
        neighbour = edit.clips[position - 1] if use_previous else edit.clips[position]
        at = max(neighbour.in_point, neighbour.out_point - 1.0 / edit.fps) if use_previous else neighbour.in_point
        frame_id = self._store_gap_frame(project_id, neighbour, at, prompt, duration, position)
        try:  # reserves the generation ("gap_fill"); refused (LimitExceeded) or invalid: nothing is queued
            group = self.attempts.start_group(project_id, prompt, "", attempt_count, hero_frame_id=frame_id,
                                         duration=min(MAX_GAP, max(ENGINE_MIN, duration)), engine=engine, seed=seed,
                                         usage_kind="gap_fill")
        except StudioError:
            self._drop_gap_frame(frame_id)
            raise
        with self.store.editing(project_id) as session:
            frame = session.get(HeroFrame, frame_id)
            edit = self.store.edit_of(self.store.require_head(session, project_id))
            placeholder = ops.make_clip(frame.image_path, duration, label=f"Gap · generating (group {group.id})")
            placeholder = placeholder.model_copy(update={"still": True, "generation_group_id": group.id})
            try:
                edit = ops.add_clip(edit, placeholder, index=min(position, len(edit.clips)))
            except TimelineError as exc:
                raise StudioError(str(exc)) from exc
            side = "last frame of" if use_previous else "first frame of"
            note = (f"Gap of {fmt_seconds(duration)} at position {position}: generating from the {side} "
                    f"'{neighbour.display_name}' (group {group.id})")
            self.store.save_version(session, project_id, edit, note)
        self.resolve_pending(project_id)
        view = self.timeline.get(project_id)
        view.gap_group_id = group.id
        return view

    def resolve_gaps(self, project_id: int) -> TimelineVersionView | None:
        """Put finished gap clips in place of their placeholders (one new version); None if nothing changed."""
        self.store.check(project_id, "edit")
        return self.resolve_pending(project_id)

    def resolve_pending(self, project_id: int) -> TimelineVersionView | None:
        with self.store.editing(project_id) as session:
            head = self.store.require_head(session, project_id)
            edit = self.store.edit_of(head)
            notes = []
            for clip in [c for c in edit.clips if c.pending]:
                attempts = session.scalars(select(VideoAttempt).where(
                    VideoAttempt.group_id == clip.generation_group_id)).all()
                if not attempts or any(a.status not in FINISHED_ATTEMPT_STATES for a in attempts):
                    continue  # still rendering (or the group vanished: keep the still)
                done = [a for a in attempts if a.status == AttemptStatus.done.value and a.video_path
                        and self.media.exists(a.video_path)]
                if not done:
                    failed = clip.model_copy(update={"generation_group_id": None,
                                                     "label": "Gap · generation failed (still frame)"})
                    edit = ops.replace_clip(edit, clip.id, failed)
                    notes.append(f"Gap generation failed (group {clip.generation_group_id}); the still frame stays")
                    continue
                best = next((a for a in done if a.is_user_selected_best), None) or \
                    next((a for a in done if a.is_system_selected_best), None) or \
                    max(done, key=lambda a: a.overall_score or 0.0)
                length = min(clip.length, float(best.duration or clip.length))
                filled = Clip(source=best.video_path, attempt_id=best.id,
                              source_duration=float(best.duration or length),
                              in_point=0.0, out_point=length, label=f"Gap fill · attempt {best.index}",
                              generation_group_id=clip.generation_group_id)
                try:
                    edit = ops.replace_clip(edit, clip.id, filled)
                except TimelineError as exc:
                    notes.append(f"Gap clip of group {clip.generation_group_id} could not be placed: {exc}")
                    continue
                notes.append(f"Filled the {fmt_seconds(clip.length)} gap with attempt {best.index} of group "
                             f"{clip.generation_group_id}")
            if not notes:
                return None
            return self.store.save_version(session, project_id, edit, "; ".join(notes))

    # ------------------------------------------------------------ internals
    @staticmethod
    def has_pending(row) -> bool:
        return any(c.get("still") and c.get("generation_group_id") for c in (row.edit_list or {}).get("clips", []))

    def _store_gap_frame(self, project_id: int, clip: Clip, at: float, prompt: str, duration: float,
                         position: int) -> int:
        """The neighbouring frame as a hero frame of the project; returns its id."""
        from PIL import Image

        from pipeline.engines.interfaces import ASPECT_RATIOS
        from pipeline.timeline.export import poster

        source = self.media.absolute(clip.source)
        if not source.is_file():
            raise StudioError(f"Clip '{clip.display_name}' is missing from the media folder.")
        if clip.still:
            with Image.open(source) as img:
                image = img.convert("RGB")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    png = poster(source, Path(tmp) / "frame.png", at=at)
                except TimelineError as exc:
                    raise StudioError(str(exc)) from exc
                with Image.open(png) as img:
                    image = img.convert("RGB")
        ratio = min(ASPECT_RATIOS, key=lambda r: abs(ASPECT_RATIOS[r][0] / ASPECT_RATIOS[r][1]
                                                     - image.width / image.height))
        stem = f"p{project_id}-gap"
        image_path = self.media.save_image(image, self.media.new_path("frames", stem, ".png"), compress_level=3)
        thumb_path = self.media.save_thumbnail(image, self.media.new_path("thumbs", stem, ".jpg"))
        with self.db.session() as session:
            frame = HeroFrame(project_id=int(project_id), prompt=prompt.strip(), source=FrameSource.uploaded.value,
                              engine="timeline", model="", seed=None, aspect_ratio=ratio, width=image.width,
                              height=image.height, image_path=image_path, thumbnail_path=thumb_path,
                              parameters={"origin": "timeline gap", "clip_source": clip.source, "at": round(at, 3),
                                          "gap_seconds": duration, "position": position})
            session.add(frame)
            session.flush()
            return frame.id

    def _drop_gap_frame(self, frame_id: int) -> None:
        """Remove the gap's frame (row and files) when its generation could not start."""
        with self.db.session() as session:
            frame = session.get(HeroFrame, frame_id)
            if frame is None:
                return
            paths = (frame.image_path, frame.thumbnail_path)
            session.delete(frame)
        for path in paths:
            self.media.delete(path)
