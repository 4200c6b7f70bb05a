"""The members, library and two-day plan the plan tests share."""

import pytest
from sqlmodel import select

from adaptivefit.models import Equipment, Exercise, Plan, PlanDay, PlanExercise, Role, User
from adaptivefit.services.catalog import library
from adaptivefit.services.training import plan_exercises, plans


def make_user(session, name, role=Role.MEMBER):
    user = User(email=f"{name.lower()}@example.com", name=name, role=role)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def people(session):
    library.install_library(session)
    return {
        "member": make_user(session, "Maya"),
        "other": make_user(session, "Omar"),
        "trainer": make_user(session, "Theo", Role.TRAINER),
        "admin": make_user(session, "Ada", Role.ADMIN),
    }


def exercise_id(session, name):
    return session.exec(select(Exercise.id).where(Exercise.name == name)).one()


def equipment_ids(session, *names):
    return list(session.exec(select(Equipment.id).where(Equipment.name.in_(names))).all())


@pytest.fixture
def plan(session, people):
    member = people["member"]
    plan = plans.create_plan(session, member, "Upper / Lower")
    upper = plans.add_day(session, member, plan.id, name="Upper")
    lower = plans.add_day(session, member, plan.id, name="Lower")
    bench = plan_exercises.add_plan_exercise(session, member, upper.id, {
        "exercise_id": str(exercise_id(session, "Barbell Bench Press")), "sets": "4", "reps": "5", "load": "80",
    })
    squat = plan_exercises.add_plan_exercise(session, member, lower.id, {
        "exercise_id": exercise_id(session, "Barbell Back Squat"), "sets": 5, "reps": "3-5", "load": "100",
        "target_rpe": "8", "rest_s": "180", "notes": "Belt on top sets",
    })
    return {"plan": plan, "upper": upper, "lower": lower, "bench": bench, "squat": squat}


def snapshot(session):
    session.expire_all()
    return (
        [(p.id, p.name, p.active) for p in session.exec(select(Plan).order_by(Plan.id))],
        [(d.id, d.plan_id, d.week, d.position, d.name) for d in session.exec(select(PlanDay).order_by(PlanDay.id))],
        [(e.id, e.day_id, e.exercise_id, e.position, e.sets, e.reps_min, e.reps_max, e.load_kg, e.percent_1rm,
          e.target_rpe, e.target_rir, e.rest_s, e.notes)
         for e in session.exec(select(PlanExercise).order_by(PlanExercise.id))],
    )
