"""Personal records: the best e1RM, heaviest load and biggest single-set volume per exercise.

Only working sets of at least one rep count. A member's first such set of an exercise is the
baseline and is not announced; afterwards a PersonalRecord row is written each time a set beats
the best so far (strictly). So the best so far is the highest PersonalRecord value, or the
baseline set's value while nothing has beaten it yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from adaptivefit.models import Exercise, PersonalRecord, WorkoutSet
from adaptivefit.services.training_math import e1rm, set_volume

KINDS = ("e1rm", "load", "volume")


@dataclass(frozen=True)
class RecordRow:
    exercise_id: int
    exercise_name: str
    kind: str
    value: float
    achieved_at: datetime


def effort_rpe(rpe: float | None, rir: int | None) -> float | None:
    """The RPE of a set; reps in reserve stand in for it when only they were noted (RPE = 10 - RIR)."""
    if rpe is not None:
        return rpe
    return 10.0 - rir if rir is not None else None


def set_values(load_kg: float, reps: int, rpe: float | None = None, rir: int | None = None) -> dict[str, float]:
    return {
        "e1rm": e1rm(load_kg, reps, effort_rpe(rpe, rir)),
        "load": float(load_kg),
        "volume": set_volume(load_kg, reps),
    }


def counts(set_type: str, reps: int) -> bool:
    return set_type == "working" and reps >= 1


def _qualifying(user_id: int, exercise_id: int):
    return (
        WorkoutSet.user_id == user_id,
        WorkoutSet.exercise_id == exercise_id,
        WorkoutSet.set_type == "working",
        WorkoutSet.reps >= 1,
    )


def _bests(
    session: Session, user_id: int, exercise_id: int, *, exclude_set_id: int | None = None
) -> dict[str, float] | None:
    """The best so far of each kind, or None when the member has no counting set of the exercise."""
    recorded = dict(
        session.exec(
            select(PersonalRecord.kind, func.max(PersonalRecord.value))
            .where(PersonalRecord.user_id == user_id, PersonalRecord.exercise_id == exercise_id)
            .group_by(PersonalRecord.kind)
        ).all()
    )
    if all(kind in recorded for kind in KINDS):
        return recorded
    query = select(WorkoutSet.load_kg, WorkoutSet.reps, WorkoutSet.rpe, WorkoutSet.rir).where(
        *_qualifying(user_id, exercise_id)
    )
    if exclude_set_id is not None:
        query = query.where(WorkoutSet.id != exclude_set_id)
    first = session.exec(query.order_by(WorkoutSet.logged_at, WorkoutSet.id).limit(1)).first()
    if first is None:
        return None
    baseline = set_values(*first)
    return {kind: max(baseline[kind], recorded.get(kind, baseline[kind])) for kind in KINDS}


def best(session: Session, user_id: int, exercise_id: int, kind: str) -> float | None:
    """The member's best of `kind` on the exercise (the baseline set counts), None if never done."""
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}")
    bests = _bests(session, user_id, exercise_id)
    return None if bests is None else bests[kind]


def update_records(session: Session, user_id: int, workout_set: WorkoutSet) -> list[str]:
    """Record and return the kinds the newly logged set beats; the first set of an exercise is the baseline."""
    if not counts(workout_set.set_type, workout_set.reps):
        return []
    bests = _bests(session, user_id, workout_set.exercise_id, exclude_set_id=workout_set.id)
    if bests is None:
        return []
    values = set_values(workout_set.load_kg, workout_set.reps, workout_set.rpe, workout_set.rir)
    beaten = [kind for kind in KINDS if values[kind] > bests[kind]]
    for kind in beaten:
        session.add(
            PersonalRecord(
                user_id=user_id,
                exercise_id=workout_set.exercise_id,
                set_id=workout_set.id,
                kind=kind,
                value=values[kind],
                achieved_at=workout_set.logged_at,
            )
        )
    session.flush()
    return beaten


def rebuild_records(session: Session, user_id: int, exercise_id: int | None = None) -> None:
    """Recompute the member's PersonalRecord rows from their sets in time order.

    Pass `exercise_id` to redo one exercise only (after an edit or delete); without it every
    exercise is redone (after an import).
    """
    records = delete(PersonalRecord).where(PersonalRecord.user_id == user_id)
    sets = select(
        WorkoutSet.id, WorkoutSet.exercise_id, WorkoutSet.load_kg, WorkoutSet.reps,
        WorkoutSet.rpe, WorkoutSet.rir, WorkoutSet.logged_at,
    ).where(WorkoutSet.user_id == user_id, WorkoutSet.set_type == "working", WorkoutSet.reps >= 1)
    if exercise_id is not None:
        records = records.where(PersonalRecord.exercise_id == exercise_id)
        sets = sets.where(WorkoutSet.exercise_id == exercise_id)
    session.execute(records)
    bests: dict[int, dict[str, float]] = {}
    rows = []
    for set_id, exercise, load_kg, reps, rpe, rir, logged_at in session.exec(
        sets.order_by(WorkoutSet.logged_at, WorkoutSet.id)
    ):
        values = set_values(load_kg, reps, rpe, rir)
        current = bests.get(exercise)
        if current is None:
            bests[exercise] = values
            continue
        for kind in KINDS:
            if values[kind] > current[kind]:
                current[kind] = values[kind]
                rows.append(
                    {"user_id": user_id, "exercise_id": exercise, "set_id": set_id, "kind": kind,
                     "value": values[kind], "achieved_at": logged_at}
                )
    if rows:
        session.execute(PersonalRecord.__table__.insert(), rows)
    session.flush()


def records_for_sets(session: Session, set_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The kinds each of these sets set a record in, in KINDS order."""
    if not set_ids:
        return {}
    found: dict[int, set[str]] = {}
    for set_id, kind in session.exec(
        select(PersonalRecord.set_id, PersonalRecord.kind).where(PersonalRecord.set_id.in_(set_ids))
    ):
        found.setdefault(set_id, set()).add(kind)
    return {set_id: tuple(k for k in KINDS if k in kinds) for set_id, kinds in found.items()}


def recent_records(session: Session, user_id: int, limit: int = 10) -> list[RecordRow]:
    """The member's newest records first."""
    rows = session.exec(
        select(PersonalRecord, Exercise.name)
        .join(Exercise, Exercise.id == PersonalRecord.exercise_id)
        .where(PersonalRecord.user_id == user_id)
        .order_by(PersonalRecord.achieved_at.desc(), PersonalRecord.id.desc())
        .limit(max(0, limit))
    ).all()
    return [
        RecordRow(exercise_id=r.exercise_id, exercise_name=name, kind=r.kind, value=r.value, achieved_at=r.achieved_at)
        for r, name in rows
    ]
