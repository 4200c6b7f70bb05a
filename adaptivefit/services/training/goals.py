"""A member's goals (the original design's goals table) and their progress, read from the data.

Kinds and their `details`:
  strength     {"exercise_id", "target_e1rm_kg"}        best estimated one-rep max on the lift
  consistency  {"workouts_per_week"}                    workouts in the last 7 days
  bodyweight   {"target_kg", "start_kg"}                latest weigh-in, losing or gaining
  volume       {"exercise_id" or None, "weekly_volume_kg"}  tonnage in the last 7 days
Any kind may also carry {"target_date": "YYYY-MM-DD"}, the day the member means to reach it by.

Beside its kind, a goal names what the member trains for (primary_goal_type, and optionally a
different secondary_goal_type, from GOAL_TYPES) and a priority from 1 (highest) to 5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from adaptivefit.models import Exercise, Goal, PersonalRecord, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed, owned
from adaptivefit.services.core.clock import local_today
from adaptivefit.services.training.dashboard import best_e1rm_from_sets, has_working_set, working_sets
from adaptivefit.services.training.goal_forms import (
    DEFAULT_PRIORITY,
    GOAL_TYPES,
    ISO_DATE,
    KINDS,
    default_primary,
    goal_fields,
    latest_bodyweight,
    read_form,
    read_kind,
)

MAX_ACTIVE_GOALS = 20
WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class GoalProgress:
    id: int
    title: str
    kind: str
    current: float
    target: float
    unit: str  # "kg" or "workouts"; the UI converts kg to the member's units
    percent: int  # 0-100; 100 only once reached
    reached: bool
    primary: str = ""  # one of GOAL_TYPES
    priority: int = DEFAULT_PRIORITY  # 1 is the highest
    target_date: str = ""  # ISO date, or "" when the goal has none
    days_left: int | None = None  # days from the member's today to target_date; negative once past


def create_goal(session: Session, user: User, form: dict[str, Any], *, now: datetime | None = None) -> Goal:
    """A new active goal from a form; every field is checked and all reasons are given at once.

    Besides the kind's own fields the form may give primary_goal_type and secondary_goal_type
    (from GOAL_TYPES; the primary defaults from the kind), priority (1-5, default 3) and
    target_date (an ISO date from the member's today to MAX_YEARS_AHEAD years on).
    """
    kind = read_kind(form)
    now = now or utcnow()
    details, primary, secondary, priority = read_form(session, user, kind, form, local_today(user, now))
    active = session.exec(
        select(sa.func.count(Goal.id)).where(Goal.user_id == user.id, Goal.active.is_(True))
    ).one()
    if active >= MAX_ACTIVE_GOALS:
        raise ValidationFailed({"kind": f"You have {MAX_ACTIVE_GOALS} active goals; archive one first."})
    goal = Goal(
        user_id=user.id, goal_type=kind, primary_goal_type=primary, secondary_goal_type=secondary,
        details=details, priority=priority, active=True, created_at=now, updated_at=now,
    )
    session.add(goal)
    session.flush()
    return goal


def create_goal_from_page(session: Session, user: User, form: dict[str, Any]) -> Goal:
    """A goal from the goal page, whose one "target" box is in the member's units."""
    return create_goal(session, user, goal_fields(form, user.units))


def archive_goal(session: Session, user: User, goal_id: int) -> None:
    """Set a goal aside; it keeps its row but no longer shows or counts."""
    goal = owned(session, Goal, goal_id, user, "That goal")
    goal.active = False
    goal.updated_at = utcnow()
    session.add(goal)
    session.flush()


def _best_e1rm(session: Session, user_id: int, exercise_id: int) -> float:
    recorded = session.exec(
        select(sa.func.max(PersonalRecord.value)).where(
            PersonalRecord.user_id == user_id,
            PersonalRecord.exercise_id == exercise_id,
            PersonalRecord.kind == "e1rm",
        )
    ).one()
    if recorded is not None:
        return float(recorded)
    return best_e1rm_from_sets(session, user_id, exercise_id) or 0.0


def _recent_workouts(session: Session, user_id: int, since: datetime) -> int:
    return session.exec(
        select(sa.func.count(Workout.id)).where(
            Workout.user_id == user_id, Workout.started_at >= since, has_working_set()
        )
    ).one()


def _recent_volume(session: Session, user_id: int, exercise_id: int | None, since: datetime) -> float:
    conditions = [*working_sets(user_id), WorkoutSet.logged_at >= since]
    if exercise_id is not None:
        conditions.append(WorkoutSet.exercise_id == exercise_id)
    total = session.exec(select(sa.func.sum(WorkoutSet.load_kg * WorkoutSet.reps)).where(*conditions)).one()
    return float(total or 0.0)


def _percent(fraction: float, reached: bool) -> int:
    if reached:
        return 100
    return max(0, min(99, math.floor(fraction * 100)))


def _extras(goal: Goal, details: dict[str, Any], today: date) -> dict[str, Any]:
    """The GoalProgress fields every kind shares; a bad date or type in the row is left blank, not fatal."""
    primary = goal.primary_goal_type
    if primary not in GOAL_TYPES:
        primary = default_primary(goal.goal_type, details)
    priority = goal.priority if type(goal.priority) is int else DEFAULT_PRIORITY
    extras: dict[str, Any] = {"primary": primary, "priority": priority}
    raw = details.get("target_date")
    if isinstance(raw, str) and ISO_DATE.fullmatch(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return extras
        extras.update(target_date=day.isoformat(), days_left=(day - today).days)
    return extras


def _progress(
    session: Session, user: User, goal: Goal, names: dict[int, str], now: datetime, today: date
) -> GoalProgress | None:
    details = goal.details if isinstance(goal.details, dict) else {}
    extras = _extras(goal, details, today)
    try:
        if goal.goal_type == "strength":
            exercise_id = int(details["exercise_id"])
            target = float(details["target_e1rm_kg"])
            current = _best_e1rm(session, user.id, exercise_id)
            reached = current >= target
            title = f"{names.get(exercise_id, 'Lift')}: one-rep max"
            return GoalProgress(goal.id, title, "strength", round(current, 1), target, "kg",
                                _percent(current / target, reached), reached, **extras)
        if goal.goal_type == "consistency":
            target = int(details["workouts_per_week"])
            current = _recent_workouts(session, user.id, now - WINDOW)
            reached = current >= target
            title = f"{target} workout{'s' if target != 1 else ''} a week"
            return GoalProgress(goal.id, title, "consistency", float(current), float(target), "workouts",
                                _percent(current / target, reached), reached, **extras)
        if goal.goal_type == "bodyweight":
            target = float(details["target_kg"])
            start = float(details["start_kg"])
            latest = latest_bodyweight(session, user.id)
            current = start if latest is None else latest
            losing = target < start
            reached = latest is not None and (current <= target if losing else current >= target)
            title = "Lose weight" if losing else "Gain weight"
            return GoalProgress(goal.id, title, "bodyweight", round(current, 1), target, "kg",
                                _percent((start - current) / (start - target), reached), reached, **extras)
        if goal.goal_type == "volume":
            exercise_id = details.get("exercise_id")
            exercise_id = int(exercise_id) if exercise_id is not None else None
            target = float(details["weekly_volume_kg"])
            current = _recent_volume(session, user.id, exercise_id, now - WINDOW)
            reached = current >= target
            title = f"{names.get(exercise_id, 'Lift')}: weekly volume" if exercise_id is not None else "Weekly volume"
            return GoalProgress(goal.id, title, "volume", round(current, 1), target, "kg",
                                _percent(current / target, reached), reached, **extras)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        # A row edited outside this service: leave it out rather than fail the member's home page.
        return None
    return None


def list_goals(session: Session, user: User, *, now: datetime | None = None) -> list[GoalProgress]:
    """The member's active goals with their progress, highest priority (1) first, then oldest first."""
    now = now or utcnow()
    goals = session.exec(
        select(Goal)
        .where(Goal.user_id == user.id, Goal.active.is_(True), Goal.goal_type.in_(KINDS))
        .order_by(Goal.priority, Goal.created_at, Goal.id)
    ).all()
    exercise_ids = {
        int(goal.details["exercise_id"])
        for goal in goals
        if isinstance(goal.details, dict) and isinstance(goal.details.get("exercise_id"), int)
    }
    names = (
        dict(session.exec(select(Exercise.id, Exercise.name).where(Exercise.id.in_(exercise_ids))).all())
        if exercise_ids
        else {}
    )
    today = local_today(user, now)
    progress = (_progress(session, user, goal, names, now, today) for goal in goals)
    return [item for item in progress if item is not None]
