"""What the nutrition page shows for one of the member's local days: the macro rings, the meals,
the hints, recent foods, the intake and weight charts, the expenditure suggestion and history.

Numbers are written as the page shows them (display.py), masses in the member's units with the one
display rounding (core.units), days as the member lives them (core.clock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from adaptivefit.models import User
from adaptivefit.services.core.clock import local_today
from adaptivefit.services.core.units import display_mass
from adaptivefit.services.nutrition import macros
from adaptivefit.services.nutrition.bodyweight import weight_trend
from adaptivefit.services.nutrition.diary import DayView, day_view, recent_foods
from adaptivefit.services.nutrition.display import macros_text, number_text, portion_text
from adaptivefit.services.nutrition.expenditure import estimate_day, expenditure_history, suggest_calorie_update
from adaptivefit.services.nutrition.fields import MEALS
from adaptivefit.services.nutrition.hints import hints_for
from adaptivefit.services.nutrition.photos import photo_url
from adaptivefit.services.nutrition.trends import intake_by_day, macro_split, weight_and_energy

MEAL_LABELS = {"breakfast": "Breakfast", "lunch": "Lunch", "dinner": "Dinner", "snack": "Snacks"}
PERIODS = ("7", "30")
SHOWN_ESTIMATES = 8


@dataclass
class DayPage:
    day: str
    day_label: str
    units: str
    has_targets: bool
    rings: list[dict[str, str]] = field(default_factory=list)
    meals: list[dict] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    recents: list[dict[str, str]] = field(default_factory=list)
    week: list[dict] = field(default_factory=list)
    split: list[dict] = field(default_factory=list)
    energy: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)
    suggestion: dict[str, str] = field(default_factory=dict)
    estimates: list[dict[str, str]] = field(default_factory=list)


def period_of(value: object) -> str:
    """The chart period asked for, "7" or "30" days; "7" for anything else."""
    return value if value in PERIODS else "7"


def shifted_day(day: str, days: object) -> str:
    """The ISO day `days` away from `day` (at most a year either way); "" (today) when either cannot be read."""
    try:
        return (date.fromisoformat(day) + timedelta(days=max(-366, min(366, int(days))))).isoformat()
    except (TypeError, ValueError):
        return ""


def _day_label(day: date, today: date) -> str:
    if day == today:
        return "Today"
    return "Yesterday" if day == today - timedelta(days=1) else day.strftime("%a %d %b")


def _ring(label: str, value: float, target: int | None, left: int | None, unit: str) -> dict[str, str]:
    shown = bool(target)
    return {
        "label": label, "value": number_text(value), "target": number_text(target) if shown else "",
        "percent": str(macros.percent_of(value, target)), "unit": unit,
        "left": "" if not shown else f"{left} {unit} left" if value <= target else f"{-left} {unit} over",
    }


def _rings(view: DayView) -> list[dict[str, str]]:
    totals, targets, left = view.totals, view.targets, view.remaining
    if targets is None:
        return [_ring(label, value, None, None, unit) for label, value, unit in (
            ("Calories", totals.kcal, "kcal"), ("Protein", totals.protein_g, "g"),
            ("Carbohydrate", totals.carbs_g, "g"), ("Fat", totals.fat_g, "g"))]
    return [
        _ring("Calories", totals.kcal, targets.calories, left.calories, "kcal"),
        _ring("Protein", totals.protein_g, targets.protein_g, left.protein_g, "g"),
        _ring("Carbohydrate", totals.carbs_g, targets.carbs_g, left.carbs_g, "g"),
        _ring("Fat", totals.fat_g, targets.fat_g, left.fat_g, "g"),
    ]


def _meals(user: User, view: DayView) -> list[dict]:
    return [{
        "meal": meal, "label": MEAL_LABELS[meal], "kcal": number_text(view.meal_totals[meal].kcal),
        "entries": [{"id": str(e.id), "name": e.name, "amount": portion_text(e.quantity, e.unit),
                     "kcal": number_text(e.kcal), "macros": macros_text(e.protein_g, e.carbs_g, e.fat_g),
                     # Signed for this member's own entries only: the view holds no one else's.
                     "photo": photo_url(user, e.photo)}
                    for e in view.meals.get(meal, [])],
    } for meal in MEALS]


def _mass(kg: float | None, units: str) -> float | None:
    return None if kg is None else display_mass(kg, units)


def _weight_charts(session: Session, user: User, period: str, now: datetime | None) -> tuple[list, list]:
    energy = [{**point, "date": date.fromisoformat(point["date"]).strftime("%d %b"),
               "weight": _mass(point["weight"], user.units), "trend": _mass(point["trend"], user.units)}
              for point in weight_and_energy(session, user, days=int(period), now=now)]
    trend = [{"date": str(point["date"]), "weight": _mass(point["weight"], user.units),
              "trend": _mass(point["trend"], user.units)} for point in weight_trend(session, user, now=now)]
    return energy, trend


def _suggestion(session: Session, user: User, now: datetime | None) -> dict[str, str]:
    found = suggest_calorie_update(session, user, now=now)
    if not found:
        return {}
    return {"expenditure": f"{found['expenditure']:,}", "suggested": f"{found['suggested']:,}",
            "current": f"{found['current']:,}", "message": found["message"]}


def _estimates(session: Session, user: User) -> list[dict[str, str]]:
    return [{"date": estimate_day(user, row).isoformat(), "kcal": number_text(row.kcal_per_day),
             "applied": "applied" if row.applied else ""}
            for row in expenditure_history(session, user)][-SHOWN_ESTIMATES:]


def day_page(session: Session, user: User, day: str, period: str, *, now: datetime | None = None) -> DayPage:
    """Everything the nutrition page shows for the ISO `day` ("" or unreadable: the member's today)."""
    today = local_today(user, now)
    try:
        shown = date.fromisoformat(day) if day else today
    except ValueError:
        shown = today
    period = period_of(period)
    view = day_view(session, user, shown)
    week = intake_by_day(session, user, days=int(period), today=today)
    energy, trend = _weight_charts(session, user, period, now)
    return DayPage(
        day=shown.isoformat(), day_label=_day_label(shown, today), units=user.units,
        has_targets=view.targets is not None, rings=_rings(view), meals=_meals(user, view),
        hints=hints_for(view, user, now=now),
        recents=[{"id": str(food_id), "name": name} for food_id, name in recent_foods(session, user)],
        week=week, split=macro_split(week), energy=energy, trend=trend,
        suggestion=_suggestion(session, user, now), estimates=_estimates(session, user),
    )
