from datetime import UTC, datetime, timedelta
from itertools import count
from uuid import uuid4

import pytest
from sqlmodel import select

from adaptivefit.models import Exercise, FitnessData, Goal, PersonalRecord, User, Workout, WorkoutSet
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.training.goals import MAX_ACTIVE_GOALS, archive_goal, create_goal, list_goals

NOW = datetime(2026, 1, 7, 12, 0, tzinfo=UTC)
_numbers = count(1)


def make_user(session, name):
    user = User(email=f"{name.lower()}@example.com", name=name)
    session.add(user)
    session.flush()
    return user


def make_exercise(session, name, owner_id=None):
    exercise = Exercise(
        name=name, slug=f"{name.lower().replace(' ', '-')}-{next(_numbers)}", category="strength",
        primary_muscle="quadriceps", owner_id=owner_id,
    )
    session.add(exercise)
    session.flush()
    return exercise


def log(session, user, exercise, when, reps, load, *, set_type="working", rpe=None):
    workout = Workout(user_id=user.id, name="Session", started_at=when)
    session.add(workout)
    session.flush()
    workout_set = WorkoutSet(
        workout_id=workout.id, user_id=user.id, exercise_id=exercise.id, client_id=uuid4().hex,
        set_number=1, set_type=set_type, reps=reps, load_kg=load, rpe=rpe, logged_at=when,
    )
    session.add(workout_set)
    session.flush()
    return workout_set


def weigh_in(session, user, kg, when):
    session.add(FitnessData(user_id=user.id, type="bodyweight", data={"kg": kg}, recorded_at=when))
    session.flush()


def refused(session, user, form):
    with pytest.raises(ValidationFailed) as caught:
        create_goal(session, user, form)
    return caught.value.errors


def only(session, user):
    (progress,) = list_goals(session, user, now=NOW)
    return progress


@pytest.fixture
def maya(session):
    return make_user(session, "Maya")


@pytest.fixture
def squat(session):
    return make_exercise(session, "Back Squat")


# Progress, kind by kind.

def test_strength_goal_computes_the_best_e1rm_from_working_sets(session, maya, squat):
    goal = create_goal(session, maya, {"kind": "strength", "exercise_id": str(squat.id), "target_e1rm_kg": "150"})
    assert goal.goal_type == "strength"
    assert goal.details == {"exercise_id": squat.id, "target_e1rm_kg": 150.0}
    log(session, maya, squat, NOW - timedelta(days=30), 5, 100, rpe=8)  # 7 reps to failure: 123.33
    log(session, maya, squat, NOW, 1, 200, set_type="warmup")

    progress = only(session, maya)

    assert (progress.kind, progress.title, progress.unit) == ("strength", "Back Squat: one-rep max", "kg")
    assert (progress.current, progress.target) == (123.3, 150.0)
    assert progress.percent == 82
    assert progress.reached is False


def test_strength_goal_reads_personal_records_when_there_are_some(session, maya, squat):
    create_goal(session, maya, {"kind": "strength", "exercise_id": squat.id, "target_e1rm_kg": 150})
    first = log(session, maya, squat, NOW - timedelta(days=30), 5, 100)
    session.add_all([
        PersonalRecord(user_id=maya.id, exercise_id=squat.id, set_id=first.id, kind="e1rm", value=140.0),
        PersonalRecord(user_id=maya.id, exercise_id=squat.id, set_id=first.id, kind="e1rm", value=151.0),
        PersonalRecord(user_id=maya.id, exercise_id=squat.id, set_id=first.id, kind="load", value=400.0),
    ])
    session.flush()

    progress = only(session, maya)

    assert progress.current == 151.0
    assert (progress.percent, progress.reached) == (100, True)


