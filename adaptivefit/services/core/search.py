"""Searching text columns with what a person typed: their % and _ are letters, not wildcards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import col


def like_pattern(text: str) -> str:
    """A substring pattern in which the user's own % and _ stay literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches_any(text: str, *columns) -> Any:
    """A condition: `text` appears, case-insensitively, in any of the columns."""
    pattern = like_pattern(text)
    return or_(*(col(column).ilike(pattern, escape="\\") for column in columns))
