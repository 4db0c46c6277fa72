"""The API is declared once, per resource: docs/API.md lists exactly the declared endpoints, no endpoint is declared
twice, and every declared endpoint reaches the app's API listing."""
from __future__ import annotations

import re
from pathlib import Path

from studio.api import RESOURCES, declared_endpoints

DOCS = Path(__file__).resolve().parent.parent / "docs" / "API.md"


def documented_endpoints() -> set[str]:
    return set(re.findall(r"^\| `/(\w+)`", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_docs_list_exactly_the_declared_endpoints():
    declared = set(declared_endpoints())
    documented = documented_endpoints()
    assert not declared - documented, f"declared but not in docs/API.md: {sorted(declared - documented)}"
    assert not documented - declared, f"in docs/API.md but not declared: {sorted(documented - declared)}"


def test_no_endpoint_is_declared_twice():
    names = declared_endpoints()
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert all(resource.declared() for resource in RESOURCES)


def test_the_app_lists_every_declared_endpoint_with_typed_parameters(services):
    from studio.ui import build_demo

    info = build_demo(services).get_api_info()["named_endpoints"]
    assert {name[1:] for name in info} >= set(declared_endpoints())
    parameters = {p["parameter_name"]: p["python_type"]["type"] for p in info["/image_to_video"]["parameters"]}
    assert parameters["project_id"] == "int" and parameters["duration"] == "float"
    assert parameters["motion_prompt"] == "str"


def test_raw_http_callers_may_leave_out_trailing_optional_arguments():
    import json

    from studio.api.compat import TrailingDefaults, endpoint_defaults

    middleware = TrailingDefaults(app=None, defaults=endpoint_defaults())
    old_style = json.dumps({"data": [1, "crop", 0, "", 0]}).encode()  # before `quality` was added
    assert json.loads(middleware._padded("export_timeline", old_style))["data"] == [1, "crop", 0, "", 0, "draft"]
    missing_required = json.dumps({"data": [1]}).encode()  # `operation` has no default: Gradio refuses it
    assert middleware._padded("timeline_edit", missing_required) == missing_required
    complete = json.dumps({"data": [1, "trim", "{}"]}).encode()
    assert middleware._padded("timeline_edit", complete) == complete


def test_the_api_info_shows_the_fields_of_the_views(services):
    """Answers typed with the services' views list their fields (and status values), not Any."""
    from studio.ui import build_demo

    info = build_demo(services).get_api_info()["named_endpoints"]
    projects = info["/list_projects"]["returns"][0]["python_type"]["type"]
    assert projects.startswith("list[dict(id: int, name: str,"), projects
    job = info["/job"]["returns"]
    assert len(job) == 1  # (view, files) stays one output, as the wire has always sent it
    assert "status: Literal['queued', 'running', 'succeeded', 'failed', 'cancelled']" in job[0]["python_type"]["type"]
    group = info["/generation_group"]["returns"][0]["python_type"]["type"]
    assert "pick_confidence: dict(band: str" in group and "attempts: list[dict(id: int" in group
