"""The program builder: details, cover, publishing and versions, ownership, moderation, installing."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from adaptivefit.models import AuditEvent, Plan, PlanDay, PlanExercise, ProgramEquipment, Role, TrainingProgram
from adaptivefit.services.catalog import library
from adaptivefit.services.marketplace import programs
from adaptivefit.services.training import plans
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.services.files.uploads import upload_dir
from tests.services.marketplace.marketplace_fixtures import (
    build,
    buy,
    details,
    equipment_ids,
    exercise_id,
    make_trainer,
    make_user,
)


@pytest.fixture
def people(session):
    library.install_library(session)
    return {
        "trainer": make_trainer(session, "Theo"),
        "rival": make_trainer(session, "Rita"),
        "pending": make_trainer(session, "Paul", status="pending"),
        "member": make_user(session, "Maya"),
        "moderator": make_user(session, "Mo", Role.MODERATOR),
        "admin": make_user(session, "Ada", Role.ADMIN),
    }


def _actor(user):
    return Actor(id=user.id, role=user.role, name=user.name)


def test_only_approved_trainers_create_programs_and_each_gets_a_draft_plan(session, people):
    program = programs.create_program(session, people["trainer"], "  Strong   Start ")
    assert program.name == "Strong Start" and program.status == "draft" and program.current_version == 0
    plan = session.get(Plan, program.draft_plan_id)
    assert plan.user_id == people["trainer"].id and plan.name == "Strong Start"
    assert plan.active is False, "a draft must not replace the trainer's own training plan"
    for who in ("pending", "member", "admin"):
        with pytest.raises(PermissionDenied):
            programs.create_program(session, people[who], "Mine")
    with pytest.raises(ValidationFailed) as failed:
        programs.create_program(session, people["trainer"], " ")
    assert "title" in failed.value.errors


def test_details_are_saved_and_equipment_rows_replaced(session, people):
    trainer = people["trainer"]
    program = programs.create_program(session, trainer, "Draft")
    kit = equipment_ids(session, "Barbell", "Dumbbell")
    programs.update_details(session, trainer, program.id, details(
        title="Barbell Basics", goal="powerlifting", level="intermediate", duration_weeks="8",
        equipment_ids=[str(i) for i in kit], price_kind="one_time", price="29.00", currency="EUR"))
    saved = session.get(TrainingProgram, program.id)
    assert (saved.name, saved.goal, saved.level, saved.duration_weeks) == ("Barbell Basics", "powerlifting",
                                                                           "intermediate", 8)
    assert (saved.price_kind, saved.price_cents, saved.currency) == ("one_time", 2900, "eur")
    assert session.get(Plan, program.draft_plan_id).name == "Barbell Basics"
    rows = session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all()
    assert sorted(rows) == kit
    programs.update_details(session, trainer, program.id, details(equipment_ids=kit[:1]))
    rows = session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all()
    assert rows == kit[:1]
    assert session.get(TrainingProgram, program.id).price_cents == 0, "a free program costs nothing"


def test_bad_details_are_refused_field_by_field_and_nothing_changes(session, people):
    trainer = people["trainer"]
    program = programs.create_program(session, trainer, "Draft")
    with pytest.raises(ValidationFailed) as failed:
        programs.update_details(session, trainer, program.id, {
            "title": "x" * 121, "description": "d" * 10_001, "goal": "flying", "level": "expert",
            "duration_weeks": "53", "equipment_ids": ["999999"], "price_kind": "one_time", "price": "0.10",
            "currency": "btc"})
    assert set(failed.value.errors) == {"title", "description", "goal", "level", "duration_weeks", "equipment",
                                        "price", "currency"}
    assert session.get(TrainingProgram, program.id).name == "Draft"
    with pytest.raises(ValidationFailed) as failed:
        programs.update_details(session, trainer, program.id, details(price_kind="subscription", price=""))
    assert "price" in failed.value.errors


def test_a_trainer_cannot_touch_another_trainers_program_but_an_admin_can(session, people):
    program = build(session, people["trainer"], publish=False)
    for who in ("rival", "member", "moderator"):
        with pytest.raises(PermissionDenied):
            programs.update_details(session, people[who], program.id, details(title="Stolen"))
        with pytest.raises(PermissionDenied):
            programs.publish(session, people[who], program.id)
        with pytest.raises(PermissionDenied):
            programs.builder_view(session, people[who], program.id)
    programs.update_details(session, people["admin"], program.id, details(title="Fixed by admin"))
    assert session.get(TrainingProgram, program.id).name == "Fixed by admin"


def test_publishing_explains_what_is_missing(session, people):
    trainer = people["trainer"]
    program = programs.create_program(session, trainer, "Empty")
    programs.update_details(session, trainer, program.id, details(description=""))
    with pytest.raises(ValidationFailed) as failed:
        programs.publish(session, trainer, program.id)
    assert set(failed.value.errors) == {"description", "structure"}
    assert "at least one day with an exercise" in failed.value.errors["structure"]
    plans.add_day(session, trainer, program.draft_plan_id, name="Day with nothing")
    with pytest.raises(ValidationFailed) as failed:
        programs.publish(session, trainer, program.id)
    assert "structure" in failed.value.errors
    assert session.get(TrainingProgram, program.id).status == "draft"


def test_publishing_refuses_the_trainers_private_exercises(session, people):
    from adaptivefit.models import Exercise

    trainer = people["trainer"]
    # Made while the trainer was still a member: private to them.
    custom = Exercise(name="Theo's Secret Squat", slug="theos-secret-squat", category="legs",
                      primary_muscle="quadriceps", owner_id=trainer.id)
    session.add(custom)
    session.flush()
    program = build(session, trainer, publish=False)
    day = session.exec(select(PlanDay).where(PlanDay.plan_id == program.draft_plan_id)).first()
    plans.add_plan_exercise(session, trainer, day.id, {"exercise_id": str(custom.id)})
    with pytest.raises(ValidationFailed) as failed:
        programs.publish(session, trainer, program.id)
    assert "Theo's Secret Squat" in failed.value.errors["structure"]


def test_publish_snapshots_the_plan_and_new_versions_only_when_it_changed(session, people):
    trainer = people["trainer"]
    program = build(session, trainer, exercises=[("Barbell Back Squat", "5", "3-5", "80%"),
                                                 ("Barbell Bench Press", "3", "8", "60")])
    assert program.status == "published" and program.current_version == 1
    structure = programs.version_structure(session, program.id, 1)
    day = structure["days"][0]
    assert (day["week"], day["position"], day["name"]) == (1, 1, "Day A")
    squat, bench = day["exercises"]
    assert squat["exercise_name"] == "Barbell Back Squat" and (squat["reps_min"], squat["reps_max"]) == (3, 5)
    assert squat["percent_1rm"] == 80.0 and squat["load_kg"] is None
    assert bench["load_kg"] == 60.0 and bench["sets"] == 3
    assert set(squat) == {"exercise_id", "exercise_name", "position", "sets", "reps_min", "reps_max", "load_kg",
                          "percent_1rm", "target_rpe", "target_rir", "rest_s", "notes"}

    programs.publish(session, trainer, program.id)
    assert session.get(TrainingProgram, program.id).current_version == 1, "nothing changed: no new version"

    plans.add_day(session, trainer, program.draft_plan_id, week=2, name="Day B")
    view = programs.builder_view(session, trainer, program.id)
    assert view.unpublished_changes and view.summary == {"weeks": 2, "days": 2, "exercises": 2}
    programs.publish(session, trainer, program.id, changelog="Added week 2")
    view = programs.builder_view(session, trainer, program.id)
    assert view.current_version == 2 and not view.unpublished_changes
    assert [(v.version, v.changelog) for v in view.versions] == [(2, "Added week 2"), (1, "First version.")]
    assert len(programs.version_structure(session, program.id, 1)["days"]) == 1, "version 1 stays as bought"


def test_unpublish_and_visibility(session, people):
    trainer, member = people["trainer"], people["member"]
    program = build(session, trainer)
    assert programs.visible_program(session, None, program.id) is not None
    programs.unpublish(session, trainer, program.id)
    assert session.get(TrainingProgram, program.id).status == "unpublished"
    assert programs.visible_program(session, None, program.id) is None
    assert programs.visible_program(session, member, program.id) is None
    assert programs.visible_program(session, trainer, program.id) is not None
    assert programs.visible_program(session, people["moderator"], program.id) is not None
    programs.publish(session, trainer, program.id)
    assert session.get(TrainingProgram, program.id).current_version == 1


def test_moderators_hide_with_a_reason_the_trainer_sees(session, people):
    trainer, moderator = people["trainer"], _actor(people["moderator"])
    program = build(session, trainer)
    with pytest.raises(ValidationFailed) as failed:
        programs.hide(session, moderator, program.id, "  ")
    assert "reason" in failed.value.errors
    with pytest.raises(PermissionDenied):
        programs.hide(session, _actor(people["rival"]), program.id, "spite")
    programs.hide(session, moderator, program.id, "Unsafe loading advice in week 1")
    assert programs.visible_program(session, people["member"], program.id) is None
    view = programs.builder_view(session, trainer, program.id)
    assert view.hidden and view.hidden_reason == "Unsafe loading advice in week 1"
    mine = programs.list_mine(session, trainer)
    assert mine[0].hidden and mine[0].hidden_reason == "Unsafe loading advice in week 1"
    with pytest.raises(ValidationFailed):
        programs.checkout_offer(session, people["member"].id, program.id)
    rows, total = programs.moderation_list(session, moderator, "strong")
    assert total == 1 and rows[0].hidden and rows[0].trainer_name == "Theo Person"
    programs.unhide(session, moderator, program.id)
    assert programs.visible_program(session, people["member"], program.id) is not None
    events = [e.event for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert events == ["program_hidden", "program_unhidden"]
    with pytest.raises(PermissionDenied):
        programs.moderation_list(session, _actor(people["member"]))


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
    plans.add_plan_exercise(session, trainer, day.id, {"exercise_id": str(exercise_id(session, "Pull-Up")),
                                                       "sets": "3", "reps": "6-10", "target_rir": "2",
                                                       "notes": "Full hang"})
    programs.publish(session, trainer, program.id, changelog="Pull-ups")

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


def test_cover_pictures_are_checked_and_stored_under_a_random_name(session, people):
    trainer = people["trainer"]
    program = build(session, trainer, publish=False)
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 40, 40)).save(buffer, format="PNG")
    name = programs.set_cover(session, trainer, program.id, buffer.getvalue())
    assert (upload_dir() / name).exists() and name.endswith(".webp") and len(name) > 30
    with Image.open(upload_dir() / name) as stored:
        assert stored.size == programs.COVER_SIZE
    again = programs.set_cover(session, trainer, program.id, buffer.getvalue())
    assert not (upload_dir() / name).exists() and (upload_dir() / again).exists()
    with pytest.raises(ValidationFailed) as failed:
        programs.set_cover(session, trainer, program.id, b"%PDF-1.4 not a picture")
    assert "cover" in failed.value.errors
    with pytest.raises(PermissionDenied):
        programs.set_cover(session, people["rival"], program.id, buffer.getvalue())


def test_a_deleted_draft_plan_comes_back_from_the_newest_version(session, people):
    trainer = people["trainer"]
    program = build(session, trainer)
    plans.delete_plan(session, trainer, program.draft_plan_id)
    session.expire_all()
    view = programs.builder_view(session, trainer, program.id)
    assert view.summary == {"weeks": 1, "days": 1, "exercises": 1} and not view.unpublished_changes
    assert programs.program_for_plan(session, trainer, view.draft_plan_id).id == program.id
    assert programs.program_for_plan(session, people["rival"], view.draft_plan_id) is None


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


def test_publishing_requires_the_equipment_the_exercises_need(session, people):
    from adaptivefit.services.marketplace import listing

    trainer = people["trainer"]
    # The trainer ticked only a foam roller and forgot the barbell the squat needs.
    program = build(session, trainer, "Forgot The Bar", equipment_ids=equipment_ids(session, "Foam Roller"))
    required = set(session.exec(select(ProgramEquipment.equipment_id).where(
        ProgramEquipment.program_id == program.id)).all())
    squat_needs = set(equipment_ids(session, "Barbell", "Squat Rack"))
    assert squat_needs <= required and set(equipment_ids(session, "Foam Roller")) <= required
    home = equipment_ids(session, "Dumbbell", "Foam Roller")
    cards, _ = listing.browse(session, equipment_ids=home)
    assert "Forgot The Bar" not in {c.title for c in cards}
    cards, _ = listing.browse(session, equipment_ids=sorted(required))
    assert "Forgot The Bar" in {c.title for c in cards}
