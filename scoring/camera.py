"""Camera moves: what the motion prompt asks for, and VBench-I2V's border rule.

Labels are VBench-I2V's: ``pan_left``, ``pan_right``, ``tilt_up``,
``tilt_down``, ``zoom_in``, ``zoom_out``, ``static``. Directions are the
camera's: when the camera pans right, content slides left in the frame.

:func:`expected_moves` reads a free-text motion prompt ("slow push-in", "pan to
the left", "locked-off shot") and returns the labels that satisfy it (a bare
"pan" accepts either direction) with the phrase that asked for it — or
``None`` when the prompt names no move the rule can check (orbit, handheld,
no prompt). Stdlib only.

:func:`classify` is VBench-I2V's rule (``vbench2_beta_i2v/camera_motion.py``):
the first→last displacement of the middle point of the top, bottom, left and
right border is thresholded at 0.5 % of the short side into
left/right/up/down/static, and pairs are mapped with its fixed tables, e.g.
top up & bottom down → ``zoom_in``, both left → ``pan_right``. Several labels
can hold at once (a diagonal move is a pan and a tilt); ``static`` only when
nothing else does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

LABELS = ("pan_left", "pan_right", "tilt_up", "tilt_down", "zoom_in", "zoom_out", "static")

#: VBench-I2V: a border point "moves" when its displacement exceeds this
#: fraction of the short side.
MOVE_THRESHOLD = 0.005

_SIDE = r"(?:\s+to(?:\s+the)?)?\s*"
#: (regex, accepted labels). The earliest phrase in the prompt wins; at equal
#: positions, the first entry (the more specific one) wins.
_PATTERNS: list[tuple[str, tuple[str, ...]]] = [
    (
        (
            r"\b(?:push(?:es|ing|ed)?|zoom(?:s|ing|ed)?|dolly(?:ing)?|punch(?:es|ing)?|creep(?:s|ing)?|close)"
            r"[\s-]*(?:in|into|closer|forward|towards?)\b|\bmove[sd]?\s+(?:in|closer)\b"
        ),
        ("zoom_in",),
    ),
    (
        (
            r"\b(?:pull(?:s|ing|ed)?|zoom(?:s|ing|ed)?|dolly(?:ing)?|draw(?:s|ing)?)[\s-]*(?:out|back|away)\b|"
            r"\bmove[sd]?\s+(?:out|back|away)\b|\breveal(?:s|ing)?\b"
        ),
        ("zoom_out",),
    ),
    (r"\b(?:pan|truck|track|crab|slide)(?:s|ning|ing|bing|ed)?" + _SIDE + r"left(?:wards?)?\b", ("pan_left",)),
    (r"\b(?:pan|truck|track|crab|slide)(?:s|ning|ing|bing|ed)?" + _SIDE + r"right(?:wards?)?\b", ("pan_right",)),
    (r"\b(?:tilt|crane|boom|pedestal|jib)(?:s|ing|ed)?\s*up(?:wards?)?\b|\brising shot\b", ("tilt_up",)),
    (r"\b(?:tilt|crane|boom|pedestal|jib)(?:s|ing|ed)?\s*down(?:wards?)?\b|\bdescend(?:s|ing)?\b", ("tilt_down",)),
    (
        (
            r"\b(?:static|locked[\s-]?off|lock[\s-]?off|still\s+(?:camera|shot|frame)|tripod|fixed\s+camera|"
            r"no\s+(?:camera\s+)?(?:movement|motion)|stationary(?:\s+camera)?|motionless)\b"
        ),
        ("static",),
    ),
    (r"\b(?:push(?:es|ing)?|zoom(?:s|ing)?|dolly(?:ing)?)\b", ("zoom_in",)),
    (r"\bpan(?:s|ning)?\b", ("pan_left", "pan_right")),
    (r"\btilt(?:s|ing)?\b", ("tilt_up", "tilt_down")),
]
_COMPILED = [(re.compile(p, re.IGNORECASE), labels) for p, labels in _PATTERNS]
#: Moves the border rule cannot judge: when one of these comes first, nothing is expected.
_UNCHECKABLE = re.compile(r"\b(?:orbit|arc|circl|turntable|rotat|hand-?held|shaky|roll)", re.IGNORECASE)


def expected_moves(motion_prompt: str | None) -> tuple[tuple[str, ...], str] | None:
    """``(accepted labels, phrase)`` for a motion prompt, or ``None``."""
    text = (motion_prompt or "").strip()
    if not text:
        return None
    best = None
    for order, (rx, labels) in enumerate(_COMPILED):
        m = rx.search(text)
        if m and (best is None or (m.start(), order) < (best[0], best[1])):
            best = (m.start(), order, labels, m.group(0).strip())
    other = _UNCHECKABLE.search(text)
    if best is None or (other is not None and other.start() < best[0]):
        return None
    return best[2], best[3]


def _direction(dx: float, dy: float, scale: float) -> list[str]:
    out = []
    if dx > scale:
        out.append("right")
    elif dx < -scale:
        out.append("left")
    if dy > scale:
        out.append("down")
    elif dy < -scale:
        out.append("up")
    return out or ["static"]


_TOP_DOWN = {
    "left_left": "pan_right", "right_right": "pan_left", "down_down": "tilt_up", "up_up": "tilt_down",
    "up_down": "zoom_in", "down_up": "zoom_out", "static_static": "static",
}
_LEFT_RIGHT = {
    "left_left": "pan_right", "right_right": "pan_left", "down_down": "tilt_up", "up_up": "tilt_down",
    "left_right": "zoom_in", "right_left": "zoom_out", "static_static": "static",
}


def classify(displacements: Mapping[str, Sequence[float]], short_side: float) -> list[str]:
    """VBench-I2V's labels from the first→last displacement ``(dx, dy)`` (px)
    of the ``top``, ``bottom``, ``left`` and ``right`` border points."""
    scale = MOVE_THRESHOLD * short_side
    d = {k: _direction(float(v[0]), float(v[1]), scale) for k, v in displacements.items()}

    def pairs(a, b, table):
        found = [table[f"{x}_{y}"] for x in a for y in b if f"{x}_{y}" in table]
        return found or ["None"]

    results = set(pairs(d["top"], d["bottom"], _TOP_DOWN) + pairs(d["left"], d["right"], _LEFT_RIGHT))
    if "static" in results and len(results) > 1:
        results.discard("static")
    if "None" in results and len(results) > 1:
        results.discard("None")
    return sorted(results)
