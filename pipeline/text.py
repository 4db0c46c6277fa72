"""Text helpers for words that reach a person: messages must never reveal where the server keeps things."""
from __future__ import annotations

import re

# An absolute POSIX path of two or more parts, or a Windows drive path: shown as its last part only.
_POSIX_PATH = re.compile(r"(?<![\w.:/-])/(?:[\w.@+~-]+/)+([\w.@+~-]*)")
_WINDOWS_PATH = re.compile(r"\b[A-Za-z]:\\(?:[^\\\s'\"]+\\)*([^\\\s'\"]*)")


def strip_paths(message: str) -> str:
    """``message`` with every absolute path replaced by its file name (the user still knows which file)."""
    message = _POSIX_PATH.sub(lambda m: m.group(1) or "a server folder", message)
    return _WINDOWS_PATH.sub(lambda m: m.group(1) or "a server folder", message)
