"""Food logging, daily totals, energy and macro targets, bodyweight trend and adaptive expenditure.

This is the one place the macro arithmetic lives: pages, state, the API and jobs call here.

- A logged entry is a snapshot of the food's name and nutrients at logging time, so editing a
  food never rewrites history. Each entry is mirrored into `fitness_data` (type "nutrition",
  found again by its `food_entry_id` and the entry's `eaten_at`), with its fibre, which the
  entry table has no column for.
- Days are the member's local days (profile time zone); times are stored as UTC.
- Targets: Mifflin-St Jeor BMR times an activity factor, plus the goal's daily energy change
  (rate x 7700 kcal per kg / 7). Protein is set per kg of bodyweight, fat as a share of
  calories, carbohydrate takes the rest. Training days add extra energy as carbohydrate.
- Trend weight: an exponentially weighted moving average (alpha 0.1) over one value a day
  (the mean of that day's weigh-ins). A day without a weigh-in carries the trend unchanged.
  The chart's trend starts from weigh-ins up to TREND_WARMUP_DAYS before its window, so its
  first points are already smoothed.
- Expenditure (as MacroFactor does it): average daily intake over the window's complete days
  (days with food logged; an unlogged day is missing data, not a fast) minus the trend's change
  over the window x 7700 kcal/kg / days. The change is measured as the slope of a least-squares
  line through the window's daily weigh-ins: the 0.1 EWMA trails a steady change by about nine
  days, and when weigh-ins start inside the window it would under-read the change by a third.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from adaptivefit.models import ExpenditureEstimate, FitnessData, Food, FoodEntry, NutritionGoal, User, Workout
from adaptivefit.models.base import utcnow
from adaptivefit.services.files import private_files
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.inputs import as_id, blank, number, whole
from adaptivefit.services.training.dashboard import user_zone
from adaptivefit.services.nutrition.foods import grams_for, nutrients_for, unit_name

MEALS = ("breakfast", "lunch", "dinner", "snack")
GOALS = ("lose", "maintain", "gain")
ACTIVITY_FACTORS = {"sedentary": 1.2, "light": 1.375, "moderate": 1.55, "active": 1.725, "very_active": 1.9}
KCAL_PER_KG = 7700
MAX_RATE_KG_PER_WEEK = {"lose": 1.0, "maintain": 0.0, "gain": 0.5}
DEFAULT_PROTEIN_G_PER_KG = {"lose": 2.0, "maintain": 1.6, "gain": 1.8}
CALORIE_FLOOR = {"female": 1200, "male": 1500}
DEFAULT_FAT_SHARE = 0.25

WEIGHT_RANGE = (20.0, 400.0)
HEIGHT_RANGE = (100.0, 250.0)
AGE_RANGE = (16, 100)
PROTEIN_PER_KG_RANGE = (0.8, 3.5)
FAT_SHARE_RANGE = (0.15, 0.6)
TRAINING_EXTRA_RANGE = (0, 1000)
CALORIES_MAX = 10_000
MACRO_MAX_G = 1_500

TREND_ALPHA = 0.1
TREND_WARMUP_DAYS = 30
MIN_INTAKE_DAYS = 14
MIN_WEIGH_IN_SPAN_DAYS = 14
WINDOW_RANGE = (14, 90)
WINDOW_DAYS = 28
SUGGESTION_THRESHOLD_KCAL = 100
RECENT_MAX = 50

EVENING = time(18, 0)
LOW_PROTEIN_SHARE = 0.7
LOW_ENERGY_SHARE = 0.6
FIBRE_MIN_G = 20.0
FIBRE_CHECK_KCAL = 1200.0


@dataclass(frozen=True)
class Targets:
    calories: int
    protein_g: int
    carbs_g: int
    fat_g: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DayTotals:
    kcal: float = 0.0
    protein_g: float = 0.0
    carbs_g: float = 0.0
    fat_g: float = 0.0
    fibre_g: float = 0.0


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
    # The name of a private photo of the meal (services/nutrition_photos.py), if one was taken.
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


# --- input ------------------------------------------------------------------------------------


def _choice(value: object, options) -> str:
    if not isinstance(value, str) or value.strip().lower() not in options:
        raise ValueError
    return value.strip().lower()


def _meal(value: object, key: str, errors: dict[str, str]) -> str | None:
    try:
        return _choice(value, MEALS)
    except ValueError:
        errors[key] = "Choose breakfast, lunch, dinner or snack."
        return None


def _round1(value: float | None) -> float:
    return round(value or 0.0, 1)


# --- days and time zones ----------------------------------------------------------------------


def _today(user: User, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(user_zone(user)).date()


def _bounds(user: User, first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """UTC start and end (exclusive) of the member's local days from `first` to `last`."""
    zone = user_zone(user)
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine((last or first) + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _local_day(user: User, moment: datetime) -> date:
    return moment.astimezone(user_zone(user)).date()


def _check_day(value: object, key: str, errors: dict[str, str]) -> date | None:
    if isinstance(value, datetime) or not isinstance(value, date):
        errors[key] = "Choose a day."
        return None
    return value


# --- logging food -----------------------------------------------------------------------------


def _visible_food(session: Session, user: User, food_id: object) -> Food | None:
    key = as_id(food_id)
    food = session.get(Food, key) if key is not None else None
    if food is None or food.owner_id not in (None, user.id):
        return None
    return food


def owned_entry(session: Session, user: User, entry_id: object) -> FoodEntry:
    key = as_id(entry_id)
    entry = session.get(FoodEntry, key) if key is not None else None
    if entry is None or entry.user_id != user.id:
        raise ValidationFailed({"entry": "No such food entry."})
    return entry


def _amount(food: Food | None, quantity: object, unit: object, errors: dict[str, str]):
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
    return amount, unit_name(food, unit.strip()), nutrients_for(food, grams)


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
    food = _visible_food(session, user, food_id)
    if food is None:
        errors["food"] = "Choose a food from the list."
    meal = _meal(meal_type, "meal_type", errors)
    if eaten_at is None:
        eaten_at = utcnow()
    elif not isinstance(eaten_at, datetime) or eaten_at.tzinfo is None:
        errors["eaten_at"] = "Choose when you ate this."
    amount = _amount(food, quantity, unit, errors)
    if errors:
        raise ValidationFailed(errors)
    quantity_, unit_, nutrients = amount
    entry = FoodEntry(
        user_id=user.id, food=food.name, food_id=food.id, name=food.name,
        calories=_round1(nutrients.kcal), protein_g=_round1(nutrients.protein_g), carbs_g=_round1(nutrients.carbs_g),
        fat_g=_round1(nutrients.fat_g), quantity=quantity_, unit=unit_, meal_type=meal, eaten_at=eaten_at,
    )
    return _add_entry(session, entry, _round1(nutrients.fibre_g))


def update_entry(
    session: Session, user: User, entry_id: object, *, quantity: object = None, unit: object = None,
    meal_type: object = None,
) -> FoodEntry:
    """Change an entry's amount or meal; None leaves a field as it is. Nutrients come from the food as it is now."""
    entry = owned_entry(session, user, entry_id)
    record = _fitness_record(session, entry)
    fibre = (record.data.get("fibre_g") or 0.0) if record is not None else 0.0
    errors: dict[str, str] = {}
    meal = entry.meal_type if meal_type is None else _meal(meal_type, "meal_type", errors)
    amount = None
    if quantity is not None or unit is not None:
        food = _visible_food(session, user, entry.food_id)
        if food is None:
            errors["quantity"] = "This food is no longer in the food list, so its amount cannot change; log it again."
        else:
            amount = _amount(food, entry.quantity if quantity is None else quantity,
                             entry.unit if unit is None else unit, errors)
    if errors:
        raise ValidationFailed(errors)
    entry.meal_type = meal
    if amount is not None:
        entry.quantity, entry.unit, nutrients = amount
        entry.name = entry.food = food.name
        entry.calories, entry.protein_g = _round1(nutrients.kcal), _round1(nutrients.protein_g)
        entry.carbs_g, entry.fat_g = _round1(nutrients.carbs_g), _round1(nutrients.fat_g)
        fibre = _round1(nutrients.fibre_g)
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
    start, end = _bounds(user, first, last)
    query = select(FoodEntry).where(FoodEntry.user_id == user.id, FoodEntry.eaten_at >= start, FoodEntry.eaten_at < end)
    if meal is not None:
        query = query.where(FoodEntry.meal_type == meal)
    return session.exec(query.order_by(FoodEntry.eaten_at, FoodEntry.id)).all()


def _fibre_by_entry(session: Session, user: User, first: date, last: date | None = None) -> dict[int, float]:
    start, end = _bounds(user, first, last)
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
        clock = entry.eaten_at.astimezone(zone).time()
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
    source_day = _check_day(from_day, "from_day", errors)
    target_day = _check_day(to_day, "to_day", errors)
    meal = _meal(meal_type, "meal_type", errors)
    target_meal = meal if to_meal is None else _meal(to_meal, "to_meal", errors)
    if not errors and source_day == target_day and meal == target_meal:
        errors["to_day"] = "Choose a different day or meal to copy to."
    if errors:
        raise ValidationFailed(errors)
    entries = _entries(session, user, source_day, meal=meal)
    return _copy(session, user, entries, _fibre_by_entry(session, user, source_day), target_day, target_meal)


def copy_day(session: Session, user: User, from_day: date, to_day: date) -> int:
    """Copy every entry of one day to another, meal by meal; returns how many were copied."""
    errors: dict[str, str] = {}
    source_day = _check_day(from_day, "from_day", errors)
    target_day = _check_day(to_day, "to_day", errors)
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
        .where(FoodEntry.user_id == user.id, or_(Food.owner_id.is_(None), Food.owner_id == user.id))
        .group_by(Food.id, Food.name)
        .order_by(latest.desc())
        .limit(limit)
    ).all()
    return [(food_id, name) for food_id, name in rows]


