"""Reading numbers and ids from form input, which may arrive as strings, floats or garbage.

Each helper raises ValueError for anything it cannot read; the calling service turns that into
the message its field needs.
"""

from __future__ import annotations

import math


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number(value: object, low: float, high: float) -> float:
    """A finite number in [low, high]; a decimal comma is accepted."""
    if isinstance(value, bool) or value is None:
        raise ValueError
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not text or len(text) > 32:
            raise ValueError
        value = float(text)
    if not isinstance(value, (int, float)):
        raise ValueError
    result = float(value)
    if not math.isfinite(result) or not low <= result <= high:
        raise ValueError
    return result


def whole(value: object, low: int, high: int) -> int:
    """A whole number in [low, high] ("8" and 8.0 count; 8.5 does not)."""
    result = number(value, low, high)
    if not result.is_integer():
        raise ValueError
    return int(result)


def as_id(value: object) -> int | None:
    """A database id from input, or None when it cannot be one."""
    try:
        return whole(value, 1, 2**62)
    except (ValueError, TypeError, OverflowError):
        return None
