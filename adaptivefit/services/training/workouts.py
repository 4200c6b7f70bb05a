"""Workouts: starting one, the lookups every workout service shares, and finishing with a summary.

Sets are logged, changed and removed in `workout_sets`; what the logger shows of a workout is read
in `workout_view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, select

from adaptivefit.models import Exercise, PersonalRecord, Plan, PlanDay, PlanExercise, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.catalog import library
from adaptivefit.services.core.access import ValidationFailed, owned
from adaptivefit.services.core.inputs import as_id
from adaptivefit.services.core.units import UNITS, format_mass
from adaptivefit.services.training import records

NAME_MAX = 120
# Where a query also narrows by workout, match the exercise through this expression: it keeps the
# planner on the workout index (a few dozen rows) rather than the exercise index, which holds
# every member's sets of that exercise.
EXERCISE = WorkoutSet.exercise_id + 0

RECORD_LABELS = {"e1rm": "e1RM", "load": "heaviest load", "volume": "best set volume", "reps": "most reps"}


@dataclass(frozen=True)
class LoggedSet:
    id: int
    exercise_id: int
    set_number: int
    set_type: str
    reps: int
    load_kg: float
    rpe: float | None
    rir: int | None
    note: str
    logged_at: datetime
    rest_s: int
    pr_kinds: tuple[str, ...]


@dataclass(frozen=True)
class WorkoutSummary:
    id: int
    name: str
    duration_s: int
    volume_kg: float
    set_count: int
    prs: tuple[str, ...]


# --- lookups, each scoped to the acting user ------------------------------------------------------


def own_workout(session: Session, user: User, workout_id: object) -> Workout:
    return owned(session, Workout, workout_id, user, "That workout")


def open_workout(session: Session, user: User, workout_id: object) -> Workout:
    workout = own_workout(session, user, workout_id)
    if workout.finished_at is not None:
        raise ValidationFailed({"workout": "This workout is already finished."})
    return workout


def visible_exercise(session: Session, user: User, exercise_id: object) -> Exercise | None:
    return library.visible_exercise(session, user.id, exercise_id)


def plan_entries(session: Session, plan_day_id: int | None) -> list[PlanExercise]:
    if plan_day_id is None:
        return []
    return list(
        session.exec(
            select(PlanExercise).where(PlanExercise.day_id == plan_day_id).order_by(PlanExercise.position, PlanExercise.id)
        ).all()
    )


def user_units(user: User) -> str:
    return user.units if getattr(user, "units", None) in UNITS else "kg"


def as_logged(row: WorkoutSet, pr_kinds: tuple[str, ...]) -> LoggedSet:
    return LoggedSet(
        id=row.id, exercise_id=row.exercise_id, set_number=row.set_number, set_type=row.set_type, reps=row.reps,
        load_kg=row.load_kg, rpe=row.rpe, rir=row.rir, note=row.note, logged_at=row.logged_at, rest_s=row.rest_s,
        pr_kinds=pr_kinds,
    )


def logged(session: Session, row: WorkoutSet) -> LoggedSet:
    return as_logged(row, records.records_for_sets(session, [row.id]).get(row.id, ()))


# --- starting --------------------------------------------------------------------------------------


def active_workout(session: Session, user: User) -> Workout | None:
    return session.exec(
        select(Workout)
        .where(Workout.user_id == user.id, Workout.finished_at.is_(None))
        .order_by(Workout.started_at.desc(), Workout.id.desc())
        .limit(1)
    ).first()


def start_workout(
    session: Session, user: User, *, plan_day_id: int | None = None, name: str = "", now: datetime | None = None
) -> Workout:
    """Start a workout, from a day of one of the member's plans or empty; an unfinished one is returned instead."""
    current = active_workout(session, user)
    if current is not None:
        return current
    day = None
    if plan_day_id is not None:
        key = as_id(plan_day_id)
        day = session.exec(
            select(PlanDay).join(Plan, Plan.id == PlanDay.plan_id).where(PlanDay.id == key, Plan.user_id == user.id)
        ).first() if key is not None else None
        if day is None:
            raise ValidationFailed({"plan_day": "No such plan day."})
    name = name.strip() if isinstance(name, str) else ""
    if len(name) > NAME_MAX:
        raise ValidationFailed({"name": f"The name can be at most {NAME_MAX} characters."})
    workout = Workout(
        user_id=user.id,
        name=name or (day.name if day is not None else "Workout"),
        plan_day_id=day.id if day is not None else None,
        started_at=now or utcnow(),
    )
    session.add(workout)
    session.flush()
    return workout