def test_consistency_goal_counts_workouts_of_the_last_seven_days(session, maya, squat):
    create_goal(session, maya, {"kind": "consistency", "workouts_per_week": "3"})
    log(session, maya, squat, NOW - timedelta(days=1), 5, 100)
    log(session, maya, squat, NOW - timedelta(days=6, hours=23), 5, 100)
    log(session, maya, squat, NOW - timedelta(days=8), 5, 100)
    log(session, maya, squat, NOW - timedelta(days=2), 5, 50, set_type="warmup")

    progress = only(session, maya)
    assert (progress.title, progress.current, progress.target, progress.unit) == ("3 workouts a week", 2, 3, "workouts")
    assert (progress.percent, progress.reached) == (66, False)

    log(session, maya, squat, NOW - timedelta(hours=1), 5, 100)
    assert (only(session, maya).percent, only(session, maya).reached) == (100, True)


def test_bodyweight_goal_towards_a_loss(session, maya):
    weigh_in(session, maya, 90.0, NOW - timedelta(days=60))
    goal = create_goal(session, maya, {"kind": "bodyweight", "target_kg": "80"})
    assert goal.details == {"target_kg": 80.0, "start_kg": 90.0}  # the latest weigh-in is the start
    weigh_in(session, maya, 86.0, NOW - timedelta(days=20))
    weigh_in(session, maya, 85.0, NOW - timedelta(days=1))

    progress = only(session, maya)
    assert (progress.title, progress.current, progress.target, progress.percent, progress.reached) == (
        "Lose weight", 85.0, 80.0, 50, False,
    )

    weigh_in(session, maya, 79.6, NOW)
    assert (only(session, maya).percent, only(session, maya).reached) == (100, True)


def test_bodyweight_goal_towards_a_gain(session, maya):
    create_goal(session, maya, {"kind": "bodyweight", "target_kg": 70, "start_kg": "60"})
    progress = only(session, maya)  # nothing weighed yet: still at the start
    assert (progress.title, progress.current, progress.percent, progress.reached) == ("Gain weight", 60.0, 0, False)

    weigh_in(session, maya, 58.0, NOW - timedelta(days=3))
    assert only(session, maya).percent == 0  # further away is clamped, not negative
    weigh_in(session, maya, 67.5, NOW - timedelta(days=2))
    assert (only(session, maya).percent, only(session, maya).reached) == (75, False)
    weigh_in(session, maya, 70.0, NOW - timedelta(days=1))
    assert (only(session, maya).percent, only(session, maya).reached) == (100, True)


def test_volume_goals_sum_the_last_seven_days(session, maya, squat):
    bench = make_exercise(session, "Bench Press")
    create_goal(session, maya, {"kind": "volume", "exercise_id": "", "weekly_volume_kg": "5000"})
    create_goal(session, maya, {"kind": "volume", "exercise_id": str(bench.id), "weekly_volume_kg": "1000"})
    log(session, maya, squat, NOW - timedelta(days=2), 5, 100)  # 500
    log(session, maya, bench, NOW - timedelta(days=3), 10, 80)  # 800
    log(session, maya, bench, NOW - timedelta(days=3), 10, 40, set_type="warmup")
    log(session, maya, bench, NOW - timedelta(days=9), 10, 80)

    total, bench_goal = list_goals(session, maya, now=NOW)

    assert (total.title, total.current, total.target, total.percent, total.reached) == (
        "Weekly volume", 1300.0, 5000.0, 26, False,
    )
    assert (bench_goal.title, bench_goal.current, bench_goal.percent) == ("Bench Press: weekly volume", 800.0, 80)
    log(session, maya, bench, NOW - timedelta(hours=2), 5, 40)
    assert list_goals(session, maya, now=NOW)[1].reached is True


# Validation.

def test_the_kind_must_be_known(session, maya):
    assert set(refused(session, maya, {})) == {"kind"}
    assert set(refused(session, maya, {"kind": "telepathy"})) == {"kind"}


