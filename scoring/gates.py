"""Hard gates: attempts that are broken, whatever their scores say.

Each failure is a string ``"<code>: <explanation>"`` with ``code`` one of
``GATE_CODES``; ranked groups put gated attempts last.

* ``black``     — at least ``BLACK_FRACTION`` of the frames are black or blank
  (uniform);
* ``frozen``    — motion was requested (see :func:`motion_expectation`) but the
  whole clip barely moves: mean top-5 % flow per ~8 fps pair below
  ``FROZEN_RATIO`` × VBench's dynamic threshold (≈ 0.25 px at 360p);
* ``truncated`` — fewer than ``TRUNCATED_FRACTION`` of the expected frames
  decoded (expected = the container's frame count, or ``expected_duration`` ×
  fps when given), or fewer than 2 frames;
* ``wrong_first_frame`` — a hero was given and the first frame does not match
  it: the coarse layout correlation (36-px luminance thumbnails) is below
  ``WRONG_FIRST_FRAME_LAYOUT`` and the first-frame score (``i2v_subject``'s
  ``first_frame_score`` detail) below ``WRONG_FIRST_FRAME_SCORE`` (not raised
  when the first frame is black: that is the ``black`` gate's business);
* ``stalled``   — a camera move was asked for and happened, but holds for a
  large part of the clip: its progress is further than ``STALLED_GAP`` from a
  move spread over the whole clip (``motion_continuity``'s ``continuity_gap``:
  a stop at 1/4, 1/3, 1/2 then a hold ≈ 0.74, 0.63, 0.47; a start after 1/3 of
  the clip ≈ 0.38; smoothstep easing ≈ 0.10, cubic ease in-out ≈ 0.19).
  Milder stalls and late starts are left to the ``motion_continuity`` dimension.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .analysis import BLACK_LUMA

GATE_CODES = ("black", "frozen", "truncated", "wrong_first_frame", "stalled")

BLACK_FRACTION = 0.30
FROZEN_RATIO = 0.03
TRUNCATED_FRACTION = 0.60
WRONG_FIRST_FRAME_LAYOUT = 0.50
WRONG_FIRST_FRAME_SCORE = 0.60
STALLED_GAP = 0.33

_STILL = re.compile(
    r"\b(static|still\s+(camera|shot|image|frame|photo)|no\s+(camera\s+)?(motion|movement)|"
    r"locked[-\s]?off|motionless|frozen|freeze\s*frame|tripod\s+shot|not\s+mov(e|ing))\b",
    re.IGNORECASE,
)


def motion_expectation(motion_prompt: str | None) -> bool | None:
    """``True`` when the motion prompt asks for motion, ``False`` when it asks
    for a still shot ("static camera", "no motion", "locked-off", ...),
    ``None`` when there is no motion prompt."""
    text = (motion_prompt or "").strip()
    if not text:
        return None
    return not _STILL.search(text)


def evaluate_gates(
    summary,
    dimensions: Mapping[str, float],
    details: Mapping[str, float],
    *,
    motion_expected: bool | None,
    has_hero: bool,
) -> list[str]:
    """Gate failures for one clip (``summary`` is an ``analysis.ClipSummary``)."""
    failures: list[str] = []
    n = summary.decoded_frames
    dark = max(summary.black_frames, summary.blank_frames)
    mostly_dark = n > 0 and dark / n >= 0.9
    if n and dark / n >= BLACK_FRACTION:
        kind = "black" if summary.black_frames >= summary.blank_frames else "blank (uniform)"
        failures.append(f"black: {dark} of {n} frames are {kind}")

    if motion_expected and summary.pair_top5 and not mostly_dark:
        ratio = summary.motion_ratio
        if ratio < FROZEN_RATIO:
            failures.append(
                f"frozen: the clip barely moves (mean top-5% flow {summary.mean_top5:.2f} px, "
                f"threshold {FROZEN_RATIO * summary.flow_threshold_px:.2f} px) although motion was requested"
            )

    frozen = any(f.startswith("frozen") for f in failures)
    stalled = details.get("continuity_gap", 0.0) >= STALLED_GAP and "continuity_done_at" in details
    if motion_expected and not frozen and stalled:
        failures.append(
            f"stalled: the camera move covers only part of the clip (5 % of it done at "
            f"{details.get('continuity_start_at', 0.0):.0%}, 95 % at {details['continuity_done_at']:.0%} of the clip)"
        )

    expected = summary.expected_frames
    if n < 2:
        failures.append(f"truncated: only {n} frame decoded")
    elif expected and n < TRUNCATED_FRACTION * expected and not summary.clipped:
        extra = f"; decoding stopped: {summary.decode_error}" if summary.decode_error else ""
        failures.append(
            f"truncated: decoded {n} of {expected} expected frames ({summary.decoded_seconds:.1f} s){extra}")

    if has_hero and "first_frame_layout_corr" in details:
        first_dark = summary.first_luma < BLACK_LUMA
        layout = details["first_frame_layout_corr"]
        score = details.get("first_frame_score", 1.0)
        if not first_dark and layout < WRONG_FIRST_FRAME_LAYOUT and score < WRONG_FIRST_FRAME_SCORE:
            failures.append(
                f"wrong_first_frame: first frame does not match the hero "
                f"(layout correlation {layout:.2f}, SSIM {details.get('first_frame_ssim', 0.0):.2f}, "
                f"score {score:.2f})"
            )
    return failures
