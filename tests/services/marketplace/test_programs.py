"""A program: who may see or change it, what a buyer is offered, and the copy they install."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit.models import Plan, PlanDay, PlanExercise, TrainingProgram
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.marketplace import program_publishing, programs
from adaptivefit.services.training import plan_exercises, plans
from tests.services.marketplace.marketplace_fixtures import (  # noqa: F401 - fixture
    build,
    buy,
    exercise_id,
    people,
)


def test_unpublish_and_visibility(session, people):
    trainer, member = people["trainer"], people["member"]
    program = build(session, trainer)
    assert programs.visible_program(session, None, program.id) is not None
    program_publishing.unpublish(session, trainer, program.id)
    assert session.get(TrainingProgram, program.id).status == "unpublished"
    assert programs.visible_program(session, None, program.id) is None
    assert programs.visible_program(session, member, program.id) is None
    assert programs.visible_program(session, trainer, program.id) is not None
    assert programs.visible_program(session, people["moderator"], program.id) is not None
    program_publishing.publish(session, trainer, program.id)
    assert session.get(TrainingProgram, program.id).current_version == 1


def test_checkout_offer_reads_the_price_from_the_database(session, people):
    trainer, member = people["trainer"], people["member"]
    paid = build(session, trainer, "Paid", price_kind="subscription", price="9.99", currency="gbp")
    offer = programs.checkout_offer(session, member.id, paid.id)
    assert (offer.price_kind, offer.price_cents, offer.currency, offer.version) == ("subscription", 999, "gbp", 1)
    assert offer.owner_id == trainer.id and offer.trainer.user_id == trainer.id
    free = build(session, trainer, "Free one")
    assert programs.checkout_offer(session, member.id, free.id).price_cents == 0
    with pytest.raises(ValidationFailed) as failed:
        programs.checkout_offer(session, trainer.id, paid.id)
    assert "program" in failed.value.errors
    draft = build(session, trainer, "Draft", publish=False)
    with pytest.raises(ValidationFailed):
        programs.checkout_offer(session, member.id, draft.id)


def test_install_version_copies_exactly_that_version_and_makes_it_active(session, people):
    trainer, member = people["trainer"], people["member"]
    own = plans.create_plan(session, member, "My own plan")
    program = build(session, trainer, exercises=[("Barbell Back Squat", "5", "5", "75%")])
    buy(session, member, program)
    day = session.exec(select(PlanDay).where(PlanDay.plan_id == program.draft_plan_id)).first()
    plan_exercises.add_plan_exercise(session, trainer, day.id, {"exercise_id": str(exercise_id(session, "Pull-Up")),
                                                       "sets": "3", "reps": "6-10", "target_rir": "2",
                                                       "notes": "Full hang"})
    program_publishing.publish(session, trainer, program.id, changelog="Pull-ups")

    first = programs.install_version(session, member.id, program.id, 1)
    second = programs.install_version(session, member.id, program.id, 2)
    assert first.user_id == member.id and first.program_id == program.id
    view1, view2 = plans.plan_view(session, member, first.id), plans.plan_view(session, member, second.id)
    assert [e.exercise_name for e in view1.days[0].exercises] == ["Barbell Back Squat"]
    assert [e.exercise_name for e in view2.days[0].exercises] == ["Barbell Back Squat", "Pull-Up"]
    pull = view2.days[0].exercises[1]
    assert (pull.sets, pull.reps_min, pull.reps_max, pull.target_rir, pull.notes) == (3, 6, 10, 2, "Full hang")
    assert view1.days[0].exercises[0].percent_1rm == 75.0
    session.expire_all()
    active = session.exec(select(Plan).where(Plan.user_id == member.id, Plan.active.is_(True))).all()
    assert [p.id for p in active] == [second.id] and own.id != second.id
    # The buyer's copy is theirs: the trainer's later edits do not reach it.
    assert session.exec(select(PlanExercise).join(PlanDay).where(PlanDay.plan_id == first.id)).all()
    with pytest.raises(ValidationFailed):
        programs.install_version(session, member.id, program.id, 9)


def test_a_buyers_copy_survives_the_trainer_erasing_their_account(session, people):
    from adaptivefit.services.accounts import privacy

    trainer, member = people["trainer"], people["member"]
    program = build(session, trainer)
    buy(session, member, program)
    installed = programs.install_version(session, member.id, program.id, 1)
    session.commit()
    privacy.erase_account(session, trainer)
    session.commit()
    session.expire_all()
    assert session.get(TrainingProgram, program.id) is None
    plan = session.get(Plan, installed.id)
    assert plan is not None and plan.program_id is None
    assert [e.exercise_name for e in plans.plan_view(session, member, plan.id).days[0].exercises] == [
        "Barbell Back Squat"]


def test_only_the_owner_or_an_admin_may_change_a_program_and_others_are_told_it_is_not_theirs(session, people):
    program = build(session, people["trainer"], publish=False)
    assert programs.owned_program(session, people["trainer"], program.id).id == program.id
    assert programs.owned_program(session, people["admin"], program.id).id == program.id
    for who, target in (("rival", program.id), ("moderator", program.id), ("trainer", 999_999), ("admin", 999_999),
                        ("trainer", "x")):
        with pytest.raises(NotYours, match="That program was not found in your account."):
            programs.owned_program(session, people[who], target)
