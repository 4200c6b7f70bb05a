"""What the coach knows of a member for the engine: goals, level, recent history of an exercise,
readiness from wearables, and the equipment an exercise needs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from adaptivefit.coach.types import Readiness, SessionRecord, UserData
from adaptivefit.models import CoachTweak, Equipment, ExerciseEquipment, FitnessData, Goal, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.lifting import set_e1rm

HISTORY_SESSIONS = 5
STRUGGLE_EVENTS = ("struggle_set", "fail_set")

# The member's goals (services.training.goals.GOAL_TYPES) in the engine's words.
_GOALS = {"strength": "strength", "hypertrophy": "hypertrophy", "endurance": "endurance",
          "fat_loss": "fat_loss", "general_fitness": "general"}

# Which load step an exercise moves by, from the equipment it needs.
_EQUIPMENT_KIND = {
    "barbell": "barbell", "ez bar": "barbell", "trap bar": "barbell", "smith machine": "barbell",
    "dumbbell": "dumbbell", "kettlebell": "kettlebell",
    "cable machine": "cable", "lat pulldown machine": "cable", "seated row machine": "cable",
}


def equipment_kind(session: Session, exercise_id: int) -> str:
    rows = session.exec(
        select(Equipment.name, Equipment.type)
        .join(ExerciseEquipment, ExerciseEquipment.equipment_id == Equipment.id)
        .where(ExerciseEquipment.exercise_id == exercise_id)
    ).all()
    if not rows:
        return "bodyweight"
    kinds = [_EQUIPMENT_KIND.get(name.lower()) or ("machine" if kind == "machine" else None) for name, kind in rows]
    for preferred in ("barbell", "dumbbell", "kettlebell", "cable", "machine"):
        if preferred in kinds:
            return preferred
    return "bodyweight" if all(kind == "bodyweight" for _, kind in rows) else "other"


def user_goals(session: Session, user_id: int) -> tuple[str, ...]:
    rows = session.exec(
        select(Goal.goal_type).where(Goal.user_id == user_id, Goal.active.is_(True)).order_by(Goal.priority, Goal.id)
    ).all()
    goals: list[str] = []
    for goal_type in rows:
        mapped = _GOALS.get(goal_type)
        if mapped and mapped not in goals:
            goals.append(mapped)
    return tuple(goals)


def readiness(session: Session, user_id: int, *, now: datetime | None = None) -> Readiness | None:
    """Last night's sleep and today's HRV against the member's own week: a hook for wearables."""
    now = now or utcnow()
    sleep = session.exec(
        select(FitnessData.data).where(FitnessData.user_id == user_id, FitnessData.type == "sleep",
                                       FitnessData.recorded_at >= now - timedelta(hours=20))
        .order_by(FitnessData.recorded_at.desc()).limit(1)
    ).first()
    hrv_rows = session.exec(
        select(FitnessData.data, FitnessData.recorded_at).where(
            FitnessData.user_id == user_id, FitnessData.type == "hrv", FitnessData.recorded_at >= now - timedelta(days=8))
        .order_by(FitnessData.recorded_at.desc())
    ).all()
    sleep_hours = _number((sleep or {}).get("hours"))
    hrv_ratio = None
    values = [(_number(data.get("rmssd_ms") or data.get("ms") or data.get("value")), at) for data, at in hrv_rows]
    values = [(v, at) for v, at in values if v]
    if len(values) >= 4 and values[0][1] >= now - timedelta(hours=20):
        baseline = sum(v for v, _ in values[1:]) / (len(values) - 1)
        hrv_ratio = round(values[0][0] / baseline, 3) if baseline else None
    if sleep_hours is None and hrv_ratio is None:
        return None
    return Readiness(sleep_hours=sleep_hours, hrv_ratio=hrv_ratio)


def _number(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def exercise_history(session: Session, user_id: int, exercise_id: int, *, before_workout: int | None = None,
                     now: datetime | None = None) -> tuple[SessionRecord, ...]:
    """The member's last few finished sessions of an exercise, most recent first."""
    now = now or utcnow()
    query = (
        select(Workout.id, Workout.started_at)
        .join(WorkoutSet, WorkoutSet.workout_id == Workout.id)
        .where(Workout.user_id == user_id, Workout.finished_at.is_not(None), WorkoutSet.exercise_id == exercise_id,
               WorkoutSet.set_type == "working")
        .group_by(Workout.id, Workout.started_at)
        .order_by(Workout.started_at.desc())
        .limit(HISTORY_SESSIONS)
    )
    if before_workout is not None:
        query = query.where(Workout.id != before_workout)
    workouts = session.exec(query).all()
    if not workouts:
        return ()
    ids = [w for w, _ in workouts]
    sets: dict[int, list[WorkoutSet]] = {}
    for row in session.exec(select(WorkoutSet).where(
            WorkoutSet.workout_id.in_(ids), WorkoutSet.exercise_id == exercise_id, WorkoutSet.set_type == "working")
            .order_by(WorkoutSet.set_number)):
        sets.setdefault(row.workout_id, []).append(row)
    struggled = set(session.exec(select(CoachTweak.workout_id).where(
        CoachTweak.workout_id.in_(ids), CoachTweak.exercise_id == exercise_id,
        CoachTweak.event.in_((*STRUGGLE_EVENTS, "skip_set")))).all())
    history = []
    for workout_id, started_at in workouts:
        rows = sets.get(workout_id, [])
        if not rows:
            continue
        history.append(SessionRecord(
            days_ago=max(0, (now - started_at).days),
            top_load_kg=max(r.load_kg for r in rows),
            reps=tuple(r.reps for r in rows),
            best_e1rm_kg=round(max(set_e1rm(r.load_kg, r.reps, r.rpe, r.rir) for r in rows), 2),
            struggled=workout_id in struggled,
        ))
    return tuple(history)


def user_data(session: Session, user: User, exercise_id: int | None, *, workout_id: int | None = None,
              now: datetime | None = None) -> UserData:
    return UserData(
        fitness_level=user.fitness_level or "beginner",
        goals=user_goals(session, user.id),
        history=exercise_history(session, user.id, exercise_id, before_workout=workout_id, now=now)
        if exercise_id is not None else (),
        readiness=readiness(session, user.id, now=now),
    )
