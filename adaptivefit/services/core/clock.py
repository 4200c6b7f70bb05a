"""Time as the member lives it: their time zone, their today, their local day's bounds in UTC.

The database keeps timezone-aware UTC; every "today", "this week" and shown time is the member's
own, read through these functions. A missing or unknown zone is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_of(name: str | None) -> ZoneInfo:
    """The zone named (an IANA name such as "Europe/Zurich"), or UTC when it is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def user_zone(user) -> ZoneInfo:
    """A member's time zone from their profile."""
    return zone_of(getattr(user, "timezone", None))


def now_utc() -> datetime:
    return datetime.now(UTC)


def local_now(user, now: datetime | None = None) -> datetime:
    return (now or now_utc()).astimezone(user_zone(user))


def local_today(user, now: datetime | None = None) -> date:
    """The member's calendar date right now."""
    return local_now(user, now).date()


def day_bounds(user, day: date, last: date | None = None) -> tuple[datetime, datetime]:
    """The UTC instants where the member's local `day` starts and the day after `last` (default `day`)
    starts (DST-aware): one local day, or the run of days from `day` to `last`."""
    zone = user_zone(user)
    start = datetime.combine(day, time.min, zone)
    end = datetime.combine((last or day) + timedelta(days=1), time.min, zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def at_local_time_today(user, day: date, now: datetime | None = None) -> datetime:
    """An instant on the member's `day` at their current local time of day (for entries dated to a day)."""
    zone = user_zone(user)
    clock = local_now(user, now).timetz().replace(tzinfo=None)
    return datetime.combine(day, clock, zone)


def format_local(value: datetime | None, zone_name: str | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """A stored instant as the member reads it; naive values are taken as UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone_of(zone_name)).strftime(fmt)