def test_strength_goal_fields_are_checked(session, maya, squat):
    errors = refused(session, maya, {"kind": "strength"})
    assert errors == {"exercise_id": "Choose an exercise.", "target_e1rm_kg": "Enter a target one-rep max in kg."}
    errors = refused(session, maya, {"kind": "strength", "exercise_id": "999999", "target_e1rm_kg": "2000"})
    assert errors == {
        "exercise_id": "Choose an exercise from the library.",
        "target_e1rm_kg": "Enter a value between 1 and 1000.",
    }
    errors = refused(session, maya, {"kind": "strength", "exercise_id": squat.id, "target_e1rm_kg": "lots"})
    assert errors == {"target_e1rm_kg": "Enter a number, like 82.5."}
    for bad in (True, float("nan"), float("inf"), -5, "0"):
        assert "target_e1rm_kg" in refused(
            session, maya, {"kind": "strength", "exercise_id": squat.id, "target_e1rm_kg": bad}
        )


def test_a_private_exercise_is_only_its_owners(session, maya):
    omar = make_user(session, "Omar")
    omars = make_exercise(session, "Omar's Sled Push", owner_id=omar.id)
    mayas = make_exercise(session, "Maya's Sled Push", owner_id=maya.id)
    form = {"kind": "strength", "target_e1rm_kg": "100"}
    assert refused(session, maya, {**form, "exercise_id": omars.id}) == {
        "exercise_id": "Choose an exercise from the library."
    }
    assert refused(session, maya, {"kind": "volume", "exercise_id": omars.id, "weekly_volume_kg": 100}) == {
        "exercise_id": "Choose an exercise from the library."
    }
    assert create_goal(session, maya, {**form, "exercise_id": mayas.id}).details["exercise_id"] == mayas.id


def test_consistency_volume_and_bodyweight_fields_are_checked(session, maya):
    assert refused(session, maya, {"kind": "consistency", "workouts_per_week": "0"}) == {
        "workouts_per_week": "Enter a whole number between 1 and 14."
    }
    assert refused(session, maya, {"kind": "consistency", "workouts_per_week": 15})["workouts_per_week"]
    assert refused(session, maya, {"kind": "consistency", "workouts_per_week": "2.5"}) == {
        "workouts_per_week": "Enter a whole number."
    }
    assert refused(session, maya, {"kind": "volume", "weekly_volume_kg": "9999999"}) == {
        "weekly_volume_kg": "Enter a value between 1 and 200000."
    }
    assert refused(session, maya, {"kind": "bodyweight", "target_kg": "75"}) == {
        "start_kg": "Enter your starting weight, or log a weigh-in first."
    }
    assert refused(session, maya, {"kind": "bodyweight", "target_kg": "75", "start_kg": "75.0"}) == {
        "target_kg": "Choose a target different from your starting weight."
    }
    assert refused(session, maya, {"kind": "bodyweight", "target_kg": "5", "start_kg": "900"}) == {
        "target_kg": "Enter a value between 20 and 400.",
        "start_kg": "Enter a value between 20 and 400.",
    }
    assert session.exec(select(Goal)).all() == []


def test_active_goals_are_limited(session, maya):
    for _ in range(MAX_ACTIVE_GOALS):
        create_goal(session, maya, {"kind": "consistency", "workouts_per_week": 3})
    assert "kind" in refused(session, maya, {"kind": "consistency", "workouts_per_week": 3})


# Ownership and archiving.

def test_goals_are_the_members_own(session, maya):
    omar = make_user(session, "Omar")
    omars = create_goal(session, omar, {"kind": "consistency", "workouts_per_week": 2})
    assert list_goals(session, maya, now=NOW) == []

    for goal_id in (omars.id, 999999, "1", None):
        with pytest.raises(NotYours, match="That goal was not found in your account."):
            archive_goal(session, maya, goal_id)
    session.refresh(omars)
    assert omars.active is True
    assert [g.id for g in list_goals(session, omar, now=NOW)] == [omars.id]


