"""What every Replicate engine shares: cleanup of abandoned predictions and registration per catalog model.

The SDK is imported only inside the functions, so importing engines stays cheap.
"""
from __future__ import annotations

from typing import Any

from pipeline.engines.interfaces import EngineSpec
from pipeline.providers.catalog import load_catalog

MISSING_TOKEN = "set HFS_REPLICATE_API_TOKEN (or REPLICATE_API_TOKEN)"


class ReplicateAbandonMixin:
    """Cancel a prediction a finished job left running; returns the state with what it was charged."""

    spec: Any
    settings: Any

    def abandon(self, state: dict[str, Any]) -> dict[str, Any]:
        from pipeline.providers.replicate_run import abandon

        return abandon(self.spec, self.settings, state)


def _configured(settings: Any) -> bool:
    from pipeline.providers.replicate_run import configured

    return configured(settings)


def catalog_engines(kind: str, catalog_kind: str, engine_class: type) -> list[EngineSpec]:
    """One engine per Replicate model of `catalog_kind`, listed only once a token is configured."""
    return [EngineSpec(kind, spec.id, _factory(engine_class, spec), wants_settings=True, configured=_configured,
                       missing=MISSING_TOKEN) for spec in load_catalog().select("replicate", catalog_kind)]


def _factory(engine_class: type, spec: Any):
    def build(settings: Any = None):
        return engine_class(spec, settings)

    return build