# --- the day ----------------------------------------------------------------------------------


def _is_training_day(session: Session, user: User, day: date) -> bool:
    start, end = _bounds(user, day)
    found = session.exec(
        select(Workout.id)
        .where(Workout.user_id == user.id, Workout.started_at >= start, Workout.started_at < end)
        .limit(1)
    ).first()
    return found is not None


def _goal(session: Session, user: User) -> NutritionGoal | None:
    return session.exec(select(NutritionGoal).where(NutritionGoal.user_id == user.id)).first()


def _day_targets(goal: NutritionGoal | None, training: bool) -> Targets | None:
    if goal is None:
        return None
    extra = int((goal.settings or {}).get("training_day_extra_kcal") or 0) if training else 0
    return Targets(goal.calories + extra, goal.protein_g, goal.carbs_g + round(extra / 4), goal.fat_g)


def targets_for_day(session: Session, user: User, day: date) -> Targets | None:
    """The member's targets for a local day: a day a workout was started adds the training-day extra as carbs."""
    goal = _goal(session, user)
    if goal is None:
        return None
    return _day_targets(goal, _is_training_day(session, user, day))


def day_view(session: Session, user: User, day: date) -> DayView:
    """A local day's entries by meal, totals, targets and what is left."""
    errors: dict[str, str] = {}
    day = _check_day(day, "day", errors)
    if errors:
        raise ValidationFailed(errors)
    entries = _entries(session, user, day)
    fibre = _fibre_by_entry(session, user, day)
    meals: dict[str, list[EntryRow]] = {meal: [] for meal in MEALS}
    for e in entries:
        meals.setdefault(e.meal_type, []).append(
            EntryRow(e.id, e.name, e.quantity, e.unit, e.calories, e.protein_g, e.carbs_g, e.fat_g, e.photo)
        )
    totals = DayTotals(
        kcal=_round1(sum(e.calories for e in entries)), protein_g=_round1(sum(e.protein_g for e in entries)),
        carbs_g=_round1(sum(e.carbs_g for e in entries)), fat_g=_round1(sum(e.fat_g for e in entries)),
        fibre_g=_round1(sum(fibre.get(e.id, 0.0) for e in entries)),
    )
    training = _is_training_day(session, user, day)
    targets = _day_targets(_goal(session, user), training)
    remaining = None
    if targets is not None:
        remaining = Targets(
            round(targets.calories - totals.kcal), round(targets.protein_g - totals.protein_g),
            round(targets.carbs_g - totals.carbs_g), round(targets.fat_g - totals.fat_g),
        )
    return DayView(day, totals, targets, remaining, meals, training)


