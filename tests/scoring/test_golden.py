"""Golden values: the reference images that ship in pyiqa's wheel
(``ResultsCalibra/dist_dir`` vs ``ref_dir``) reproduce the values published in
pyiqa's ``ResultsCalibra/calibration_summary.csv`` for the weight-free metrics
the scorer uses: pyiqa's PIQE (``imaging_quality``) and our OpenCV SSIM
(``scoring.imageops.ssim``, used by ``i2v_subject``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

IMAGES = ("I03", "I04", "I06", "I08", "I19")
#: calibration_summary.csv: "<metric>" = the original (MATLAB) implementation,
#: "<metric>(ours)" = pyiqa's own.
PUBLISHED = {
    "piqe": (100.0, 21.62, 35.86, 41.15, 76.95),
    "piqe(ours)": (100.0, 21.6242, 35.8646, 41.147, 76.9485),
    "ssim": (0.6993, 0.9978, 0.9989, 0.9669, 0.6519),
    "ssim(ours)": (0.6997, 0.9978, 0.9989, 0.9671, 0.6522),
}


def _calibra() -> Path:
    spec = importlib.util.find_spec("pyiqa")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        pytest.skip("pyiqa is not installed")
    root = Path(next(iter(spec.submodule_search_locations))).parent / "ResultsCalibra"
    if not (root / "dist_dir" / "I03.bmp").is_file():  # pragma: no cover
        pytest.skip("pyiqa's ResultsCalibra images are not in this install")
    return root


def _gray(path: Path) -> np.ndarray:
    import cv2
    from PIL import Image

    return cv2.cvtColor(np.asarray(Image.open(path).convert("RGB")), cv2.COLOR_RGB2GRAY)


def test_ssim_reproduces_published_values():
    from scoring.imageops import ssim

    root = _calibra()
    ours = [ssim(_gray(root / "dist_dir" / f"{n}.bmp"), _gray(root / "ref_dir" / f"{n}.bmp"), valid=True, relu=True)
            for n in IMAGES]
    plain = [ssim(_gray(root / "dist_dir" / f"{n}.bmp"), _gray(root / "ref_dir" / f"{n}.bmp"), valid=True)
             for n in IMAGES]
    assert ours == pytest.approx(PUBLISHED["ssim(ours)"], abs=1e-4)  # pyiqa's implementation
    assert plain == pytest.approx(PUBLISHED["ssim"], abs=2e-4)  # the original MATLAB one


def test_piqe_reproduces_published_values():
    from scoring import pyiqa_backend

    if pyiqa_backend.import_error():  # pragma: no cover
        pytest.skip(pyiqa_backend.import_error())
    import torch
    from PIL import Image

    root = _calibra()
    metric = pyiqa_backend.get_metric("piqe", "cpu")
    values = []
    for n in IMAGES:
        rgb = np.asarray(Image.open(root / "dist_dir" / f"{n}.bmp").convert("RGB"))
        x = torch.from_numpy(rgb.copy()).permute(2, 0, 1)[None].float() / 255.0
        with torch.no_grad():
            values.append(float(metric(x)))
    assert values == pytest.approx(PUBLISHED["piqe(ours)"], abs=1e-3)
    assert values == pytest.approx(PUBLISHED["piqe"], abs=0.01)
