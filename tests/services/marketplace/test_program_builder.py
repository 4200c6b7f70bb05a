"""The program builder: creating, details, cover, ownership and the trainer's views."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from adaptivefit.models import Plan, ProgramEquipment, TrainingProgram
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.files.uploads import upload_dir
from adaptivefit.services.marketplace import program_builder, program_publishing, programs
from adaptivefit.services.training import plans
from tests.services.marketplace.marketplace_fixtures import (  # noqa: F401 - fixture
    build,
    details,
    equipment_ids,
    people,
)


def test_only_approved_trainers_create_programs_and_each_gets_a_draft_plan(session, people):
    program = program_builder.create_program(session, people["trainer"], "  Strong   Start ")
    assert program.name == "Strong Start" and program.status == "draft" and program.current_version == 0
    plan = session.get(Plan, program.draft_plan_id)
    assert plan.user_id == people["trainer"].id and plan.name == "Strong Start"
    assert plan.active is False, "a draft must not replace the trainer's own training plan"
    for who in ("pending", "member", "admin"):
        with pytest.raises(PermissionDenied):
            program_builder.create_program(session, people[who], "Mine")
    with pytest.raises(ValidationFailed) as failed:
        program_builder.create_program(session, people["trainer"], " ")
    assert "title" in failed.value.errors


def test_details_are_saved_and_equipment_rows_replaced(session, people):
    trainer = people["trainer"]
    program = program_builder.create_program(session, trainer, "Draft")
    kit = equipment_ids(session, "Barbell", "Dumbbell")
    program_builder.update_details(session, trainer, program.id, details(
        title="Barbell Basics", goal="powerlifting", level="intermediate", duration_weeks="8",
        equipment_ids=[str(i) for i in kit], price_kind="one_time", price="29.00", currency="EUR"))
    saved = session.get(TrainingProgram, program.id)
    assert (saved.name, saved.goal, saved.level, saved.duration_weeks) == ("Barbell Basics", "powerlifting",
                                                                           "intermediate", 8)
    assert (saved.price_kind, saved.price_cents, saved.currency) == ("one_time", 2900, "eur")
    assert session.get(Plan, program.draft_plan_id).name == "Barbell Basics"
    rows = session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all()
    assert sorted(rows) == kit
    program_builder.update_details(session, trainer, program.id, details(equipment_ids=kit[:1]))
    rows = session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all()
    assert rows == kit[:1]
    assert session.get(TrainingProgram, program.id).price_cents == 0, "a free program costs nothing"


def test_bad_details_are_refused_field_by_field_and_nothing_changes(session, people):
    trainer = people["trainer"]
    program = program_builder.create_program(session, trainer, "Draft")
    with pytest.raises(ValidationFailed) as failed:
        program_builder.update_details(session, trainer, program.id, {
            "title": "x" * 121, "description": "d" * 10_001, "goal": "flying", "level": "expert",
            "duration_weeks": "53", "equipment_ids": ["999999"], "price_kind": "one_time", "price": "0.10",
            "currency": "btc"})
    assert set(failed.value.errors) == {"title", "description", "goal", "level", "duration_weeks", "equipment",
                                        "price", "currency"}
    assert session.get(TrainingProgram, program.id).name == "Draft"
    with pytest.raises(ValidationFailed) as failed:
        program_builder.update_details(session, trainer, program.id, details(price_kind="subscription", price=""))
    assert "price" in failed.value.errors


def test_a_trainer_cannot_touch_another_trainers_program_but_an_admin_can(session, people):
    program = build(session, people["trainer"], publish=False)
    for who in ("rival", "member", "moderator"):
        with pytest.raises(PermissionDenied):
            program_builder.update_details(session, people[who], program.id, details(title="Stolen"))
        with pytest.raises(PermissionDenied):
            program_publishing.publish(session, people[who], program.id)
        with pytest.raises(PermissionDenied):
            program_builder.builder_view(session, people[who], program.id)
    program_builder.update_details(session, people["admin"], program.id, details(title="Fixed by admin"))
    assert session.get(TrainingProgram, program.id).name == "Fixed by admin"


def test_cover_pictures_are_checked_and_stored_under_a_random_name(session, people):
    trainer = people["trainer"]
    program = build(session, trainer, publish=False)
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 40, 40)).save(buffer, format="PNG")
    name = program_builder.set_cover(session, trainer, program.id, buffer.getvalue())
    assert (upload_dir() / name).exists() and name.endswith(".webp") and len(name) > 30
    with Image.open(upload_dir() / name) as stored:
        assert stored.size == programs.COVER_SIZE
    again = program_builder.set_cover(session, trainer, program.id, buffer.getvalue())
    assert not (upload_dir() / name).exists() and (upload_dir() / again).exists()
    with pytest.raises(ValidationFailed) as failed:
        program_builder.set_cover(session, trainer, program.id, b"%PDF-1.4 not a picture")
    assert "cover" in failed.value.errors
    with pytest.raises(PermissionDenied):
        program_builder.set_cover(session, people["rival"], program.id, buffer.getvalue())


def test_a_deleted_draft_plan_comes_back_from_the_newest_version(session, people):
    trainer = people["trainer"]
    program = build(session, trainer)
    plans.delete_plan(session, trainer, program.draft_plan_id)
    session.expire_all()
    view = program_builder.builder_view(session, trainer, program.id)
    assert view.summary == {"weeks": 1, "days": 1, "exercises": 1} and not view.unpublished_changes
    assert program_builder.program_for_plan(session, trainer, view.draft_plan_id).id == program.id
    assert program_builder.program_for_plan(session, people["rival"], view.draft_plan_id) is None
