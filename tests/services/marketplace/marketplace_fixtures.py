"""People and programs the program and marketplace tests share."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit.models import Equipment, Exercise, Purchase, Role, Trainer, User
from adaptivefit.services.catalog import library
from adaptivefit.services.core.access import Actor
from adaptivefit.services.marketplace import program_builder, program_publishing
from adaptivefit.services.training import plan_exercises, plans


def make_user(session, name, role=Role.MEMBER):
    user = User(email=f"{name.lower()}@example.com", name=f"{name} Person", role=role)
    session.add(user)
    session.flush()
    return user


def make_trainer(session, name, status="approved"):
    user = make_user(session, name, Role.TRAINER)
    session.add(Trainer(user_id=user.id, status=status, certification_verified=status == "approved",
                        headline=f"{name} coaches"))
    session.flush()
    return user


def exercise_id(session, name):
    return session.exec(select(Exercise.id).where(Exercise.name == name)).one()


def equipment_ids(session, *names):
    return sorted(session.exec(select(Equipment.id).where(Equipment.name.in_(names))).all())


def details(**overrides):
    form = {"title": "Strong Start", "description": "Three full-body days a week.", "goal": "strength",
            "level": "beginner", "duration_weeks": "4", "equipment_ids": [], "price_kind": "free",
            "price": "", "currency": "usd"}
    form.update(overrides)
    return form


def build(session, trainer, title="Strong Start", *, exercises=(("Barbell Back Squat", "5", "5", "75%"),),
          publish=True, **form):
    """A program with one day in week 1 holding `exercises`, published unless told otherwise."""
    program = program_builder.create_program(session, trainer, title)
    program_builder.update_details(session, trainer, program.id, details(title=title, **form))
    day = plans.add_day(session, trainer, program.draft_plan_id, week=1, name="Day A")
    for name, sets, reps, load in exercises:
        plan_exercises.add_plan_exercise(session, trainer, day.id, {"exercise_id": str(exercise_id(session, name)),
                                                           "sets": sets, "reps": reps, "load": load})
    if publish:
        program_publishing.publish(session, trainer, program.id)
    return program


def buy(session, user, program, status="active"):
    row = Purchase(user_id=user.id, program_id=program.id, kind=program.price_kind, status=status,
                   amount_cents=program.price_cents, currency=program.currency,
                   program_version=program.current_version)
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def people(session):
    """A trainer, a rival trainer, a pending applicant, a member, a moderator and an admin."""
    library.install_library(session)
    return {
        "trainer": make_trainer(session, "Theo"),
        "rival": make_trainer(session, "Rita"),
        "pending": make_trainer(session, "Paul", status="pending"),
        "member": make_user(session, "Maya"),
        "moderator": make_user(session, "Mo", Role.MODERATOR),
        "admin": make_user(session, "Ada", Role.ADMIN),
    }


def as_actor(user):
    return Actor(id=user.id, role=user.role, name=user.name)
