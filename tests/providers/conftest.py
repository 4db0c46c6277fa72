"""Fixtures for the provider tests: loopback Replicate and OpenAI servers, planted keys, a hero image, real media."""
from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.providers.fakes import FakeOpenAI, FakeReplicate, make_mp4, make_png, write_hero

REPLICATE_TOKEN = "r8_test-PLANTED-replicate-456"
OPENAI_KEY = "sk-test-PLANTED-123"


@pytest.fixture(scope="session")
def mp4_bytes() -> bytes:
    return make_mp4()


@pytest.fixture(scope="session")
def png_bytes() -> bytes:
    return make_png((96, 64))


@pytest.fixture
def replicate_server(mp4_bytes):
    server = FakeReplicate(REPLICATE_TOKEN, mp4_bytes)
    yield server
    server.server.close()


@pytest.fixture
def openai_server(png_bytes):
    server = FakeOpenAI(OPENAI_KEY, png_bytes)
    yield server
    server.server.close()


@pytest.fixture
def hero(tmp_path):
    return write_hero(tmp_path / "hero.png")


@pytest.fixture
def provider_settings(tmp_path, replicate_server, openai_server):
    """Settings with both keys set, pointing at the loopback servers, with fast polls and no backoff waits."""

    def build(**overrides):
        values = {"replicate_api_token": REPLICATE_TOKEN, "replicate_base_url": replicate_server.url,
                  "openai_api_key": OPENAI_KEY, "openai_base_url": openai_server.url, "replicate_poll_interval": 0.01,
                  "replicate_timeout": 20.0, "provider_retry_delay": 0.0, "openai_max_retries": 0,
                  "openai_timeout": 5.0}
        values.update(overrides)
        return make_settings(tmp_path / "studio-data", **values)

    return build


@pytest.fixture
def studio(provider_settings):
    """A factory of services on the provider settings (extra settings as keyword arguments), closed afterwards."""
    from pipeline.services import build_services

    built = []

    def build(**overrides):
        services = build_services(provider_settings(**overrides))
        built.append(services)
        return services

    yield build
    for services in built:
        services.close()


@pytest.fixture
def empty_pipeline_cache():
    """No loaded pipeline from an earlier test (the LRU cache is process-wide), and none left behind."""
    from pipeline.providers.diffusers_run import release

    release()
    yield
    release()

