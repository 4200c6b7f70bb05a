"""Aggregations for a member's home: small, chart-ready series computed in SQL on the server.

Days and ISO weeks are the member's own (their profile time zone), so a set logged at 7 am in
Sydney counts for that day. PostgreSQL converts each row with the zone itself; SQLite has no
zone database, so it shifts by the zone's current UTC offset (an hour off only for sets logged
within an hour of midnight across a daylight-saving change).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from adaptivefit.models import Exercise, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.clock import user_zone
from adaptivefit.services.core.lifting import set_e1rm

WORKING = "working"
# A year of daily points is too many for a phone-sized chart; past this, show the best per week.
MAX_DAILY_POINTS = 120
MAX_DAYS = 3660
MAX_WEEKS = 156
MAX_TOP_LIFTS = 20


def working_sets(user_id: int) -> list[ColumnElement[bool]]:
    """The conditions that pick a member's working sets (warm-ups and the like never count)."""
    return [WorkoutSet.user_id == user_id, WorkoutSet.set_type == WORKING]


def has_working_set() -> ColumnElement[bool]:
    """A workout counts once at least one working set is logged in it (an opened, empty one does not)."""
    return sa.exists().where(WorkoutSet.workout_id == Workout.id, WorkoutSet.set_type == WORKING)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _sqlite_shift(zone: ZoneInfo, now: datetime) -> str:
    offset = now.astimezone(zone).utcoffset() or timedelta(0)
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def local_day(session: Session, column, zone: ZoneInfo, now: datetime):
    """SQL for the member's calendar day of a UTC timestamp column."""
    if _is_sqlite(session):
        return sa.func.date(column, _sqlite_shift(zone, now))
    return sa.cast(sa.func.timezone(zone.key, column), sa.Date)


def local_week(session: Session, column, zone: ZoneInfo, now: datetime):
    """SQL for the Monday that starts the member's ISO week of a UTC timestamp column."""
    if _is_sqlite(session):
        # 'weekday 0' moves forward to Sunday (staying on a Sunday); six days back is that week's Monday.
        return sa.func.date(column, _sqlite_shift(zone, now), "weekday 0", "-6 days")
    return sa.cast(sa.func.date_trunc("week", sa.func.timezone(zone.key, column)), sa.Date)


