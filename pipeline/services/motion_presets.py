"""Motion prompt presets and the recommended negative prompt shown in the attempts tab (data, not logic)."""

MOTION_PRESETS: dict[str, str] = {
    "Slow push-in": "slow push in toward the subject, smooth and steady",
    "Gentle pull-out": "gentle pull out revealing the scene, smooth",
    "Pan left": "slow pan left across the scene",
    "Pan right": "slow pan right across the scene",
    "Tilt up": "slow tilt up, steady",
    "Dolly with parallax": "dolly in with parallax between foreground and background",
    "Orbit": "slow orbit around the subject, turntable feel",
    "Handheld": "handheld camera, subtle natural shake, documentary feel",
    "Static": "static locked-off shot, subtle life",
    "Dramatic push-in": "fast dramatic push in",
}

DEFAULT_NEGATIVE_PROMPT = "shaky, jitter, flicker, warping, distorted product, fast movements, blurry"
