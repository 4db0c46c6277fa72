"""Shared fixtures: services on a temporary SQLite database with an immediate (inline) Huey queue."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def make_settings(data_dir: Path, **overrides):
    from pipeline.settings import Settings

    values = dict(data_dir=data_dir, queue_mode="immediate", video_min_short_side=360, frame_long_side=1024,
                  export_long_side=640, retry_base_delay=0.0, scoring_enable_pyiqa=False)
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path / "studio-data")


@pytest.fixture
def services(settings):
    from pipeline.services import build_services

    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def project(services):
    return services.projects.create("Test project", "16:9")


@pytest.fixture
def stand_in_engine():
    """Register a test's stand-in engine for the length of the test: ``stand_in_engine(kind, name, factory)``."""
    from pipeline.engines import registry
    from pipeline.engines.interfaces import EngineSpec

    added = []

    def register(kind, name, factory):
        registry.register(EngineSpec(kind, name, factory))
        added.append((kind, name))

    yield register
    for kind, name in added:
        registry.unregister(kind, name)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def launched_api_client(folder: Path):
    """The whole app launched in this process on a free port, and a gradio_client Client of its API."""
    from gradio_client import Client

    from pipeline.services import build_services
    from studio.ui import build_demo, launch_options

    services = build_services(make_settings(folder / "studio-data", port=_free_port()))
    demo = build_demo(services)
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(services))
    try:
        yield Client(f"http://127.0.0.1:{services.settings.port}/", verbose=False)
    finally:
        demo.close()
        services.close()

