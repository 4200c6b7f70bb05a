"""Pages of a list: how many there are and which one a request may have, clamped the same way everywhere.

A page number comes from the browser and may be anything: `clamp_page` reads it and keeps it between
1 and the last page, so every paged list answers "page 9 of 3" with page 3 and "page x" with page 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from adaptivefit.services.core.inputs import whole


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill (at least one, so an empty list still has page 1)."""
    return max(1, -(-int(total) // max(1, int(per_page))))


def requested_page(value: object) -> int:
    """A page number from input: a whole number of at least 1, or 1 for anything else."""
    try:
        return whole(value, 1, 10**9)
    except (ValueError, TypeError, OverflowError):
        return 1


def clamp_page(value: object, total: int, per_page: int) -> int:
    """The page to show for a requested `value`, between 1 and the last page."""
    return min(requested_page(value), page_count(total, per_page))


@dataclass(frozen=True)
class Window:
    page: int
    pages: int
    offset: int
    limit: int


def window(value: object, total: int, per_page: int) -> Window:
    """The page to show and the rows it covers (offset, limit) for a list of `total` rows."""
    page = clamp_page(value, total, per_page)
    return Window(page=page, pages=page_count(total, per_page), offset=(page - 1) * per_page, limit=per_page)
