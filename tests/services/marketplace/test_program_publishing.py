"""Publishing: what is missing, private exercises, versions, and the equipment a program needs."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit.models import PlanDay, ProgramEquipment, TrainingProgram
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.marketplace import program_builder, program_publishing, programs
from adaptivefit.services.training import plan_exercises, plans
from tests.services.marketplace.marketplace_fixtures import (  # noqa: F401 - fixture
    build,
    details,
    equipment_ids,
    people,
)


def test_publishing_explains_what_is_missing(session, people):
    trainer = people["trainer"]
    program = program_builder.create_program(session, trainer, "Empty")
    program_builder.update_details(session, trainer, program.id, details(description=""))
    with pytest.raises(ValidationFailed) as failed:
        program_publishing.publish(session, trainer, program.id)
    assert set(failed.value.errors) == {"description", "structure"}
    assert "at least one day with an exercise" in failed.value.errors["structure"]
    plans.add_day(session, trainer, program.draft_plan_id, name="Day with nothing")
    with pytest.raises(ValidationFailed) as failed:
        program_publishing.publish(session, trainer, program.id)
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
    plan_exercises.add_plan_exercise(session, trainer, day.id, {"exercise_id": str(custom.id)})
    with pytest.raises(ValidationFailed) as failed:
        program_publishing.publish(session, trainer, program.id)
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

    program_publishing.publish(session, trainer, program.id)
    assert session.get(TrainingProgram, program.id).current_version == 1, "nothing changed: no new version"

    plans.add_day(session, trainer, program.draft_plan_id, week=2, name="Day B")
    view = program_builder.builder_view(session, trainer, program.id)
    assert view.unpublished_changes and view.summary == {"weeks": 2, "days": 2, "exercises": 2}
    program_publishing.publish(session, trainer, program.id, changelog="Added week 2")
    view = program_builder.builder_view(session, trainer, program.id)
    assert view.current_version == 2 and not view.unpublished_changes
    assert [(v.version, v.changelog) for v in view.versions] == [(2, "Added week 2"), (1, "First version.")]
    assert len(programs.version_structure(session, program.id, 1)["days"]) == 1, "version 1 stays as bought"


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
    cards = listing.browse(session, equipment_ids=home).cards
    assert "Forgot The Bar" not in {c.title for c in cards}
    cards = listing.browse(session, equipment_ids=sorted(required)).cards
    assert "Forgot The Bar" in {c.title for c in cards}