# --- targets ----------------------------------------------------------------------------------


def bmr_mifflin_st_jeor(weight_kg: float, height_cm: float, age: float, sex: str) -> float:
    """Resting energy (kcal/day): 10 kg + 6.25 cm - 5 age, + 5 for men, - 161 for women."""
    base = 10 * weight_kg + 6.25 * height_cm - 5 * age
    if sex == "male":
        return base + 5
    if sex == "female":
        return base - 161
    raise ValueError("sex must be 'male' or 'female'")


def _goal_adjustment(goal: str, rate_kg_per_week: float) -> float:
    """The daily energy change a goal's weekly rate asks for: negative to lose."""
    sign = {"lose": -1, "maintain": 0, "gain": 1}[goal]
    return sign * rate_kg_per_week * KCAL_PER_KG / 7


def _split(calories: float, protein_g: float, fat_share: float, field_: str = "protein_g_per_kg") -> Targets:
    """Fat as a share of calories, carbohydrate the rest after protein and fat."""
    fat_g = calories * fat_share / 9
    carbs_g = (calories - protein_g * 4 - fat_g * 9) / 4
    if carbs_g < 0:
        raise ValidationFailed({field_: (
            f"{round(protein_g)} g protein and {round(fat_share * 100)}% fat come to more than {round(calories)} kcal; "
            "lower the protein or the fat share."
        )})
    return Targets(round(calories), round(protein_g), round(carbs_g), round(fat_g))


