"""The ad composer: plan, storyboard edits, estimate, generate, cancel; and the one-photo product video."""
from __future__ import annotations

from gradio.data_classes import FileData

from studio.api.door import json_object
from studio.api.endpoint import Resource, endpoint


class AdsApi(Resource):
    @endpoint(blank=("framework",))
    def plan_ad(self, prompt: str, duration: int = 15, aspect_ratio: str = "9:16", framework: str = "",
                planner: str = "auto") -> dict:
        """Plan a video ad from a 10–500 character prompt: duration 15/30/60 s, aspect_ratio 9:16/16:9/1:1,
        framework AIDA/PAS/BAB ("" = chosen from the wording), planner auto/rules/llm. Returns the stored draft
        {id, status, plan: {product, brand, framework, rationale, call_to_action, music_mood, scenes, …}}."""
        return self.s.ads.plan(prompt, duration, aspect_ratio, framework, planner or "auto")

    @endpoint
    def ad_plan(self, plan_id: int) -> tuple[dict, list[FileData]]:
        """An ad plan (or product video) with its job, steps, cost estimate and actual cost, per-scene frames and
        picks, and the exported MP4 once done."""
        view = self.s.ads.get(plan_id)
        return view, self.files((view.get("result") or {}).get("file"))

    @endpoint
    def ad_plans(self, kind: str = "ad") -> list[dict]:
        """Recent plans, newest first (kind: ad, product_video, or "" for both)."""
        return self.s.ads.list(kind or None)

    @endpoint
    def update_storyboard(self, plan_id: int, operation: str, arguments: str = "{}") -> dict:
        """Edit the storyboard: update_scene {number, type/visual_prompt/motion_prompt/text_overlay/duration/
        transition}, update_plan {product, brand_name, brand_colours, style_keywords, brand_mood, call_to_action,
        music_mood, grade, duration, aspect_ratio, setting}, add_scene {after}, remove_scene {number},
        move_scene {number, to}, switch_framework {framework}, replace {plan_data}. Durations stay consistent."""
        return self.s.ads.update_storyboard(plan_id, operation, **json_object(arguments))

    @endpoint
    def estimate_ad_cost(self, plan_id: int, attempts_per_scene: int = 2) -> dict:
        """The cost estimate before generation: {usd, rule_text, frames, video_usd, attempts, …}."""
        return self.s.ads.estimate_cost(plan_id, attempts_per_scene)

    @endpoint
    def generate_ad(self, plan_id: int, attempts_per_scene: int = 2) -> dict:
        """Generate the approved plan as one job (new project): hero frames, scored attempts, picks, timeline,
        export. Returns {job_id, project_id, plan_id, estimate}; poll /ad_plan or /job."""
        return self.s.ads.generate(plan_id, attempts_per_scene)

    @endpoint
    def cancel_ad(self, plan_id: int) -> dict:
        """Stop the plan's generation; frames, attempts and a partial timeline are kept."""
        return self.s.ads.cancel(plan_id)

    @endpoint(blank=("project_id",))
    def product_video(self, photo: FileData, title: str = "", description: str = "", duration: float = 10.0,
                      aspect_ratio: str = "1:1", attempts: int = 2, title_overlay: bool = True,
                      project_id: int = 0) -> dict:
        """One product photo (JPEG/PNG/WebP) → enhanced photo → orbit/turntable attempts, best picked → timeline
        with an optional title overlay → MP4. project_id 0 = a new project. Returns {job_id, project_id,
        plan_id, frame_id, estimate}; poll /ad_plan or /job."""
        return self.s.ads.product_video(project_id, self.upload_path(photo), title, description, duration,
                                        aspect_ratio, attempts, title_overlay)
