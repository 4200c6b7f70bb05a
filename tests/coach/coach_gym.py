"""A member with a squat plan, as the coach's database tests use them: the `gym` fixture."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import Exercise, Plan, PlanDay, PlanExercise, User
from adaptivefit.services.catalog import library
from adaptivefit.services.training import workout_sets, workouts

T0 = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


@pytest.fixture
def gym(session):
    library.install_library(session)
    ada = User(email="ada@example.com", name="Ada", fitness_level="intermediate")
    bob = User(email="bob@example.com", name="Bob")
    session.add_all([ada, bob])
    session.flush()
    squat = session.exec(select(Exercise).where(Exercise.name == "Barbell Back Squat")).one()
    plan = Plan(user_id=ada.id, name="Strength")
    session.add(plan)
    session.flush()
    day = PlanDay(plan_id=plan.id, name="Legs")
    session.add(day)
    session.flush()
    entry = PlanExercise(day_id=day.id, exercise_id=squat.id, sets=3, reps_min=8, reps_max=10, load_kg=100.0,
                         target_rpe=8, rest_s=120)
    session.add(entry)
    session.flush()
    counter = iter(range(1, 10_000))

    class Gym:
        pass

    g = Gym()
    g.session, g.ada, g.bob, g.squat, g.day, g.entry = session, ada, bob, squat, day, entry

    def start(when=T0):
        return workouts.start_workout(session, ada, plan_day_id=day.id, now=when)

    def log(workout, reps, load, rpe=None, user=None, rir=None):
        n = next(counter)
        return workout_sets.log_set(session, user or ada, workout.id, client_id=f"client-{n:06d}", exercise_id=squat.id, reps=reps,
                                load_kg=load, rpe=rpe, rir=rir, now=workout.started_at + timedelta(minutes=n))

    g.start, g.log = start, log
    return g
