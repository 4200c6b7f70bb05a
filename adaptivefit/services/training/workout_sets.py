"""Logging sets as they happen, and changing or removing a logged one.

A set is logged once per client id (the browser's random id for that entry), so a double tap
or a resent event after a lost connection writes one set. Every logged set is mirrored into
`fitness_data` (type "workout") so the whole history stays in one place, and is checked for
personal records.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import FitnessData, PlanExercise, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed, owned
from adaptivefit.services.core.inputs import blank, number, whole
from adaptivefit.services.training import records
from adaptivefit.services.training.workouts import (
    EXERCISE,
    LoggedSet,
    as_logged,
    logged,
    open_workout,
    visible_exercise,
)

SET_TYPES = ("warmup", "working", "drop")
DEFAULT_REST_S = 90
WARMUP_REST_S = 60
MAX_REST_S = 3600
NOTE_MAX = 500
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


# --- input ------------------------------------------------------------------------------------


def _rpe(value: object) -> float | None:
    if blank(value):
        return None
    rpe = number(value, 1, 10)
    if not (rpe * 2).is_integer():
        raise ValueError
    return rpe


def _set_type(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in SET_TYPES:
        raise ValueError
    return value.strip().lower()


def _note(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > NOTE_MAX:
        raise ValueError
    return value.strip()


FIELDS = {
    "reps": (lambda v: whole(v, 0, 1000), "Reps must be a whole number from 0 to 1000."),
    "load_kg": (lambda v: number(v, 0, 1000), "Load must be a number from 0 to 1000 kg."),
    "rpe": (_rpe, "RPE must be from 1 to 10 in steps of 0.5, or left empty."),
    "rir": (lambda v: None if blank(v) else whole(v, 0, 10),
            "Reps in reserve must be a whole number from 0 to 10, or left empty."),
    "set_type": (_set_type, "Set type must be warm-up, working or drop."),
    "note": (_note, f"The note can be at most {NOTE_MAX} characters."),
    "rest_s": (lambda v: None if blank(v) else whole(v, 0, MAX_REST_S),
               f"Rest must be a whole number of seconds from 0 to {MAX_REST_S}."),
}


def _clean(raw: dict[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    cleaned, errors = {}, {}
    for field, value in raw.items():
        check, message = FIELDS[field]
        try:
            cleaned[field] = check(value)
        except (ValueError, TypeError, OverflowError):
            errors[field] = message
    return cleaned, errors


# --- lookups -----------------------------------------------------------------------------------


def _owned_set(session: Session, user: User, set_id: object) -> WorkoutSet:
    return owned(session, WorkoutSet, set_id, user, "That set")


def _by_client_id(session: Session, user_id: int, client_id: str) -> WorkoutSet | None:
    return session.exec(
        select(WorkoutSet).where(WorkoutSet.user_id == user_id, WorkoutSet.client_id == client_id)
    ).first()


# --- sets ------------------------------------------------------------------------------------


def _default_rest(session: Session, workout: Workout, exercise_id: int, set_type: str) -> int:
    # A warm-up is light by definition, so it gets a short rest whatever the plan says for work sets.
    if set_type == "warmup":
        return WARMUP_REST_S
    if workout.plan_day_id is not None:
        planned = session.exec(
            select(PlanExercise.rest_s)
            .where(PlanExercise.day_id == workout.plan_day_id, PlanExercise.exercise_id == exercise_id)
            .order_by(PlanExercise.position, PlanExercise.id)
            .limit(1)
        ).first()
        if planned is not None:
            return planned
    return DEFAULT_REST_S


def _insert_once(session: Session, values: dict[str, object]) -> int | None:
    """Insert the set unless its (user, client id) is already there; the new id, or None.

    ON CONFLICT DO NOTHING rather than a savepoint: pysqlite's SAVEPOINT outside an open
    transaction commits on release, which would break the caller's one transaction.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = WorkoutSet.__table__
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.client_id])
        .returning(table.c.id)
    )
    return session.execute(statement).scalar_one_or_none()


def fitness_data(row: WorkoutSet, exercise_name: str) -> dict[str, object]:
    return {
        "set_id": row.id, "workout_id": row.workout_id, "exercise_id": row.exercise_id, "exercise": exercise_name,
        "reps": row.reps, "load_kg": row.load_kg, "rpe": row.rpe, "rir": row.rir, "set_type": row.set_type,
    }


