"""Lazy, offline-safe access to pyiqa (optional tier).

pyiqa (PolyForm Noncommercial 1.0.0 since 2026-04) is only imported when a
metric needs it, never at ``import scoring``. Deployments that may not use it
switch it off with ``enable_pyiqa=False`` or ``SCORING_DISABLE_PYIQA=1``; the
rest of the scorer does not depend on it.

Two traps are handled here:

* the registry's torchvision is a CUDA build; next to a CPU torch its import
  fails with ``operator torchvision::nms does not exist``. When its compiled
  ops cannot load, the two operator schemas (``torchvision::nms`` and
  ``torchvision::qnms``) are defined before the first torchvision import so
  its pure-Python parts import (detection ops stay unusable; pyiqa's
  weight-free metrics do not need them);
* metrics that need weights would try to download them and hang in retries:
  ``HF_HUB_OFFLINE=1`` is set (unless already set) and only weight-free
  metrics (``WEIGHT_FREE_METRICS``) are ever created.

The import can run in a background thread (``warm_async``) so that its ~1.5–2.5 s
overlaps with decoding; callers then block in ``get_metric``.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import sys
import threading
import warnings

#: pyiqa metrics that need no weight or parameter file (verified offline).
WEIGHT_FREE_METRICS = frozenset(
    {"piqe", "psnr", "psnry", "ssim", "ssimc", "ms_ssim", "cw_ssim", "gmsd", "fsim", "vif", "vsi", "nlpd", "mad", "entropy"}
)

_lock = threading.RLock()
_state: dict = {"module": None, "error": None, "metrics": {}}
_shim_library = None  # keeps the torch.library.Library alive
_warm_thread: threading.Thread | None = None


def _has_schema(name: str) -> bool:
    import torch

    try:
        torch._C._dispatch_find_schema_or_throw(name, "")
        return True
    except RuntimeError:
        return False


def ensure_torchvision_importable() -> None:
    """Make ``import torchvision`` work next to a CPU torch (see module doc).

    Does nothing if torchvision is already imported, if its compiled ops load,
    or if the schemas already exist."""
    global _shim_library
    if "torchvision" in sys.modules:
        return
    import torch

    if _has_schema("torchvision::nms"):
        return
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.origin:
        return  # not installed: the pyiqa import reports it
    for lib in sorted(glob.glob(os.path.join(os.path.dirname(spec.origin), "_C*.so"))):
        try:
            torch.ops.load_library(lib)
        except (OSError, RuntimeError):
            break
        if _has_schema("torchvision::nms"):
            return
    library = torch.library.Library("torchvision", "DEF")
    for op in ("nms", "qnms"):
        if not _has_schema(f"torchvision::{op}"):
            library.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _shim_library = library


def _import() -> None:
    """Import pyiqa once (thread-safe); records the failure reason."""
    with _lock:
        if _state["module"] is not None or _state["error"] is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ensure_torchvision_importable()
                import pyiqa

            _state["module"] = pyiqa
        except Exception as exc:  # noqa: BLE001 - ImportError, RuntimeError from torch/torchvision, ...
            _state["error"] = f"pyiqa unavailable: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"


def warm_async() -> None:
    """Start importing pyiqa in a daemon thread (no-op if done or started)."""
    global _warm_thread
    with _lock:
        if _state["module"] is not None or _state["error"] is not None:
            return
        if _warm_thread is not None and _warm_thread.is_alive():
            return
        _warm_thread = threading.Thread(target=_import, name="scoring-pyiqa-import", daemon=True)
        _warm_thread.start()


def import_error() -> str | None:
    """``None`` if pyiqa imports, else the reason (imports it if needed)."""
    _import()
    return _state["error"]


def get_metric(name: str):
    """A cached pyiqa metric on CPU, or raise ``RuntimeError`` with the reason.

    Only weight-free metrics are created: anything else would try to download
    weights, which this project never does."""
    if name not in WEIGHT_FREE_METRICS:
        raise RuntimeError(f"pyiqa metric {name!r} needs weights; only weight-free metrics are used")
    _import()
    with _lock:
        if _state["error"] is not None:
            raise RuntimeError(_state["error"])
        metric = _state["metrics"].get(name)
        if metric is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                metric = _state["module"].create_metric(name, device="cpu")
            _state["metrics"][name] = metric
        return metric
