"""Weigh-ins and the trend weight.

- One weigh-in a local day (profile time zone); a second one that day replaces the first.
- Trend weight: an exponentially weighted moving average (alpha 0.1) over one value a day
  (the mean of that day's weigh-ins). A day without a weigh-in carries the trend unchanged.
  The chart's trend starts from weigh-ins up to TREND_WARMUP_DAYS before its window, so its
  first points are already smoothed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from adaptivefit.models import FitnessData, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.clock import day_bounds, local_now, local_today, user_zone
from adaptivefit.services.core.inputs import number
from adaptivefit.services.nutrition.fields import check_day
from adaptivefit.services.training import goal_forms

WEIGHT_RANGE = (20.0, 400.0)
TREND_ALPHA = 0.1
TREND_WARMUP_DAYS = 30


def log_bodyweight(
    session: Session, user: User, kg: object, *, day: date | None = None, now: datetime | None = None
) -> FitnessData:
    """Record the member's weight for a local day (today by default); a second weigh-in replaces the first."""
    errors: dict[str, str] = {}
    try:
        weight = number(kg, *WEIGHT_RANGE)
    except (ValueError, TypeError, OverflowError):
        errors["kg"] = "Enter a weight from 20 to 400 kg."
    now = now or utcnow()
    today = local_today(user, now)
    if day is None:
        day = today
    elif check_day(day, "day", errors) is not None and day > today:
        errors["day"] = "Weigh-ins cannot be in the future."
    if errors:
        raise ValidationFailed(errors)
    # A past day's weigh-in is placed at local noon, clear of midnight and daylight-saving changes.
    recorded = now if day == today else datetime.combine(day, time(12, 0), tzinfo=user_zone(user))
    start, end = day_bounds(user, day)
    existing = session.exec(
        select(FitnessData).where(
            FitnessData.user_id == user.id, FitnessData.type == "bodyweight",
            FitnessData.recorded_at >= start, FitnessData.recorded_at < end,
        ).order_by(FitnessData.id)
    ).all()
    for extra in existing[1:]:
        session.delete(extra)
    record = existing[0] if existing else FitnessData(user_id=user.id, type="bodyweight")
    record.data = {"kg": round(weight, 2)}
    record.recorded_at = recorded
    session.add(record)
    session.flush()
    return record


def latest_bodyweight(session: Session, user: User) -> float | None:
    """The member's latest usable weigh-in in kg: the same reading goals use (training.goal_forms)."""
    return goal_forms.latest_bodyweight(session, user.id)


def daily_weights(session: Session, user: User, first: date, last: date) -> dict[date, float]:
    """The mean weigh-in of each local day from `first` to `last` that has one."""
    start, end = day_bounds(user, first, last)
    rows = session.exec(
        select(FitnessData.recorded_at, FitnessData.data).where(
            FitnessData.user_id == user.id, FitnessData.type == "bodyweight",
            FitnessData.recorded_at >= start, FitnessData.recorded_at < end,
        )
    ).all()
    by_day: dict[date, list[float]] = defaultdict(list)
    for recorded_at, data in rows:
        try:
            by_day[local_now(user, recorded_at).date()].append(float(data["kg"]))
        except (KeyError, TypeError, ValueError):
            continue
    return {day: sum(values) / len(values) for day, values in by_day.items()}


def ewma_trend(weights: dict[date, float], first: date, last: date, alpha: float = TREND_ALPHA):
    """(day, weight or None, trend) for each day from the first weigh-in to `last`; gaps carry the trend."""
    days = sorted(d for d in weights if first <= d <= last)
    if not days:
        return []
    out, trend, day = [], None, days[0]
    while day <= last:
        weight = weights.get(day)
        if weight is not None:
            trend = weight if trend is None else trend + alpha * (weight - trend)
        out.append((day, weight, trend))
        day += timedelta(days=1)
    return out


def weight_trend(session: Session, user: User, days: int = 90, *, now: datetime | None = None) -> list[dict]:
    """Daily weigh-ins and the smoothed trend over the last `days` local days, up to the last weigh-in."""
    days = max(1, min(int(days), 3660))
    today = local_today(user, now)
    window_start = today - timedelta(days=days - 1)
    warmup_start = window_start - timedelta(days=TREND_WARMUP_DAYS)
    weights = daily_weights(session, user, warmup_start, today)
    if not weights:
        return []
    series = ewma_trend(weights, warmup_start, max(weights))
    return [
        {"date": day, "weight": None if weight is None else round(weight, 2), "trend": round(trend, 2)}
        for day, weight, trend in series if day >= window_start
    ]
