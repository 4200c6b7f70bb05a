"""Intake per local day over a period, for the week and month charts (aggregated on the server)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from adaptivefit.models import FoodEntry, NutritionGoal, User


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