def _target_inputs(values: dict[str, object]) -> tuple[dict[str, Any], dict[str, str]]:
    """Checked inputs for the target formulas, and a reason for each refused field."""
    checks = {
        "weight_kg": (lambda v: number(v, *WEIGHT_RANGE), "Enter a weight from 20 to 400 kg."),
        "height_cm": (lambda v: number(v, *HEIGHT_RANGE), "Enter a height from 100 to 250 cm."),
        "age": (lambda v: number(v, *AGE_RANGE), "Targets here are for ages 16 to 100."),
        "sex": (lambda v: _choice(v, CALORIE_FLOOR), "Choose male or female (the energy formula differs)."),
        "activity": (lambda v: _choice(v, ACTIVITY_FACTORS),
                     "Choose an activity level: sedentary, light, moderate, active or very active."),
        "goal": (lambda v: _choice(v, GOALS), "Choose lose, maintain or gain."),
        "rate_kg_per_week": (lambda v: 0.0 if blank(v) else number(v, 0.0, 100.0),
                             "Enter a rate of 0 or more kg per week."),
        "protein_g_per_kg": (lambda v: None if blank(v) else number(v, *PROTEIN_PER_KG_RANGE),
                             "Protein must be from 0.8 to 3.5 g per kg of bodyweight."),
        "fat_share": (lambda v: DEFAULT_FAT_SHARE if blank(v) else number(v, *FAT_SHARE_RANGE),
                      "Fat must be from 0.15 to 0.6 of calories."),
    }
    cleaned, errors = {}, {}
    for name, (check, message) in checks.items():
        try:
            cleaned[name] = check(values.get(name))
        except (ValueError, TypeError, OverflowError):
            errors[name] = message
    goal, rate = cleaned.get("goal"), cleaned.get("rate_kg_per_week")
    if goal == "maintain":
        cleaned["rate_kg_per_week"] = 0.0
    elif goal == "lose" and rate is not None and rate > MAX_RATE_KG_PER_WEEK["lose"]:
        errors["rate_kg_per_week"] = "Losing more than 1 kg a week is not supported here; choose 1 kg or less."
    elif goal == "gain" and rate is not None and rate > MAX_RATE_KG_PER_WEEK["gain"]:
        errors["rate_kg_per_week"] = "Gaining more than 0.5 kg a week adds mostly fat; choose 0.5 kg or less."
    return cleaned, errors


