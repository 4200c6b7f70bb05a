"""Intake, bodyweight and expenditure per local day over a period, for the week and month charts
(aggregated on the server)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from adaptivefit.models import FoodEntry, User
from adaptivefit.services.core.clock import day_bounds, local_now, local_today, now_utc
from adaptivefit.services.nutrition import macros
from adaptivefit.services.nutrition.bodyweight import daily_weights, weight_trend
from adaptivefit.services.nutrition.expenditure import WINDOW_DAYS, daily_intake, expenditure_from
from adaptivefit.services.nutrition.targets import current_goal


def intake_by_day(session: Session, user: User, *, days: int = 7, today: date | None = None) -> list[dict]:
    """[{"date": "2026-11-20", "kcal": 2150, "protein_g": ..., "carbs_g": ..., "fat_g": ..., "target": 2200}]
    for each of the last `days` local days, oldest first, with zeros for days without entries."""
    today = today or local_today(user)
    first = today - timedelta(days=days - 1)
    start, end = day_bounds(user, first, today)
    rows = session.exec(
        select(FoodEntry.eaten_at, FoodEntry.calories, FoodEntry.protein_g, FoodEntry.carbs_g, FoodEntry.fat_g)
        .where(FoodEntry.user_id == user.id, FoodEntry.eaten_at >= start, FoodEntry.eaten_at < end)
    ).all()
    by_day: dict[date, list[tuple]] = defaultdict(list)
    for eaten_at, kcal, protein, carbs, fat in rows:
        by_day[local_now(user, eaten_at).date()].append((kcal, protein, carbs, fat, 0.0))
    goal = current_goal(session, user)
    target = goal.calories if goal else 0
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        totals = macros.total(by_day.get(day, ()))
        series.append({"date": day.isoformat(), "kcal": round(totals.kcal), "protein_g": round(totals.protein_g),
                       "carbs_g": round(totals.carbs_g), "fat_g": round(totals.fat_g), "target": target})
    return series


def macro_split(series: list[dict]) -> list[dict]:
    """Share of energy from protein, carbohydrate and fat over a period, for a pie chart."""
    totals = macros.total((d["kcal"], d["protein_g"], d["carbs_g"], d["fat_g"], 0.0) for d in series)
    protein, carbs, fat = macros.energy_split(totals.protein_g, totals.carbs_g, totals.fat_g)
    return [{"name": "Protein", "kcal": round(protein)}, {"name": "Carbohydrate", "kcal": round(carbs)},
            {"name": "Fat", "kcal": round(fat)}]


def weight_and_energy(session: Session, user: User, *, days: int = 7, now: datetime | None = None) -> list[dict]:
    """Bodyweight and energy on one time line, for a chart with a kg axis and a kcal axis.

    [{"date": "2026-11-20", "weight": 80.4 or None, "trend": 80.6 or None, "intake": 2150 or None,
      "expenditure": 2480 or None}] for each of the last `days` local days, oldest first. A day's
    expenditure is the estimate as it stood that morning, from the complete days before it (the
    same rule and window as `expenditure.estimate_expenditure`); intake is None on a day with
    nothing logged, which is missing data rather than a fast.
    """
    days = max(1, min(int(days), 366))
    now = now or now_utc()
    today = local_today(user, now)
    first = today - timedelta(days=days - 1)
    window = WINDOW_DAYS
    intake = daily_intake(session, user, first - timedelta(days=window), today)
    weights = daily_weights(session, user, first - timedelta(days=window), today)
    trend = {p["date"]: p for p in weight_trend(session, user, days, now=now)}
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        start = day - timedelta(days=window)
        before = {d: v for d, v in intake.items() if start <= d < day}
        weighed = {d: v for d, v in weights.items() if start <= d < day}
        expenditure = expenditure_from(before, weighed, window)
        point = trend.get(day, {})
        series.append({
            "date": day.isoformat(), "weight": point.get("weight"), "trend": point.get("trend"),
            "intake": round(intake[day]) if day in intake else None,
            "expenditure": None if expenditure is None else round(expenditure),
        })
    return series
