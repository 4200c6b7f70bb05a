from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import Equipment, Exercise, Plan, PlanDay, PlanExercise, Role, User, Workout
from adaptivefit.services.catalog import library
from adaptivefit.services.training import plans
from adaptivefit.services.catalog import equipment_profiles as ep
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.services.catalog.exercises_admin import save_exercise


def _user(session, name, role=Role.MEMBER):
    user = User(email=f"{name.lower()}@example.com", name=name, role=role)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def people(session):
    library.install_library(session)
    return {
        "member": _user(session, "Maya"),
        "other": _user(session, "Omar"),
        "trainer": _user(session, "Theo", Role.TRAINER),
        "admin": _user(session, "Ada", Role.ADMIN),
    }


def _exercise_id(session, name):
    return session.exec(select(Exercise.id).where(Exercise.name == name)).one()


def _equipment_ids(session, *names):
    return list(session.exec(select(Equipment.id).where(Equipment.name.in_(names))).all())


@pytest.fixture
def plan(session, people):
    member = people["member"]
    plan = plans.create_plan(session, member, "Upper / Lower")
    upper = plans.add_day(session, member, plan.id, name="Upper")
    lower = plans.add_day(session, member, plan.id, name="Lower")
    bench = plans.add_plan_exercise(session, member, upper.id, {
        "exercise_id": str(_exercise_id(session, "Barbell Bench Press")), "sets": "4", "reps": "5", "load": "80",
    })
    squat = plans.add_plan_exercise(session, member, lower.id, {
        "exercise_id": _exercise_id(session, "Barbell Back Squat"), "sets": 5, "reps": "3-5", "load": "100",
        "target_rpe": "8", "rest_s": "180", "notes": "Belt on top sets",
    })
    return {"plan": plan, "upper": upper, "lower": lower, "bench": bench, "squat": squat}


def _snapshot(session):
    session.expire_all()
    return (
        [(p.id, p.name, p.active) for p in session.exec(select(Plan).order_by(Plan.id))],
        [(d.id, d.plan_id, d.week, d.position, d.name) for d in session.exec(select(PlanDay).order_by(PlanDay.id))],
        [(e.id, e.day_id, e.exercise_id, e.position, e.sets, e.reps_min, e.reps_max, e.load_kg, e.percent_1rm,
          e.target_rpe, e.target_rir, e.rest_s, e.notes)
         for e in session.exec(select(PlanExercise).order_by(PlanExercise.id))],
    )


# --- Plans and ownership -----------------------------------------------------------------------


def test_one_active_plan_per_member(session, people):
    member = people["member"]
    first = plans.create_plan(session, member, "  Strength  ")
    second = plans.create_plan(session, member, "Hypertrophy")
    assert first.name == "Strength" and first.active and not second.active
    plans.set_active(session, member, second.id)
    assert [(p.name, p.active) for p in plans.list_plans(session, member)] == [("Hypertrophy", True), ("Strength", False)]
    assert plans.create_plan(session, people["other"], "Theirs").active
    assert [p.name for p in plans.list_plans(session, people["other"])] == ["Theirs"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 121, None])
def test_plan_names(session, people, name):
    with pytest.raises(ValidationFailed) as refused:
        plans.create_plan(session, people["member"], name)
    assert "1 to 120 characters" in refused.value.errors["name"]


def test_rename_plan(session, people, plan):
    plans.rename_plan(session, people["member"], plan["plan"].id, "PPL")
    assert plan["plan"].name == "PPL"
    with pytest.raises(ValidationFailed):
        plans.rename_plan(session, people["member"], plan["plan"].id, "")


