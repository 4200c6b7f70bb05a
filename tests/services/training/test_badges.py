from datetime import UTC, date, datetime, timedelta
from itertools import count
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlmodel import select

from adaptivefit.models import Achievement, Exercise, PersonalRecord, User, Workout, WorkoutSet
from adaptivefit.services.training import badges
from adaptivefit.services.training.badges import (
    BADGES,
    RULES,
    BadgeView,
    evaluate,
    list_achievements,
    mark_announced,
    unannounced,
)
from adaptivefit.services.training.goals import create_goal

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
_numbers = count(1)


def make_user(session, name):
    user = User(email=f"{name.lower()}@example.com", name=name)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def maya(session):
    return make_user(session, "Maya")


@pytest.fixture
def squat(session):
    exercise = Exercise(name="Back Squat", slug="back-squat-test", category="strength", primary_muscle="quadriceps")
    session.add(exercise)
    session.flush()
    return exercise


def workout(session, user, exercise, when, *, reps=5, load=0.0, set_type="working"):
    row = Workout(user_id=user.id, name="Session", started_at=when)
    session.add(row)
    session.flush()
    workout_set = WorkoutSet(
        workout_id=row.id, user_id=user.id, exercise_id=exercise.id, client_id=uuid4().hex,
        set_number=next(_numbers), set_type=set_type, reps=reps, load_kg=load, logged_at=when,
    )
    session.add(workout_set)
    session.flush()
    return workout_set


def workouts(session, user, exercise, n):
    start = NOW - timedelta(days=n + 1)
    for day in range(n):
        workout(session, user, exercise, start + timedelta(days=day))


def codes(awarded):
    return sorted(a.code for a in awarded)


def test_every_rule_has_a_badge():
    assert RULES.keys() == BADGES.keys()
    for title, description, icon in BADGES.values():
        assert title and description and icon.islower()


def test_nothing_to_award_for_a_new_member(session, maya):
    assert evaluate(session, maya, now=NOW) == []
    assert list_achievements(session, maya) == []


def test_first_workout_needs_a_working_set(session, maya, squat):
    workout(session, maya, squat, NOW - timedelta(days=1), set_type="warmup")
    session.add(Workout(user_id=maya.id, name="Opened, nothing logged", started_at=NOW))
    session.flush()
    assert evaluate(session, maya, now=NOW) == []

    workout(session, maya, squat, NOW - timedelta(hours=1))
    (badge,) = evaluate(session, maya, now=NOW)
    assert (badge.code, badge.user_id, badge.awarded_at, badge.announced) == ("first_workout", maya.id, NOW, False)
    assert evaluate(session, maya, now=NOW + timedelta(days=1)) == []
    assert session.get(Achievement, badge.id).awarded_at == NOW


@pytest.mark.parametrize("code, threshold", [("workouts_10", 10), ("workouts_50", 50), ("workouts_100", 100)])
def test_workout_count_badges(session, maya, squat, code, threshold):
    workouts(session, maya, squat, threshold - 1)
    assert code not in codes(evaluate(session, maya, now=NOW))

    workout(session, maya, squat, NOW - timedelta(minutes=5))
    assert code in codes(evaluate(session, maya, now=NOW))
    assert evaluate(session, maya, now=NOW) == []
    held = session.exec(select(Achievement).where(Achievement.user_id == maya.id, Achievement.code == code)).all()
    assert len(held) == 1 and held[0].awarded_at == NOW


def _weekly(session, user, exercise, mondays):
    for monday in mondays:
        workout(session, user, exercise, datetime(monday.year, monday.month, monday.day, 18, tzinfo=UTC))


def test_a_three_week_streak_across_a_year_end(session, maya, squat):
    # 2025-W52, then 2026-W01 (which starts Monday 29 December 2025), with a gap before 2026-W03.
    _weekly(session, maya, squat, [date(2025, 12, 24), date(2026, 1, 14)])
    assert "streak_3_weeks" not in codes(evaluate(session, maya, now=NOW))

    _weekly(session, maya, squat, [date(2025, 12, 31)])
    assert "streak_3_weeks" not in codes(evaluate(session, maya, now=NOW))

    _weekly(session, maya, squat, [date(2026, 1, 8)])
    assert codes(evaluate(session, maya, now=NOW)) == ["streak_3_weeks"]
    assert evaluate(session, maya, now=NOW) == []


def test_an_eight_week_streak_counts_weeks_not_workouts(session, maya, squat):
    monday = date(2025, 11, 3)
    _weekly(session, maya, squat, [monday + timedelta(weeks=n) for n in range(7)])
    for extra in range(5):  # many workouts in one week still make one week
        workout(session, maya, squat, datetime(2025, 11, 4, 8 + extra, tzinfo=UTC))
    assert "streak_8_weeks" not in codes(evaluate(session, maya, now=NOW))

    _weekly(session, maya, squat, [monday + timedelta(weeks=7, days=6)])  # that week's Sunday
    assert codes(evaluate(session, maya, now=NOW)) == ["streak_8_weeks"]


def _records(session, user, squat, sets, kinds=("e1rm",)):
    for _ in range(sets):
        workout_set = workout(session, user, squat, NOW - timedelta(days=1), load=100)
        for kind in kinds:
            session.add(
                PersonalRecord(user_id=user.id, exercise_id=squat.id, set_id=workout_set.id, kind=kind, value=1)
            )
    session.flush()


