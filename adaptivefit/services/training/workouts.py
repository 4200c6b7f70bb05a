"""Logging a workout: start it, log sets as they happen, see what to do next, finish it.

A set is logged once per client id (the browser's random id for that entry), so a double tap
or a resent event after a lost connection writes one set. Every logged set is mirrored into
`fitness_data` (type "workout") so the whole history stays in one place, and is checked for
personal records.

Exercises added to a workout are not stored until their first set: the workout table has no
place for them, so the caller keeps an added exercise's empty block on screen (`add_exercise`
validates it and returns the block to show).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, exists, func
from sqlmodel import Session, select

from adaptivefit.models import Exercise, FitnessData, PersonalRecord, Plan, PlanDay, PlanExercise, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.training import records
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.inputs import as_id, blank, number, whole
from adaptivefit.services.core.lifting import UNITS, round_to_plates, to_display

SET_TYPES = ("warmup", "working", "drop")
DEFAULT_REST_S = 90
WARMUP_REST_S = 60
MAX_REST_S = 3600
NAME_MAX = 120
NOTE_MAX = 500
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
# Where a query also narrows by workout, match the exercise through this expression: it keeps the
# planner on the workout index (a few dozen rows) rather than the exercise index, which holds
# every member's sets of that exercise.
_EXERCISE = WorkoutSet.exercise_id + 0

RECORD_LABELS = {"e1rm": "e1RM", "load": "heaviest load", "volume": "best set volume", "reps": "most reps"}

# (reps, load_kg, rpe) of each working set the last time an exercise was done.
Previous = tuple[tuple[int, float, float | None], ...]


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
class PlannedExercise:
    sets: int
    reps_min: int
    reps_max: int
    load_kg: float | None
    percent_1rm: float | None
    target_rpe: float | None
    target_rir: int | None
    rest_s: int
    notes: str
    suggested_load_kg: float | None


@dataclass(frozen=True)
class ExerciseBlock:
    exercise_id: int
    name: str
    planned: PlannedExercise | None
    previous: Previous
    sets: tuple[LoggedSet, ...]


@dataclass(frozen=True)
class WorkoutView:
    id: int
    name: str
    started_at: datetime
    finished_at: datetime | None
    blocks: tuple[ExerciseBlock, ...]
    rest_ends_at: datetime | None


@dataclass(frozen=True)
class WorkoutSummary:
    id: int
    name: str
    duration_s: int
    volume_kg: float
    set_count: int
    prs: tuple[str, ...]


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


# --- lookups, each scoped to the acting user ------------------------------------------------------


def _workout(session: Session, user: User, workout_id: object) -> Workout:
    key = as_id(workout_id)
    workout = session.get(Workout, key) if key is not None else None
    if workout is None or workout.user_id != user.id:
        raise ValidationFailed({"workout": "No such workout."})
    return workout


def _open_workout(session: Session, user: User, workout_id: object) -> Workout:
    workout = _workout(session, user, workout_id)
    if workout.finished_at is not None:
        raise ValidationFailed({"workout": "This workout is already finished."})
    return workout


def _owned_set(session: Session, user: User, set_id: object) -> WorkoutSet:
    key = as_id(set_id)
    row = session.get(WorkoutSet, key) if key is not None else None
    if row is None or row.user_id != user.id:
        raise ValidationFailed({"set": "No such set."})
    return row


def _visible_exercise(session: Session, user: User, exercise_id: object) -> Exercise | None:
    key = as_id(exercise_id)
    exercise = session.get(Exercise, key) if key is not None else None
    if exercise is None or exercise.owner_id not in (None, user.id):
        return None
    return exercise


def _by_client_id(session: Session, user_id: int, client_id: str) -> WorkoutSet | None:
    return session.exec(
        select(WorkoutSet).where(WorkoutSet.user_id == user_id, WorkoutSet.client_id == client_id)
    ).first()


def _plan_entries(session: Session, plan_day_id: int | None) -> list[PlanExercise]:
    if plan_day_id is None:
        return []
    return list(
        session.exec(
            select(PlanExercise).where(PlanExercise.day_id == plan_day_id).order_by(PlanExercise.position, PlanExercise.id)
        ).all()
    )


def _units(user: User) -> str:
    return user.units if getattr(user, "units", None) in UNITS else "kg"


def _as_logged(row: WorkoutSet, pr_kinds: tuple[str, ...]) -> LoggedSet:
    return LoggedSet(
        id=row.id, exercise_id=row.exercise_id, set_number=row.set_number, set_type=row.set_type, reps=row.reps,
        load_kg=row.load_kg, rpe=row.rpe, rir=row.rir, note=row.note, logged_at=row.logged_at, rest_s=row.rest_s,
        pr_kinds=pr_kinds,
    )


def _logged(session: Session, row: WorkoutSet) -> LoggedSet:
    return _as_logged(row, records.records_for_sets(session, [row.id]).get(row.id, ()))


# --- starting and viewing -----------------------------------------------------------------------


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


def _previous(session: Session, user: User, workout: Workout, exercise_ids: list[int]) -> dict[int, Previous]:
    """Working sets of each exercise in the member's last finished workout (before this one) that had it.

    One walk back through the member's workouts, newest first, for all the exercises at once; it
    stops as soon as each has turned up, so only an exercise never done before costs a full pass
    over the member's own history.
    """
    remaining = set(exercise_ids)
    found: dict[int, int] = {}
    since = workout.started_at
    while remaining:
        walk = session.execute(
            select(WorkoutSet.exercise_id, Workout.id, Workout.started_at)
            .join(Workout, Workout.id == WorkoutSet.workout_id)
            .where(
                Workout.user_id == user.id,
                Workout.finished_at.is_not(None),
                Workout.id != workout.id,
                Workout.started_at <= since,
                _EXERCISE.in_(sorted(remaining)),
            )
            .order_by(Workout.started_at.desc(), Workout.id.desc())
            .execution_options(yield_per=100)
        )
        narrowed = False
        for exercise_id, workout_id, started_at in walk:
            if exercise_id in remaining:
                found[exercise_id] = workout_id
                remaining.discard(exercise_id)
            elif found[exercise_id] != workout_id:
                # Older sets of an exercise already found: walk on asking only for the rest.
                since, narrowed = started_at, True
                break
        walk.close()
        if not narrowed:
            break
    previous: dict[int, list[tuple[int, float, float | None]]] = {}
    if found:
        for workout_id, exercise_id, reps, load_kg, rpe in session.exec(
            select(WorkoutSet.workout_id, WorkoutSet.exercise_id, WorkoutSet.reps, WorkoutSet.load_kg, WorkoutSet.rpe)
            .where(
                WorkoutSet.workout_id.in_(sorted(set(found.values()))),
                _EXERCISE.in_(sorted(found)),
                WorkoutSet.set_type == "working",
            )
            .order_by(WorkoutSet.set_number)
        ):
            if found[exercise_id] == workout_id:
                previous.setdefault(exercise_id, []).append((reps, load_kg, rpe))
    return {exercise_id: tuple(previous.get(exercise_id, ())) for exercise_id in exercise_ids}


def _planned(session: Session, user: User, entry: PlanExercise) -> PlannedExercise:
    suggested = entry.load_kg
    if suggested is None and entry.percent_1rm is not None:
        # percent_1rm is a percentage (75 means 75 % of the member's best estimated 1RM).
        best = records.best(session, user.id, entry.exercise_id, "e1rm")
        if best:
            suggested = round_to_plates(best * entry.percent_1rm / 100, _units(user))
    return PlannedExercise(
        sets=entry.sets, reps_min=entry.reps_min, reps_max=entry.reps_max, load_kg=entry.load_kg,
        percent_1rm=entry.percent_1rm, target_rpe=entry.target_rpe, target_rir=entry.target_rir,
        rest_s=entry.rest_s, notes=entry.notes, suggested_load_kg=suggested,
    )


def _block(
    session: Session, user: User, exercise_id: int, name: str, entry: PlanExercise | None,
    previous: Previous, sets: list[LoggedSet],
) -> ExerciseBlock:
    return ExerciseBlock(
        exercise_id=exercise_id,
        name=name,
        planned=_planned(session, user, entry) if entry is not None else None,
        previous=previous,
        sets=tuple(sorted(sets, key=lambda s: s.set_number)),
    )


def workout_view(session: Session, user: User, workout_id: int, *, now: datetime | None = None) -> WorkoutView:
    """What the logger shows: the day's planned exercises first, then the others in order of first set."""
    workout = _workout(session, user, workout_id)
    rows = session.exec(
        select(WorkoutSet).where(WorkoutSet.workout_id == workout.id).order_by(WorkoutSet.logged_at, WorkoutSet.id)
    ).all()
    prs = records.records_for_sets(session, [r.id for r in rows])
    entries: dict[int, PlanExercise] = {}
    for entry in _plan_entries(session, workout.plan_day_id):
        entries.setdefault(entry.exercise_id, entry)
    order = list(entries)
    by_exercise: dict[int, list[LoggedSet]] = {}
    for row in rows:
        if row.exercise_id not in entries and row.exercise_id not in by_exercise:
            order.append(row.exercise_id)
        by_exercise.setdefault(row.exercise_id, []).append(_as_logged(row, prs.get(row.id, ())))
    names = dict(session.exec(select(Exercise.id, Exercise.name).where(Exercise.id.in_(order))).all()) if order else {}
    previous = _previous(session, user, workout, order)
    blocks = tuple(
        _block(session, user, exercise_id, names.get(exercise_id, ""), entries.get(exercise_id),
               previous[exercise_id], by_exercise.get(exercise_id, []))
        for exercise_id in order
    )
    rest_ends_at = None
    if rows and workout.finished_at is None:
        ends = rows[-1].logged_at + timedelta(seconds=rows[-1].rest_s)
        if ends > (now or utcnow()):
            rest_ends_at = ends
    return WorkoutView(
        id=workout.id, name=workout.name, started_at=workout.started_at, finished_at=workout.finished_at,
        blocks=blocks, rest_ends_at=rest_ends_at,
    )


