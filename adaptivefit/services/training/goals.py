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
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from adaptivefit.models import Exercise, FitnessData, Goal, PersonalRecord, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.training.dashboard import best_e1rm_from_sets, has_working_set, user_zone, working_sets

KINDS = ("strength", "consistency", "bodyweight", "volume")
GOAL_TYPES = ("strength", "hypertrophy", "endurance", "fat_loss", "general_fitness")
PRIORITY_RANGE = (1, 5)
DEFAULT_PRIORITY = 3
MAX_YEARS_AHEAD = 5
MAX_ACTIVE_GOALS = 20
WINDOW = timedelta(days=7)

E1RM_RANGE = (1.0, 1000.0)
WORKOUTS_RANGE = (1, 14)
BODYWEIGHT_RANGE = (20.0, 400.0)
VOLUME_RANGE = (1.0, 200_000.0)

_NUMBER = re.compile(r"\d{1,7}(?:\.\d{1,2})?")
_INTEGER = re.compile(r"\d{1,9}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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


class _Bad(Exception):
    """One field's reason, gathered into a ValidationFailed for the whole form."""


def _number(value: object, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or value is None:
        raise _Bad(f"Enter {what}.")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", ".")
        if not text:
            raise _Bad(f"Enter {what}.")
        if not _NUMBER.fullmatch(text):
            raise _Bad("Enter a number, like 82.5.")
        number = float(text)
    if not math.isfinite(number) or not low <= number <= high:
        raise _Bad(f"Enter a value between {low:g} and {high:g}.")
    return round(number, 2)


def _integer(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or value is None:
        raise _Bad(f"Enter {what}.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = str(value).strip()
        if not text:
            raise _Bad(f"Enter {what}.")
        if not _INTEGER.fullmatch(text):
            raise _Bad("Enter a whole number.")
        number = int(text)
    if not low <= number <= high:
        raise _Bad(f"Enter a whole number between {low} and {high}.")
    return number


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _goal_type(value: object, what: str) -> str:
    text = value.strip().lower().replace(" ", "_").replace("-", "_") if isinstance(value, str) else None
    if text not in GOAL_TYPES:
        raise _Bad(f"Choose a {what} goal: strength, hypertrophy, endurance, fat loss or general fitness.")
    return text


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def _target_date(value: object, today: date) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError
            day = date.fromisoformat(text)
        except ValueError:
            raise _Bad("Enter a date like 2026-06-30.") from None
    if day < today:
        raise _Bad("Choose a date from today on.")
    if day > _years_later(today, MAX_YEARS_AHEAD):
        raise _Bad(f"Choose a date within {MAX_YEARS_AHEAD} years.")
    return day


def default_primary(kind: str, details: dict[str, Any]) -> str:
    """What a goal of this kind trains for when the member did not say."""
    if kind == "strength":
        return "strength"
    if kind == "volume":
        return "hypertrophy"
    if kind == "bodyweight":
        try:
            losing = float(details["target_kg"]) < float(details["start_kg"])
        except (KeyError, TypeError, ValueError):
            losing = False
        return "fat_loss" if losing else "general_fitness"
    return "general_fitness"


def _aims(
    kind: str, details: dict[str, Any], form: dict[str, Any], today: date, errors: dict[str, str]
) -> tuple[str, str | None, int]:
    """The primary and secondary goal types and the priority; a target date goes into `details`."""
    primary = secondary = None
    priority = DEFAULT_PRIORITY
    try:
        primary = (
            default_primary(kind, details)
            if _blank(form.get("primary_goal_type"))
            else _goal_type(form.get("primary_goal_type"), "primary")
        )
    except _Bad as bad:
        errors["primary_goal_type"] = str(bad)
    if not _blank(form.get("secondary_goal_type")):
        try:
            secondary = _goal_type(form.get("secondary_goal_type"), "secondary")
        except _Bad as bad:
            errors["secondary_goal_type"] = str(bad)
        if secondary is not None and secondary == primary:
            errors["secondary_goal_type"] = "Choose a secondary goal different from the primary one."
    if not _blank(form.get("priority")):
        try:
            priority = _integer(form.get("priority"), *PRIORITY_RANGE, "a priority")
        except _Bad as bad:
            errors["priority"] = str(bad)
    if not _blank(form.get("target_date")):
        try:
            details["target_date"] = _target_date(form.get("target_date"), today).isoformat()
        except _Bad as bad:
            errors["target_date"] = str(bad)
    return primary or "", secondary, priority


def _exercise(session: Session, user: User, value: object) -> Exercise:
    """An exercise the member may see: the shared library or their own custom ones."""
    try:
        exercise_id = _integer(value, 1, 2**31 - 1, "an exercise")
    except _Bad:
        raise _Bad("Choose an exercise.") from None
    exercise = session.get(Exercise, exercise_id)
    if exercise is None or exercise.owner_id not in (None, user.id):
        raise _Bad("Choose an exercise from the library.")
    return exercise


def latest_bodyweight(session: Session, user_id: int) -> float | None:
    rows = session.exec(
        select(FitnessData.data)
        .where(FitnessData.user_id == user_id, FitnessData.type == "bodyweight")
        .order_by(FitnessData.recorded_at.desc(), FitnessData.id.desc())
        .limit(5)
    ).all()
    for data in rows:
        kg = data.get("kg") if isinstance(data, dict) else None
        if isinstance(kg, (int, float)) and not isinstance(kg, bool) and math.isfinite(kg) and kg > 0:
            return float(kg)
    return None


def _details(session: Session, user: User, kind: str, form: dict[str, Any], errors: dict[str, str]) -> dict:
    details: dict[str, Any] = {}

    def field(name: str, parse) -> None:
        try:
            details[name] = parse(form.get(name))
        except _Bad as bad:
            errors[name] = str(bad)

    if kind == "strength":
        field("exercise_id", lambda v: _exercise(session, user, v).id)
        field("target_e1rm_kg", lambda v: _number(v, *E1RM_RANGE, "a target one-rep max in kg"))
    elif kind == "consistency":
        field("workouts_per_week", lambda v: _integer(v, *WORKOUTS_RANGE, "workouts per week"))
    elif kind == "bodyweight":
        field("target_kg", lambda v: _number(v, *BODYWEIGHT_RANGE, "a target weight in kg"))
        if _blank(form.get("start_kg")):
            # Without a starting weight given, the latest weigh-in is where the member starts.
            latest = latest_bodyweight(session, user.id)
            if latest is None:
                errors["start_kg"] = "Enter your starting weight, or log a weigh-in first."
            else:
                field("start_kg", lambda _: _number(latest, *BODYWEIGHT_RANGE, "your starting weight in kg"))
        else:
            field("start_kg", lambda v: _number(v, *BODYWEIGHT_RANGE, "your starting weight in kg"))
        if "target_kg" in details and "start_kg" in details and details["target_kg"] == details["start_kg"]:
            errors["target_kg"] = "Choose a target different from your starting weight."
    elif kind == "volume":
        exercise = form.get("exercise_id")
        if _blank(exercise):
            details["exercise_id"] = None
        else:
            field("exercise_id", lambda v: _exercise(session, user, v).id)
        field("weekly_volume_kg", lambda v: _number(v, *VOLUME_RANGE, "a weekly volume in kg"))
    return details


def _today(user: User, now: datetime) -> date:
    return now.astimezone(user_zone(user)).date()


def create_goal(session: Session, user: User, form: dict[str, Any], *, now: datetime | None = None) -> Goal:
    """A new active goal from a form; every field is checked and all reasons are given at once.

    Besides the kind's own fields the form may give primary_goal_type and secondary_goal_type
    (from GOAL_TYPES; the primary defaults from the kind), priority (1-5, default 3) and
    target_date (an ISO date from the member's today to MAX_YEARS_AHEAD years on).
    """
    kind = form.get("kind")
    if not isinstance(kind, str) or kind.strip() not in KINDS:
        raise ValidationFailed({"kind": "Choose a goal type: strength, consistency, bodyweight or volume."})
    kind = kind.strip()
    now = now or utcnow()
    errors: dict[str, str] = {}
    details = _details(session, user, kind, form, errors)
    primary, secondary, priority = _aims(kind, details, form, _today(user, now), errors)
    if errors:
        raise ValidationFailed(errors)
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


def archive_goal(session: Session, user: User, goal_id: int) -> None:
    """Set a goal aside; it keeps its row but no longer shows or counts."""
    goal = session.get(Goal, goal_id) if isinstance(goal_id, int) and not isinstance(goal_id, bool) else None
    if goal is None or goal.user_id != user.id:
        raise ValidationFailed({"goal": "No such goal."})
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
    if isinstance(raw, str) and _ISO_DATE.fullmatch(raw):
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
    today = _today(user, now)
    progress = (_progress(session, user, goal, names, now, today) for goal in goals)
    return [item for item in progress if item is not None]