def _fitness_record(session: Session, row: WorkoutSet) -> FitnessData | None:
    # recorded_at is the set's logged_at, so the (user, type, time) index finds it without a JSON scan.
    candidates = session.exec(
        select(FitnessData).where(
            FitnessData.user_id == row.user_id, FitnessData.type == "workout", FitnessData.recorded_at == row.logged_at
        )
    ).all()
    return next((c for c in candidates if c.data.get("set_id") == row.id), None)


def log_set(
    session: Session, user: User, workout_id: int, *, client_id: str, exercise_id: int, reps: object,
    load_kg: object, rpe: object = None, rir: object = None, set_type: object = "working", note: object = "",
    rest_s: object = None, now: datetime | None = None,
) -> LoggedSet:
    """Log one set; the same client id again returns the set already logged and writes nothing."""
    client_ok = isinstance(client_id, str) and CLIENT_ID.fullmatch(client_id) is not None
    if client_ok:
        existing = _by_client_id(session, user.id, client_id)
        if existing is not None:
            return logged(session, existing)
    workout = open_workout(session, user, workout_id)
    values, errors = _clean(
        {"reps": reps, "load_kg": load_kg, "rpe": rpe, "rir": rir, "set_type": set_type, "note": note, "rest_s": rest_s}
    )
    if not client_ok:
        errors["client_id"] = "This entry has no valid id; reload the page and try again."
    exercise = visible_exercise(session, user, exercise_id)
    if exercise is None:
        errors["exercise"] = "Choose an exercise from the library."
    if errors:
        raise ValidationFailed(errors)
    last_number = session.exec(
        select(func.max(WorkoutSet.set_number)).where(
            WorkoutSet.workout_id == workout.id, EXERCISE == exercise.id
        )
    ).one()
    rest = values.pop("rest_s")
    set_id = _insert_once(session, {
        **values,
        "workout_id": workout.id,
        "user_id": user.id,
        "exercise_id": exercise.id,
        "client_id": client_id,
        "set_number": (last_number or 0) + 1,
        "rest_s": rest if rest is not None else _default_rest(session, workout, exercise.id, values["set_type"]),
        "logged_at": now or utcnow(),
    })
    if set_id is None:
        # Another request with this client id got in between our check and the insert.
        return logged(session, _by_client_id(session, user.id, client_id))
    row = session.get(WorkoutSet, set_id)
    session.add(
        FitnessData(user_id=user.id, type="workout", data=fitness_data(row, exercise.name), recorded_at=row.logged_at)
    )
    kinds = records.update_records(session, user.id, row)
    session.flush()
    return as_logged(row, tuple(kinds))


def update_set(
    session: Session, user: User, set_id: int, *, reps: object = None, load_kg: object = None, rpe: object = None,
    rir: object = None, set_type: object = None, note: object = None,
) -> LoggedSet:
    """Change a logged set. None leaves a field as it is; an empty string clears RPE or RIR."""
    row = _owned_set(session, user, set_id)
    given = {"reps": reps, "load_kg": load_kg, "rpe": rpe, "rir": rir, "set_type": set_type, "note": note}
    values, errors = _clean({field: value for field, value in given.items() if value is not None})
    if errors:
        raise ValidationFailed(errors)
    for field, value in values.items():
        setattr(row, field, value)
    session.add(row)
    session.flush()
    record = _fitness_record(session, row)
    if record is not None:
        record.data = fitness_data(row, record.data.get("exercise", ""))
        session.add(record)
    records.rebuild_records(session, user.id, row.exercise_id)
    return logged(session, row)


def delete_set(session: Session, user: User, set_id: int) -> None:
    """Remove a set and its history record; the sets after it move up a number."""
    row = _owned_set(session, user, set_id)
    record = _fitness_record(session, row)
    if record is not None:
        session.delete(record)
    later = session.exec(
        select(WorkoutSet).where(
            WorkoutSet.workout_id == row.workout_id,
            EXERCISE == row.exercise_id,
            WorkoutSet.set_number > row.set_number,
        )
    ).all()
    exercise_id = row.exercise_id
    session.delete(row)
    session.flush()
    for later_row in later:
        later_row.set_number -= 1
        session.add(later_row)
    session.flush()
    records.rebuild_records(session, user.id, exercise_id)