def _calls(session, plan, bench_id):
    p, day, row = plan["plan"].id, plan["upper"].id, plan["bench"].id
    return {
        "plan_view": lambda u: plans.plan_view(session, u, p),
        "add_day": lambda u: plans.add_day(session, u, p, name="Extra"),
        "rename_plan": lambda u: plans.rename_plan(session, u, p, "Mine"),
        "set_active": lambda u: plans.set_active(session, u, p),
        "delete_plan": lambda u: plans.delete_plan(session, u, p),
        "remove_day": lambda u: plans.remove_day(session, u, day),
        "add_plan_exercise": lambda u: plans.add_plan_exercise(session, u, day, {"exercise_id": bench_id}),
        "update_plan_exercise": lambda u: plans.update_plan_exercise(session, u, row, {"sets": "2"}),
        "remove_plan_exercise": lambda u: plans.remove_plan_exercise(session, u, row),
        "replace_exercise": lambda u: plans.replace_exercise(session, u, row, bench_id),
    }


CALLS = [
    "plan_view", "add_day", "rename_plan", "set_active", "delete_plan", "remove_day", "add_plan_exercise",
    "update_plan_exercise", "remove_plan_exercise", "replace_exercise",
]


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("role", ["other", "trainer", "admin"])
def test_only_the_owner_reaches_a_plan(session, people, plan, call, role):
    push_up = _exercise_id(session, "Push-Up")
    other_plan = plans.create_plan(session, people[role], "Own plan")  # they may have plans of their own
    before = _snapshot(session)
    with pytest.raises(PermissionDenied):
        _calls(session, plan, push_up)[call](people[role])
    assert _snapshot(session) == before
    assert other_plan.id in [p.id for p in plans.list_plans(session, people[role])]
    # ...while the owner may do the same.
    _calls(session, plan, push_up)[call](people["member"])


@pytest.mark.parametrize("call", ["plan_view", "add_day", "remove_day", "update_plan_exercise"])
def test_unknown_ids_and_signed_out_are_refused(session, people, plan, call):
    with pytest.raises(PermissionDenied):
        _calls(session, plan, 1)[call](None)
    missing = {"plan": Plan(id=999_999), "upper": PlanDay(id=999_999), "bench": PlanExercise(id=999_999)}
    with pytest.raises(PermissionDenied):
        _calls(session, missing, 1)[call](people["member"])


# --- Days --------------------------------------------------------------------------------------


def test_days_are_numbered_per_week(session, people, plan):
    member = people["member"]
    week2 = plans.add_day(session, member, plan["plan"].id, week="2", name="Deload")
    assert (plan["upper"].position, plan["lower"].position, week2.position, week2.week) == (1, 2, 1, 2)
    view = plans.plan_view(session, member, plan["plan"].id)
    assert [(d.week, d.position, d.name) for d in view.days] == [(1, 1, "Upper"), (1, 2, "Lower"), (2, 1, "Deload")]


@pytest.mark.parametrize(
    ("week", "name", "field"),
    [(0, "Push", "week"), (53, "Push", "week"), ("two", "Push", "week"), (1, "", "name"), (1, "x" * 81, "name")],
)
def test_day_validation(session, people, plan, week, name, field):
    with pytest.raises(ValidationFailed) as refused:
        plans.add_day(session, people["member"], plan["plan"].id, week=week, name=name)
    assert list(refused.value.errors) == [field]


def test_removing_a_day_moves_later_days_up_and_keeps_workouts(session, people, plan):
    member = people["member"]
    third = plans.add_day(session, member, plan["plan"].id, name="Arms")
    workout = Workout(user_id=member.id, name="Upper", plan_day_id=plan["upper"].id)
    session.add(workout)
    session.flush()
    plans.remove_day(session, member, plan["upper"].id)
    session.expire_all()
    assert session.get(PlanExercise, plan["bench"].id) is None
    assert session.get(Workout, workout.id).plan_day_id is None
    view = plans.plan_view(session, member, plan["plan"].id)
    assert [(d.name, d.position) for d in view.days] == [("Lower", 1), ("Arms", 2)]
    assert plans.add_day(session, member, plan["plan"].id, name="Upper").position == 3
    assert third.id in [d.id for d in view.days]