def add_exercise(session: Session, user: User, workout_id: int, exercise_id: int) -> ExerciseBlock:
    """Check an exercise may be added to the open workout and return its block (nothing is stored; see above)."""
    workout = _open_workout(session, user, workout_id)
    exercise = _visible_exercise(session, user, exercise_id)
    if exercise is None:
        raise ValidationFailed({"exercise": "Choose an exercise from the library."})
    entry = next((e for e in _plan_entries(session, workout.plan_day_id) if e.exercise_id == exercise.id), None)
    rows = session.exec(
        select(WorkoutSet).where(WorkoutSet.workout_id == workout.id, _EXERCISE == exercise.id)
    ).all()
    prs = records.records_for_sets(session, [r.id for r in rows])
    return _block(session, user, exercise.id, exercise.name, entry,
                  _previous(session, user, workout, [exercise.id])[exercise.id],
                  [_as_logged(r, prs.get(r.id, ())) for r in rows])


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


def _fitness_data(row: WorkoutSet, exercise_name: str) -> dict[str, object]:
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
            return _logged(session, existing)
    workout = _open_workout(session, user, workout_id)
    values, errors = _clean(
        {"reps": reps, "load_kg": load_kg, "rpe": rpe, "rir": rir, "set_type": set_type, "note": note, "rest_s": rest_s}
    )
    if not client_ok:
        errors["client_id"] = "This entry has no valid id; reload the page and try again."
    exercise = _visible_exercise(session, user, exercise_id)
    if exercise is None:
        errors["exercise"] = "Choose an exercise from the library."
    if errors:
        raise ValidationFailed(errors)
    last_number = session.exec(
        select(func.max(WorkoutSet.set_number)).where(
            WorkoutSet.workout_id == workout.id, _EXERCISE == exercise.id
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
        return _logged(session, _by_client_id(session, user.id, client_id))
    row = session.get(WorkoutSet, set_id)
    session.add(
        FitnessData(user_id=user.id, type="workout", data=_fitness_data(row, exercise.name), recorded_at=row.logged_at)
    )
    kinds = records.update_records(session, user.id, row)
    session.flush()
    return _as_logged(row, tuple(kinds))


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
        record.data = _fitness_data(row, record.data.get("exercise", ""))
        session.add(record)
    records.rebuild_records(session, user.id, row.exercise_id)
    return _logged(session, row)


def delete_set(session: Session, user: User, set_id: int) -> None:
    """Remove a set and its history record; the sets after it move up a number."""
    row = _owned_set(session, user, set_id)
    record = _fitness_record(session, row)
    if record is not None:
        session.delete(record)
    later = session.exec(
        select(WorkoutSet).where(
            WorkoutSet.workout_id == row.workout_id,
            _EXERCISE == row.exercise_id,
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


# --- finishing and history ---------------------------------------------------------------------


def _shown(kg: float, units: str) -> str:
    return f"{to_display(kg, units):.1f}".rstrip("0").rstrip(".")


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
    workout = _workout(session, user, workout_id)
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
    units = _units(user)
    prs = []
    for exercise_id, name in names.items():
        prs.extend(
            f"{name}: new {RECORD_LABELS[kind]} {_shown(best[exercise_id, kind], units)} {units}"
            for kind in records.BEST_KINDS
            if (exercise_id, kind) in best
        )
        prs.extend(
            f"{name}: {reps} rep{'s' if reps != 1 else ''} at {_shown(load_kg, units)} {units}"
            for load_kg, reps in _rep_records(rep_records.get(exercise_id, []))
        )
    prs = tuple(prs)
    return WorkoutSummary(
        id=workout.id, name=workout.name, duration_s=max(0, int((end - workout.started_at).total_seconds())),
        volume_kg=float(volume), set_count=int(count), prs=prs,
    )


def finish_workout(session: Session, user: User, workout_id: int, *, now: datetime | None = None) -> WorkoutSummary:
    """Mark the workout finished (once) and return its summary."""
    workout = _workout(session, user, workout_id)
    if workout.finished_at is None:
        workout.finished_at = max(now or utcnow(), workout.started_at)
        session.add(workout)
        session.flush()
    return summary(session, user, workout.id)


def exercise_history(
    session: Session, user: User, exercise_id: int, *, limit: int = 20
) -> list[tuple[datetime, list[LoggedSet]]]:
    """The member's sets of one exercise, per finished workout (its start time), newest first."""
    exercise = _visible_exercise(session, user, exercise_id)
    if exercise is None:
        raise ValidationFailed({"exercise": "No such exercise."})
    has_exercise = exists().where(WorkoutSet.workout_id == Workout.id, _EXERCISE == exercise.id)
    done = session.exec(
        select(Workout.id, Workout.started_at)
        .where(Workout.user_id == user.id, Workout.finished_at.is_not(None), has_exercise)
        .order_by(Workout.started_at.desc(), Workout.id.desc())
        .limit(max(1, min(int(limit), 200)))
    ).all()
    if not done:
        return []
    rows = session.exec(
        select(WorkoutSet)
        .where(WorkoutSet.workout_id.in_([w for w, _ in done]), _EXERCISE == exercise.id)
        .order_by(WorkoutSet.set_number)
    ).all()
    prs = records.records_for_sets(session, [r.id for r in rows])
    sets: dict[int, list[LoggedSet]] = {}
    for row in rows:
        sets.setdefault(row.workout_id, []).append(_as_logged(row, prs.get(row.id, ())))
    return [(started_at, sets.get(workout_id, [])) for workout_id, started_at in done]