def _with_floor(calories: float, sex: str, goal: str) -> tuple[float, tuple[str, ...]]:
    floor = CALORIE_FLOOR[sex]
    if calories >= floor:
        return calories, ()
    who = "women" if sex == "female" else "men"
    slower = " so expect slower loss than the rate you chose" if goal == "lose" else ""
    note = f"Calories were raised to {floor} kcal a day, the lowest target set here for {who},{slower}."
    return float(floor), (note,)


def compute_targets(
    *, weight_kg: float, height_cm: float, age: float, sex: str, activity: str, goal: str,
    rate_kg_per_week: float, protein_g_per_kg: float | None = None, fat_share: float = DEFAULT_FAT_SHARE,
) -> Targets:
    """Daily calories and macros from body, activity and goal; refuses unsafe or impossible settings."""
    inputs, errors = _target_inputs({
        "weight_kg": weight_kg, "height_cm": height_cm, "age": age, "sex": sex, "activity": activity, "goal": goal,
        "rate_kg_per_week": rate_kg_per_week, "protein_g_per_kg": protein_g_per_kg, "fat_share": fat_share,
    })
    if errors:
        raise ValidationFailed(errors)
    return _targets_from(inputs)


def _targets_from(inputs: dict[str, Any]) -> Targets:
    bmr = bmr_mifflin_st_jeor(inputs["weight_kg"], inputs["height_cm"], inputs["age"], inputs["sex"])
    tdee = bmr * ACTIVITY_FACTORS[inputs["activity"]]
    calories = tdee + _goal_adjustment(inputs["goal"], inputs["rate_kg_per_week"])
    calories, notes = _with_floor(calories, inputs["sex"], inputs["goal"])
    per_kg = inputs["protein_g_per_kg"] or DEFAULT_PROTEIN_G_PER_KG[inputs["goal"]]
    split = _split(calories, per_kg * inputs["weight_kg"], inputs["fat_share"])
    return Targets(split.calories, split.protein_g, split.carbs_g, split.fat_g, notes)


def latest_bodyweight(session: Session, user: User) -> float | None:
    row = session.exec(
        select(FitnessData.data).where(FitnessData.user_id == user.id, FitnessData.type == "bodyweight")
        .order_by(FitnessData.recorded_at.desc()).limit(1)
    ).first()
    try:
        return float(row["kg"]) if row else None
    except (KeyError, TypeError, ValueError):
        return None


