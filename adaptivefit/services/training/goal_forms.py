"""Reading a goal form: each kind's fields, what the goal trains for, its priority and date.

Every field is checked and all reasons are gathered at once, so the member fixes the form in one go.
Masses arrive in kg; `goal_fields` turns the goal page's one "target" box, typed in the member's
units, into the kind's own field.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from adaptivefit.models import Exercise, FitnessData, User
from adaptivefit.services.catalog import library
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.units import parse_mass

KINDS = ("strength", "consistency", "bodyweight", "volume")
GOAL_TYPES = ("strength", "hypertrophy", "endurance", "fat_loss", "general_fitness")
PRIORITY_RANGE = (1, 5)
DEFAULT_PRIORITY = 3
MAX_YEARS_AHEAD = 5

E1RM_RANGE = (1.0, 1000.0)
WORKOUTS_RANGE = (1, 14)
BODYWEIGHT_RANGE = (20.0, 400.0)
VOLUME_RANGE = (1.0, 200_000.0)

# The goal page's one "target" box, per kind: the field it fills.
TARGET_FIELDS = {"strength": "target_e1rm_kg", "consistency": "workouts_per_week", "bodyweight": "target_kg",
                 "volume": "weekly_volume_kg"}

_NUMBER = re.compile(r"\d{1,7}(?:\.\d{1,2})?")
_INTEGER = re.compile(r"\d{1,9}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Bad(Exception):
    """One field's reason, gathered into a ValidationFailed for the whole form."""


