"""Checks at the door: ids, whole numbers and finite numbers, with messages a person can act on.

Every value that comes from a client (the API, a UI field, a JSON argument) passes through here before it reaches
a query or a file: an id of 10^30 must read "does not exist", not overflow SQLite; NaN must be refused, not
stored as 0; "12abc" must be named as the bad value, not as Python's ``invalid literal for int()``.
"""
from __future__ import annotations

import math
from typing import Any

from pipeline.errors import InvalidInput

#: The largest id any back end stores (SQLite and PostgreSQL BIGINT are signed 64-bit).
MAX_ID = 2**63 - 1
#: Whole-number arguments beyond this are refused as nonsense (no count, index or version gets near it).
MAX_WHOLE = 2**53


def shown(value: Any, limit: int = 40) -> str:
    """A bad value as the user typed it, short enough for a message (never a type name or a repr of internals)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "not a number" if math.isnan(value) else ("infinity" if value > 0 else "minus infinity")
    text = value if isinstance(value, str) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def whole_number(value: Any) -> int | None:
    """``value`` as an int when it is a whole number (int, integral finite float, or such text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit() and len(text) < 40:
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if math.isfinite(number) and number.is_integer() else None
    return None


def as_id(value: Any) -> int | None:
    """The id ``value`` names, or None when it cannot name a row (not a whole number, < 1 or > MAX_ID)."""
    number = whole_number(value)
    return number if number is not None and 1 <= number <= MAX_ID else None


def require_whole(value: Any, name: str, low: int = -MAX_WHOLE, high: int = MAX_WHOLE) -> int:
    number = whole_number(value)
    if number is None:
        raise InvalidInput(f"{_label(name)} must be a whole number; got '{shown(value)}'.")
    if not low <= number <= high:
        raise InvalidInput(f"{_label(name)} must be between {low} and {high}; got {shown(value)}.")
    return number


def require_number(value: Any, name: str, low: float = -1e12, high: float = 1e12) -> float:
    """A finite number (int, float or numeric text) within [low, high]."""
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise InvalidInput(f"{_label(name)} must be a finite number; got '{shown(value)}'.")
    if not low <= number <= high:
        raise InvalidInput(f"{_label(name)} must be between {low:g} and {high:g}; got {number:g}.")
    return number


def require_finite_tree(value: Any, name: str) -> None:
    """Refuse NaN and infinities anywhere inside a JSON-like argument (lists and objects included)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{_label(name)} must be a finite number; got {shown(value)}.")
    if isinstance(value, dict):
        for key, item in value.items():
            require_finite_tree(item, f"{name}.{key}" if name else str(key))
    elif isinstance(value, (list, tuple)):
        for item in value:
            require_finite_tree(item, name)


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize() if name else "The value"


def check_keywords(fn: Any, operation: str, arguments: dict[str, Any], skip: int = 1) -> None:
    """Refuse arguments ``fn`` (an edit operation) does not take, and missing required ones, in the operation's
    own terms ("'set_grade' does not take 'bogus'; it takes: …") rather than Python's TypeError."""
    import inspect

    parameters = list(inspect.signature(fn).parameters.values())[skip:]
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    takes = ", ".join(names) or "no arguments"
    unknown = [key for key in arguments if key not in names]
    if unknown:
        raise InvalidInput(f"'{operation}' does not take {', '.join(repr(shown(k)) for k in unknown)}; it takes: "
                           f"{takes}.")
    missing = [p.name for p in parameters if p.name in names and p.default is p.empty and p.name not in arguments]
    if missing:
        raise InvalidInput(f"'{operation}' needs {', '.join(missing)} (it takes: {takes}).")
    require_finite_tree(arguments, "")