def _age(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


OVERRIDES = {
    "calories": (lambda v: whole(v, 0, CALORIES_MAX), f"Calories must be a whole number up to {CALORIES_MAX}."),
    "protein_g": (lambda v: whole(v, 0, MACRO_MAX_G), f"Protein must be a whole number of grams up to {MACRO_MAX_G}."),
    "carbs_g": (lambda v: whole(v, 0, MACRO_MAX_G), f"Carbs must be a whole number of grams up to {MACRO_MAX_G}."),
    "fat_g": (lambda v: whole(v, 0, MACRO_MAX_G), f"Fat must be a whole number of grams up to {MACRO_MAX_G}."),
}


def set_goal(session: Session, user: User, form: dict[str, object], *, now: datetime | None = None) -> NutritionGoal:
    """Set the member's targets from a form.

    Form keys: activity, goal, rate_kg_per_week; optional weight_kg, height_cm, age and sex (else the
    profile's, and the latest weigh-in), protein_g_per_kg, fat_share, training_day_extra_kcal (0-1000,
    eaten as extra carbohydrate on training days), and overrides for calories, protein_g, carbs_g, fat_g.
    """
    today = _today(user, now)
    defaults = {
        "weight_kg": (latest_bodyweight(session, user), "Enter your weight, or log a weigh-in first."),
        "height_cm": (user.height_cm, "Enter your height, or add it to your profile."),
        "age": (_age(user.date_of_birth, today), "Enter your age, or add your date of birth to your profile."),
        "sex": (user.sex, "Choose male or female (the energy formula differs), or set it in your profile."),
    }
    values = dict(form)
    missing = {}
    for name, (default, message) in defaults.items():
        if blank(values.get(name)):
            values[name] = default
            if default is None:
                missing[name] = message
    if blank(values.get("activity")):
        missing["activity"] = "Choose how active you are."
    if blank(values.get("goal")):
        missing["goal"] = "Choose lose, maintain or gain."
    elif str(values["goal"]).strip().lower() in ("lose", "gain") and blank(values.get("rate_kg_per_week")):
        missing["rate_kg_per_week"] = "Enter how many kg a week."
    inputs, errors = _target_inputs(values)
    errors.update(missing)
    try:
        extra = 0 if blank(values.get("training_day_extra_kcal")) else whole(
            values.get("training_day_extra_kcal"), *TRAINING_EXTRA_RANGE)
    except (ValueError, TypeError, OverflowError):
        errors["training_day_extra_kcal"] = "The training-day extra must be a whole number from 0 to 1000 kcal."
    overrides = {}
    for name, (check, message) in OVERRIDES.items():
        if not blank(values.get(name)):
            try:
                overrides[name] = check(values[name])
            except (ValueError, TypeError, OverflowError):
                errors[name] = message
    if "calories" in overrides and "sex" not in errors and "sex" not in missing:
        floor = CALORIE_FLOOR[inputs["sex"]]
        if overrides["calories"] < floor:
            who = "women" if inputs["sex"] == "female" else "men"
            errors["calories"] = f"Calories can be no lower than {floor} kcal a day for {who} here."
    if errors:
        raise ValidationFailed(errors)

    computed = _targets_from(inputs)
    targets, notes = computed, computed.notes
    per_kg = inputs["protein_g_per_kg"] or DEFAULT_PROTEIN_G_PER_KG[inputs["goal"]]
    if "calories" in overrides:
        # Macros follow the calories the member chose, before any macro of their own replaces one.
        targets, notes = _split(overrides["calories"], per_kg * inputs["weight_kg"], inputs["fat_share"]), ()
    final = {"calories": targets.calories, "protein_g": targets.protein_g, "carbs_g": targets.carbs_g,
             "fat_g": targets.fat_g, **overrides}
    settings = {
        **{name: inputs[name] for name in ("weight_kg", "height_cm", "age", "sex", "activity", "goal",
                                           "rate_kg_per_week", "fat_share")},
        "protein_g_per_kg": per_kg,
        "training_day_extra_kcal": extra,
        "overrides": overrides,
        "computed": {"calories": computed.calories, "protein_g": computed.protein_g,
                     "carbs_g": computed.carbs_g, "fat_g": computed.fat_g},
        "notes": list(notes),
    }
    goal = _goal(session, user) or NutritionGoal(user_id=user.id, calories=0, protein_g=0, carbs_g=0, fat_g=0)
    goal.calories, goal.protein_g, goal.carbs_g, goal.fat_g = (final[k] for k in OVERRIDES)
    goal.settings = settings
    goal.updated_at = now or utcnow()
    session.add(goal)
    session.flush()
    return goal


# --- bodyweight -------------------------------------------------------------------------------


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
    today = _today(user, now)
    if day is None:
        day = today
    elif _check_day(day, "day", errors) is not None and day > today:
        errors["day"] = "Weigh-ins cannot be in the future."
    if errors:
        raise ValidationFailed(errors)
    # A past day's weigh-in is placed at local noon, clear of midnight and daylight-saving changes.
    recorded = now if day == today else datetime.combine(day, time(12, 0), tzinfo=user_zone(user))
    start, end = _bounds(user, day)
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


def daily_weights(session: Session, user: User, first: date, last: date) -> dict[date, float]:
    """The mean weigh-in of each local day from `first` to `last` that has one."""
    start, end = _bounds(user, first, last)
    rows = session.exec(
        select(FitnessData.recorded_at, FitnessData.data).where(
            FitnessData.user_id == user.id, FitnessData.type == "bodyweight",
            FitnessData.recorded_at >= start, FitnessData.recorded_at < end,
        )
    ).all()
    by_day: dict[date, list[float]] = defaultdict(list)
    for recorded_at, data in rows:
        try:
            by_day[_local_day(user, recorded_at)].append(float(data["kg"]))
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
    today = _today(user, now)
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


# --- adaptive expenditure ---------------------------------------------------------------------


def daily_intake(session: Session, user: User, first: date, last: date) -> dict[date, float]:
    start, end = _bounds(user, first, last)
    rows = session.exec(
        select(FoodEntry.eaten_at, FoodEntry.calories).where(
            FoodEntry.user_id == user.id, FoodEntry.eaten_at >= start, FoodEntry.eaten_at < end
        )
    ).all()
    totals: dict[date, float] = defaultdict(float)
    for eaten_at, calories in rows:
        totals[_local_day(user, eaten_at)] += calories
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
    last = _today(user, now) - timedelta(days=1)
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


def expenditure_history(session: Session, user: User, *, limit: int = 104) -> list[ExpenditureEstimate]:
    """The member's stored estimates, oldest first (the latest `limit`)."""
    rows = session.exec(
        select(ExpenditureEstimate).where(ExpenditureEstimate.user_id == user.id)
        .order_by(ExpenditureEstimate.computed_at.desc(), ExpenditureEstimate.id.desc()).limit(max(1, int(limit)))
    ).all()
    return list(reversed(rows))


def suggest_calorie_update(session: Session, user: User, *, now: datetime | None = None) -> dict | None:
    """A new calorie target from the estimated expenditure and the goal's rate, when it differs by over 100 kcal."""
    goal = _goal(session, user)
    if goal is None:
        return None
    expenditure = estimate_expenditure(session, user, now=now)
    if expenditure is None:
        return None
    settings = goal.settings or {}
    kind = settings.get("goal") if settings.get("goal") in GOALS else "maintain"
    rate = float(settings.get("rate_kg_per_week") or 0.0)
    adjustment = _goal_adjustment(kind, rate)
    suggested = expenditure + adjustment
    if settings.get("sex") in CALORIE_FLOOR:
        suggested, _ = _with_floor(suggested, settings["sex"], kind)
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
    goal = _goal(session, user)
    settings = goal.settings or {}
    split = _split(suggestion["suggested"], goal.protein_g, float(settings.get("fat_share") or DEFAULT_FAT_SHARE),
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


# --- guidance ---------------------------------------------------------------------------------


def daily_hints(session: Session, user: User, day: date, *, now: datetime | None = None) -> list[str]:
    """Plain, rule-based nudges for a day; general guidance, never a medical judgement."""
    view = day_view(session, user, day)
    totals, targets = view.totals, view.targets
    moment = (now or utcnow()).astimezone(user_zone(user))
    evening = day < moment.date() or (day == moment.date() and moment.time() >= EVENING)
    hints = []
    if targets is None:
        hints.append("Set your calorie and macro targets to see how your day adds up.")
    else:
        if evening and targets.protein_g > 0 and totals.protein_g < LOW_PROTEIN_SHARE * targets.protein_g:
            hints.append(f"Protein is at {totals.protein_g:g} g of your {targets.protein_g} g target; "
                         "a protein-rich meal or snack would close some of the gap.")
        if (evening and view.is_training_day and targets.calories > 0
                and totals.kcal < LOW_ENERGY_SHARE * targets.calories):
            hints.append(f"You trained today and have eaten {totals.kcal:,.0f} of your {targets.calories:,} kcal; "
                         "eating enough on training days supports recovery and performance.")
    if totals.kcal > FIBRE_CHECK_KCAL and totals.fibre_g < FIBRE_MIN_G:
        hints.append(f"Fibre is at {totals.fibre_g:g} g today; vegetables, fruit, beans and whole grains add more.")
    return hints
