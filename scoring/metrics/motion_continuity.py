"""motion_continuity — does the asked-for camera move run over the whole clip?

``camera_motion`` checks the first→last displacement, so a move that stops a
third of the way in and then holds (a common failure of image-to-video models),
or one that starts late, still "follows" the prompt — and as the held part is
perfectly stable, it even looks smoother and closer to the hero. This metric
looks at the move over time.

The same border midpoints as ``camera_motion`` are carried through the clip by
the chained camera motion of the shared pass (one per ~8 fps sample). Their
progress at sample ``k`` is the share of the whole move done so far:

    c_k = Σ_p ⟨x_p(k) − x_p(0), x_p(K) − x_p(0)⟩ / Σ_p |x_p(K) − x_p(0)|²

(projected on each point's own net displacement, so a zoom counts and shake
cancels). A move spread over the clip has ``c_k`` close to ``t_k = k / K``; the
largest gap ``D = max_k |c_k − t_k|`` (a Kolmogorov–Smirnov distance to a
uniform move) is ≈ 0.10 for a smoothstep ease in/out, ≈ 0.19 for a cubic one,
0.33–0.5 for a late start and 0.5–0.75 for a stall at 1/2 … 1/4. Easing is a
style, not a fault, so gaps up to ``EASING_ALLOWANCE`` are free:

    motion_continuity = 1 − max(0, D − EASING_ALLOWANCE) / (1 − EASING_ALLOWANCE)

Skipped (like ``camera_motion``) when the motion prompt names no move the rule
can judge, or asks for a still shot; 0 when a move was asked for but the camera
did not move at all (the ``frozen`` gate usually fires too).
"""

from __future__ import annotations

from ..camera import expected_moves
from . import MetricOutput, register
from .border_track import BorderTrackMetric

#: Gap to a uniform move that any reasonable easing may leave (cubic ease in/out ≈ 0.19).
EASING_ALLOWANCE = 0.22
#: A net move below this share of the short side counts as no move.
MIN_NET_MOVE = 0.005


@register
class MotionContinuity(BorderTrackMetric):
    name = "motion_continuity"
    dimensions = ("motion_continuity",)
    description = "Camera move spread over the whole clip (progress vs. a uniform move); catches stalls and late starts"

    def finish(self, summary):
        import numpy as np

        expected = expected_moves(self.clip.motion_prompt)
        if expected is None or "static" in expected[0]:
            return MetricOutput(skipped_reason="the motion prompt names no pan, tilt or zoom to follow over time")
        if len(self._track) < 4:
            return MetricOutput(skipped_reason="needs at least 4 sampled frames")
        track = np.stack(self._track)  # (samples, 4 points, 2)
        moved = track - track[0]
        net = moved[-1]
        norm = float((net * net).sum())
        short = float(min(self.clip.width, self.clip.height))
        if np.sqrt(norm / len(net)) < MIN_NET_MOVE * short:
            return MetricOutput(values={self.name: 0.0}, details={"continuity_gap": 1.0})
        progress = np.einsum("kpi,pi->k", moved, net) / norm
        uniform = np.linspace(0.0, 1.0, len(progress))
        gap = float(np.max(np.abs(progress - uniform)))
        value = 1.0 - max(0.0, gap - EASING_ALLOWANCE) / (1.0 - EASING_ALLOWANCE)
        started = np.flatnonzero(progress >= 0.05)
        done = np.flatnonzero(progress >= 0.95)
        return MetricOutput(
            values={self.name: min(1.0, max(0.0, value))},
            details={
                "continuity_gap": gap,
                # shares of the clip by which 5 % / 95 % of the move are done (≈ 0.15 / 0.85 for an eased move)
                "continuity_start_at": float(uniform[started[0]]) if started.size else 1.0,
                "continuity_done_at": float(uniform[done[0]]) if done.size else 1.0,
            },
        )
