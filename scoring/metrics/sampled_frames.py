"""Base class of per-frame image metrics (helper module, not a metric).

Keeps ``config.iqa_frames`` frames (default 3, at 25/50/75 % of the clip),
reduced to ≤ ``config.iqa_max_side`` px — only those few small frames are held,
never the clip — and runs a pyiqa model on them as one batch in ``finish``.
Subclasses say which model (``model_for``) and how its raw score maps to 0–1.
"""

from __future__ import annotations

from ..config import ENV_DISABLE_PYIQA, env_disables_pyiqa
from . import Metric, MetricOutput


class SampledFramesMetric(Metric):
    requires = ("pyiqa",)

    @classmethod
    def unavailable_reason(cls, config, has_hero):
        if not config.enable_pyiqa:
            return "disabled (enable_pyiqa=False)"
        if env_disables_pyiqa():
            return f"disabled ({ENV_DISABLE_PYIQA}=1)"
        return super().unavailable_reason(config, has_hero)

    @classmethod
    def prepare(cls, config):
        from .. import pyiqa_backend

        pyiqa_backend.warm_async()  # the ~2 s import overlaps with decoding

    def __init__(self, clip):
        super().__init__(clip)
        n = max(1, clip.config.iqa_frames)
        total = clip.expected_frames or clip.info.frames
        if total > 0:
            self._targets = sorted({min(total - 1, round((i + 1) * total / (n + 1))) for i in range(n)})
        else:
            self._targets = [0]
        self._n = n
        self._frames: list = []
        self._last = None

    def _small(self, rgb):
        import cv2

        from ..video_io import scaled_size

        h, w = rgb.shape[:2]
        nw, nh = scaled_size(w, h, max_side=self.clip.config.iqa_max_side)
        if (nw, nh) == (w, h):
            return rgb.copy()
        return cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)

    def on_frame(self, frame, prev):
        if frame.index in self._targets:
            self._frames.append(self._small(frame.rgb))
        self._last = frame

    def sampled(self) -> list:
        frames = list(self._frames)
        if len(frames) < self._n and self._last is not None and (
            not frames or self._last.index > self._targets[len(frames) - 1]
        ):
            frames.append(self._small(self._last.rgb))  # clip shorter than expected
        return frames

    def run_model(self, metric, frames, **kwargs) -> list[float]:
        import numpy as np
        import torch

        from .. import pyiqa_backend

        device = pyiqa_backend.resolve_device(self.clip.config.device)
        batch = torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2).float().div_(255.0).to(device)
        with torch.no_grad():
            out = metric(batch, **kwargs)
        return [float(v) for v in out.reshape(-1).cpu()]

    def finish(self, summary):  # pragma: no cover - abstract
        raise NotImplementedError


def learned_output(metric: SampledFramesMetric, spec, frames, *, name: str, **kwargs) -> MetricOutput:
    """Run a learned pyiqa model (spec from :mod:`scoring.learned`) on
    ``frames``; value = mean raw score mapped from ``spec.score_range`` to 0–1."""
    from .. import pyiqa_backend
    from ..learned import locate

    files, missing = locate(spec, metric.clip.config.learned_dir())
    if missing:
        return MetricOutput(skipped_reason=f"weights not found: {', '.join(missing)}")
    try:
        model = pyiqa_backend.get_learned_metric(spec, files, metric.clip.config.device)
        raw = metric.run_model(model, frames, **kwargs)
    except Exception as exc:  # noqa: BLE001
        return MetricOutput(skipped_reason=f"{spec.key} failed: {type(exc).__name__}: {str(exc)[:200]}")
    lo, hi = spec.score_range
    mean = sum(raw) / len(raw)
    src = files.get("checkpoint") or files.get("clip")
    return MetricOutput(
        values={name: min(1.0, max(0.0, (mean - lo) / (hi - lo)))},
        details={f"{spec.key}_mean": mean, f"{spec.key}_min": min(raw), "iqa_frames": float(len(raw))},
        labels={f"{name}_model": f"pyiqa:{spec.pyiqa_name} ({src})"},
    )
