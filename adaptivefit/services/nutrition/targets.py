"""Energy and macro targets: Mifflin-St Jeor BMR times an activity factor, plus the goal's daily
energy change (rate x 7700 kcal per kg / 7). Protein is set per kg of bodyweight, fat as a share of
calories, carbohydrate takes the rest (macros.split). Training days add extra energy as
carbohydrate (macros.with_training_extra).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from adaptivefit.models import NutritionGoal, User, Workout
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.clock import day_bounds, local_today
from adaptivefit.services.core.inputs import blank, number, whole
from adaptivefit.services.nutrition import macros
from adaptivefit.services.nutrition.bodyweight import WEIGHT_RANGE, latest_bodyweight
from adaptivefit.services.nutrition.fields import choice
from adaptivefit.services.nutrition.macros import Targets

GOALS = ("lose", "maintain", "gain")
ACTIVITY_FACTORS = {"sedentary": 1.2, "light": 1.375, "moderate": 1.55, "active": 1.725, "very_active": 1.9}
KCAL_PER_KG = 7700
MAX_RATE_KG_PER_WEEK = {"lose": 1.0, "maintain": 0.0, "gain": 0.5}
DEFAULT_PROTEIN_G_PER_KG = {"lose": 2.0, "maintain": 1.6, "gain": 1.8}
CALORIE_FLOOR = {"female": 1200, "male": 1500}
DEFAULT_FAT_SHARE = 0.25

HEIGHT_RANGE = (100.0, 250.0)
AGE_RANGE = (16, 100)
PROTEIN_PER_KG_RANGE = (0.8, 3.5)
FAT_SHARE_RANGE = (0.15, 0.6)
TRAINING_EXTRA_RANGE = (0, 1000)
CALORIES_MAX = 10_000
MACRO_MAX_G = 1_500


def bmr_mifflin_st_jeor(weight_kg: float, height_cm: float, age: float, sex: str) -> float:
    """Resting energy (kcal/day): 10 kg + 6.25 cm - 5 age, + 5 for men, - 161 for women."""
    base = 10 * weight_kg + 6.25 * height_cm - 5 * age
    if sex == "male":
        return base + 5
    if sex == "female":
        return base - 161
    raise ValueError("sex must be 'male' or 'female'")


def goal_adjustment(goal: str, rate_kg_per_week: float) -> float:
    """The daily energy change a goal's weekly rate asks for: negative to lose."""
    sign = {"lose": -1, "maintain": 0, "gain": 1}[goal]
    return sign * rate_kg_per_week * KCAL_PER_KG / 7


def _target_inputs(values: dict[str, object]) -> tuple[dict[str, Any], dict[str, str]]:
    """Checked inputs for the target formulas, and a reason for each refused field."""
    checks = {
        "weight_kg": (lambda v: number(v, *WEIGHT_RANGE), "Enter a weight from 20 to 400 kg."),
        "height_cm": (lambda v: number(v, *HEIGHT_RANGE), "Enter a height from 100 to 250 cm."),
        "age": (lambda v: number(v, *AGE_RANGE), "Targets here are for ages 16 to 100."),
        "sex": (lambda v: choice(v, CALORIE_FLOOR), "Choose male or female (the energy formula differs)."),
        "activity": (lambda v: choice(v, ACTIVITY_FACTORS),
                     "Choose an activity level: sedentary, light, moderate, active or very active."),
        "goal": (lambda v: choice(v, GOALS), "Choose lose, maintain or gain."),
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


def with_floor(calories: float, sex: str, goal: str) -> tuple[float, tuple[str, ...]]:
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
    calories = tdee + goal_adjustment(inputs["goal"], inputs["rate_kg_per_week"])
    calories, notes = with_floor(calories, inputs["sex"], inputs["goal"])
    per_kg = inputs["protein_g_per_kg"] or DEFAULT_PROTEIN_G_PER_KG[inputs["goal"]]
    split = macros.split(calories, per_kg * inputs["weight_kg"], inputs["fat_share"])
    return Targets(split.calories, split.protein_g, split.carbs_g, split.fat_g, notes)


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
    today = local_today(user, now)
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
        targets, notes = macros.split(overrides["calories"], per_kg * inputs["weight_kg"], inputs["fat_share"]), ()
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
    goal = current_goal(session, user) or NutritionGoal(user_id=user.id, calories=0, protein_g=0, carbs_g=0, fat_g=0)
    goal.calories, goal.protein_g, goal.carbs_g, goal.fat_g = (final[k] for k in OVERRIDES)
    goal.settings = settings
    goal.updated_at = now or utcnow()
    session.add(goal)
    session.flush()
    return goal

def current_goal(session: Session, user: User) -> NutritionGoal | None:
    return session.exec(select(NutritionGoal).where(NutritionGoal.user_id == user.id)).first()


def is_training_day(session: Session, user: User, day: date) -> bool:
    """Whether the member started a workout on their local `day`."""
    start, end = day_bounds(user, day)
    found = session.exec(
        select(Workout.id)
        .where(Workout.user_id == user.id, Workout.started_at >= start, Workout.started_at < end)
        .limit(1)
    ).first()
    return found is not None


def day_targets(goal: NutritionGoal | None, training: bool) -> Targets | None:
    if goal is None:
        return None
    extra = int((goal.settings or {}).get("training_day_extra_kcal") or 0) if training else 0
    return macros.with_training_extra(goal.calories, goal.protein_g, goal.carbs_g, goal.fat_g, extra)


def targets_for_day(session: Session, user: User, day: date) -> Targets | None:
    """The member's targets for a local day: a day a workout was started adds the training-day extra as carbs."""
    goal = current_goal(session, user)
    if goal is None:
        return None
    return day_targets(goal, is_training_day(session, user, day))
