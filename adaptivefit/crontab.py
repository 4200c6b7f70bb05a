"""Crontab schedules with the meaning cron gives them, for APScheduler 3.

APScheduler 3's `CronTrigger.from_crontab` counts weekdays from Monday = 0, where cron counts
from Sunday = 0 (its issue 286, fixed only in 4.x): "0 3 * * 0" would run on Mondays. Here the
weekday field is expanded to day names, which both read alike. Cron runs a job when *either* a
restricted day of month or a restricted weekday matches, APScheduler only when both do, so a
schedule restricting both is refused rather than silently read differently. All times are UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger

# Cron's numbering: 0 (and 7) is Sunday.
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


def _fields(expr: str) -> list[str]:
    expr = _MACROS.get(expr.strip().lower(), expr)
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    return fields


def _day(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    if token[:3] in _CRON_DAYS and len(token) == 3:
        return _CRON_DAYS.index(token)
    raise ValueError(f"{token!r} is not a weekday (0-7 or sun-sat)")


def cron_weekdays(field: str) -> set[int]:
    """The weekdays (0 = Sunday) a cron weekday field names: lists, ranges, steps, names."""
    days: set[int] = set()
    for part in field.split(","):
        base, slash, step_text = part.partition("/")
        if slash and not (step_text.isdigit() and int(step_text) > 0):
            raise ValueError(f"{part!r} has a bad step")
        step = int(step_text) if slash else 1
        if base == "*":
            low, high = 0, 6
        elif "-" in base:
            first, last = base.split("-", 1)
            low, high = _day(first), _day(last)
            if low > high:
                raise ValueError(f"the weekday range {base!r} runs backwards")
        else:
            low = _day(base)
            high = 7 if slash else low
        days.update(day % 7 for day in range(low, high + 1, step))
    return days


def cron_trigger(expr: str) -> CronTrigger:
    """A UTC CronTrigger firing when cron would. Raises ValueError saying what is wrong."""
    minute, hour, day, month, weekday = _fields(expr)
    days = cron_weekdays(weekday)
    if day != "*" and len(days) < 7:
        raise ValueError("restrict the day of the month or the weekday, not both")
    names = "*" if len(days) == 7 else ",".join(_CRON_DAYS[d] for d in sorted(days))
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=names, timezone=UTC)


def next_fire_time(expr: str, now: datetime) -> datetime | None:
    return cron_trigger(expr).get_next_fire_time(None, now)


def describe(expr: str) -> str:
    """Plain words for the common shapes ("weekly on Sunday at 03:00 UTC"); else the expression."""
    try:
        minute, hour, day, month, weekday = _fields(expr)
        days = cron_weekdays(weekday)
    except ValueError:
        return expr
    if not (minute.isdigit() and hour.isdigit() and month == "*"):
        return f"cron {expr}"
    at = f"at {int(hour):02d}:{int(minute):02d} UTC"
    if day == "*" and len(days) == 7:
        return f"daily {at}"
    if day == "*" and len(days) == 1:
        return f"weekly on {_DAY_NAMES[days.pop()]} {at}"
    if day.isdigit() and len(days) == 7:
        return f"monthly on day {int(day)} {at}"
    return f"cron {expr}"
