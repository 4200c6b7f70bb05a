"""A member's training plans: weeks of days of planned exercises, and which day is next.

Loads are either absolute (`load_kg`) or a percentage of the member's estimated one-rep max
(`percent_1rm`, in percent: 75.0 means 75 %), or neither (by feel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Exercise, Plan, PlanDay, PlanExercise, User, Workout
from adaptivefit.models.base import utcnow
from adaptivefit.services.catalog import equipment_profiles
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.services.catalog.equipment_profiles import Substitute
from adaptivefit.services.catalog.exercises_admin import text

PLAN_NAME_MAX = 120
DAY_NAME_MAX = 80
MAX_WEEKS = 52
SETS_RANGE = (1, 20)
REPS_RANGE = (1, 100)
MAX_LOAD_KG = 1000.0
PERCENT_RANGE = (1.0, 100.0)
RPE_RANGE = (1.0, 10.0)
RIR_RANGE = (0, 10)
REST_MAX_S = 900
NOTES_MAX = 500
DEFAULTS = {"sets": 3, "reps_min": 8, "reps_max": 8, "rest_s": 120}


@dataclass(frozen=True)
class PlanExerciseView:
    id: int
    exercise_id: int
    exercise_name: str
    position: int
    sets: int
    reps_min: int
    reps_max: int
    load_kg: float | None
    percent_1rm: float | None
    target_rpe: float | None
    target_rir: int | None
    rest_s: int
    notes: str
    available: bool
    substitutes: list[Substitute]


@dataclass(frozen=True)
class DayView:
    id: int
    week: int
    position: int
    name: str
    exercises: list[PlanExerciseView]


@dataclass(frozen=True)
class PlanView:
    id: int
    name: str
    active: bool
    days: list[DayView]


# --- Ownership ---------------------------------------------------------------------------------


def _user_id(user: User | Actor | None) -> int:
    if user is None or getattr(user, "id", None) is None:
        raise PermissionDenied("Sign in to do this.")
    return user.id


def _own_plan(session: Session, user, plan_id) -> Plan:
    plan = session.get(Plan, plan_id) if isinstance(plan_id, int) else None
    if plan is None or plan.user_id != _user_id(user):
        raise PermissionDenied("That plan was not found in your account.")
    return plan


def _own_day(session: Session, user, day_id) -> tuple[PlanDay, Plan]:
    day = session.get(PlanDay, day_id) if isinstance(day_id, int) else None
    plan = session.get(Plan, day.plan_id) if day is not None else None
    if plan is None or plan.user_id != _user_id(user):
        raise PermissionDenied("That plan day was not found in your account.")
    return day, plan


def _own_plan_exercise(session: Session, user, plan_exercise_id) -> tuple[PlanExercise, Plan]:
    row = session.get(PlanExercise, plan_exercise_id) if isinstance(plan_exercise_id, int) else None
    if row is None:
        raise PermissionDenied("That planned exercise was not found in your account.")
    try:
        _, plan = _own_day(session, user, row.day_id)
    except PermissionDenied:
        raise PermissionDenied("That planned exercise was not found in your account.") from None
    return row, plan


def _touch(session: Session, plan: Plan) -> None:
    plan.updated_at = utcnow()
    session.add(plan)


# --- Plans and days ----------------------------------------------------------------------------


def _plan_name(name) -> str:
    name = " ".join(text(name).split())
    if not 1 <= len(name) <= PLAN_NAME_MAX:
        raise ValidationFailed({"name": f"Enter a plan name of 1 to {PLAN_NAME_MAX} characters."})
    return name


def create_plan(session: Session, user: User, name: str) -> Plan:
    """A new, empty plan; it becomes the active one when the member has no active plan."""
    user_id = _user_id(user)
    name = _plan_name(name)
    has_active = session.exec(select(Plan.id).where(Plan.user_id == user_id, Plan.active.is_(True))).first()
    plan = Plan(user_id=user_id, name=name, active=has_active is None)
    session.add(plan)
    session.flush()
    return plan


def list_plans(session: Session, user: User) -> list[Plan]:
    """The member's plans, the active one first, then the most recently changed."""
    return list(
        session.exec(
            select(Plan)
            .where(Plan.user_id == _user_id(user))
            .order_by(Plan.active.desc(), Plan.updated_at.desc(), Plan.id.desc())
        ).all()
    )