# --- finishing ---------------------------------------------------------------------------------


def _rep_records(found: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The rep records of one exercise in a workout worth a line, heaviest first.

    A record matched or beaten on both load and reps by another from the same workout says
    nothing new (10 reps at 60 kg, then 10 at 62.5 kg: only the second is shown).
    """
    kept: list[tuple[float, int]] = []
    for load_kg, reps in sorted(set(found), key=lambda r: (-records.rep_floor(r[0]), -r[1], -r[0])):
        if all(reps > kept_reps for _, kept_reps in kept):
            kept.append((load_kg, reps))
    return kept


def summary(session: Session, user: User, workout_id: int) -> WorkoutSummary:
    """Duration, volume (warm-ups left out), number of sets and the records set in the workout."""
    workout = own_workout(session, user, workout_id)
    end = workout.finished_at or utcnow()
    tonnage = case((WorkoutSet.set_type != "warmup", WorkoutSet.load_kg * WorkoutSet.reps), else_=0.0)
    count, volume = session.exec(
        select(func.count(WorkoutSet.id), func.coalesce(func.sum(tonnage), 0.0)).where(WorkoutSet.workout_id == workout.id)
    ).one()
    best: dict[tuple[int, str], float] = {}
    rep_records: dict[int, list[tuple[float, int]]] = {}
    names: dict[int, str] = {}
    for record, name, load_kg in session.exec(
        select(PersonalRecord, Exercise.name, WorkoutSet.load_kg)
        .join(WorkoutSet, WorkoutSet.id == PersonalRecord.set_id)
        .join(Exercise, Exercise.id == PersonalRecord.exercise_id)
        .where(WorkoutSet.workout_id == workout.id, PersonalRecord.user_id == user.id)
        .order_by(WorkoutSet.logged_at, WorkoutSet.id)
    ):
        names.setdefault(record.exercise_id, name)
        if record.kind == "reps":
            rep_records.setdefault(record.exercise_id, []).append((float(load_kg), int(record.value)))
            continue
        key = (record.exercise_id, record.kind)
        best[key] = max(record.value, best.get(key, record.value))
    units = user_units(user)
    prs = []
    for exercise_id, name in names.items():
        prs.extend(
            f"{name}: new {RECORD_LABELS[kind]} {format_mass(best[exercise_id, kind], units)}"
            for kind in records.BEST_KINDS
            if (exercise_id, kind) in best
        )
        prs.extend(
            f"{name}: {reps} rep{'s' if reps != 1 else ''} at {format_mass(load_kg, units)}"
            for load_kg, reps in _rep_records(rep_records.get(exercise_id, []))
        )
    prs = tuple(prs)
    return WorkoutSummary(
        id=workout.id, name=workout.name, duration_s=max(0, int((end - workout.started_at).total_seconds())),
        volume_kg=float(volume), set_count=int(count), prs=prs,
    )


def finish_workout(session: Session, user: User, workout_id: int, *, now: datetime | None = None) -> WorkoutSummary:
    """Mark the workout finished (once) and return its summary."""
    workout = own_workout(session, user, workout_id)
    if workout.finished_at is None:
        workout.finished_at = max(now or utcnow(), workout.started_at)
        session.add(workout)
        session.flush()
    return summary(session, user, workout.id)
