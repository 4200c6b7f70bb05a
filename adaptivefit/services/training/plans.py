"""A member's training plans: weeks of days of planned exercises, and which day is next.

The exercises of a day, and the form that sets them, are in `plan_exercises`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Exercise, Plan, PlanDay, PlanExercise, User, Workout
from adaptivefit.models.base import utcnow
from adaptivefit.services.catalog import equipment_profiles
from adaptivefit.services.core.access import NotYours, PermissionDenied, ValidationFailed, acting_id, owned
from adaptivefit.services.catalog.equipment_profiles import Substitute
from adaptivefit.services.catalog.exercises_admin import text

PLAN_NAME_MAX = 120
DAY_NAME_MAX = 80
MAX_WEEKS = 52


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


def own_plan(session: Session, user, plan_id) -> Plan:
    return owned(session, Plan, plan_id, user, "That plan")


def own_day(session: Session, user, day_id) -> tuple[PlanDay, Plan]:
    """A day of one of the member's plans, owned through its plan."""
    day = session.get(PlanDay, day_id) if isinstance(day_id, int) else None
    plan = session.get(Plan, day.plan_id) if day is not None else None
    if plan is None or plan.user_id != acting_id(user):
        raise NotYours("That plan day was not found in your account.")
    return day, plan


def own_plan_exercise(session: Session, user, plan_exercise_id) -> tuple[PlanExercise, Plan]:
    """An exercise of a day of one of the member's plans, owned through its plan."""
    row = session.get(PlanExercise, plan_exercise_id) if isinstance(plan_exercise_id, int) else None
    plan = session.get(Plan, session.get(PlanDay, row.day_id).plan_id) if row is not None else None
    if plan is None or plan.user_id != acting_id(user):
        raise NotYours("That planned exercise was not found in your account.")
    return row, plan


def touch(session: Session, plan: Plan) -> None:
    plan.updated_at = utcnow()
    session.add(plan)


def integer(value) -> int | None:
    """A whole number from form input ("3", 3, 3.0), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    value = text(value)
    return int(value) if re.fullmatch(r"[+-]?\d{1,9}", value) else None


# --- Plans and days ----------------------------------------------------------------------------


def _plan_name(name) -> str:
    name = " ".join(text(name).split())
    if not 1 <= len(name) <= PLAN_NAME_MAX:
        raise ValidationFailed({"name": f"Enter a plan name of 1 to {PLAN_NAME_MAX} characters."})
    return name


def create_plan(session: Session, user: User, name: str) -> Plan:
    """A new, empty plan; it becomes the active one when the member has no active plan."""
    user_id = acting_id(user)
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
            .where(Plan.user_id == acting_id(user))
            .order_by(Plan.active.desc(), Plan.updated_at.desc(), Plan.id.desc())
        ).all()
    )


def rename_plan(session: Session, user: User, plan_id: int, name: str) -> None:
    plan = own_plan(session, user, plan_id)
    plan.name = _plan_name(name)
    touch(session, plan)
    session.flush()


def set_active(session: Session, user: User, plan_id: int) -> None:
    """Make this the member's one active plan."""
    plan = own_plan(session, user, plan_id)
    for other in session.exec(select(Plan).where(Plan.user_id == plan.user_id, Plan.active.is_(True))).all():
        if other.id != plan.id:
            other.active = False
            session.add(other)
    plan.active = True
    touch(session, plan)
    session.flush()


def delete_plan(session: Session, user: User, plan_id: int) -> None:
    plan = own_plan(session, user, plan_id)
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
    plan = own_plan(session, user, plan_id)
    errors: dict[str, str] = {}
    week_number = integer(week)
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
    touch(session, plan)
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
    day, plan = own_day(session, user, day_id)
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
    touch(session, plan)
    session.flush()


# --- Reading -----------------------------------------------------------------------------------


def plan_view(session: Session, user: User, plan_id: int) -> PlanView:
    """The whole plan, each exercise marked available or not at the member's default profile,
    with substitutes for those that are not."""
    plan = own_plan(session, user, plan_id)
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
    user_id = acting_id(user)
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
