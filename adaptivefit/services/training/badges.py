"""Badges: each awarded once per member, with the date it was awarded.

The counts behind them are SQL aggregates, and a badge already held costs no query at all, so
evaluating after every logged set stays cheap however long the history grows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from adaptivefit.models import Achievement, PersonalRecord, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.training import goals
from adaptivefit.services.training.dashboard import has_working_set, longest_streak_weeks, working_sets

# code: (title, description, lucide icon name)
BADGES: dict[str, tuple[str, str, str]] = {
    "first_workout": ("First workout", "Logged your first workout.", "dumbbell"),
    "workouts_10": ("10 workouts", "Logged 10 workouts.", "dumbbell"),
    "workouts_50": ("50 workouts", "Logged 50 workouts.", "medal"),
    "workouts_100": ("100 workouts", "Logged 100 workouts.", "crown"),
    "streak_3_weeks": ("3-week streak", "Trained in each of 3 weeks in a row.", "flame"),
    "streak_8_weeks": ("8-week streak", "Trained in each of 8 weeks in a row.", "flame"),
    "first_pr": ("First personal record", "Set your first personal record.", "trophy"),
    "prs_10": ("10 personal records", "Set 10 personal records.", "trophy"),
    "volume_10t": ("10 tonnes", "Lifted 10 tonnes in working sets, all told.", "weight"),
    "volume_100t": ("100 tonnes", "Lifted 100 tonnes in working sets, all told.", "weight"),
    "volume_1000t": ("1,000 tonnes", "Lifted 1,000 tonnes in working sets, all told.", "mountain"),
    "goal_reached": ("Goal reached", "Reached one of your goals.", "target"),
}

# code: (measure, threshold). Volume is in kg.
RULES: dict[str, tuple[str, float]] = {
    "first_workout": ("workouts", 1),
    "workouts_10": ("workouts", 10),
    "workouts_50": ("workouts", 50),
    "workouts_100": ("workouts", 100),
    "streak_3_weeks": ("streak_weeks", 3),
    "streak_8_weeks": ("streak_weeks", 8),
    "first_pr": ("personal_records", 1),
    "prs_10": ("personal_records", 10),
    "volume_10t": ("volume_kg", 10_000),
    "volume_100t": ("volume_kg", 100_000),
    "volume_1000t": ("volume_kg", 1_000_000),
    "goal_reached": ("goals_reached", 1),
}


@dataclass(frozen=True)
class BadgeView:
    code: str
    title: str
    description: str
    icon: str
    awarded_at: datetime


def _workouts(session: Session, user: User, now: datetime) -> float:
    return session.exec(
        select(sa.func.count(Workout.id)).where(Workout.user_id == user.id, has_working_set())
    ).one()


def _streak_weeks(session: Session, user: User, now: datetime) -> float:
    return longest_streak_weeks(session, user, now=now)


def _personal_records(session: Session, user: User, now: datetime) -> float:
    # One set can beat several kinds (e1RM, load, volume) at once: that is one record set, not three.
    # A record whose set was deleted keeps counting, each on its own.
    moment = sa.func.coalesce(PersonalRecord.set_id, -PersonalRecord.id)
    return session.exec(
        select(sa.func.count(sa.distinct(moment))).where(PersonalRecord.user_id == user.id)
    ).one()


def _volume_kg(session: Session, user: User, now: datetime) -> float:
    total = session.exec(
        select(sa.func.sum(WorkoutSet.load_kg * WorkoutSet.reps)).where(*working_sets(user.id))
    ).one()
    return float(total or 0.0)


def _goals_reached(session: Session, user: User, now: datetime) -> float:
    return sum(1 for goal in goals.list_goals(session, user, now=now) if goal.reached)


MEASURES: dict[str, Callable[[Session, User, datetime], float]] = {
    "workouts": _workouts,
    "streak_weeks": _streak_weeks,
    "personal_records": _personal_records,
    "volume_kg": _volume_kg,
    "goals_reached": _goals_reached,
}


def _held(session: Session, user: User) -> set[str]:
    return set(session.exec(select(Achievement.code).where(Achievement.user_id == user.id)).all())


def _open_transaction(session: Session) -> None:
    """Make sure the database transaction has begun before a savepoint.

    Python's sqlite3 driver begins a transaction only at the first write; a SAVEPOINT issued
    before that starts one of its own, and releasing it would commit behind the caller's back.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def _award(session: Session, user: User, code: str, value: float, now: datetime) -> Achievement | None:
    """Insert one badge; None when another request awarded it first (the unique constraint holds)."""
    _open_transaction(session)
    achievement = Achievement(user_id=user.id, code=code, details={"value": value}, awarded_at=now)
    try:
        with session.begin_nested():
            session.add(achievement)
            session.flush()
    except IntegrityError:
        return None
    return achievement


def evaluate(session: Session, user: User, *, now: datetime | None = None) -> list[Achievement]:
    """Award every badge the member has newly earned and return those; a second call awards nothing."""
    now = now or utcnow()
    pending = [code for code in RULES if code not in _held(session, user)]
    measured: dict[str, float] = {}
    awarded = []
    for code in pending:
        measure, threshold = RULES[code]
        if measure not in measured:
            measured[measure] = MEASURES[measure](session, user, now)
        value = measured[measure]
        if value >= threshold:
            achievement = _award(session, user, code, round(float(value), 1), now)
            if achievement is not None:
                awarded.append(achievement)
    return awarded


def _view(achievement: Achievement) -> BadgeView:
    title, description, icon = BADGES[achievement.code]
    return BadgeView(achievement.code, title, description, icon, achievement.awarded_at)


def _views(session: Session, user: User, *conditions) -> list[BadgeView]:
    rows = session.exec(
        select(Achievement)
        .where(Achievement.user_id == user.id, Achievement.code.in_(BADGES), *conditions)
        .order_by(Achievement.awarded_at, Achievement.id)
    ).all()
    return [_view(row) for row in rows]


def list_achievements(session: Session, user: User) -> list[BadgeView]:
    """The badges the member holds, earliest first. BADGES lists those still to earn."""
    return _views(session, user)


def unannounced(session: Session, user: User) -> list[BadgeView]:
    """Badges awarded but not yet shown to the member (a toast or a dialog on their next page)."""
    return _views(session, user, Achievement.announced.is_(False))


def mark_announced(session: Session, user: User, codes: Iterable[str]) -> int:
    """Mark the member's own badges as shown; unknown codes are ignored. Returns how many changed."""
    if isinstance(codes, str):
        codes = [codes]
    wanted = sorted({code for code in codes if isinstance(code, str) and code in BADGES})
    if not wanted:
        return 0
    result = session.execute(
        sa.update(Achievement)
        .where(Achievement.user_id == user.id, Achievement.code.in_(wanted), Achievement.announced.is_(False))
        .values(announced=True)
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    return result.rowcount or 0
