import pytest

from adaptivefit.services.catalog.exercises_admin import save_exercise
from adaptivefit.services.core.access import Actor, ValidationFailed
from adaptivefit.services.training import plan_exercises, plans
from tests.services.training.plan_fixtures import (  # noqa: F401  (fixtures)
    exercise_id as _exercise_id,
    people,
    plan,
    snapshot as _snapshot,
)


# --- Planned exercises -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"reps": "8"}, {"reps_min": 8, "reps_max": 8}),
        ({"reps": "8-12"}, {"reps_min": 8, "reps_max": 12}),
        ({"reps": " 6 – 10 "}, {"reps_min": 6, "reps_max": 10}),
        ({"reps": "10 to 15"}, {"reps_min": 10, "reps_max": 15}),
        ({"reps": 12}, {"reps_min": 12, "reps_max": 12}),
        ({"load": "100"}, {"load_kg": 100.0, "percent_1rm": None}),
        ({"load": "82,5"}, {"load_kg": 82.5, "percent_1rm": None}),
        ({"load": "62.5 kg"}, {"load_kg": 62.5, "percent_1rm": None}),
        ({"load": "75%"}, {"load_kg": None, "percent_1rm": 75.0}),
        ({"load": "72.5 %"}, {"load_kg": None, "percent_1rm": 72.5}),
        ({"load": ""}, {"load_kg": None, "percent_1rm": None}),
        ({"load": "0"}, {"load_kg": 0.0}),
        ({"target_rpe": "8.5"}, {"target_rpe": 8.5, "target_rir": None}),
        ({"target_rpe": 10}, {"target_rpe": 10.0}),
        ({"target_rir": "2"}, {"target_rir": 2, "target_rpe": None}),
        ({"target_rir": "0"}, {"target_rir": 0}),
        ({"target_rpe": "", "target_rir": ""}, {"target_rpe": None, "target_rir": None}),
        ({"rest_s": "0"}, {"rest_s": 0}),
        ({"rest_s": "900"}, {"rest_s": 900}),
        ({"sets": "20"}, {"sets": 20}),
        ({"notes": "  Slow eccentric  "}, {"notes": "Slow eccentric"}),
        ({}, {"sets": 3, "reps_min": 8, "reps_max": 8, "rest_s": 120, "load_kg": None, "notes": ""}),
    ],
)
def test_plan_exercise_values(session, people, plan, form, expected):
    row = plan_exercises.add_plan_exercise(session, people["member"], plan["upper"].id,
                                  {"exercise_id": str(_exercise_id(session, "Push-Up")), **form})
    assert row.position == 2
    for key, value in expected.items():
        assert getattr(row, key) == value, key


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("exercise_id", "", "Choose an exercise."),
        ("exercise_id", "999999", "from the library"),
        ("exercise_id", "abc", "from the library"),
        ("sets", "0", "from 1 to 20"),
        ("sets", "21", "from 1 to 20"),
        ("sets", "3.5", "from 1 to 20"),
        ("reps", "0", "from 1 to 100"),
        ("reps", "101", "from 1 to 100"),
        ("reps", "8-", "from 1 to 100"),
        ("reps", "lots", "from 1 to 100"),
        ("reps", "12-8", "smaller number first"),
        ("reps", "8-120", "from 1 to 100"),
        ("load", "-5", "load in kg"),
        ("load", "1001", "load in kg"),
        ("load", "heavy", "load in kg"),
        ("load", "nan", "load in kg"),
        ("load", "0%", "one-rep max from 1% to 100%"),
        ("load", "101%", "one-rep max from 1% to 100%"),
        ("load", "%", "one-rep max"),
        ("target_rpe", "0.5", "RPE from 1 to 10 in steps of 0.5"),
        ("target_rpe", "10.5", "RPE from 1 to 10"),
        ("target_rpe", "8.25", "steps of 0.5"),
        ("target_rpe", "hard", "RPE"),
        ("target_rir", "-1", "from 0 to 10"),
        ("target_rir", "11", "from 0 to 10"),
        ("target_rir", "1.5", "whole number"),
        ("rest_s", "-1", "from 0 to 900"),
        ("rest_s", "901", "from 0 to 900"),
        ("rest_s", "1m", "whole seconds"),
        ("notes", "x" * 501, "500 characters"),
    ],
)
def test_each_plan_field_has_its_own_message(session, people, plan, field, value, message):
    before = _snapshot(session)
    form = {"exercise_id": _exercise_id(session, "Push-Up"), "sets": "3", "reps": "8", field: value}
    with pytest.raises(ValidationFailed) as refused:
        plan_exercises.add_plan_exercise(session, people["member"], plan["upper"].id, form)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]
    assert _snapshot(session) == before