def test_first_pr_and_ten_prs(session, maya, squat):
    workout(session, maya, squat, NOW - timedelta(days=2), load=100)
    evaluate(session, maya, now=NOW)
    _records(session, maya, squat, 1, kinds=("e1rm", "load", "volume"))
    assert codes(evaluate(session, maya, now=NOW)) == ["first_pr"]

    # One set beating three kinds was one record: 9 sets with records so far.
    _records(session, maya, squat, 8, kinds=("e1rm", "load"))
    assert "prs_10" not in codes(evaluate(session, maya, now=NOW))
    _records(session, maya, squat, 1)
    assert codes(evaluate(session, maya, now=NOW)) == ["prs_10"]
    assert evaluate(session, maya, now=NOW) == []


def test_a_record_whose_set_was_deleted_still_counts(session, maya, squat):
    workout(session, maya, squat, NOW - timedelta(days=2))
    evaluate(session, maya, now=NOW)
    session.add(PersonalRecord(user_id=maya.id, exercise_id=squat.id, set_id=None, kind="e1rm", value=1))
    session.flush()
    assert codes(evaluate(session, maya, now=NOW)) == ["first_pr"]


@pytest.mark.parametrize("code, tonnes", [("volume_10t", 10), ("volume_100t", 100), ("volume_1000t", 1000)])
def test_volume_badges(session, maya, squat, code, tonnes):
    kg = tonnes * 1000
    workout(session, maya, squat, NOW - timedelta(days=3), reps=1, load=kg - 1)
    workout(session, maya, squat, NOW - timedelta(days=3), reps=1, load=5000, set_type="warmup")
    assert code not in codes(evaluate(session, maya, now=NOW))

    workout(session, maya, squat, NOW - timedelta(days=1), reps=1, load=1)
    assert code in codes(evaluate(session, maya, now=NOW))
    assert evaluate(session, maya, now=NOW) == []


def test_goal_reached(session, maya, squat):
    create_goal(session, maya, {"kind": "consistency", "workouts_per_week": 2})
    workout(session, maya, squat, NOW - timedelta(days=1))
    assert codes(evaluate(session, maya, now=NOW)) == ["first_workout"]

    workout(session, maya, squat, NOW - timedelta(hours=3))
    assert codes(evaluate(session, maya, now=NOW)) == ["goal_reached"]
    assert evaluate(session, maya, now=NOW) == []


def test_badges_are_per_member(session, maya, squat):
    omar = make_user(session, "Omar")
    workout(session, omar, squat, NOW - timedelta(days=1))
    assert evaluate(session, maya, now=NOW) == []
    assert codes(evaluate(session, omar, now=NOW)) == ["first_workout"]
    assert list_achievements(session, maya) == []


def test_a_badge_awarded_meanwhile_is_skipped_without_breaking_the_transaction(session, maya, squat, monkeypatch):
    workout(session, maya, squat, NOW - timedelta(days=1))
    session.add(Achievement(user_id=maya.id, code="first_workout", awarded_at=NOW - timedelta(days=1)))
    session.flush()
    # As if another request awarded it between this one's read and its insert.
    monkeypatch.setattr(badges, "_held", lambda session, user: set())
    create_goal(session, maya, {"kind": "consistency", "workouts_per_week": 1})

    assert codes(evaluate(session, maya, now=NOW)) == ["goal_reached"]
    held = session.exec(select(Achievement.code).where(Achievement.user_id == maya.id)).all()
    assert sorted(held) == ["first_workout", "goal_reached"]


def test_evaluate_commits_nothing_itself(session, maya, squat):
    workout(session, maya, squat, NOW - timedelta(days=1))
    session.commit()
    assert codes(evaluate(session, maya, now=NOW)) == ["first_workout"]
    session.rollback()
    assert session.exec(select(Achievement)).all() == []


def test_counting_is_done_by_the_database(session, maya, squat):
    workouts(session, maya, squat, 3)
    statements = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement.lower())

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", remember)
    try:
        evaluate(session, maya, now=NOW)
    finally:
        sa.event.remove(engine, "before_cursor_execute", remember)
    reads_of_sets = [s for s in statements if "from workout_sets" in s and s.startswith("select")]
    assert reads_of_sets
    assert all(any(word in s for word in ("count(", "sum(", "group by")) for s in reads_of_sets)


def test_listing_and_announcing(session, maya, squat):
    omar = make_user(session, "Omar")
    workouts(session, maya, squat, 10)
    workout(session, omar, squat, NOW - timedelta(days=1))
    evaluate(session, maya, now=NOW)
    evaluate(session, omar, now=NOW)

    listed = list_achievements(session, maya)
    assert [b.code for b in listed] == ["first_workout", "workouts_10", "streak_3_weeks"]
    assert listed[0] == BadgeView("first_workout", *BADGES["first_workout"], NOW)
    assert [b.code for b in unannounced(session, maya)] == [b.code for b in listed]

    assert mark_announced(session, maya, ["first_workout", "workouts_10", "no_such_badge", 7]) == 2
    assert [b.code for b in unannounced(session, maya)] == ["streak_3_weeks"]
    assert mark_announced(session, maya, ["first_workout"]) == 0
    assert mark_announced(session, maya, "streak_3_weeks") == 1
    assert unannounced(session, maya) == []
    assert [b.code for b in unannounced(session, omar)] == ["first_workout"]
    assert [b.code for b in list_achievements(session, maya)] == ["first_workout", "workouts_10", "streak_3_weeks"]
