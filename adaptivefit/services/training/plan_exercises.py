"""The exercises of a plan day: reading their form, adding, changing, removing and swapping them.

A load is absolute (`load_kg`) or a share of the member's estimated one-rep max (`percent_1rm`, in
percent: 75.0 means 75 %), or neither (by feel). Form values may be strings, as a form sends them;
a key absent from the form keeps its current value (or the default, for a new row).
"""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import PlanExercise, User
from adaptivefit.services.catalog import library
from adaptivefit.services.catalog.exercises_admin import text
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.training.plans import integer, own_day, own_plan_exercise, touch

SETS_RANGE = (1, 20)
REPS_RANGE = (1, 100)
MAX_LOAD_KG = 1000.0
PERCENT_RANGE = (1.0, 100.0)
RPE_RANGE = (1.0, 10.0)
RIR_RANGE = (0, 10)
REST_MAX_S = 900
NOTES_MAX = 500
DEFAULTS = {"sets": 3, "reps_min": 8, "reps_max": 8, "rest_s": 120}

_MISSING = object()


class _Bad(Exception):
    """One field's reason, gathered with the others into one ValidationFailed."""


# --- reading one field ---------------------------------------------------------------------------


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        cleaned = text(value).replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d{1,7}(\.\d*)?|\.\d+)", cleaned):
            return None
        number = float(cleaned)
    return number if number == number and abs(number) != float("inf") else None


def _blank(value) -> bool:
    return value is _MISSING or value is None or text(value) == ""


def _parse_reps(value) -> tuple[int, int] | None:
    raw = text(value)
    match = re.fullmatch(r"(\d{1,4})\s*(?:[-–—]|to)\s*(\d{1,4})", raw)
    if match:
        return int(match.group(1)), int(match.group(2))
    single = integer(raw)
    return (single, single) if single is not None else None


def _parse_load(value) -> tuple[float | None, float | None] | str:
    """(load_kg, percent_1rm) from "100", "82.5 kg", "75%" or blank; an error message otherwise."""
    raw = text(value).lower()
    if raw.endswith("%"):
        percent = _number(raw[:-1])
        if percent is None or not PERCENT_RANGE[0] <= percent <= PERCENT_RANGE[1]:
            return f"Enter a share of your one-rep max from {PERCENT_RANGE[0]:g}% to {PERCENT_RANGE[1]:g}%."
        return None, round(percent, 1)
    kg = _number(raw.removesuffix("kg").strip())
    if kg is None or not 0 <= kg <= MAX_LOAD_KG:
        return f"Enter a load in kg from 0 to {MAX_LOAD_KG:g} (like 100), a percentage like 75%, or leave it empty."
    return round(kg, 2), None


def _exercise_field(session: Session, user_id: int, raw, current) -> dict:
    if _blank(raw):
        if current is None:
            raise _Bad("Choose an exercise.")
        return {}
    exercise = library.visible_exercise(session, user_id, raw)
    if exercise is None:
        raise _Bad("Choose an exercise from the library.")
    return {"exercise_id": exercise.id}


def _sets_field(raw, current) -> dict:
    if _blank(raw):
        return {"sets": DEFAULTS["sets"]} if current is None else {}
    sets = integer(raw)
    if sets is None or not SETS_RANGE[0] <= sets <= SETS_RANGE[1]:
        raise _Bad(f"Enter a whole number of sets from {SETS_RANGE[0]} to {SETS_RANGE[1]}.")
    return {"sets": sets}


def _reps_field(raw, current) -> dict:
    if _blank(raw):
        return {"reps_min": DEFAULTS["reps_min"], "reps_max": DEFAULTS["reps_max"]} if current is None else {}
    reps = _parse_reps(raw)
    low, high = REPS_RANGE
    if reps is None or not (low <= reps[0] <= high and low <= reps[1] <= high):
        raise _Bad(f"Enter reps from {low} to {high}, as one number (8) or a range (8-12).")
    if reps[0] > reps[1]:
        raise _Bad("Put the smaller number first in a rep range, like 8-12.")
    return {"reps_min": reps[0], "reps_max": reps[1]}


def _load_field(raw, current) -> dict:
    if raw is _MISSING and current is not None:
        return {}
    parsed = (None, None) if _blank(raw) else _parse_load(raw)
    if isinstance(parsed, str):
        raise _Bad(parsed)
    return {"load_kg": parsed[0], "percent_1rm": parsed[1]}


def _rpe_field(raw, current) -> dict:
    if raw is _MISSING and current is not None:
        return {}
    rpe = None if _blank(raw) else _number(raw)
    if not _blank(raw) and (rpe is None or not RPE_RANGE[0] <= rpe <= RPE_RANGE[1] or (rpe * 2) % 1):
        raise _Bad("Enter a target RPE from 1 to 10 in steps of 0.5 (like 8 or 8.5), or leave it empty.")
    return {"target_rpe": rpe}