def test_rpe_or_rir_not_both(session, people, plan):
    member = people["member"]
    form = {"exercise_id": _exercise_id(session, "Push-Up"), "target_rpe": "8", "target_rir": "2"}
    with pytest.raises(ValidationFailed) as refused:
        plan_exercises.add_plan_exercise(session, member, plan["upper"].id, form)
    assert "not both" in refused.value.errors["target_rir"]
    # The squat has an RPE already: adding an RIR alone is the same conflict; swapping them is fine.
    with pytest.raises(ValidationFailed):
        plan_exercises.update_plan_exercise(session, member, plan["squat"].id, {"target_rir": "2"})
    row = plan_exercises.update_plan_exercise(session, member, plan["squat"].id, {"target_rpe": "", "target_rir": "2"})
    assert (row.target_rpe, row.target_rir) == (None, 2)


def test_exercises_must_be_shared_or_ones_own(session, people, plan):
    member, other = people["member"], people["other"]
    base = {"category": "back", "primary_muscle": "upper back", "mechanics": "compound"}
    mine = save_exercise(session, Actor(id=member.id, role=member.role), {**base, "name": "Towel Row"})
    theirs = save_exercise(session, Actor(id=other.id, role=other.role), {**base, "name": "Door Row"})
    assert plan_exercises.add_plan_exercise(session, member, plan["upper"].id, {"exercise_id": mine.id}).exercise_id == mine.id
    with pytest.raises(ValidationFailed) as refused:
        plan_exercises.add_plan_exercise(session, member, plan["upper"].id, {"exercise_id": theirs.id})
    assert "from the library" in refused.value.errors["exercise_id"]
    with pytest.raises(ValidationFailed):
        plan_exercises.replace_exercise(session, member, plan["bench"].id, theirs.id)


def test_update_changes_only_what_the_form_holds(session, people, plan):
    member = people["member"]
    row = plan_exercises.update_plan_exercise(session, member, plan["squat"].id, {"reps": "5-8", "load": "80%"})
    assert (row.sets, row.reps_min, row.reps_max, row.load_kg, row.percent_1rm) == (5, 5, 8, None, 80.0)
    assert (row.target_rpe, row.rest_s, row.notes) == (8.0, 180, "Belt on top sets")
    row = plan_exercises.update_plan_exercise(session, member, plan["squat"].id, {"load": "", "notes": ""})
    assert (row.load_kg, row.percent_1rm, row.notes) == (None, None, "")
    with pytest.raises(ValidationFailed):
        plan_exercises.update_plan_exercise(session, member, plan["squat"].id, {"sets": "0"})
    assert row.sets == 5


def test_removing_an_exercise_closes_the_gap(session, people, plan):
    member = people["member"]
    day = plan["upper"].id
    second = plan_exercises.add_plan_exercise(session, member, day, {"exercise_id": _exercise_id(session, "Pull-Up")})
    third = plan_exercises.add_plan_exercise(session, member, day, {"exercise_id": _exercise_id(session, "Push-Up")})
    plan_exercises.remove_plan_exercise(session, member, second.id)
    view = plans.plan_view(session, member, plan["plan"].id)
    assert [(e.exercise_name, e.position) for e in view.days[0].exercises] == [("Barbell Bench Press", 1), ("Push-Up", 2)]
    assert third.position == 2


def test_accepting_a_substitute_keeps_the_prescription_but_not_the_load(session, people, plan):
    member = people["member"]
    squat = plan["squat"]
    plan_exercises.replace_exercise(session, member, squat.id, _exercise_id(session, "Goblet Squat"))
    assert squat.exercise_id == _exercise_id(session, "Goblet Squat")
    assert (squat.sets, squat.reps_min, squat.reps_max, squat.rest_s, squat.target_rpe, squat.notes) == (
        5, 3, 5, 180, 8.0, "Belt on top sets")
    assert squat.load_kg is None
    # A percentage of one-rep max is relative to the new exercise's own max, so it stays.
    plan_exercises.update_plan_exercise(session, member, squat.id, {"load": "70%"})
    plan_exercises.replace_exercise(session, member, squat.id, _exercise_id(session, "Bulgarian Split Squat"))
    assert squat.percent_1rm == 70.0