def test_an_archived_goal_no_longer_shows(session, maya):
    kept = create_goal(session, maya, {"kind": "consistency", "workouts_per_week": 2})
    gone = create_goal(session, maya, {"kind": "consistency", "workouts_per_week": 4})
    archive_goal(session, maya, gone.id)
    assert [g.id for g in list_goals(session, maya, now=NOW)] == [kept.id]
    assert session.get(Goal, gone.id).active is False


def test_a_malformed_goal_row_is_left_out(session, maya):
    session.add(Goal(user_id=maya.id, goal_type="strength", details={"exercise_id": "x"}))
    session.add(Goal(user_id=maya.id, goal_type="consistency", details={"workouts_per_week": 0}))
    kept = create_goal(session, maya, {"kind": "consistency", "workouts_per_week": 1})
    assert [g.id for g in list_goals(session, maya, now=NOW)] == [kept.id]


# What a goal trains for, its priority and its date.

def _form(kind="consistency", **extra):
    return {"kind": kind, "workouts_per_week": 3, **extra}


def test_the_primary_goal_type_defaults_from_the_kind(session, maya, squat):
    weigh_in(session, maya, 90.0, NOW - timedelta(days=1))
    goals = {
        "strength": create_goal(session, maya, {"kind": "strength", "exercise_id": squat.id, "target_e1rm_kg": 150}),
        "consistency": create_goal(session, maya, _form()),
        "loss": create_goal(session, maya, {"kind": "bodyweight", "target_kg": 80}),
        "gain": create_goal(session, maya, {"kind": "bodyweight", "target_kg": 95}),
        "volume": create_goal(session, maya, {"kind": "volume", "weekly_volume_kg": 5000}),
    }
    assert {name: goal.primary_goal_type for name, goal in goals.items()} == {
        "strength": "strength", "consistency": "general_fitness", "loss": "fat_loss", "gain": "general_fitness",
        "volume": "hypertrophy",
    }
    assert all(goal.secondary_goal_type is None and goal.priority == 3 for goal in goals.values())
    assert all("target_date" not in goal.details for goal in goals.values())
    shown = list_goals(session, maya, now=NOW)
    assert [(g.primary, g.priority, g.target_date, g.days_left) for g in shown] == [
        ("strength", 3, "", None), ("general_fitness", 3, "", None), ("fat_loss", 3, "", None),
        ("general_fitness", 3, "", None), ("hypertrophy", 3, "", None),
    ]


def test_the_aims_priority_and_date_a_member_gives_are_kept(session, maya):
    goal = create_goal(
        session, maya,
        _form(primary_goal_type="endurance", secondary_goal_type="Fat loss", priority="1", target_date="2026-03-31"),
        now=NOW,
    )
    assert (goal.primary_goal_type, goal.secondary_goal_type, goal.priority) == ("endurance", "fat_loss", 1)
    assert goal.details == {"workouts_per_week": 3, "target_date": "2026-03-31"}
    progress = only(session, maya)
    assert (progress.primary, progress.priority, progress.target_date, progress.days_left) == (
        "endurance", 1, "2026-03-31", 83,
    )
    # Days are the member's: at 12:00 UTC it is already the next day in Auckland.
    maya.timezone = "Pacific/Auckland"
    assert only(session, maya).days_left == 82
    assert list_goals(session, maya, now=NOW + timedelta(days=90))[0].days_left == -8  # past the date