def _number(value: object, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or value is None:
        raise _Bad(f"Enter {what}.")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", ".")
        if not text:
            raise _Bad(f"Enter {what}.")
        if not _NUMBER.fullmatch(text):
            raise _Bad("Enter a number, like 82.5.")
        number = float(text)
    if not math.isfinite(number) or not low <= number <= high:
        raise _Bad(f"Enter a value between {low:g} and {high:g}.")
    return round(number, 2)


def _integer(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or value is None:
        raise _Bad(f"Enter {what}.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = str(value).strip()
        if not text:
            raise _Bad(f"Enter {what}.")
        if not _INTEGER.fullmatch(text):
            raise _Bad("Enter a whole number.")
        number = int(text)
    if not low <= number <= high:
        raise _Bad(f"Enter a whole number between {low} and {high}.")
    return number


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _goal_type(value: object, what: str) -> str:
    text = value.strip().lower().replace(" ", "_").replace("-", "_") if isinstance(value, str) else None
    if text not in GOAL_TYPES:
        raise _Bad(f"Choose a {what} goal: strength, hypertrophy, endurance, fat loss or general fitness.")
    return text


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def _target_date(value: object, today: date) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        try:
            if not ISO_DATE.fullmatch(text):
                raise ValueError
            day = date.fromisoformat(text)
        except ValueError:
            raise _Bad("Enter a date like 2026-06-30.") from None
    if day < today:
        raise _Bad("Choose a date from today on.")
    if day > _years_later(today, MAX_YEARS_AHEAD):
        raise _Bad(f"Choose a date within {MAX_YEARS_AHEAD} years.")
    return day


def default_primary(kind: str, details: dict[str, Any]) -> str:
    """What a goal of this kind trains for when the member did not say."""
    if kind == "strength":
        return "strength"
    if kind == "volume":
        return "hypertrophy"
    if kind == "bodyweight":
        try:
            losing = float(details["target_kg"]) < float(details["start_kg"])
        except (KeyError, TypeError, ValueError):
            losing = False
        return "fat_loss" if losing else "general_fitness"
    return "general_fitness"


def _aims(
    kind: str, details: dict[str, Any], form: dict[str, Any], today: date, errors: dict[str, str]
) -> tuple[str, str | None, int]:
    """The primary and secondary goal types and the priority; a target date goes into `details`."""
    primary = secondary = None
    priority = DEFAULT_PRIORITY
    try:
        primary = (
            default_primary(kind, details)
            if _blank(form.get("primary_goal_type"))
            else _goal_type(form.get("primary_goal_type"), "primary")
        )
    except _Bad as bad:
        errors["primary_goal_type"] = str(bad)
    if not _blank(form.get("secondary_goal_type")):
        try:
            secondary = _goal_type(form.get("secondary_goal_type"), "secondary")
        except _Bad as bad:
            errors["secondary_goal_type"] = str(bad)
        if secondary is not None and secondary == primary:
            errors["secondary_goal_type"] = "Choose a secondary goal different from the primary one."
    if not _blank(form.get("priority")):
        try:
            priority = _integer(form.get("priority"), *PRIORITY_RANGE, "a priority")
        except _Bad as bad:
            errors["priority"] = str(bad)
    if not _blank(form.get("target_date")):
        try:
            details["target_date"] = _target_date(form.get("target_date"), today).isoformat()
        except _Bad as bad:
            errors["target_date"] = str(bad)
    return primary or "", secondary, priority


def _exercise(session: Session, user: User, value: object) -> Exercise:
    """An exercise the member may see: the shared library or their own custom ones."""
    try:
        exercise_id = _integer(value, 1, 2**31 - 1, "an exercise")
    except _Bad:
        raise _Bad("Choose an exercise.") from None
    exercise = library.visible_exercise(session, user.id, exercise_id)
    if exercise is None:
        raise _Bad("Choose an exercise from the library.")
    return exercise


def latest_bodyweight(session: Session, user_id: int) -> float | None:
    rows = session.exec(
        select(FitnessData.data)
        .where(FitnessData.user_id == user_id, FitnessData.type == "bodyweight")
        .order_by(FitnessData.recorded_at.desc(), FitnessData.id.desc())
        .limit(5)
    ).all()
    for data in rows:
        kg = data.get("kg") if isinstance(data, dict) else None
        if isinstance(kg, (int, float)) and not isinstance(kg, bool) and math.isfinite(kg) and kg > 0:
            return float(kg)
    return None


def _details(session: Session, user: User, kind: str, form: dict[str, Any], errors: dict[str, str]) -> dict:
    details: dict[str, Any] = {}

    def field(name: str, parse) -> None:
        try:
            details[name] = parse(form.get(name))
        except _Bad as bad:
            errors[name] = str(bad)

    if kind == "strength":
        field("exercise_id", lambda v: _exercise(session, user, v).id)
        field("target_e1rm_kg", lambda v: _number(v, *E1RM_RANGE, "a target one-rep max in kg"))
    elif kind == "consistency":
        field("workouts_per_week", lambda v: _integer(v, *WORKOUTS_RANGE, "workouts per week"))
    elif kind == "bodyweight":
        field("target_kg", lambda v: _number(v, *BODYWEIGHT_RANGE, "a target weight in kg"))
        if _blank(form.get("start_kg")):
            # Without a starting weight given, the latest weigh-in is where the member starts.
            latest = latest_bodyweight(session, user.id)
            if latest is None:
                errors["start_kg"] = "Enter your starting weight, or log a weigh-in first."
            else:
                field("start_kg", lambda _: _number(latest, *BODYWEIGHT_RANGE, "your starting weight in kg"))
        else:
            field("start_kg", lambda v: _number(v, *BODYWEIGHT_RANGE, "your starting weight in kg"))
        if "target_kg" in details and "start_kg" in details and details["target_kg"] == details["start_kg"]:
            errors["target_kg"] = "Choose a target different from your starting weight."
    elif kind == "volume":
        exercise = form.get("exercise_id")
        if _blank(exercise):
            details["exercise_id"] = None
        else:
            field("exercise_id", lambda v: _exercise(session, user, v).id)
        field("weekly_volume_kg", lambda v: _number(v, *VOLUME_RANGE, "a weekly volume in kg"))
    return details


def read_kind(form: dict[str, Any]) -> str:
    kind = form.get("kind")
    if not isinstance(kind, str) or kind.strip() not in KINDS:
        raise ValidationFailed({"kind": "Choose a goal type: strength, consistency, bodyweight or volume."})
    return kind.strip()


def read_form(
    session: Session, user: User, kind: str, form: dict[str, Any], today: date
) -> tuple[dict[str, Any], str, str | None, int]:
    """(details, primary, secondary, priority) of a goal of `kind`; ValidationFailed with every reason."""
    errors: dict[str, str] = {}
    details = _details(session, user, kind, form, errors)
    primary, secondary, priority = _aims(kind, details, form, today, errors)
    if errors:
        raise ValidationFailed(errors)
    return details, primary, secondary, priority


def goal_fields(form: dict[str, Any], units: str) -> dict[str, str]:
    """The goal page's form as `create_goal` reads it: the "target" box, in the member's units, moves
    to the kind's field in kg (a workout count stays a count). Text that is no number is passed on
    for `create_goal` to refuse with its message."""
    fields = {str(k): str(v)[:200] for k, v in form.items()}
    kind = fields.get("kind", "")
    key = TARGET_FIELDS.get(kind)
    target = fields.pop("target", "").strip().replace(",", ".")
    if key is not None and target:
        if kind != "consistency":
            try:
                target = f"{parse_mass(target, units):.2f}" if units == "lb" else target
            except ValueError:
                pass
        fields[key] = target
    return fields
