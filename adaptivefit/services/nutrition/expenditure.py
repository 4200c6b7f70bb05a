"""Adaptive expenditure, as MacroFactor does it, and the calorie target it suggests.

Average daily intake over the window's complete days (days with food logged; an unlogged day is
missing data, not a fast) minus the trend's change over the window x 7700 kcal/kg / days. The
change is measured as the slope of a least-squares line through the window's daily weigh-ins: the
0.1 EWMA trails a steady change by about nine days, and when weigh-ins start inside the window it
would under-read the change by a third.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from adaptivefit.models import ExpenditureEstimate, FoodEntry, NutritionGoal, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.clock import day_bounds, local_now, local_today
from adaptivefit.services.nutrition import macros
from adaptivefit.services.nutrition.bodyweight import daily_weights
from adaptivefit.services.nutrition.targets import (
    CALORIE_FLOOR,
    DEFAULT_FAT_SHARE,
    GOALS,
    KCAL_PER_KG,
    current_goal,
    goal_adjustment,
    with_floor,
)

MIN_INTAKE_DAYS = 14
MIN_WEIGH_IN_SPAN_DAYS = 14
WINDOW_RANGE = (14, 90)
WINDOW_DAYS = 28
SUGGESTION_THRESHOLD_KCAL = 100


def daily_intake(session: Session, user: User, first: date, last: date) -> dict[date, float]:
    start, end = day_bounds(user, first, last)
    rows = session.exec(
        select(FoodEntry.eaten_at, FoodEntry.calories).where(
            FoodEntry.user_id == user.id, FoodEntry.eaten_at >= start, FoodEntry.eaten_at < end
        )
    ).all()
    totals: dict[date, float] = defaultdict(float)
    for eaten_at, calories in rows:
        totals[local_now(user, eaten_at).date()] += calories
    return dict(totals)


def _slope_per_day(points: dict[date, float]) -> float:
    """Least-squares slope (kg/day) of the daily weights."""
    origin = min(points)
    xs = [(day - origin).days for day in points]
    ys = list(points.values())
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sxx


def estimate_expenditure(
    session: Session, user: User, *, window_days: int = WINDOW_DAYS, now: datetime | None = None
) -> float | None:
    """Average daily energy out (kcal) over the last `window_days` complete local days, or None without enough data.

    Needs at least 14 days with food logged and weigh-ins spanning at least 14 days.
    """
    window_days = max(WINDOW_RANGE[0], min(int(window_days), WINDOW_RANGE[1]))
    last = local_today(user, now) - timedelta(days=1)
    first = last - timedelta(days=window_days - 1)
    return expenditure_from(daily_intake(session, user, first, last), daily_weights(session, user, first, last),
                            window_days)


def expenditure_from(intake: dict[date, float], weights: dict[date, float], window_days: int) -> float | None:
    """The estimate from one window's daily intake and daily weigh-ins (None without enough of either)."""
    if len(intake) < MIN_INTAKE_DAYS:
        return None
    if len(weights) < 2 or (max(weights) - min(weights)).days + 1 < MIN_WEIGH_IN_SPAN_DAYS:
        return None
    trend_change_kg = _slope_per_day(weights) * window_days
    return sum(intake.values()) / len(intake) - trend_change_kg * KCAL_PER_KG / window_days


def record_estimate(
    session: Session, user: User, *, window_days: int = WINDOW_DAYS, now: datetime | None = None, applied: bool = False
) -> ExpenditureEstimate | None:
    """Store today's estimate (None, and nothing stored, without enough data)."""
    kcal = estimate_expenditure(session, user, window_days=window_days, now=now)
    if kcal is None:
        return None
    estimate = ExpenditureEstimate(user_id=user.id, kcal_per_day=round(kcal, 1), window_days=window_days,
                                   computed_at=now or utcnow(), applied=applied)
    session.add(estimate)
    session.flush()
    return estimate


def record_daily_estimate(session: Session, user: User, *, now: datetime | None = None) -> ExpenditureEstimate | None:
    """Store today's estimate once per local day, so its history can be shown; None when already stored
    today or without enough data."""
    today = local_today(user, now)
    history = expenditure_history(session, user, limit=1)
    if history and estimate_day(user, history[-1]) == today:
        return None
    return record_estimate(session, user, now=now)


def estimate_day(user: User, estimate: ExpenditureEstimate) -> date:
    """The member's local day an estimate was made on."""
    return local_now(user, estimate.computed_at).date()


def expenditure_history(session: Session, user: User, *, limit: int = 104) -> list[ExpenditureEstimate]:
    """The member's stored estimates, oldest first (the latest `limit`)."""
    rows = session.exec(
        select(ExpenditureEstimate).where(ExpenditureEstimate.user_id == user.id)
        .order_by(ExpenditureEstimate.computed_at.desc(), ExpenditureEstimate.id.desc()).limit(max(1, int(limit)))
    ).all()
    return list(reversed(rows))


def suggest_calorie_update(session: Session, user: User, *, now: datetime | None = None) -> dict | None:
    """A new calorie target from the estimated expenditure and the goal's rate, when it differs by over 100 kcal."""
    goal = current_goal(session, user)
    if goal is None:
        return None
    expenditure = estimate_expenditure(session, user, now=now)
    if expenditure is None:
        return None
    settings = goal.settings or {}
    kind = settings.get("goal") if settings.get("goal") in GOALS else "maintain"
    rate = float(settings.get("rate_kg_per_week") or 0.0)
    adjustment = goal_adjustment(kind, rate)
    suggested = expenditure + adjustment
    if settings.get("sex") in CALORIE_FLOOR:
        suggested, _ = with_floor(suggested, settings["sex"], kind)
    suggested = round(suggested)
    if abs(suggested - goal.calories) <= SUGGESTION_THRESHOLD_KCAL:
        return None
    aim = {"lose": f"to lose {rate:g} kg a week", "gain": f"to gain {rate:g} kg a week",
           "maintain": "to hold your weight"}[kind]
    return {
        "current": goal.calories, "suggested": suggested, "expenditure": round(expenditure),
        "adjustment": round(adjustment),
        "message": (f"Your intake and weight trend put your expenditure near {round(expenditure):,} kcal a day; "
                    f"{aim}, {suggested:,} kcal fits better than your current {goal.calories:,}."),
    }


def apply_suggestion(session: Session, user: User, *, now: datetime | None = None) -> NutritionGoal | None:
    """Take the suggested calories: protein stays, fat keeps its share, carbohydrate takes the change."""
    suggestion = suggest_calorie_update(session, user, now=now)
    if suggestion is None:
        return None
    goal = current_goal(session, user)
    settings = goal.settings or {}
    split = macros.split(suggestion["suggested"], goal.protein_g, float(settings.get("fat_share") or DEFAULT_FAT_SHARE),
                   "calories")
    goal.calories, goal.carbs_g, goal.fat_g = split.calories, split.carbs_g, split.fat_g
    overrides = {k: v for k, v in (settings.get("overrides") or {}).items() if k == "protein_g"}
    goal.settings = {**settings, "overrides": overrides, "notes": [], "applied_suggestion": {
        "expenditure": suggestion["expenditure"], "calories": suggestion["suggested"]}}
    goal.updated_at = now or utcnow()
    session.add(goal)
    record_estimate(session, user, now=now, applied=True)
    session.flush()
    return goal
