"""Personal records: the best e1RM, heaviest load and biggest single-set volume per exercise,
and rep records: the most reps at a load.

Only working sets of at least one rep count. A member's first such set of an exercise is the
baseline and is not announced; afterwards a PersonalRecord row is written each time a set beats
the best so far (strictly). So the best so far is the highest PersonalRecord value, or the
baseline set's value while nothing has beaten it yet.

A rep record ("reps", value = reps, the load read from its set) is a set with more reps than any
earlier set at that load or heavier; a set with no earlier set at that load or heavier is not
one, so a member's first set at a new top load is announced as a heavier load, not as reps.
Loads are compared in kg rounded to the nearest 0.5 kg, so 60 kg and 132.3 lb (60.01 kg) match.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, select

from adaptivefit.models import Exercise, PersonalRecord, WorkoutSet
from adaptivefit.services.core.lifting import set_e1rm, set_volume

# Kinds with one running best per exercise, then the per-load rep records; KINDS is display order.
BEST_KINDS = ("e1rm", "load", "volume")
KINDS = (*BEST_KINDS, "reps")


@dataclass(frozen=True)
class RecordRow:
    exercise_id: int
    exercise_name: str
    kind: str
    value: float  # kg, or a number of reps for kind "reps"
    achieved_at: datetime
    load_kg: float | None = None  # the load of a "reps" record (None for other kinds, or its set is gone)


def set_values(load_kg: float, reps: int, rpe: float | None = None, rir: int | None = None) -> dict[str, float]:
    return {
        "e1rm": set_e1rm(load_kg, reps, rpe, rir),
        "load": float(load_kg),
        "volume": set_volume(load_kg, reps),
    }


def counts(set_type: str, reps: int) -> bool:
    return set_type == "working" and reps >= 1


def rep_floor(load_kg: float) -> float:
    """The lightest load that rounds (to 0.5 kg, halves up) to at least this one's rounded load.

    A load x rounds to at least R exactly when x >= R - 0.25, so "at this load or heavier" is one
    comparison, the same in SQL and in Python; R - 0.25 is a multiple of 0.25, exact in a float.
    """
    return math.floor(float(load_kg) * 2 + 0.5) / 2 - 0.25


class _RepFrontier:
    """The most reps done at each load or heavier, for sets seen so far (one exercise).

    Only sets no other beats on both load and reps are kept, sorted by load; their reps then fall
    as load rises, so the most reps at a load or heavier is the first kept set at or above it.
    """

    def __init__(self) -> None:
        self.loads: list[float] = []
        self.reps: list[int] = []

    def most_reps_from(self, floor: float) -> int | None:
        i = bisect_left(self.loads, floor)
        return self.reps[i] if i < len(self.loads) else None

    def add(self, load_kg: float, reps: int) -> None:
        covering = self.most_reps_from(load_kg)
        if covering is not None and covering >= reps:
            return
        end = bisect_right(self.loads, load_kg)
        start = end
        while start > 0 and self.reps[start - 1] <= reps:
            start -= 1
        self.loads[start:end] = [load_kg]
        self.reps[start:end] = [reps]


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
            .where(
                PersonalRecord.user_id == user_id,
                PersonalRecord.exercise_id == exercise_id,
                PersonalRecord.kind.in_(BEST_KINDS),
            )
            .group_by(PersonalRecord.kind)
        ).all()
    )
    if all(kind in recorded for kind in BEST_KINDS):
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
    return {kind: max(baseline[kind], recorded.get(kind, baseline[kind])) for kind in BEST_KINDS}


def best(session: Session, user_id: int, exercise_id: int, kind: str) -> float | None:
    """The member's best of `kind` on the exercise (the baseline set counts), None if never done.

    Only the BEST_KINDS: rep records are per load, see `most_reps_at`.
    """
    if kind not in BEST_KINDS:
        raise ValueError(f"unknown record kind {kind!r}")
    bests = _bests(session, user_id, exercise_id)
    return None if bests is None else bests[kind]


def most_reps_at(
    session: Session, user_id: int, exercise_id: int, load_kg: float, *, before: WorkoutSet | None = None
) -> int | None:
    """The most reps the member has done in a working set at this load or heavier; None if never.

    With `before`, only sets logged before that one (by time, then id) count.
    """
    query = select(func.max(WorkoutSet.reps)).where(
        *_qualifying(user_id, exercise_id), WorkoutSet.load_kg >= rep_floor(load_kg)
    )
    if before is not None:
        query = query.where(
            WorkoutSet.id != before.id,
            or_(
                WorkoutSet.logged_at < before.logged_at,
                and_(WorkoutSet.logged_at == before.logged_at, WorkoutSet.id < before.id),
            ),
        )
    most = session.exec(query).one()
    return None if most is None else int(most)


def update_records(session: Session, user_id: int, workout_set: WorkoutSet) -> list[str]:
    """Record and return the kinds the newly logged set beats; the first set of an exercise is the baseline."""
    if not counts(workout_set.set_type, workout_set.reps):
        return []
    bests = _bests(session, user_id, workout_set.exercise_id, exclude_set_id=workout_set.id)
    if bests is None:
        return []
    values = set_values(workout_set.load_kg, workout_set.reps, workout_set.rpe, workout_set.rir)
    beaten = [kind for kind in BEST_KINDS if values[kind] > bests[kind]]
    most = most_reps_at(session, user_id, workout_set.exercise_id, workout_set.load_kg, before=workout_set)
    if most is not None and workout_set.reps > most:
        values["reps"] = float(workout_set.reps)
        beaten.append("reps")
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
    frontiers: dict[int, _RepFrontier] = {}
    rows = []
    for set_id, exercise, load_kg, reps, rpe, rir, logged_at in session.exec(
        sets.order_by(WorkoutSet.logged_at, WorkoutSet.id)
    ):
        values = set_values(load_kg, reps, rpe, rir)
        frontier = frontiers.setdefault(exercise, _RepFrontier())
        most = frontier.most_reps_from(rep_floor(load_kg))
        frontier.add(load_kg, reps)
        current = bests.get(exercise)
        if current is None:
            bests[exercise] = values
            continue
        beaten = [kind for kind in BEST_KINDS if values[kind] > current[kind]]
        for kind in beaten:
            current[kind] = values[kind]
        if most is not None and reps > most:
            values["reps"] = float(reps)
            beaten.append("reps")
        rows.extend(
            {"user_id": user_id, "exercise_id": exercise, "set_id": set_id, "kind": kind,
             "value": values[kind], "achieved_at": logged_at}
            for kind in beaten
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
        select(PersonalRecord, Exercise.name, WorkoutSet.load_kg)
        .join(Exercise, Exercise.id == PersonalRecord.exercise_id)
        .outerjoin(WorkoutSet, WorkoutSet.id == PersonalRecord.set_id)
        .where(PersonalRecord.user_id == user_id)
        .order_by(PersonalRecord.achieved_at.desc(), PersonalRecord.id.desc())
        .limit(max(0, limit))
    ).all()
    return [
        RecordRow(
            exercise_id=r.exercise_id, exercise_name=name, kind=r.kind, value=r.value, achieved_at=r.achieved_at,
            load_kg=float(load_kg) if r.kind == "reps" and load_kg is not None else None,
        )
        for r, name, load_kg in rows
    ]
