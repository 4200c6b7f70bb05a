from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import Plan, PlanDay, PlanExercise, Workout
from adaptivefit.services.training import plan_exercises, plans
from adaptivefit.services.catalog import equipment_profiles as ep
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from tests.services.training.plan_fixtures import (  # noqa: F401  (fixtures)
    equipment_ids as _equipment_ids,
    exercise_id as _exercise_id,
    people,
    plan,
    snapshot as _snapshot,
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
        "add_plan_exercise": lambda u: plan_exercises.add_plan_exercise(session, u, day, {"exercise_id": bench_id}),
        "update_plan_exercise": lambda u: plan_exercises.update_plan_exercise(session, u, row, {"sets": "2"}),
        "remove_plan_exercise": lambda u: plan_exercises.remove_plan_exercise(session, u, row),
        "replace_exercise": lambda u: plan_exercises.replace_exercise(session, u, row, bench_id),
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
    plan_exercises.add_plan_exercise(session, member, plan["upper"].id, {"exercise_id": _exercise_id(session, "Push-Up")})
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
