import pytest

from pipeline.errors import NotFound, StudioError


def test_create_rename_list(services):
    first = services.projects.create("Watch ad", "9:16")
    second = services.projects.create("Sneaker", "1:1")
    renamed = services.projects.rename(first.id, "Watch ad v2")
    assert renamed.name == "Watch ad v2"
    assert {p.id for p in services.projects.list()} == {first.id, second.id}
    assert services.projects.get(second.id).aspect_ratio == "1:1"


@pytest.mark.parametrize("name,ratio,message", [("", "16:9", "needs a name"), ("ok", "21:9", "Aspect ratio"),
                                                ("x" * 201, "16:9", "at most 200")])
def test_bad_input_is_explained(services, name, ratio, message):
    with pytest.raises(StudioError, match=message):
        services.projects.create(name, ratio)
    assert services.projects.list() == []


def test_unknown_project(services):
    with pytest.raises(NotFound, match="does not exist"):
        services.projects.rename(999, "x")


def test_latest_or_new_creates_one_project_once(services):
    created = services.projects.latest_or_new()
    assert services.projects.latest_or_new().id == created.id
