"""Which attempt each shot of a project uses — the picks — and which of them the timeline does not show yet.

A timeline that was built from the picks and not edited since is *automatic*: it follows the picks (a new pick
rebuilds it when it is next read). Once the user edits it, the studio never changes it silently: the view lists the
new picks (``new_picks``) and ``TimelineService.add_new_picks`` puts them on when the user says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from pipeline.timeline.edit_list import EditList
from storage.models import AttemptStatus, GenerationGroup, HeroFrame, Project, VideoAttempt

#: The note of a version built from the picks: a head with this note is an automatic timeline.
AUTOMATIC_NOTE = "Built from the picked attempts"


@dataclass(frozen=True)
class Pick:
    group_id: int
    attempt_id: int
    attempt_index: int
    video_path: str
    duration: float
    final: bool

    @property
    def label(self) -> str:
        return f"{'FINAL · ' if self.final else ''}Group {self.group_id} · attempt {self.attempt_index}"


def shot_picks(session, project: Project, skip_groups: set[int] | frozenset[int] = frozenset()) -> list[Pick]:
    """Per generation group (oldest first, gap fills excluded): the final version, else the user's pick, else the
    system's — among finished attempts with a video."""
    groups = session.scalars(select(GenerationGroup).where(GenerationGroup.project_id == project.id)
                             .order_by(GenerationGroup.id)).all()
    picks = []
    for group in groups:
        if group.id in skip_groups or (group.hero_frame_id and _is_gap_frame(session, group.hero_frame_id)):
            continue  # gap fills belong to their timeline position, not to the list of shots
        done = [a for a in group.attempts if a.status == AttemptStatus.done.value and a.video_path]
        pick = next((a for a in done if a.id == project.final_attempt_id), None) or \
            next((a for a in done if a.is_user_selected_best), None) or \
            next((a for a in done if a.is_system_selected_best), None)
        if pick is not None:
            picks.append(Pick(group.id, pick.id, pick.index, pick.video_path, float(pick.duration or 0.0),
                              pick.id == project.final_attempt_id))
    return picks


def new_picks(session, project: Project, edit: EditList) -> list[Pick]:
    """The picks the timeline does not show: a shot with no clip yet, or whose clip is not the current pick."""
    shown = {clip.attempt_id for clip in edit.clips if clip.attempt_id is not None}
    gap_groups = {clip.generation_group_id for clip in edit.clips if clip.generation_group_id is not None}
    return [pick for pick in shot_picks(session, project, gap_groups) if pick.attempt_id not in shown]


def group_of_attempts(session, attempt_ids: set[int]) -> dict[int, int]:
    """attempt id → its group id."""
    if not attempt_ids:
        return {}
    rows = session.execute(select(VideoAttempt.id, VideoAttempt.group_id).where(VideoAttempt.id.in_(attempt_ids)))
    return {attempt_id: group_id for attempt_id, group_id in rows}


def _is_gap_frame(session, frame_id: int) -> bool:
    frame = session.get(HeroFrame, frame_id)
    return bool(frame is not None and (frame.parameters or {}).get("origin") == "timeline gap")
