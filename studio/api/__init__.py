"""The named API endpoints (gradio_client / HTTP), one module per resource, each endpoint declared once with
``@endpoint`` (studio/api/endpoint.py): thin typed adapters over the same services as the UI.

Long work returns a job id at once; ``/job`` reports status, progress and result. Responses are JSON objects with
ids; media come back as files. See docs/API.md (its endpoint list is checked against these declarations).
"""
from __future__ import annotations

from pipeline.services import Services
from studio.api.ads import AdsApi
from studio.api.attempts import AttemptsApi
from studio.api.endpoint import Resource, register_resource
from studio.api.frames import FramesApi
from studio.api.jobs import JobsApi
from studio.api.library import LibraryApi
from studio.api.models import ModelsApi
from studio.api.projects import ProjectsApi
from studio.api.team import TeamApi
from studio.api.timeline import TimelineApi

#: Every resource, in the order the API listing shows them.
RESOURCES: tuple[type[Resource], ...] = (ProjectsApi, FramesApi, AttemptsApi, JobsApi, TimelineApi, LibraryApi,
                                         AdsApi, TeamApi, ModelsApi)
#: Cheap read-only polls that also answer a direct one-round-trip POST /gradio_api/run/<name> (queue=False: allowed
#: even where Gradio closes the direct routes of queued endpoints, as on Spaces). The request context — and so the
#: logged-in user and every ownership check — is the same as on the queue (tests/team/test_direct_endpoints.py).
DIRECT = frozenset(name for resource in RESOURCES for name, spec in resource.declared() if spec.direct)


def declared_endpoints() -> list[str]:
    """Every endpoint name, in registration order (docs/API.md is checked against this)."""
    return [name for resource in RESOURCES for name, _spec in resource.declared()]


def register(services: Services) -> None:
    """Register every resource's endpoints on the Blocks being built."""
    for resource in RESOURCES:
        register_resource(resource(services))
