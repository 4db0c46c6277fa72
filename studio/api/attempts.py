"""Attempts: start a group, engines and estimates, groups and picks, iterations, comparisons, the final version."""
from __future__ import annotations

from gradio.data_classes import FileData

from pipeline.services.views import Comparison, FinalChoice, FinalVersion, GroupView, StartedGroup
from studio.api.endpoint import Resource, endpoint


class AttemptsApi(Resource):
    @endpoint(blank=("hero_frame_id", "seed", "engine"))
    def image_to_video(self, project_id: int, motion_prompt: str, negative_prompt: str = "", attempt_count: int = 3,
                       duration: float = 5.0, hero_frame_id: int = -1, seed: int = -1,
                       engine: str = "") -> StartedGroup:
        """Start a generation group of attempts from the hero frame (engine "" = the configured default).
        Returns the group with job_ids and estimated_cost_usd; poll /job."""
        return self.s.attempts.start_group(project_id, motion_prompt, negative_prompt, attempt_count, hero_frame_id,
                                           duration, engine, seed=seed)

    @endpoint
    def engines(self) -> dict:
        """Engines usable now, per kind (video, frame), with capabilities (negative_prompt, seed, prompt), price
        rules and, for video, the lengths a model gives. Cloud engines appear once their key is configured; local
        GPU engines only for a model folder the studio can run."""
        return {"video": self.s.attempts.engines(), "frame": self.s.hero_frames.engines("frame")}

    @endpoint(blank=("engine", "project_id"))
    def estimate_cost(self, engine: str = "", attempt_count: int = 3, duration: float = 5.0, project_id: int = 0,
                      motion_prompt: str = "") -> dict:
        """Cost estimate of a group before it starts: {engine capabilities (lengths, max_seconds), estimate: {usd,
        rule_text}}; with project_id and motion_prompt also video_prompt, the scene + motion the model is sent.
        A length beyond what the model gives is refused."""
        return self.s.attempts.engine_details(engine, attempt_count, duration, project_id=project_id,
                                              motion_prompt=motion_prompt)

    @endpoint(blank=("motion_prompt", "negative_prompt", "attempt_count"))
    def regenerate_group(self, group_id: int, motion_prompt: str = "", negative_prompt: str = "",
                         attempt_count: int = 0) -> StartedGroup:
        """A new iteration of a group with edited prompts (blank keeps the old value)."""
        return self.s.attempts.regenerate(group_id, motion_prompt, negative_prompt, attempt_count)

    @endpoint(direct=True)
    def generation_group(self, group_id: int) -> tuple[GroupView, list[FileData]]:
        """A group with its attempts, scores and picks, plus the finished attempt videos (in attempt order).
        ``pick_confidence`` = {band: clear|slight|tie, label, margin, tied_attempt_ids}: a tie is said to be one."""
        group = self.s.attempts.group(group_id)
        return group, self.files(*[a.video for a in group.attempts])

    @endpoint
    def generation_groups(self, project_id: int) -> list[GroupView]:
        """All groups of a project, newest first."""
        return self.s.attempts.groups(project_id)

    @endpoint
    def select_attempt(self, attempt_id: int, reason: str = "", tags: list[str] | None = None) -> dict:
        """The user's pick of a group's best attempt (logged against the system's pick)."""
        return self.s.selection.select_attempt(attempt_id, reason, tags or [])

    @endpoint
    def accept_system_pick(self, group_id: int, reason: str = "", tags: list[str] | None = None) -> dict:
        """Confirm the system's pick of a group (logged as a user pick that agrees)."""
        return self.s.selection.accept_system_pick(group_id, reason, tags or [])

    @endpoint
    def group_decision(self, group_id: int) -> dict:
        """The user's latest pick of a group: {attempt_id, system_attempt_id, reason, tags, agrees_with_system}
        (empty when the user has not decided)."""
        return self.s.history.decision(group_id) or {}

    @endpoint
    def suggest_improvements(self, group_id: int) -> dict:
        """Prompt changes for the next iteration from the scores and feedback tags: {source (llm|rules), changes,
        current, proposed: {motion_prompt, negative_prompt}, diff: word ops per prompt}."""
        return self.s.history.suggest(group_id)

    @endpoint
    def rerun_attempts(self, group_id: int, attempt_ids: list[int]) -> StartedGroup:
        """Re-roll only these attempts of a finished group: a new iteration where they get new seeds and the
        other finished attempts are carried over. Returns the new group with job_ids; poll /job."""
        return self.s.history.rerun_attempts(group_id, attempt_ids)

    @endpoint
    def iterations(self, project_id: int) -> dict:
        """The project's iteration timeline: versions with iteration number, chosen attempt, prompt diff, best
        score, feedback, is_final; the final version; the score trend."""
        return self.s.history.iterations(project_id)

    @endpoint
    def compare_attempts(self, attempt_ids: list[int]) -> tuple[Comparison, list[FileData]]:
        """1–4 attempts side by side: their views and a metrics table (values and deltas to the first); plus
        their videos in the same order."""
        result = self.s.history.compare_attempts(attempt_ids)
        return result, self.files(*[a.video for a in result.attempts])

    @endpoint
    def compare_versions(self, project_id: int, version_a: int, version_b: int) -> Comparison:
        """The chosen attempts of two versions (numbers from /iterations) side by side, with metrics."""
        return self.s.history.compare_versions(project_id, version_a, version_b)

    @endpoint(blank=("attempt_id",))
    def set_final_version(self, project_id: int, attempt_id: int = 0) -> FinalChoice:
        """Make a finished attempt the project's final version (attempt_id 0 clears it)."""
        return self.s.history.set_final(project_id, attempt_id)

    @endpoint
    def final_version(self, project_id: int) -> FinalVersion | dict:
        """The project's final version {attempt_id, group_id, version, iteration, overall_score, video, label}
        (empty when none)."""
        return self.s.history.final(project_id) or {}