def as_date(value) -> date:
    """A bucket from either database (SQLite gives text, PostgreSQL a date) as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def recent_weeks(user: User, weeks: int, now: datetime) -> tuple[list[date], datetime]:
    """The Mondays of the last `weeks` ISO weeks (this one included), oldest first, and the UTC start."""
    zone = user_zone(user)
    today = now.astimezone(zone).date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    start = datetime.combine(mondays[0], time(), tzinfo=zone).astimezone(UTC)
    return mondays, start


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, int(value)))


def _heaviest_by_effort(session: Session, user_id: int, exercise_id: int, *extra, group=()):
    """The heaviest load per (reps, RPE, RIR) and any extra grouping.

    e1RM rises with load when reps and effort are fixed, so the best e1RM is among these rows:
    the database reduces thousands of sets to a few, and the one formula stays in lifting.
    """
    return session.exec(
        select(*group, WorkoutSet.reps, WorkoutSet.rpe, WorkoutSet.rir, sa.func.max(WorkoutSet.load_kg))
        .where(
            *working_sets(user_id),
            WorkoutSet.exercise_id == exercise_id,
            WorkoutSet.reps > 0,
            WorkoutSet.load_kg > 0,
            *extra,
        )
        .group_by(*group, WorkoutSet.reps, WorkoutSet.rpe, WorkoutSet.rir)
    ).all()


def best_e1rm_from_sets(session: Session, user_id: int, exercise_id: int) -> float | None:
    rows = _heaviest_by_effort(session, user_id, exercise_id)
    best = max((set_e1rm(load, reps, rpe, rir) for reps, rpe, rir, load in rows), default=0.0)
    return best or None


def e1rm_series(
    session: Session, user: User, exercise_id: int, *, days: int = 365, now: datetime | None = None
) -> list[dict]:
    """The best estimated one-rep max per day ([{"date", "e1rm"}]), per week when there are too many days."""
    try:
        exercise_id = int(exercise_id)
    except (TypeError, ValueError):
        return []
    now = now or utcnow()
    days = _clamp(days, 1, MAX_DAYS)
    day = local_day(session, WorkoutSet.logged_at, user_zone(user), now).label("day")
    rows = _heaviest_by_effort(
        session, user.id, exercise_id, WorkoutSet.logged_at >= now - timedelta(days=days), group=(day,)
    )
    best: dict[date, float] = {}
    for bucket, reps, rpe, rir, load in rows:
        key = as_date(bucket)
        best[key] = max(best.get(key, 0.0), set_e1rm(load, reps, rpe, rir))
    if len(best) > MAX_DAILY_POINTS:
        weekly: dict[date, float] = {}
        for key, value in best.items():
            monday = key - timedelta(days=key.weekday())
            weekly[monday] = max(weekly.get(monday, 0.0), value)
        best = weekly
    return [{"date": key.isoformat(), "e1rm": round(value, 1)} for key, value in sorted(best.items()) if value > 0]


def weekly_volume_by_muscle(
    session: Session, user: User, *, weeks: int = 8, now: datetime | None = None
) -> list[dict]:
    """Tonnage (load x reps, kg) of working sets per ISO week and primary muscle, every week listed.

    Each row carries every muscle seen in the window (0 where untrained), as a stacked chart wants.
    """
    now = now or utcnow()
    mondays, start = recent_weeks(user, _clamp(weeks, 1, MAX_WEEKS), now)
    week = local_week(session, WorkoutSet.logged_at, user_zone(user), now).label("week")
    rows = session.exec(
        select(week, Exercise.primary_muscle, sa.func.sum(WorkoutSet.load_kg * WorkoutSet.reps))
        .join(Exercise, Exercise.id == WorkoutSet.exercise_id)
        .where(*working_sets(user.id), WorkoutSet.logged_at >= start)
        .group_by(week, Exercise.primary_muscle)
    ).all()
    muscles = sorted({muscle for _, muscle, _ in rows})
    table = {monday: dict.fromkeys(muscles, 0.0) for monday in mondays}
    for bucket, muscle, kg in rows:
        monday = as_date(bucket)
        if monday in table:
            table[monday][muscle] = round(float(kg or 0.0), 1)
    return [{"week": week_label(monday), **table[monday]} for monday in mondays]


def workouts_per_week(session: Session, user: User, *, weeks: int = 12, now: datetime | None = None) -> list[dict]:
    """Workouts with at least one working set, per ISO week, zero weeks included, oldest first."""
    now = now or utcnow()
    mondays, start = recent_weeks(user, _clamp(weeks, 1, MAX_WEEKS), now)
    week = local_week(session, Workout.started_at, user_zone(user), now).label("week")
    rows = session.exec(
        select(week, sa.func.count(Workout.id))
        .where(Workout.user_id == user.id, Workout.started_at >= start, has_working_set())
        .group_by(week)
    ).all()
    counts = {as_date(bucket): int(n) for bucket, n in rows}
    return [{"week": week_label(monday), "workouts": counts.get(monday, 0)} for monday in mondays]


def training_weeks(session: Session, user: User, *, now: datetime | None = None) -> list[date]:
    """The Mondays of every ISO week in which the member logged a workout, oldest first."""
    now = now or utcnow()
    week = local_week(session, Workout.started_at, user_zone(user), now)
    rows = session.exec(
        select(week).where(Workout.user_id == user.id, has_working_set()).group_by(week)
    ).all()
    return sorted(as_date(bucket) for bucket in rows)


def top_lifts(session: Session, user: User, *, limit: int = 5) -> list[tuple[int, str]]:
    """The exercises with the most working sets, most first: the choices of the chart's lift picker."""
    # Count per exercise id first, then name the few winners: no join across every set.
    counts = (
        select(WorkoutSet.exercise_id, sa.func.count().label("sets"))
        .where(*working_sets(user.id))
        .group_by(WorkoutSet.exercise_id)
        .subquery()
    )
    rows = session.exec(
        select(Exercise.id, Exercise.name)
        .join(counts, counts.c.exercise_id == Exercise.id)
        .order_by(counts.c.sets.desc(), Exercise.name)
        .limit(_clamp(limit, 1, MAX_TOP_LIFTS))
    ).all()
    return [(int(exercise_id), name) for exercise_id, name in rows]


def longest_run(mondays: Iterable[date]) -> int:
    """The most consecutive ISO weeks among these Mondays (a year's end is no break)."""
    best = run = 0
    previous: date | None = None
    for monday in sorted(set(mondays)):
        run = run + 1 if previous is not None and monday - previous == timedelta(weeks=1) else 1
        best = max(best, run)
        previous = monday
    return best


def current_streak_weeks(session: Session, user: User, *, now: datetime | None = None) -> int:
    """Consecutive ISO weeks with a workout, up to this week; 0 once a whole week has gone by without one.

    A week still under way without a workout yet does not break the streak: it counts back from
    last week then, so a member who trains on Fridays keeps their streak on Monday.
    """
    now = now or utcnow()
    weeks = set(training_weeks(session, user, now=now))
    (this_monday,), _ = recent_weeks(user, 1, now)
    monday = this_monday if this_monday in weeks else this_monday - timedelta(weeks=1)
    streak = 0
    while monday in weeks:
        streak += 1
        monday -= timedelta(weeks=1)
    return streak


def longest_streak_weeks(session: Session, user: User, *, now: datetime | None = None) -> int:
    """The most consecutive ISO weeks with a workout the member has ever had."""
    return longest_run(training_weeks(session, user, now=now))