def test_deleting_a_plan_removes_its_days(session, people, plan):
    plans.delete_plan(session, people["member"], plan["plan"].id)
    session.expire_all()
    assert session.exec(select(PlanDay)).all() == [] and session.exec(select(PlanExercise)).all() == []


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
    row = plans.add_plan_exercise(session, people["member"], plan["upper"].id,
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
        plans.add_plan_exercise(session, people["member"], plan["upper"].id, form)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]
    assert _snapshot(session) == before


def test_rpe_or_rir_not_both(session, people, plan):
    member = people["member"]
    form = {"exercise_id": _exercise_id(session, "Push-Up"), "target_rpe": "8", "target_rir": "2"}
    with pytest.raises(ValidationFailed) as refused:
        plans.add_plan_exercise(session, member, plan["upper"].id, form)
    assert "not both" in refused.value.errors["target_rir"]
    # The squat has an RPE already: adding an RIR alone is the same conflict; swapping them is fine.
    with pytest.raises(ValidationFailed):
        plans.update_plan_exercise(session, member, plan["squat"].id, {"target_rir": "2"})
    row = plans.update_plan_exercise(session, member, plan["squat"].id, {"target_rpe": "", "target_rir": "2"})
    assert (row.target_rpe, row.target_rir) == (None, 2)


def test_exercises_must_be_shared_or_ones_own(session, people, plan):
    member, other = people["member"], people["other"]
    base = {"category": "back", "primary_muscle": "upper back", "mechanics": "compound"}
    mine = save_exercise(session, Actor(id=member.id, role=member.role), {**base, "name": "Towel Row"})
    theirs = save_exercise(session, Actor(id=other.id, role=other.role), {**base, "name": "Door Row"})
    assert plans.add_plan_exercise(session, member, plan["upper"].id, {"exercise_id": mine.id}).exercise_id == mine.id
    with pytest.raises(ValidationFailed) as refused:
        plans.add_plan_exercise(session, member, plan["upper"].id, {"exercise_id": theirs.id})
    assert "from the library" in refused.value.errors["exercise_id"]
    with pytest.raises(ValidationFailed):
        plans.replace_exercise(session, member, plan["bench"].id, theirs.id)


def test_update_changes_only_what_the_form_holds(session, people, plan):
    member = people["member"]
    row = plans.update_plan_exercise(session, member, plan["squat"].id, {"reps": "5-8", "load": "80%"})
    assert (row.sets, row.reps_min, row.reps_max, row.load_kg, row.percent_1rm) == (5, 5, 8, None, 80.0)
    assert (row.target_rpe, row.rest_s, row.notes) == (8.0, 180, "Belt on top sets")
    row = plans.update_plan_exercise(session, member, plan["squat"].id, {"load": "", "notes": ""})
    assert (row.load_kg, row.percent_1rm, row.notes) == (None, None, "")
    with pytest.raises(ValidationFailed):
        plans.update_plan_exercise(session, member, plan["squat"].id, {"sets": "0"})
    assert row.sets == 5


def test_removing_an_exercise_closes_the_gap(session, people, plan):
    member = people["member"]
    day = plan["upper"].id
    second = plans.add_plan_exercise(session, member, day, {"exercise_id": _exercise_id(session, "Pull-Up")})
    third = plans.add_plan_exercise(session, member, day, {"exercise_id": _exercise_id(session, "Push-Up")})
    plans.remove_plan_exercise(session, member, second.id)
    view = plans.plan_view(session, member, plan["plan"].id)
    assert [(e.exercise_name, e.position) for e in view.days[0].exercises] == [("Barbell Bench Press", 1), ("Push-Up", 2)]
    assert third.position == 2


def test_accepting_a_substitute_keeps_the_prescription_but_not_the_load(session, people, plan):
    member = people["member"]
    squat = plan["squat"]
    plans.replace_exercise(session, member, squat.id, _exercise_id(session, "Goblet Squat"))
    assert squat.exercise_id == _exercise_id(session, "Goblet Squat")
    assert (squat.sets, squat.reps_min, squat.reps_max, squat.rest_s, squat.target_rpe, squat.notes) == (
        5, 3, 5, 180, 8.0, "Belt on top sets")
    assert squat.load_kg is None
    # A percentage of one-rep max is relative to the new exercise's own max, so it stays.
    plans.update_plan_exercise(session, member, squat.id, {"load": "70%"})
    plans.replace_exercise(session, member, squat.id, _exercise_id(session, "Bulgarian Split Squat"))
    assert squat.percent_1rm == 70.0


