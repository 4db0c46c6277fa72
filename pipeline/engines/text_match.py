"""Tiny word-matching helpers shared by the rule-based engines (prompt enhancer, previz, motion planner)."""
from __future__ import annotations

import hashlib
import re


def find_phrase(text: str, pattern: str) -> re.Match[str] | None:
    """Search a lower-cased text for a regex that must start and end on word boundaries ("ring" misses "string")."""
    return re.search(rf"(?<![\w/])(?:{pattern})(?!\w)", text)


def mentions(text: str, pattern: str) -> bool:
    return find_phrase(text, pattern) is not None


def strip_phrases(text: str, pattern: str) -> str:
    """Remove every match, so later checks do not read e.g. the "blue" inside "blue hour" as a colour."""
    return re.sub(rf"(?<![\w/])(?:{pattern})(?!\w)", " ", text)


def stable_hash(text: str) -> int:
    """A 32-bit hash that is the same in every process (Python's hash() of a str is salted per process)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")
