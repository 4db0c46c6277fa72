"""Loaded pipelines kept between jobs: an LRU cache keyed by model folder + memory profile + device.

Loading a 14B video model reads tens of GiB from disk; the attempts of a group (and the next group) reuse it. The
cache holds at most `capacity` pipelines; loading another model first releases the least recently used ones, so
two large models never sit on the GPU together. One load per key at a time; GPU work is serialised per device
(device_lock), so two worker threads never load or run on the same card at once.
"""
from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Hashable

from pipeline.models.planner import Plan


@dataclass
class LoadedPipeline:
    pipe: Any
    device: str
    dtype: Any
    plan: Plan

    @property
    def profile(self) -> str:
        return self.plan.profile


class PipelineCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, LoadedPipeline] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, load: Callable[[], LoadedPipeline], capacity: int = 1) -> LoadedPipeline:
        """The cached pipeline for `key`, or load(): older entries beyond capacity - 1 are released first."""
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key]
            self._shrink(max(0, capacity - 1))
            loaded = load()
            with self._lock:
                self._entries[key] = loaded
            return loaded

    def drop(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)
        release_memory()

    def clear(self) -> None:
        self._shrink(0)

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._entries)

    def loaded(self) -> list[LoadedPipeline]:
        """What is loaded now, least recently used first."""
        with self._lock:
            return list(self._entries.values())

    def _shrink(self, keep: int) -> None:
        with self._lock:
            dropped = 0
            while len(self._entries) > keep:
                self._entries.popitem(last=False)
                dropped += 1
        if dropped:
            release_memory()


_DEVICE_LOCKS: dict[str, threading.Lock] = {}
_DEVICE_LOCKS_GUARD = threading.Lock()
CACHE = PipelineCache()


def device_lock(device: str) -> threading.Lock:
    """One lock per device: GPU jobs (load and run) take turns on a card."""
    with _DEVICE_LOCKS_GUARD:
        return _DEVICE_LOCKS.setdefault(device, threading.Lock())


def release_memory() -> None:
    """Give memory back once pipelines were dropped (CUDA cache included)."""
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:  # pragma: no cover - torch is installed with the studio
        pass
