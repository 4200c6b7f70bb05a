"""The food diary: logging food to meals, editing, copying and deleting entries, and a day's view.

- A logged entry is a snapshot of the food's name and nutrients at logging time (macros.snapshot),
  so editing a food never rewrites history. Each entry is mirrored into `fitness_data` (type
  "nutrition", found again by its `food_entry_id` and the entry's `eaten_at`), with its fibre,
  which the entry table has no column for.
- Days are the member's local days (profile time zone); times are stored as UTC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import FitnessData, Food, FoodEntry, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed, owned
from adaptivefit.services.core.clock import at_local_time_today, day_bounds, local_now, local_today, user_zone
from adaptivefit.services.core.inputs import number
from adaptivefit.services.files import private_files
from adaptivefit.services.nutrition import macros
from adaptivefit.services.nutrition.fields import MEALS, check_day, meal as read_meal
from adaptivefit.services.nutrition.foods import visible_food, visible_to
from adaptivefit.services.nutrition.macros import DayTotals, Targets
from adaptivefit.services.nutrition.portions import grams_for, unit_name
from adaptivefit.services.nutrition.targets import current_goal, day_targets, is_training_day

RECENT_MAX = 50


@dataclass(frozen=True)
class EntryRow:
    id: int
    name: str
    quantity: float
    unit: str
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    # The name of a private photo of the meal (services/nutrition/photos.py), if one was taken.
    photo: str | None = None


@dataclass(frozen=True)
class DayView:
    day: date
    totals: DayTotals
    targets: Targets | None
    # Target minus eaten; negative once over.
    remaining: Targets | None
    meals: dict[str, list[EntryRow]] = field(default_factory=dict)
    is_training_day: bool = False
    # Each meal's totals, unrounded.
    meal_totals: dict[str, DayTotals] = field(default_factory=dict)


def owned_entry(session: Session, user: User, entry_id: object) -> FoodEntry:
    """One of the member's own entries; NotYours for anyone else's or a missing one."""
    return owned(session, FoodEntry, entry_id, user, "That entry")


def _portion(food: Food | None, quantity: object, unit: object, errors: dict[str, str]):
    """The quantity, unit and nutrients for an amount of a food, or None with `errors` filled."""
    if not isinstance(unit, str) or len(unit.strip()) > 60:
        errors["unit"] = "Choose grams, ounces, millilitres or a serving of this food."
    if food is None:
        try:
            if number(quantity, -math.inf, math.inf) <= 0:
                errors["quantity"] = "Enter an amount above zero."
        except (ValueError, TypeError, OverflowError):
            errors["quantity"] = "Enter the amount as a number, like 150 or 1.5."
    if food is None or errors:
        return None
    try:
        grams = grams_for(food, quantity, unit)
    except ValidationFailed as refused:
        errors.update(refused.errors)
        return None
    amount = number(quantity, 0.0, math.inf)
    return amount, unit_name(food, unit.strip()), macros.nutrients_for(food, grams)


def _fitness_data(entry: FoodEntry, fibre_g: float) -> dict[str, Any]:
    return {
        "food_entry_id": entry.id, "food_id": entry.food_id, "name": entry.name, "calories": entry.calories,
        "protein_g": entry.protein_g, "carbs_g": entry.carbs_g, "fat_g": entry.fat_g, "fibre_g": fibre_g,
        "meal": entry.meal_type, "quantity": entry.quantity, "unit": entry.unit,
    }


def _fitness_record(session: Session, entry: FoodEntry) -> FitnessData | None:
    # recorded_at is the entry's eaten_at, so the (user, type, time) index finds it without a JSON scan.
    candidates = session.exec(
        select(FitnessData).where(
            FitnessData.user_id == entry.user_id, FitnessData.type == "nutrition",
            FitnessData.recorded_at == entry.eaten_at,
        )
    ).all()
    return next((c for c in candidates if c.data.get("food_entry_id") == entry.id), None)


def _add_entry(session: Session, entry: FoodEntry, fibre_g: float) -> FoodEntry:
    session.add(entry)
    session.flush()
    session.add(FitnessData(user_id=entry.user_id, type="nutrition", data=_fitness_data(entry, fibre_g),
                            recorded_at=entry.eaten_at))
    session.flush()
    return entry


def log_food(
    session: Session, user: User, *, food_id: object, quantity: object, unit: object, meal_type: object,
    eaten_at: datetime | None = None,
) -> FoodEntry:
    """Log an amount of a food (shared or the member's own) to a meal."""
    errors: dict[str, str] = {}
    food = visible_food(session, user, food_id)
    if food is None:
        errors["food"] = "Choose a food from the list."
    meal = read_meal(meal_type, "meal_type", errors)
    if eaten_at is None:
        eaten_at = utcnow()
    elif not isinstance(eaten_at, datetime) or eaten_at.tzinfo is None:
        errors["eaten_at"] = "Choose when you ate this."
    amount = _portion(food, quantity, unit, errors)
    if errors:
        raise ValidationFailed(errors)
    quantity_, unit_, nutrients = amount
    kept = macros.snapshot(nutrients)
    fibre = kept.pop("fibre_g")
    entry = FoodEntry(user_id=user.id, food=food.name, food_id=food.id, name=food.name, **kept, quantity=quantity_,
                      unit=unit_, meal_type=meal, eaten_at=eaten_at)
    return _add_entry(session, entry, fibre)


def log_food_on_day(
    session: Session, user: User, day: date | None, *, food_id: object, quantity: object, unit: object,
    meal_type: object, now: datetime | None = None,
) -> FoodEntry:
    """Log food to one of the member's local days: today's entry is timed now, another day's at the
    member's current local time of day on that day (not the server's)."""
    eaten_at = None
    if day is not None and day != local_today(user, now):
        eaten_at = at_local_time_today(user, day, now)
    elif now is not None:
        eaten_at = now
    return log_food(session, user, food_id=food_id, quantity=quantity, unit=unit, meal_type=meal_type,
                    eaten_at=eaten_at)


def update_entry(
    session: Session, user: User, entry_id: object, *, quantity: object = None, unit: object = None,
    meal_type: object = None,
) -> FoodEntry:
    """Change an entry's amount or meal; None leaves a field as it is. Nutrients come from the food as it is now."""
    entry = owned_entry(session, user, entry_id)
    record = _fitness_record(session, entry)
    fibre = (record.data.get("fibre_g") or 0.0) if record is not None else 0.0
    errors: dict[str, str] = {}
    meal = entry.meal_type if meal_type is None else read_meal(meal_type, "meal_type", errors)
    amount = None
    if quantity is not None or unit is not None:
        food = visible_food(session, user, entry.food_id)
        if food is None:
            errors["quantity"] = "This food is no longer in the food list, so its amount cannot change; log it again."
        else:
            amount = _portion(food, entry.quantity if quantity is None else quantity,
                             entry.unit if unit is None else unit, errors)
    if errors:
        raise ValidationFailed(errors)
    entry.meal_type = meal
    if amount is not None:
        entry.quantity, entry.unit, nutrients = amount
        entry.name = entry.food = food.name
        kept = macros.snapshot(nutrients)
        entry.calories, entry.protein_g = kept["calories"], kept["protein_g"]
        entry.carbs_g, entry.fat_g = kept["carbs_g"], kept["fat_g"]
        fibre = kept["fibre_g"]
    session.add(entry)
    data = _fitness_data(entry, fibre)
    if record is None:
        session.add(FitnessData(user_id=user.id, type="nutrition", data=data, recorded_at=entry.eaten_at))
    else:
        record.data = data
        session.add(record)
    session.flush()
    return entry


def delete_entry(session: Session, user: User, entry_id: object) -> None:
    """Remove an entry, its history record and its photo."""
    entry = owned_entry(session, user, entry_id)
    record = _fitness_record(session, entry)
    if record is not None:
        session.delete(record)
    photo = entry.photo
    session.delete(entry)
    session.flush()
    private_files.delete(photo)


def _entries(session: Session, user: User, first: date, last: date | None = None, meal: str | None = None):
    start, end = day_bounds(user, first, last)
    query = select(FoodEntry).where(FoodEntry.user_id == user.id, FoodEntry.eaten_at >= start, FoodEntry.eaten_at < end)
    if meal is not None:
        query = query.where(FoodEntry.meal_type == meal)
    return session.exec(query.order_by(FoodEntry.eaten_at, FoodEntry.id)).all()


def _fibre_by_entry(session: Session, user: User, first: date, last: date | None = None) -> dict[int, float]:
    start, end = day_bounds(user, first, last)
    records = session.exec(
        select(FitnessData.data).where(
            FitnessData.user_id == user.id, FitnessData.type == "nutrition",
            FitnessData.recorded_at >= start, FitnessData.recorded_at < end,
        )
    ).all()
    return {d["food_entry_id"]: float(d.get("fibre_g") or 0.0) for d in records if d.get("food_entry_id")}


def _copy(session: Session, user: User, entries, fibre: dict[int, float], to_day: date, to_meal: str | None) -> int:
    zone = user_zone(user)
    for entry in entries:
        # The same local time of day, on the new day.
        clock = local_now(user, entry.eaten_at).time()
        when = datetime.combine(to_day, clock, tzinfo=zone)
        copy = FoodEntry(
            user_id=user.id, food=entry.food, food_id=entry.food_id, name=entry.name, calories=entry.calories,
            protein_g=entry.protein_g, carbs_g=entry.carbs_g, fat_g=entry.fat_g, quantity=entry.quantity,
            unit=entry.unit, meal_type=to_meal or entry.meal_type, eaten_at=when,
        )
        _add_entry(session, copy, fibre.get(entry.id, 0.0))
    return len(entries)


def copy_meal(
    session: Session, user: User, from_day: date, meal_type: object, to_day: date, to_meal: object = None
) -> int:
    """Copy one meal's entries to another day (and meal); returns how many were copied."""
    errors: dict[str, str] = {}
    source_day = check_day(from_day, "from_day", errors)
    target_day = check_day(to_day, "to_day", errors)
    meal = read_meal(meal_type, "meal_type", errors)
    target_meal = meal if to_meal is None else read_meal(to_meal, "to_meal", errors)
    if not errors and source_day == target_day and meal == target_meal:
        errors["to_day"] = "Choose a different day or meal to copy to."
    if errors:
        raise ValidationFailed(errors)
    entries = _entries(session, user, source_day, meal=meal)
    return _copy(session, user, entries, _fibre_by_entry(session, user, source_day), target_day, target_meal)


def copy_day(session: Session, user: User, from_day: date, to_day: date) -> int:
    """Copy every entry of one day to another, meal by meal; returns how many were copied."""
    errors: dict[str, str] = {}
    source_day = check_day(from_day, "from_day", errors)
    target_day = check_day(to_day, "to_day", errors)
    if not errors and source_day == target_day:
        errors["to_day"] = "Choose a different day to copy to."
    if errors:
        raise ValidationFailed(errors)
    entries = _entries(session, user, source_day)
    return _copy(session, user, entries, _fibre_by_entry(session, user, source_day), target_day, None)


def recent_foods(session: Session, user: User, limit: int = 10) -> list[tuple[int, str]]:
    """The foods the member logged most recently, newest first, once each."""
    limit = max(1, min(int(limit), RECENT_MAX))
    latest = func.max(FoodEntry.id)
    rows = session.exec(
        select(Food.id, Food.name)
        .join(FoodEntry, FoodEntry.food_id == Food.id)
        .where(FoodEntry.user_id == user.id, visible_to(user.id))
        .group_by(Food.id, Food.name)
        .order_by(latest.desc())
        .limit(limit)
    ).all()
    return [(food_id, name) for food_id, name in rows]


def day_view(session: Session, user: User, day: date) -> DayView:
    """A local day's entries by meal, totals, targets and what is left."""
    errors: dict[str, str] = {}
    day = check_day(day, "day", errors)
    if errors:
        raise ValidationFailed(errors)
    entries = _entries(session, user, day)
    fibre = _fibre_by_entry(session, user, day)
    meals: dict[str, list[EntryRow]] = {meal: [] for meal in MEALS}
    for e in entries:
        meals.setdefault(e.meal_type, []).append(
            EntryRow(e.id, e.name, e.quantity, e.unit, e.calories, e.protein_g, e.carbs_g, e.fat_g, e.photo)
        )
    totals = macros.rounded(macros.total(
        (e.calories, e.protein_g, e.carbs_g, e.fat_g, fibre.get(e.id, 0.0)) for e in entries
    ))
    training = is_training_day(session, user, day)
    targets = day_targets(current_goal(session, user), training)
    remaining = None if targets is None else macros.remaining(targets, totals)
    meal_totals = {name: macros.total((row.kcal, row.protein_g, row.carbs_g, row.fat_g, 0.0) for row in rows)
                   for name, rows in meals.items()}
    return DayView(day, totals, targets, remaining, meals, training, meal_totals)
