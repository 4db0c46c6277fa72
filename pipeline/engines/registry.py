"""Finds engines by kind and name.

Each engine module lists what it offers in a module-level ``ENGINES`` (a sequence of interfaces.EngineSpec, or a
function returning one where the list comes from the provider catalog). The registry imports those modules by
name the first time it is asked — importing the pipeline stays cheap, and engine modules never import the
registry, so the dependency points one way only.
"""
from __future__ import annotations

import importlib
import threading
from typing import Any

from pipeline.engines.interfaces import EngineSpec
from pipeline.errors import EngineInputError

#: The engine modules that ship with the studio. Provider engines import their SDKs (openai, replicate, torch,
#: diffusers) only inside their methods, so listing them here costs nothing until one is used.
BUILTIN_MODULES = (
    "pipeline.engines.local_prompt",
    "pipeline.engines.local_previz",
    "pipeline.engines.local_photo",
    "pipeline.engines.local_motion",
    "pipeline.engines.openai_prompt",
    "pipeline.engines.openai_image",
    "pipeline.engines.replicate_image",
    "pipeline.engines.replicate_video",
    "pipeline.engines.diffusers_image",
    "pipeline.engines.diffusers_video",
)

KINDS = ("prompt", "frame", "photo", "video")
_ENGINES: dict[str, dict[str, EngineSpec]] = {kind: {} for kind in KINDS}
_LOADED = False
_LOAD_LOCK = threading.RLock()


def register(spec: EngineSpec) -> None:
    """Add (or replace) an engine — for engines that do not ship with the studio, and for tests."""
    if spec.kind not in _ENGINES:
        raise ValueError(f"Unknown engine kind '{spec.kind}' (one of {', '.join(KINDS)}).")
    _ENGINES[spec.kind][spec.name] = spec


def unregister(kind: str, name: str) -> None:
    """Remove an engine registered by hand (a test's stand-in); unknown names are ignored."""
    _ENGINES.get(kind, {}).pop(name, None)


def create(kind: str, name: str, settings: Any = None, **options: Any) -> Any:
    """Build an engine. With settings, an engine whose key or model folder is not configured is refused."""
    _load_builtin_engines()
    spec = _ENGINES[kind].get(name)
    if spec is None:
        known = ", ".join(available(kind, settings)) or "none"
        raise EngineInputError(f"Unknown {kind} engine '{name}'. Available: {known}.")
    if settings is not None and spec.configured is not None and not spec.configured(settings):
        missing = spec.missing(settings) if callable(spec.missing) else spec.missing
        raise EngineInputError(f"The {kind} engine '{name}' is not configured: {missing or 'see docs/PROVIDERS.md'}.")
    if spec.wants_settings:
        return spec.factory(settings=settings, **options)
    return spec.factory(**options)


def available(kind: str, settings: Any = None) -> list[str]:
    """Engine names of a kind; engines that need a key or a model folder only when `settings` configures it."""
    _load_builtin_engines()
    return sorted(name for name, spec in _ENGINES[kind].items()
                  if spec.configured is None or (settings is not None and spec.configured(settings)))


def preload() -> None:
    """Import the engine modules now (~0.3–0.5 s), when a process starts, instead of inside its first request or
    job; it also keeps job threads from racing through the lazy registry."""
    _load_builtin_engines()


def _specs_of(module_name: str) -> list[EngineSpec]:
    offered = getattr(importlib.import_module(module_name), "ENGINES")
    return list(offered() if callable(offered) else offered)


def _load_builtin_engines() -> None:
    global _LOADED
    if _LOADED:
        return
    # Concurrent first callers (web handlers, worker threads) must wait until every engine is listed.
    with _LOAD_LOCK:
        if _LOADED:
            return
        for module_name in BUILTIN_MODULES:
            for spec in _specs_of(module_name):
                # An engine registered by hand (a test's stand-in) keeps its place over the built-in one.
                _ENGINES[spec.kind].setdefault(spec.name, spec)
        _LOADED = True
