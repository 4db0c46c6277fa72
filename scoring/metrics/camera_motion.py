"""camera_motion — does the camera do what the motion prompt asked for?

VBench-I2V tracks a 10×10 grid with CoTracker and applies a border rule to the
first→last displacement of the middle point of each border (see
:mod:`scoring.camera`). Here the points are carried through the clip by the
global camera motion that the shared pass fits to each ~8 fps DIS flow (a
RANSAC similarity transform, chained from the first frame): the top, bottom,
left and right border midpoints (inset by 1/64 of the width, like CoTracker's
grid) are mapped to the last sampled frame and classified with VBench-I2V's
thresholds and tables.

Consistency check: random shake can push a border point past the 0.5 %
threshold and be read as a tilt or pan. For each point and axis, a straight
line is fitted to its path over the sampled frames; the component counts only
if that trend is significant (``|slope| / se(slope) ≥ MIN_TREND_T``, a t-test:
jitter alone passes ≈ 0.3 % of the time) and points the same way as the
first→last displacement. A sustained move — eased, or with shake on top —
passes easily; components that fail are treated as no motion (and reported in
``labels["camera_motion_unconfirmed"]``).

``camera_motion = 1`` when one of the labels the prompt accepts (``expected``)
is among the detected labels, else 0 — VBench-I2V's per-video score. Skipped
when the prompt names no move the rule can judge (orbit, handheld, none).
"""

from __future__ import annotations

from ..camera import classify, expected_moves
from . import MetricOutput, register
from .border_track import BorderTrackMetric

MIN_TREND_T = 3.0
POINTS = ("top", "bottom", "left", "right")


@register
class CameraMotion(BorderTrackMetric):
    name = "camera_motion"
    dimensions = ("camera_motion",)
    description = ("VBench-I2V border rule on flow-tracked border points, checked for consistency; "
                   "1 if it matches the motion prompt")

    def finish(self, summary):
        import numpy as np

        expected = expected_moves(self.clip.motion_prompt)
        labels: dict[str, str] = {}
        if len(self._track) < 3:
            return MetricOutput(skipped_reason="needs at least 3 sampled frames")
        track = np.stack(self._track)  # (samples, 4, 2)
        net = track[-1] - track[0]
        tstat = _trend_t(track)
        short = float(min(self.clip.width, self.clip.height))
        consistent = np.where(tstat >= MIN_TREND_T, net, 0.0)
        detected = classify({k: consistent[i] for i, k in enumerate(POINTS)}, short)
        raw = classify({k: net[i] for i, k in enumerate(POINTS)}, short)
        labels["camera_motion_detected"] = ",".join(detected)
        if raw != detected:
            labels["camera_motion_unconfirmed"] = ",".join(x for x in raw if x not in detected) or "static"
        moving = np.abs(net) > 0.005 * short
        details = {
            "camera_trend_t_min": float(min(tstat[moving].min(), 1e3)) if moving.any() else 1e3,
            "camera_zoom_ratio": float(_scale(self._p0, track[-1])),
            "camera_shift_x": float(np.mean(net[:, 0]) / short),
            "camera_shift_y": float(np.mean(net[:, 1]) / short),
        }
        if not self.clip.motion_prompt.strip():
            return MetricOutput(skipped_reason="no motion prompt given", labels=labels, details=details)
        if expected is None:
            return MetricOutput(
                skipped_reason="the motion prompt names no pan, tilt, zoom or static shot",
                labels=labels, details=details
            )
        accepted, phrase = expected
        labels["camera_motion_expected"] = ",".join(accepted)
        labels["camera_motion_phrase"] = phrase
        value = 1.0 if any(a in detected for a in accepted) else 0.0
        return MetricOutput(values={self.name: value}, details=details, labels=labels)


def _trend_t(track):
    """Per point and axis: t statistic of a straight-line trend over the
    samples, signed by agreement with the first→last displacement (a trend
    pointing the other way gives a negative t)."""
    import numpy as np

    n = track.shape[0]
    t = np.arange(n, dtype=np.float64)
    tc = t - t.mean()
    sxx = float((tc * tc).sum())
    y = track - track.mean(axis=0)
    slope = np.tensordot(tc, y, axes=(0, 0)) / sxx
    resid = y - tc[:, None, None] * slope
    dof = max(1, n - 2)
    se = np.sqrt((resid * resid).sum(axis=0) / dof / sxx)
    tval = np.abs(slope) / np.maximum(se, 1e-9)
    same_way = np.sign(slope) == np.sign(track[-1] - track[0])
    return np.where(same_way, tval, -tval)


def _scale(p0, p1) -> float:
    """Ratio of the border points' spread, last vs first (> 1: zoom in)."""
    import numpy as np

    d0 = np.linalg.norm(p0[0] - p0[1]) + np.linalg.norm(p0[2] - p0[3])
    d1 = np.linalg.norm(p1[0] - p1[1]) + np.linalg.norm(p1[2] - p1[3])
    return d1 / d0 if d0 > 0 else 1.0
