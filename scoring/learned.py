"""The learned tier: pyiqa metrics whose weights sit in a local folder.

Nothing is ever downloaded. A deployment that has the weight files puts them
in one folder (``ScoringConfig.learned_metrics_dir``, ``$SCORING_LEARNED_DIR``,
the studio's ``HFS_LEARNED_METRICS_DIR`` or ``--learned-dir``), in either
layout:

* flat: ``<dir>/musiq_spaq_ckpt-358bb6af.pth``, ``<dir>/ViT-L-14.pt``, …
* the caches pyiqa and CLIP fill themselves: ``<dir>/pyiqa/<file>`` or
  ``<dir>/torch/hub/pyiqa/<file>`` for pyiqa checkpoints and
  ``<dir>/clip/<file>`` for OpenAI CLIP backbones — so pointing the folder at
  a machine's ``~/.cache`` works.

:func:`locate` checks every file a metric needs *before* anything is imported
or built, so a missing file is reported at once (in ``metrics_skipped``)
instead of a download that stalls in retries. Building is done by
:func:`scoring.pyiqa_backend.get_learned_metric`. Stdlib only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LearnedSpec:
    #: Our name for the model.
    key: str
    #: pyiqa metric name.
    pyiqa_name: str
    #: pyiqa checkpoint file name (as pyiqa's own cache names it), or "".
    checkpoint: str
    #: OpenAI CLIP backbone the architecture loads at construction, or "".
    clip_backbone: str
    #: How the checkpoint is loaded: "pretrained_model_path" (pyiqa's option),
    #: "submodule" (into ``net.<submodule>``) or "" (no checkpoint).
    load: str
    submodule: str = ""
    #: Value range of the raw score, mapped linearly to 0–1.
    score_range: tuple[float, float] = (0.0, 1.0)


#: VBench's imaging quality is MUSIQ trained on SPAQ (0–100); its aesthetic
#: quality the LAION aesthetic predictor (CLIP ViT-L/14 + MLP, 1–10, VBench
#: divides by 10); prompt alignment CLIPScore (ViT-B/32, 2.5·max(cos, 0)).
SPECS: dict[str, LearnedSpec] = {
    "musiq-spaq": LearnedSpec(
        "musiq-spaq", "musiq-spaq", "musiq_spaq_ckpt-358bb6af.pth", "", "pretrained_model_path",
        score_range=(0.0, 100.0)
    ),
    "laion_aes": LearnedSpec(
        "laion_aes", "laion_aes", "sac+logos+ava1-l14-linearMSE.pth", "ViT-L/14", "submodule", "mlp", (0.0, 10.0)
    ),
    "clipscore": LearnedSpec("clipscore", "clipscore", "", "ViT-B/32", "", score_range=(0.0, 2.5)),
}


def clip_file_name(backbone: str) -> str:
    """OpenAI CLIP's file name for a backbone ("ViT-L/14" → "ViT-L-14.pt")."""
    return backbone.replace("/", "-") + ".pt"


def _find(folder: Path, name: str, subdirs: tuple[str, ...]) -> Path | None:
    for sub in subdirs:
        p = folder / sub / name if sub else folder / name
        if p.is_file() and p.stat().st_size > 0:
            return p
    return None


def locate(spec: LearnedSpec, folder: str | os.PathLike | None) -> tuple[dict[str, Path], list[str]]:
    """``(found, missing)``: ``found`` maps "checkpoint" / "clip" to files,
    ``missing`` lists what is not there (paths as a person would look for them)."""
    found: dict[str, Path] = {}
    missing: list[str] = []
    if not folder:
        return found, ["no learned-metrics folder configured"]
    root = Path(folder).expanduser()
    if not root.is_dir():
        return found, [f"learned-metrics folder {root} does not exist"]
    if spec.checkpoint:
        p = _find(root, spec.checkpoint, ("", "pyiqa", os.path.join("torch", "hub", "pyiqa")))
        if p is None:
            missing.append(str(root / spec.checkpoint))
        else:
            found["checkpoint"] = p
    if spec.clip_backbone:
        name = clip_file_name(spec.clip_backbone)
        p = _find(root, name, ("", "clip"))
        if p is None:
            missing.append(str(root / "clip" / name))
        else:
            found["clip"] = p
    return found, missing


def missing_reason(spec: LearnedSpec, folder: str | os.PathLike | None) -> str | None:
    """Why ``spec`` cannot be built from ``folder`` (``None`` = all files found)."""
    if not folder:
        return "no learned-metrics folder configured (learned tier off)"
    _, missing = locate(spec, folder)
    if not missing:
        return None
    if missing[0].startswith("learned-metrics folder"):
        return missing[0]
    return f"weights not found: {', '.join(missing)}"