def test_aims_priority_and_date_are_checked(session, maya):
    today = NOW.date()
    errors = refused(session, maya, _form(primary_goal_type="telepathy", secondary_goal_type=7, priority="6",
                                          target_date="31/03/2026"))
    assert errors == {
        "primary_goal_type": "Choose a primary goal: strength, hypertrophy, endurance, fat loss or general fitness.",
        "secondary_goal_type": "Choose a secondary goal: strength, hypertrophy, endurance, fat loss or general fitness.",
        "priority": "Enter a whole number between 1 and 5.",
        "target_date": "Enter a date like 2026-06-30.",
    }
    assert refused(session, maya, _form(secondary_goal_type="general_fitness")) == {
        "secondary_goal_type": "Choose a secondary goal different from the primary one."
    }
    assert refused(session, maya, _form(primary_goal_type="strength", secondary_goal_type="strength")) == {
        "secondary_goal_type": "Choose a secondary goal different from the primary one."
    }
    for bad in (0, True, "1.5", "high"):
        assert "priority" in refused(session, maya, _form(priority=bad))
    with pytest.raises(ValidationFailed) as caught:
        create_goal(session, maya, _form(target_date=(today - timedelta(days=1)).isoformat()), now=NOW)
    assert caught.value.errors == {"target_date": "Choose a date from today on."}
    with pytest.raises(ValidationFailed) as caught:
        create_goal(session, maya, _form(target_date="2031-01-08"), now=NOW)
    assert caught.value.errors == {"target_date": "Choose a date within 5 years."}
    for bad in ("2026-02-30", "20260301", "2026-3-1", 20260301):
        with pytest.raises(ValidationFailed) as caught:
            create_goal(session, maya, _form(target_date=bad), now=NOW)
        assert caught.value.errors == {"target_date": "Enter a date like 2026-06-30."}
    # The kind's own reasons come together with these.
    assert set(refused(session, maya, {"kind": "consistency", "priority": 9})) == {"workouts_per_week", "priority"}
    assert session.exec(select(Goal)).all() == []

    for good in (today.isoformat(), "2031-01-07", today):
        goal = create_goal(session, maya, _form(target_date=good, priority=5, secondary_goal_type=""), now=NOW)
        assert (goal.details["target_date"], goal.secondary_goal_type) == (str(good), None)


def test_five_years_from_a_leap_day(session, maya):
    leap_day = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    assert create_goal(session, maya, _form(target_date="2033-02-28"), now=leap_day)
    assert "target_date" in refused_at(session, maya, _form(target_date="2033-03-01"), leap_day)


def refused_at(session, user, form, now):
    with pytest.raises(ValidationFailed) as caught:
        create_goal(session, user, form, now=now)
    return caught.value.errors


def test_goals_are_listed_by_priority_then_age(session, maya):
    later = create_goal(session, maya, _form(priority=2), now=NOW)
    low = create_goal(session, maya, _form(priority=5), now=NOW - timedelta(days=9))
    default = create_goal(session, maya, _form(), now=NOW - timedelta(days=5))
    first = create_goal(session, maya, _form(priority=1), now=NOW)
    earlier = create_goal(session, maya, _form(priority=2), now=NOW - timedelta(days=1))
    assert [g.id for g in list_goals(session, maya, now=NOW)] == [first.id, earlier.id, later.id, default.id, low.id]


def test_older_and_odd_rows_still_show(session, maya):
    # Rows written before these fields were set, or edited by hand: defaults, never a crash.
    session.add(Goal(user_id=maya.id, goal_type="volume", details={"exercise_id": None, "weekly_volume_kg": 100}))
    session.add(Goal(user_id=maya.id, goal_type="bodyweight", primary_goal_type="telepathy",
                     details={"target_kg": 70, "start_kg": 80, "target_date": "next spring"}))
    session.add(Goal(user_id=maya.id, goal_type="consistency", details={"workouts_per_week": 2,
                                                                       "target_date": "2026-13-40"}))
    session.flush()
    shown = list_goals(session, maya, now=NOW)
    assert [(g.kind, g.primary, g.priority, g.target_date, g.days_left) for g in shown] == [
        ("volume", "hypertrophy", 1, "", None), ("bodyweight", "fat_loss", 1, "", None),
        ("consistency", "general_fitness", 1, "", None),
    ]


def test_goal_progress_can_still_be_built_without_the_new_fields():
    from adaptivefit.services.training.goals import GoalProgress

    progress = GoalProgress(1, "Squat", "strength", 100.0, 150.0, "kg", 66, False)
    assert (progress.primary, progress.priority, progress.target_date, progress.days_left) == ("", 3, "", None)