# --- Viewing with equipment --------------------------------------------------------------------


def test_plan_view_marks_what_the_default_profile_cannot_do(session, people, plan):
    member = people["member"]
    view = plans.plan_view(session, member, plan["plan"].id)
    # No profile: nothing is filtered.
    assert all(e.available and e.substitutes == [] for d in view.days for e in d.exercises)
    ep.create_profile(session, member, "Home", _equipment_ids(session, "Dumbbell", "Kettlebell", "Flat Bench"))
    view = plans.plan_view(session, member, plan["plan"].id)
    assert (view.id, view.name, view.active) == (plan["plan"].id, "Upper / Lower", True)
    upper, lower = view.days
    bench, squat = upper.exercises[0], lower.exercises[0]
    assert (bench.exercise_name, bench.sets, bench.reps_min, bench.load_kg, bench.available) == (
        "Barbell Bench Press", 4, 5, 80.0, False)
    assert bench.substitutes and all(s.name != "Barbell Bench Press" for s in bench.substitutes)
    assert "Dumbbell Bench Press" in [s.name for s in bench.substitutes]
    assert (squat.reps_min, squat.reps_max, squat.rest_s, squat.target_rpe) == (3, 5, 180, 8.0)
    assert not squat.available and squat.substitutes[0].name == "Goblet Squat"
    # A bodyweight exercise is always available and needs no substitute.
    plans.add_plan_exercise(session, member, plan["upper"].id, {"exercise_id": _exercise_id(session, "Push-Up")})
    push_up = plans.plan_view(session, member, plan["plan"].id).days[0].exercises[1]
    assert push_up.available and push_up.substitutes == []


# --- Today's workout ---------------------------------------------------------------------------


def _train(session, user, day, minutes_ago):
    workout = Workout(user_id=user.id, name=day.name if day else "Free", plan_day_id=day.id if day else None,
                      started_at=datetime.now(UTC) - timedelta(minutes=minutes_ago))
    session.add(workout)
    session.flush()
    return workout


def test_next_day_rotates_through_the_active_plan(session, people, plan):
    member = people["member"]
    upper, lower = plan["upper"], plan["lower"]
    arms = plans.add_day(session, member, plan["plan"].id, week=2, name="Arms")
    assert plans.next_day(session, member).id == upper.id  # nothing trained yet
    _train(session, member, upper, 300)
    assert plans.next_day(session, member).id == lower.id
    _train(session, member, lower, 200)
    assert plans.next_day(session, member).id == arms.id  # week 2 follows week 1
    _train(session, member, arms, 100)
    assert plans.next_day(session, member).id == upper.id  # wraps around
    # A free workout, another member's workout or an older one logged later change nothing.
    _train(session, member, None, 50)
    _train(session, people["other"], lower, 10)
    _train(session, member, lower, 1000)
    assert plans.next_day(session, member).id == upper.id


def test_next_day_follows_the_active_plan_only(session, people, plan):
    member = people["member"]
    _train(session, member, plan["upper"], 60)
    other_plan = plans.create_plan(session, member, "Full body")
    assert plans.next_day(session, member).id == plan["lower"].id
    plans.set_active(session, member, other_plan.id)
    assert plans.next_day(session, member) is None  # active but without days
    full = plans.add_day(session, member, other_plan.id, name="Full")
    assert plans.next_day(session, member).id == full.id
    _train(session, member, full, 5)
    assert plans.next_day(session, member).id == full.id  # a one-day plan repeats


def test_next_day_without_plans(session, people):
    assert plans.next_day(session, people["member"]) is None
    with pytest.raises(PermissionDenied):
        plans.next_day(session, None)
