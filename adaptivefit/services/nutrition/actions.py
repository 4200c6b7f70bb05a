"""The nutrition page's use cases: what a handler calls with what the member typed, in their units,
and the words it shows back."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from adaptivefit.models import FitnessData, NutritionGoal, User
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.units import from_display
from adaptivefit.services.nutrition.bodyweight import log_bodyweight
from adaptivefit.services.nutrition.diary import copy_day, copy_meal
from adaptivefit.services.nutrition.targets import set_goal


def copy_from_yesterday(session: Session, user: User, day: date, meal: str) -> str:
    """Copy the day before's `meal` ("day" for all of it) to `day`; returns what the member is told."""
    before = day - timedelta(days=1)
    count = copy_day(session, user, before, day) if meal == "day" else copy_meal(session, user, before, meal, day)
    return f"Copied {count} item{'s' if count != 1 else ''} from yesterday."


def log_weight_as_typed(session: Session, user: User, typed: str) -> FitnessData:
    """Today's weigh-in from the weight field, in the member's units; every refusal at "weight"."""
    try:
        kg = from_display(float(typed.strip().replace(",", ".")), user.units)
    except ValueError:
        raise ValidationFailed({"weight": "Enter your weight as a number."}) from None
    try:
        return log_bodyweight(session, user, kg)
    except ValidationFailed as refused:
        raise ValidationFailed({"weight": next(iter(refused.errors.values()))}) from None


def set_goal_in_units(session: Session, user: User, form: dict[str, object]) -> NutritionGoal:
    """`set_goal` from the targets form, whose weight is in the member's units (kg or lb)."""
    values = dict(form)
    if user.units == "lb" and "weight_kg" in values:
        try:
            values["weight_kg"] = f"{from_display(float(values['weight_kg']), 'lb'):.2f}"
        except ValueError:
            # Left as typed, so set_goal refuses it with the weight's own message.
            pass
    return set_goal(session, user, values)
