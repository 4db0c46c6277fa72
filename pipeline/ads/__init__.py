"""The ad composer: one prompt to a planned, editable storyboard (AIDA, PAS or BAB) and then a finished ad.

plan.py (the validated AdPlan), frameworks.py (the three structures), local_planner.py (offline rules),
llm_planner.py (chat model with structured output, falling back to the rules), storyboard.py (pure edits) and
assembly.py (the finished ad's timeline: clips, transitions, overlays, music, grade, fades and the end card).
The services that run it are in pipeline/services/ads.py.
"""
from pipeline.ads.plan import (
    AdPlan,
    AdPlanError,
    Brand,
    Scene,
    check_prompt,
    rescale_durations,
)

__all__ = ["AdPlan", "AdPlanError", "Brand", "Scene", "check_prompt", "rescale_durations"]