def rename_plan(session: Session, user: User, plan_id: int, name: str) -> None:
    plan = _own_plan(session, user, plan_id)
    plan.name = _plan_name(name)
    _touch(session, plan)
    session.flush()


def set_active(session: Session, user: User, plan_id: int) -> None:
    """Make this the member's one active plan."""
    plan = _own_plan(session, user, plan_id)
    for other in session.exec(select(Plan).where(Plan.user_id == plan.user_id, Plan.active.is_(True))).all():
        if other.id != plan.id:
            other.active = False
            session.add(other)
    plan.active = True
    _touch(session, plan)
    session.flush()


def delete_plan(session: Session, user: User, plan_id: int) -> None:
    plan = _own_plan(session, user, plan_id)
    for day in _days(session, plan.id):
        _delete_day_rows(session, day)
    session.delete(plan)
    session.flush()


def _days(session: Session, plan_id: int) -> list[PlanDay]:
    return list(
        session.exec(select(PlanDay).where(PlanDay.plan_id == plan_id).order_by(PlanDay.week, PlanDay.position)).all()
    )


def add_day(session: Session, user: User, plan_id: int, *, week: int = 1, name: str) -> PlanDay:
    """Append a day to a week of the plan."""
    plan = _own_plan(session, user, plan_id)
    errors: dict[str, str] = {}
    week_number = _integer(week)
    if week_number is None or not 1 <= week_number <= MAX_WEEKS:
        errors["week"] = f"Choose a week from 1 to {MAX_WEEKS}."
    day_name = " ".join(text(name).split())
    if not 1 <= len(day_name) <= DAY_NAME_MAX:
        errors["name"] = f"Enter a day name of 1 to {DAY_NAME_MAX} characters, like “Push” or “Legs”."
    if errors:
        raise ValidationFailed(errors)
    last = session.exec(
        select(func.max(PlanDay.position)).where(PlanDay.plan_id == plan.id, PlanDay.week == week_number)
    ).one()
    day = PlanDay(plan_id=plan.id, week=week_number, position=(last or 0) + 1, name=day_name)
    session.add(day)
    _touch(session, plan)
    session.flush()
    return day


def _delete_day_rows(session: Session, day: PlanDay) -> None:
    for row in session.exec(select(PlanExercise).where(PlanExercise.day_id == day.id)).all():
        session.delete(row)
    # Workouts logged from this day keep their history; they just lose the link.
    for workout in session.exec(select(Workout).where(Workout.plan_day_id == day.id)).all():
        workout.plan_day_id = None
        session.add(workout)
    # Children first, in their own flush: without ORM relationships the unit of work does not order them.
    session.flush()
    session.delete(day)
    session.flush()


def remove_day(session: Session, user: User, day_id: int) -> None:
    """Remove a day and its exercises; later days of that week move up."""
    day, plan = _own_day(session, user, day_id)
    week, position = day.week, day.position
    _delete_day_rows(session, day)
    session.flush()
    later = session.exec(
        select(PlanDay)
        .where(PlanDay.plan_id == plan.id, PlanDay.week == week, PlanDay.position > position)
        .order_by(PlanDay.position)
    ).all()
    # One row at a time, in order, so (plan, week, position) stays unique after every statement.
    for row in later:
        row.position -= 1
        session.add(row)
        session.flush()
    _touch(session, plan)
    session.flush()


# --- Planned exercises -------------------------------------------------------------------------

_MISSING = object()


