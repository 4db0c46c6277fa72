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
  ``HF_HUB_OFFLINE=1`` is set (unless already set), :func:`get_metric` only
  creates weight-free metrics (``WEIGHT_FREE_METRICS``), and learned metrics
  are only created by :func:`get_learned_metric` from files that
  :mod:`scoring.learned` found beforehand — with every download function of
  pyiqa and CLIP replaced by one that raises at once while they are built.

The import can run in a background thread (``warm_async``) so that its ~1.5–2.5 s
overlaps with decoding; callers then block in ``get_metric``.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import io
import os
import sys
import threading
import warnings

#: pyiqa metrics that need no weight or parameter file (verified offline).
WEIGHT_FREE_METRICS = frozenset(
    {"piqe", "psnr", "psnry", "ssim", "ssimc", "ms_ssim", "cw_ssim", "gmsd", "fsim", "vif", "vsi", "nlpd", "mad",
     "entropy"}
)

_lock = threading.RLock()
_state: dict = {"module": None, "error": None, "metrics": {}}
_shim_library = None  # keeps the torch.library.Library alive
_shim_lock = threading.Lock()  # two threads defining the namespace at once crash ("Only a single TORCH_LIBRARY")
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
    if "torchvision" in sys.modules:
        return
    with _shim_lock:
        _define_torchvision_schemas()


def _define_torchvision_schemas() -> None:
    global _shim_library
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
            first_line = str(exc).splitlines()[0][:200] if str(exc) else ""
            _state["error"] = f"pyiqa unavailable: {type(exc).__name__}: {first_line}"


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


def resolve_device(device: str | None = None) -> str:
    """``device`` or, when ``None``/``"auto"``, CUDA if available else CPU."""
    if device and device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def get_metric(name: str, device: str | None = None):
    """A cached weight-free pyiqa metric, or raise ``RuntimeError`` with the reason.

    Only weight-free metrics are created here: anything else would try to
    download weights (see :func:`get_learned_metric`)."""
    if name not in WEIGHT_FREE_METRICS:
        raise RuntimeError(f"pyiqa metric {name!r} needs weights; only weight-free metrics are used")
    _import()
    with _lock:
        if _state["error"] is not None:
            raise RuntimeError(_state["error"])
        dev = resolve_device(device)
        metric = _state["metrics"].get((name, dev))
        if metric is None:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                metric = _state["module"].create_metric(name, device=dev)
            _state["metrics"][(name, dev)] = metric
        return metric


def _blocked(*args, **kwargs):
    raise RuntimeError("download attempted while building a learned metric (downloads are off; weights must be local)")


@contextlib.contextmanager
def _offline_build(clip_files: dict):
    """While a learned metric is built: every pyiqa / CLIP download raises at
    once, and ``clip.load(name)`` loads the local file found for ``name``."""
    import importlib

    patches = []

    def patch(module_name: str, attr: str, value) -> None:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return
        if hasattr(module, attr):
            patches.append((module, attr, getattr(module, attr)))
            setattr(module, attr, value)

    patch("pyiqa.utils.download_util", "download_url_to_file", _blocked)
    patch("pyiqa.utils.download_util", "load_file_from_url", _blocked)
    patch("pyiqa.archs.arch_util", "load_file_from_url", _blocked)
    patch("torch.hub", "download_url_to_file", _blocked)
    patch("torch.hub", "load_state_dict_from_url", _blocked)
    if clip_files:
        import clip as clip_pkg

        original = clip_pkg.load

        def local_load(name, device=None, jit=False, download_root=None):
            path = clip_files.get(name) or (name if os.path.isfile(str(name)) else None)
            if path is None:
                raise RuntimeError(f"CLIP backbone {name!r} is not in the learned-metrics folder (downloads are off)")
            if device is None:
                device = resolve_device(None)
            if _is_torchscript(path):  # OpenAI's released files
                return original(str(path), device=device, jit=jit)
            return _clip_from_state_dict(path, device)

        patch("clip", "load", local_load)
        patch("clip.clip", "load", local_load)
        patch("clip.clip", "_download", _blocked)
    try:
        yield
    finally:
        for module, attr, value in reversed(patches):
            setattr(module, attr, value)


def _is_torchscript(path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return any(n.endswith("constants.pkl") for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _clip_from_state_dict(path, device):
    """A CLIP model from a plain ``torch.save(state_dict)`` file (``clip.load``
    only reads those correctly when they are TorchScript archives)."""
    import torch
    from clip.clip import _transform
    from clip.model import build_model

    state = torch.load(str(path), map_location="cpu", weights_only=True)
    model = build_model(state).to(device)
    if str(device) == "cpu":
        model.float()
    return model, _transform(model.visual.input_resolution)


def get_learned_metric(spec, files: dict, device: str | None = None):
    """A cached learned pyiqa metric built from local files only.

    ``spec`` is a :class:`scoring.learned.LearnedSpec`, ``files`` what
    :func:`scoring.learned.locate` found (checkpoint and CLIP backbone paths).
    Raises ``RuntimeError`` (never downloads, never retries)."""
    _import()
    with _lock:
        if _state["error"] is not None:
            raise RuntimeError(_state["error"])
        dev = resolve_device(device)
        key = (spec.key, tuple(sorted((k, str(v)) for k, v in files.items())), dev)
        metric = _state["metrics"].get(key)
        if metric is not None:
            return metric
        pyiqa = _state["module"]
        clip_files = {spec.clip_backbone: str(files["clip"])} if spec.clip_backbone else {}
        with warnings.catch_warnings(), _offline_build(clip_files), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            if spec.load == "pretrained_model_path":
                metric = pyiqa.create_metric(spec.pyiqa_name, device=dev,
                                             pretrained_model_path=str(files["checkpoint"]))
            elif spec.load == "submodule":
                from pyiqa.archs.arch_util import load_pretrained_network

                metric = pyiqa.create_metric(spec.pyiqa_name, device=dev, pretrained=False)
                load_pretrained_network(getattr(metric.net, spec.submodule), str(files["checkpoint"]), True)
                metric.net.to(dev)
            else:
                metric = pyiqa.create_metric(spec.pyiqa_name, device=dev)
        metric.eval()
        _state["metrics"][key] = metric
        return metric
