"""A library, two members and helpers to log and finish workouts, shared by the workout tests."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from adaptivefit.models import Exercise, Plan, PlanDay, PlanExercise, User
from adaptivefit.services.catalog import library
from adaptivefit.services.training import workout_sets, workouts

T0 = datetime(2025, 3, 3, 18, 0, tzinfo=UTC)


@pytest.fixture
def ctx(session):
    library.install_library(session)
    ada = User(email="ada@example.com", name="Ada")
    bob = User(email="bob@example.com", name="Bob")
    session.add_all([ada, bob])
    session.flush()

    def exercise(name):
        return session.exec(select(Exercise).where(Exercise.name == name)).one()

    class Ctx:
        pass

    c = Ctx()
    c.session, c.ada, c.bob = session, ada, bob
    c.squat, c.bench = exercise("Barbell Back Squat"), exercise("Barbell Bench Press")
    c.deadlift = exercise("Conventional Deadlift")
    c.counter = 0

    def log(user, workout, exercise_, reps, load, **kw):
        c.counter += 1
        kw.setdefault("client_id", f"set-{c.counter:06d}")
        kw.setdefault("now", workout.started_at + timedelta(minutes=c.counter))
        return workout_sets.log_set(session, user, workout.id, exercise_id=exercise_.id, reps=reps, load_kg=load, **kw)

    c.log = log
    return c


def count(session, model, *where):
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def finished_workout(c, user, when, sets):
    """A past workout with `sets` [(exercise, reps, load, kw)], finished an hour after it started."""
    workout = workouts.start_workout(c.session, user, name="Past", now=when)
    for exercise, reps, load, kw in sets:
        c.log(user, workout, exercise, reps, load, **kw)
    workouts.finish_workout(c.session, user, workout.id, now=when + timedelta(hours=1))
    return workout


def plan_day(c, user, entries, name="Day A"):
    plan = Plan(user_id=user.id, name="Strength")
    c.session.add(plan)
    c.session.flush()
    day = PlanDay(plan_id=plan.id, week=1, position=1, name=name)
    c.session.add(day)
    c.session.flush()
    for position, (exercise, kw) in enumerate(entries, start=1):
        c.session.add(PlanExercise(day_id=day.id, exercise_id=exercise.id, position=position, **kw))
    c.session.flush()
    return day
