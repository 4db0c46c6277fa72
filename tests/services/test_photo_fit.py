"""A product photo's true shape, the low-resolution warning, and clips that always come out in the project's
aspect ratio (crop around the subject, or extend), end to end through the services."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.engines.photo_fit import crop_box, fit_to_aspect, photo_fit, shape_label
from pipeline.errors import InvalidInput
from pipeline.timeline.export import probe


@pytest.mark.parametrize("size, label", [((600, 400), "3:2"), ((6000, 4000), "3:2"), ((1920, 1080), "16:9"),
                                         ((4000, 2667), "3:2"), ((1080, 1350), "4:5"), ((3024, 4032), "3:4"),
                                         ((1000, 535), "1.87:1"), ((500, 500), "1:1")])
def test_a_photo_is_called_by_its_own_shape(size, label):
    assert shape_label(*size) == label


def test_a_small_photo_is_warned_about_with_the_numbers():
    fit = photo_fit(600, 400, "16:9")
    assert fit.shape == "3:2" and fit.nearest_ratio == "16:9"
    offer = next(o for o in fit.offers if o.aspect_ratio == "16:9")
    assert (offer.width, offer.height) == (592, 333) and not offer.sharp_enough
    assert offer.upscale_for_delivery == pytest.approx(1080 / 333, abs=0.01)
    assert "600×400 (3:2)" in fit.warning and "592×333" in fit.warning and "soft" in fit.warning
    assert photo_fit(4000, 2667, "16:9").warning == ""


def test_the_warning_names_the_ratios_a_photo_is_sharp_enough_for():
    fit = photo_fit(1200, 1200, "16:9")  # 1200×675 in 16:9 (soft), 1200×1200 in 1:1 (fine)
    assert "1:1" in fit.warning and "16:9" not in fit.warning.split("sharp enough for")[-1]


def test_a_crop_follows_the_subject_as_far_as_the_photo_allows():
    assert crop_box(600, 400, "9:16") == [188, 0, 413, 400]  # 225×400, centred
    assert crop_box(600, 400, "9:16", centre=(0.4, 0.0)) == [375, 0, 600, 400]  # clamped at the right edge


def test_extend_keeps_every_pixel_of_the_photo():
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 255, (400, 600, 3), dtype=np.uint8)
    extended, info = fit_to_aspect(photo, "9:16", "extend")
    height, width = extended.shape[:2]
    assert abs(width / height - 9 / 16) < 0.01 and width == 600
    x0, y0, x1, y1 = info["photo_box"]
    assert np.array_equal(extended[y0:y1, x0:x1], photo)
    cropped, info = fit_to_aspect(photo, "16:9", "crop")
    assert cropped.shape[:2] == (333, 592)


def _photo(tmp_path, size=(600, 400)):
    """A product-like photo: a bright bottle left of centre on a grey sweep."""
    width, height = size
    ys, xs = np.mgrid[:height, :width]
    pixels = np.full((height, width, 3), 170, np.uint8)
    bottle = ((xs - width * 0.35) / (width * 0.08)) ** 2 + ((ys - height * 0.55) / (height * 0.3)) ** 2 < 1
    pixels[bottle] = (200, 40, 30)
    noise = np.random.default_rng(2).integers(-6, 7, pixels.shape)
    path = tmp_path / "bottle.jpg"
    Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8)).save(path, quality=92)
    return path


def _clip_size(path) -> tuple[int, int]:
    found = probe(path)
    return found.width, found.height


def test_an_uploaded_photo_says_its_shape_and_warns_when_small(services, project, tmp_path):
    frame = services.hero_frames.upload(project.id, _photo(tmp_path))
    fit = frame.parameters["fit"]
    assert fit["shape"] == "3:2" and "soft" in fit["warning"] and frame.parameters["fit_mode"] == "crop"


@pytest.mark.parametrize("mode", ["crop", "extend"])
def test_a_3_2_photo_in_a_16_9_project_gives_16_9_clips(services, tmp_path, mode):
    project = services.projects.create("Bottle", "16:9")
    frame = services.hero_frames.upload(project.id, _photo(tmp_path))
    services.hero_frames.set_fit_mode(frame.id, mode)
    services.projects.select_hero_frame(project.id, frame.id)
    group = services.attempts.start_group(project.id, "slow push in", "", 1, duration=2.0, seed=3)
    attempt = services.attempts.group(group.id).attempts[0]
    assert attempt.status == "done", attempt["error"]
    width, height = _clip_size(attempt.video)
    assert abs(width / height - 16 / 9) < 0.02, (width, height)
    fit = attempt.parameters["hero_fit"]
    assert fit["mode"] == mode and fit["from"] == [600, 400] and abs(fit["to"][0] / fit["to"][1] - 16 / 9) < 0.01
    if mode == "extend":
        assert fit["to"][0] > 600 and fit["to"][1] == 400  # the whole photo, widened


def test_a_photo_already_in_the_projects_shape_is_used_as_it_is(services, tmp_path):
    project = services.projects.create("Wide", "16:9")
    frame = services.hero_frames.upload(project.id, _photo(tmp_path, (640, 360)))
    services.projects.select_hero_frame(project.id, frame.id)
    group = services.attempts.start_group(project.id, "slow push in", "", 1, duration=2.0, seed=3)
    assert "hero_fit" not in services.attempts.group(group.id).attempts[0].parameters


def test_fitted_copies_are_named_by_ids_and_leave_with_their_project(services, tmp_path):
    project = services.projects.create("Bottle & co ../x", "9:16")
    frame = services.hero_frames.upload(project.id, _photo(tmp_path))
    services.projects.select_hero_frame(project.id, frame.id)
    services.attempts.start_group(project.id, "slow push in", "", 1, duration=2.0, seed=3)
    fitted = list((services.media.root / "frames" / "fitted").glob("*.png"))
    assert [p.name for p in fitted] == [f"p{project.id}-f{frame.id}-9x16-crop.png"]
    services.library.delete("project", project.id, confirm=True)
    assert not list((services.media.root / "frames" / "fitted").glob("*.png"))


def test_an_unknown_fit_mode_is_refused_and_changes_nothing(services, project, tmp_path):
    frame = services.hero_frames.upload(project.id, _photo(tmp_path))
    with pytest.raises(InvalidInput, match="crop, extend"):
        services.hero_frames.set_fit_mode(frame.id, "stretch")
    assert services.hero_frames.get(frame.id).parameters["fit_mode"] == "crop"
