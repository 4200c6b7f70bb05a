"""What the logger shows of a workout: the planned exercises, the sets so far, the last session's
sets of each exercise, and when the rest ends.

Exercises added to a workout are not stored until their first set: the workout table has no
place for them, so the caller keeps an added exercise's empty block on screen (`add_exercise`
validates it and returns the block to show).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists
from sqlmodel import Session, select

from adaptivefit.models import Exercise, PlanExercise, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.lifting import round_to_plates
from adaptivefit.services.training import records
from adaptivefit.services.training.workouts import (
    EXERCISE,
    LoggedSet,
    as_logged,
    open_workout,
    own_workout,
    plan_entries,
    user_units,
    visible_exercise,
)

# (reps, load_kg, rpe) of each working set the last time an exercise was done.
Previous = tuple[tuple[int, float, float | None], ...]


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
                EXERCISE.in_(sorted(remaining)),
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
                EXERCISE.in_(sorted(found)),
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
            suggested = round_to_plates(best * entry.percent_1rm / 100, user_units(user))
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
    workout = own_workout(session, user, workout_id)
    rows = session.exec(
        select(WorkoutSet).where(WorkoutSet.workout_id == workout.id).order_by(WorkoutSet.logged_at, WorkoutSet.id)
    ).all()
    prs = records.records_for_sets(session, [r.id for r in rows])
    entries: dict[int, PlanExercise] = {}
    for entry in plan_entries(session, workout.plan_day_id):
        entries.setdefault(entry.exercise_id, entry)
    order = list(entries)
    by_exercise: dict[int, list[LoggedSet]] = {}
    for row in rows:
        if row.exercise_id not in entries and row.exercise_id not in by_exercise:
            order.append(row.exercise_id)
        by_exercise.setdefault(row.exercise_id, []).append(as_logged(row, prs.get(row.id, ())))
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
    workout = open_workout(session, user, workout_id)
    exercise = visible_exercise(session, user, exercise_id)
    if exercise is None:
        raise ValidationFailed({"exercise": "Choose an exercise from the library."})
    entry = next((e for e in plan_entries(session, workout.plan_day_id) if e.exercise_id == exercise.id), None)
    rows = session.exec(
        select(WorkoutSet).where(WorkoutSet.workout_id == workout.id, EXERCISE == exercise.id)
    ).all()
    prs = records.records_for_sets(session, [r.id for r in rows])
    return _block(session, user, exercise.id, exercise.name, entry,
                  _previous(session, user, workout, [exercise.id])[exercise.id],
                  [as_logged(r, prs.get(r.id, ())) for r in rows])


def exercise_history(
    session: Session, user: User, exercise_id: int, *, limit: int = 20
) -> list[tuple[datetime, list[LoggedSet]]]:
    """The member's sets of one exercise, per finished workout (its start time), newest first."""
    exercise = visible_exercise(session, user, exercise_id)
    if exercise is None:
        raise ValidationFailed({"exercise": "No such exercise."})
    has_exercise = exists().where(WorkoutSet.workout_id == Workout.id, EXERCISE == exercise.id)
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
        .where(WorkoutSet.workout_id.in_([w for w, _ in done]), EXERCISE == exercise.id)
        .order_by(WorkoutSet.set_number)
    ).all()
    prs = records.records_for_sets(session, [r.id for r in rows])
    sets: dict[int, list[LoggedSet]] = {}
    for row in rows:
        sets.setdefault(row.workout_id, []).append(as_logged(row, prs.get(row.id, ())))
    return [(started_at, sets.get(workout_id, [])) for workout_id, started_at in done]