def _rir_field(raw, current) -> dict:
    if raw is _MISSING and current is not None:
        return {}
    rir = None if _blank(raw) else integer(raw)
    if not _blank(raw) and (rir is None or not RIR_RANGE[0] <= rir <= RIR_RANGE[1]):
        low, high = RIR_RANGE
        raise _Bad(f"Enter reps in reserve as a whole number from {low} to {high}, or leave it empty.")
    return {"target_rir": rir}


def _rest_field(raw, current) -> dict:
    if _blank(raw):
        return {"rest_s": DEFAULTS["rest_s"]} if current is None else {}
    rest = integer(raw)
    if rest is None or not 0 <= rest <= REST_MAX_S:
        raise _Bad(f"Enter rest in whole seconds from 0 to {REST_MAX_S}.")
    return {"rest_s": rest}


def _notes_field(raw, current) -> dict:
    if raw is _MISSING and current is not None:
        return {}
    notes = "" if _blank(raw) else str(raw).strip()
    if len(notes) > NOTES_MAX:
        raise _Bad(f"Keep notes to {NOTES_MAX} characters or fewer.")
    return {"notes": notes}


# Form key -> reader; the error for a field is reported under its form key.
_FIELDS = (
    ("sets", _sets_field), ("reps", _reps_field), ("load", _load_field), ("target_rpe", _rpe_field),
    ("target_rir", _rir_field), ("rest_s", _rest_field), ("notes", _notes_field),
)


def _parse_plan_exercise(session: Session, user_id: int, form: dict, current: PlanExercise | None) -> dict:
    """Validated column values. A key absent from `form` keeps its current value (or the default)."""
    if not isinstance(form, dict):
        raise ValidationFailed({"exercise_id": "Fill in the exercise form."})
    errors: dict[str, str] = {}
    values: dict = {}
    readers = [("exercise_id", lambda raw, row: _exercise_field(session, user_id, raw, row)), *_FIELDS]
    for key, read in readers:
        try:
            values.update(read(form.get(key, _MISSING), current))
        except _Bad as bad:
            errors[key] = str(bad)
    if "target_rpe" not in errors and "target_rir" not in errors:
        rpe = values.get("target_rpe", current.target_rpe if current else None)
        rir = values.get("target_rir", current.target_rir if current else None)
        if rpe is not None and rir is not None:
            errors["target_rir"] = "Set a target RPE or a target RIR, not both."
    if errors:
        raise ValidationFailed(errors)
    return values


# --- changing a day's exercises ------------------------------------------------------------------


def add_plan_exercise(session: Session, user: User, day_id: int, form: dict) -> PlanExercise:
    """Append an exercise to a plan day. Form values may be strings, as a form sends them."""
    day, plan = own_day(session, user, day_id)
    values = _parse_plan_exercise(session, plan.user_id, form, None)
    last = session.exec(select(func.max(PlanExercise.position)).where(PlanExercise.day_id == day.id)).one()
    row = PlanExercise(day_id=day.id, position=(last or 0) + 1, **values)
    session.add(row)
    touch(session, plan)
    session.flush()
    return row


def update_plan_exercise(session: Session, user: User, plan_exercise_id: int, form: dict) -> PlanExercise:
    """Change the fields present in `form`; an empty value clears load, RPE, RIR or notes."""
    row, plan = own_plan_exercise(session, user, plan_exercise_id)
    values = _parse_plan_exercise(session, plan.user_id, form, row)
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    touch(session, plan)
    session.flush()
    return row


def remove_plan_exercise(session: Session, user: User, plan_exercise_id: int) -> None:
    row, plan = own_plan_exercise(session, user, plan_exercise_id)
    day_id, position = row.day_id, row.position
    session.delete(row)
    for later in session.exec(
        select(PlanExercise).where(PlanExercise.day_id == day_id, PlanExercise.position > position)
    ).all():
        later.position -= 1
        session.add(later)
    touch(session, plan)
    session.flush()


def replace_exercise(session: Session, user: User, plan_exercise_id: int, new_exercise_id: int) -> None:
    """Accept a substitution: sets, reps, rest and effort targets stay; an absolute load does not
    carry over to another movement. A percentage of one-rep max does, being relative to it."""
    row, plan = own_plan_exercise(session, user, plan_exercise_id)
    exercise = library.visible_exercise(session, plan.user_id, new_exercise_id)
    if exercise is None:
        raise ValidationFailed({"exercise_id": "Choose an exercise from the library."})
    if exercise.id == row.exercise_id:
        return
    row.exercise_id = exercise.id
    row.load_kg = None
    session.add(row)
    touch(session, plan)
    session.flush()
