"""Image-to-video models get the scene and the motion (shown before starting, stored with the attempt, sent to the
provider), and a clip longer than the model gives is refused before anything is queued."""
from __future__ import annotations

import pytest

from pipeline.errors import StudioError
from pipeline.providers.catalog import load_catalog
from pipeline.providers.video_prompt import compose_video_prompt

SCENE = ("A brushed steel chronograph on a black marble plinth, soft rim light, shallow depth of field. "
         "Studio product shot, 35 mm, high detail.")




def _project_with_prompted_hero(services, prompt=SCENE):
    project = services.projects.create("Watch", "16:9")
    services.hero_frames.generate(project.id, prompt, 4, seed=3)
    frame = services.hero_frames.list(project.id)[0]
    services.projects.select_hero_frame(project.id, frame.id)
    return project


def test_composition_fits_the_models_word_budget():
    kling = load_catalog().get("replicate:kwaivgi/kling-v2.1")
    ltx = load_catalog().by_model("diffusers", "LTXImageToVideoPipeline")
    svd = load_catalog().by_model("diffusers", "StableVideoDiffusionPipeline")
    assert compose_video_prompt(SCENE, "slow push in toward the dial, gentle parallax", kling) == (
        SCENE.rstrip(".") + ". Camera: slow push in toward the dial, gentle parallax.")
    long_scene = " ".join(["A watch on a plinth, lit from the left."] * 30)
    sent = compose_video_prompt(long_scene, "slow orbit to the right", ltx)
    assert len(sent.split()) <= ltx.limits.prompt_words and sent.endswith("Camera: slow orbit to the right.")
    assert sent.startswith("A watch on a plinth, lit from the left.")  # whole sentences of the scene
    assert compose_video_prompt(SCENE, "push in", svd) == ""  # SVD takes no prompt
    assert compose_video_prompt("", "push in", kling) == "push in."


def test_the_cloud_model_receives_scene_and_motion(studio, replicate_server):
    services = studio(video_engine="replicate:kwaivgi/kling-v2.1")
    project = _project_with_prompted_hero(services)
    details = services.attempts.engine_details(None, 2, 5.0, project_id=project.id,
                                               motion_prompt="slow push in toward the dial")
    shown = details["video_prompt"]
    assert "chronograph on a black marble plinth" in shown and shown.endswith("Camera: slow push in toward the dial.")
    group = services.attempts.start_group(project.id, "slow push in toward the dial", "", 2, duration=5.0)
    group = services.attempts.group(group.id)
    sent = [c.json["input"]["prompt"] for c in replicate_server.creates]
    assert sent == [shown, shown]
    assert {a.parameters["video_prompt"] for a in group.attempts} == {shown}
    assert group.motion_prompt == "slow push in toward the dial"  # the user's text is kept as typed


def test_offline_engines_keep_the_motion_prompt(studio):
    services = studio(video_engine="local-camera-motion")
    project = _project_with_prompted_hero(services)
    details = services.attempts.engine_details(None, 1, 2.0, project_id=project.id, motion_prompt="pan left")
    assert details["video_prompt"] == ""


def test_a_clip_longer_than_the_model_gives_is_refused_before_queueing(studio):
    services = studio(video_engine="replicate:wan-video/wan-2.2-i2v-fast")
    project = _project_with_prompted_hero(services)
    spec = load_catalog().get("replicate:wan-video/wan-2.2-i2v-fast")
    longest = spec.max_seconds
    assert longest is not None and longest < 10
    with pytest.raises(StudioError, match=f"gives at most {longest:g} s"):
        services.attempts.engine_details(None, 3, 10.0)
    with pytest.raises(StudioError, match=f"gives at most {longest:g} s"):
        services.attempts.start_group(project.id, "push in", "", 3, duration=10.0)
    assert services.attempts.groups(project.id) == []