def _integer(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    value = text(value)
    return int(value) if re.fullmatch(r"[+-]?\d{1,9}", value) else None


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
    single = _integer(raw)
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


def _exercise(session: Session, user_id: int, exercise_id) -> Exercise | None:
    number = _integer(exercise_id)
    exercise = session.get(Exercise, number) if number is not None else None
    if exercise is None or exercise.owner_id not in (None, user_id):
        return None
    return exercise


def _parse_plan_exercise(session: Session, user_id: int, form: dict, current: PlanExercise | None) -> dict:
    """Validated column values. A key absent from `form` keeps its current value (or the default)."""
    if not isinstance(form, dict):
        raise ValidationFailed({"exercise_id": "Fill in the exercise form."})
    errors: dict[str, str] = {}
    values: dict = {}

    def get(key):
        return form.get(key, _MISSING)

    raw = get("exercise_id")
    if _blank(raw):
        if current is None:
            errors["exercise_id"] = "Choose an exercise."
    else:
        exercise = _exercise(session, user_id, raw)
        if exercise is None:
            errors["exercise_id"] = "Choose an exercise from the library."
        else:
            values["exercise_id"] = exercise.id

    raw = get("sets")
    if not _blank(raw):
        sets = _integer(raw)
        if sets is None or not SETS_RANGE[0] <= sets <= SETS_RANGE[1]:
            errors["sets"] = f"Enter a whole number of sets from {SETS_RANGE[0]} to {SETS_RANGE[1]}."
        else:
            values["sets"] = sets
    elif current is None:
        values["sets"] = DEFAULTS["sets"]

    raw = get("reps")
    if not _blank(raw):
        reps = _parse_reps(raw)
        low, high = REPS_RANGE
        if reps is None or not (low <= reps[0] <= high and low <= reps[1] <= high):
            errors["reps"] = f"Enter reps from {low} to {high}, as one number (8) or a range (8-12)."
        elif reps[0] > reps[1]:
            errors["reps"] = "Put the smaller number first in a rep range, like 8-12."
        else:
            values["reps_min"], values["reps_max"] = reps
    elif current is None:
        values["reps_min"], values["reps_max"] = DEFAULTS["reps_min"], DEFAULTS["reps_max"]

    raw = get("load")
    if raw is not _MISSING or current is None:
        parsed = (None, None) if _blank(raw) else _parse_load(raw)
        if isinstance(parsed, str):
            errors["load"] = parsed
        else:
            values["load_kg"], values["percent_1rm"] = parsed

    raw = get("target_rpe")
    if raw is not _MISSING or current is None:
        rpe = None if _blank(raw) else _number(raw)
        if not _blank(raw) and (rpe is None or not RPE_RANGE[0] <= rpe <= RPE_RANGE[1] or (rpe * 2) % 1):
            errors["target_rpe"] = "Enter a target RPE from 1 to 10 in steps of 0.5 (like 8 or 8.5), or leave it empty."
        else:
            values["target_rpe"] = rpe

    raw = get("target_rir")
    if raw is not _MISSING or current is None:
        rir = None if _blank(raw) else _integer(raw)
        if not _blank(raw) and (rir is None or not RIR_RANGE[0] <= rir <= RIR_RANGE[1]):
            low, high = RIR_RANGE
            errors["target_rir"] = f"Enter reps in reserve as a whole number from {low} to {high}, or leave it empty."
        else:
            values["target_rir"] = rir

    raw = get("rest_s")
    if not _blank(raw):
        rest = _integer(raw)
        if rest is None or not 0 <= rest <= REST_MAX_S:
            errors["rest_s"] = f"Enter rest in whole seconds from 0 to {REST_MAX_S}."
        else:
            values["rest_s"] = rest
    elif current is None:
        values["rest_s"] = DEFAULTS["rest_s"]

    raw = get("notes")
    if raw is not _MISSING or current is None:
        notes = "" if _blank(raw) else str(raw).strip()
        if len(notes) > NOTES_MAX:
            errors["notes"] = f"Keep notes to {NOTES_MAX} characters or fewer."
        else:
            values["notes"] = notes

    if "target_rpe" not in errors and "target_rir" not in errors:
        rpe = values.get("target_rpe", current.target_rpe if current else None)
        rir = values.get("target_rir", current.target_rir if current else None)
        if rpe is not None and rir is not None:
            errors["target_rir"] = "Set a target RPE or a target RIR, not both."
    if errors:
        raise ValidationFailed(errors)
    return values


def add_plan_exercise(session: Session, user: User, day_id: int, form: dict) -> PlanExercise:
    """Append an exercise to a plan day. Form values may be strings, as a form sends them."""
    day, plan = _own_day(session, user, day_id)
    values = _parse_plan_exercise(session, plan.user_id, form, None)
    last = session.exec(select(func.max(PlanExercise.position)).where(PlanExercise.day_id == day.id)).one()
    row = PlanExercise(day_id=day.id, position=(last or 0) + 1, **values)
    session.add(row)
    _touch(session, plan)
    session.flush()
    return row


def update_plan_exercise(session: Session, user: User, plan_exercise_id: int, form: dict) -> PlanExercise:
    """Change the fields present in `form`; an empty value clears load, RPE, RIR or notes."""
    row, plan = _own_plan_exercise(session, user, plan_exercise_id)
    values = _parse_plan_exercise(session, plan.user_id, form, row)
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    _touch(session, plan)
    session.flush()
    return row


def remove_plan_exercise(session: Session, user: User, plan_exercise_id: int) -> None:
    row, plan = _own_plan_exercise(session, user, plan_exercise_id)
    day_id, position = row.day_id, row.position
    session.delete(row)
    for later in session.exec(
        select(PlanExercise).where(PlanExercise.day_id == day_id, PlanExercise.position > position)
    ).all():
        later.position -= 1
        session.add(later)
    _touch(session, plan)
    session.flush()


def replace_exercise(session: Session, user: User, plan_exercise_id: int, new_exercise_id: int) -> None:
    """Accept a substitution: sets, reps, rest and effort targets stay; an absolute load does not
    carry over to another movement. A percentage of one-rep max does, being relative to it."""
    row, plan = _own_plan_exercise(session, user, plan_exercise_id)
    exercise = _exercise(session, plan.user_id, new_exercise_id)
    if exercise is None:
        raise ValidationFailed({"exercise_id": "Choose an exercise from the library."})
    if exercise.id == row.exercise_id:
        return
    row.exercise_id = exercise.id
    row.load_kg = None
    session.add(row)
    _touch(session, plan)
    session.flush()


# --- Reading -----------------------------------------------------------------------------------


def plan_view(session: Session, user: User, plan_id: int) -> PlanView:
    """The whole plan, each exercise marked available or not at the member's default profile,
    with substitutes for those that are not."""
    plan = _own_plan(session, user, plan_id)
    days = _days(session, plan.id)
    rows = session.exec(
        select(PlanExercise, Exercise.name)
        .join(Exercise, Exercise.id == PlanExercise.exercise_id)
        .where(PlanExercise.day_id.in_([d.id for d in days]))
        .order_by(PlanExercise.position, PlanExercise.id)
    ).all()
    available = equipment_profiles.available_equipment(session, user)
    needs = equipment_profiles.needed_equipment(session, {row.exercise_id for row, _ in rows})
    substitutes: dict[int, list[Substitute]] = {}
    by_day: dict[int, list[PlanExerciseView]] = {}
    for row, exercise_name in rows:
        usable = available is None or needs.get(row.exercise_id, set()) <= available
        if not usable and row.exercise_id not in substitutes:
            substitutes[row.exercise_id] = _substitutes(session, user, row.exercise_id)
        by_day.setdefault(row.day_id, []).append(
            PlanExerciseView(
                id=row.id,
                exercise_id=row.exercise_id,
                exercise_name=exercise_name,
                position=row.position,
                sets=row.sets,
                reps_min=row.reps_min,
                reps_max=row.reps_max,
                load_kg=row.load_kg,
                percent_1rm=row.percent_1rm,
                target_rpe=row.target_rpe,
                target_rir=row.target_rir,
                rest_s=row.rest_s,
                notes=row.notes,
                available=usable,
                substitutes=[] if usable else substitutes[row.exercise_id],
            )
        )
    return PlanView(
        id=plan.id,
        name=plan.name,
        active=plan.active,
        days=[DayView(d.id, d.week, d.position, d.name, by_day.get(d.id, [])) for d in days],
    )


def _substitutes(session: Session, user, exercise_id: int) -> list[Substitute]:
    try:
        return equipment_profiles.suggest_substitutes(session, user, exercise_id)
    except PermissionDenied:
        # A plan copied from a program may name an exercise the member cannot open; offer nothing.
        return []


def next_day(session: Session, user: User) -> PlanDay | None:
    """Today's workout: the day of the active plan after the one last trained, wrapping around;
    the first day when none of its days was trained yet. None without an active plan with days."""
    user_id = _user_id(user)
    plan = session.exec(
        select(Plan).where(Plan.user_id == user_id, Plan.active.is_(True)).order_by(Plan.updated_at.desc())
    ).first()
    if plan is None:
        return None
    days = _days(session, plan.id)
    if not days:
        return None
    last = session.exec(
        select(Workout.plan_day_id)
        .where(Workout.user_id == user_id, Workout.plan_day_id.in_([d.id for d in days]))
        .order_by(Workout.started_at.desc(), Workout.id.desc())
    ).first()
    if last is None:
        return days[0]
    index = next(i for i, d in enumerate(days) if d.id == last)
    return days[(index + 1) % len(days)]
