"""Intake, bodyweight and expenditure per local day over a period, for the week and month charts
(aggregated on the server)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from adaptivefit.models import FoodEntry, NutritionGoal, User
from adaptivefit.services.nutrition import diary


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or "UTC")
    except Exception:
        return ZoneInfo("UTC")


def intake_by_day(session: Session, user: User, *, days: int = 7, today: date | None = None) -> list[dict]:
    """[{"date": "2026-11-20", "kcal": 2150, "protein_g": ..., "carbs_g": ..., "fat_g": ..., "target": 2200}]
    for each of the last `days` local days, oldest first, with zeros for days without entries."""
    zone = _zone(user)
    today = today or datetime.now(zone).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time.min, zone).astimezone(UTC)
    rows = session.exec(
        select(FoodEntry.eaten_at, FoodEntry.calories, FoodEntry.protein_g, FoodEntry.carbs_g, FoodEntry.fat_g)
        .where(FoodEntry.user_id == user.id, FoodEntry.eaten_at >= start, FoodEntry.eaten_at < end)
    ).all()
    totals: dict[date, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for eaten_at, kcal, protein, carbs, fat in rows:
        day = eaten_at.astimezone(zone).date()
        bucket = totals[day]
        bucket[0] += kcal
        bucket[1] += protein
        bucket[2] += carbs
        bucket[3] += fat
    goal = session.exec(select(NutritionGoal).where(NutritionGoal.user_id == user.id)).first()
    target = goal.calories if goal else 0
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        kcal, protein, carbs, fat = totals.get(day, [0.0, 0.0, 0.0, 0.0])
        series.append({"date": day.isoformat(), "kcal": round(kcal), "protein_g": round(protein),
                       "carbs_g": round(carbs), "fat_g": round(fat), "target": target})
    return series


def macro_split(series: list[dict]) -> list[dict]:
    """Share of energy from protein, carbohydrate and fat over a period, for a pie chart."""
    protein = sum(d["protein_g"] for d in series) * 4
    carbs = sum(d["carbs_g"] for d in series) * 4
    fat = sum(d["fat_g"] for d in series) * 9
    return [{"name": "Protein", "kcal": round(protein)}, {"name": "Carbohydrate", "kcal": round(carbs)},
            {"name": "Fat", "kcal": round(fat)}]


def weight_and_energy(session: Session, user: User, *, days: int = 7, now: datetime | None = None) -> list[dict]:
    """Bodyweight and energy on one time line, for a chart with a kg axis and a kcal axis.

    [{"date": "2026-11-20", "weight": 80.4 or None, "trend": 80.6 or None, "intake": 2150 or None,
      "expenditure": 2480 or None}] for each of the last `days` local days, oldest first. A day's
    expenditure is the estimate as it stood that morning, from the complete days before it (the
    same rule and window as `diary.estimate_expenditure`); intake is None on a day with
    nothing logged, which is missing data rather than a fast.
    """
    days = max(1, min(int(days), 366))
    now = now or datetime.now(UTC)
    today = now.astimezone(_zone(user)).date()
    first = today - timedelta(days=days - 1)
    window = diary.WINDOW_DAYS
    intake = diary.daily_intake(session, user, first - timedelta(days=window), today)
    weights = diary.daily_weights(session, user, first - timedelta(days=window), today)
    trend = {p["date"]: p for p in diary.weight_trend(session, user, days, now=now)}
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        start = day - timedelta(days=window)
        before = {d: v for d, v in intake.items() if start <= d < day}
        weighed = {d: v for d, v in weights.items() if start <= d < day}
        expenditure = diary.expenditure_from(before, weighed, window)
        point = trend.get(day, {})
        series.append({
            "date": day.isoformat(), "weight": point.get("weight"), "trend": point.get("trend"),
            "intake": round(intake[day]) if day in intake else None,
            "expenditure": None if expenditure is None else round(expenditure),
        })
    return series
