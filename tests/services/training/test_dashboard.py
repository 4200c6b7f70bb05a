from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from uuid import uuid4

import pytest

from adaptivefit.models import Exercise, User, Workout, WorkoutSet
from adaptivefit.services.training import dashboard

# A Wednesday in ISO week 2026-W02; 2026-W01 runs from Monday 29 December 2025.
NOW = datetime(2026, 1, 7, 12, 0, tzinfo=UTC)
_numbers = count(1)


def make_user(session, name="Maya", timezone="UTC"):
    user = User(email=f"{name.lower()}@example.com", name=name, timezone=timezone)
    session.add(user)
    session.flush()
    return user


def make_exercise(session, name, muscle="quadriceps", owner_id=None):
    exercise = Exercise(
        name=name, slug=f"{name.lower().replace(' ', '-')}-{next(_numbers)}", category="strength",
        primary_muscle=muscle, owner_id=owner_id,
    )
    session.add(exercise)
    session.flush()
    return exercise


def log(session, user, exercise, when, reps, load, *, set_type="working", rpe=None, rir=None, workout=None):
    if workout is None:
        workout = Workout(user_id=user.id, name="Session", started_at=when)
        session.add(workout)
        session.flush()
    workout_set = WorkoutSet(
        workout_id=workout.id, user_id=user.id, exercise_id=exercise.id, client_id=uuid4().hex,
        set_number=next(_numbers), set_type=set_type, reps=reps, load_kg=load, rpe=rpe, rir=rir, logged_at=when,
    )
    session.add(workout_set)
    session.flush()
    return workout


@pytest.fixture
def maya(session):
    return make_user(session)


@pytest.fixture
def squat(session):
    return make_exercise(session, "Back Squat", "quadriceps")


@pytest.fixture
def bench(session):
    return make_exercise(session, "Bench Press", "chest")


def test_e1rm_series_is_the_best_per_day_of_working_sets(session, maya, squat, bench):
    day1 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    day2 = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
    workout = log(session, maya, squat, day1, 5, 100)  # 116.67
    log(session, maya, squat, day1 + timedelta(minutes=5), 1, 120, workout=workout)  # a single: 120
    log(session, maya, squat, day1 + timedelta(minutes=9), 1, 200, set_type="warmup", workout=workout)
    log(session, maya, squat, day2, 5, 100, rpe=8)  # 7 reps to failure: 123.33
    log(session, maya, squat, day2, 5, 90, rir=0)  # 105
    log(session, maya, bench, day2, 1, 300)
    other = make_user(session, "Omar")
    log(session, other, squat, day2, 1, 300)
    log(session, maya, squat, NOW - timedelta(days=400), 1, 300)

    series = dashboard.e1rm_series(session, maya, squat.id, now=NOW)

    assert series == [{"date": "2026-01-05", "e1rm": 120.0}, {"date": "2026-01-06", "e1rm": 123.3}]


def test_e1rm_series_switches_to_weekly_points_past_120_days(session, maya, squat):
    start = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # a Monday
    for day in range(140):
        log(session, maya, squat, start + timedelta(days=day), 1, 100 + day)

    series = dashboard.e1rm_series(session, maya, squat.id, now=start + timedelta(days=150))

    assert len(series) == 20
    assert series[0] == {"date": "2025-06-02", "e1rm": 106.0}
    assert all(datetime.fromisoformat(point["date"]).weekday() == 0 for point in series)
    assert series[-1] == {"date": "2025-10-13", "e1rm": 239.0}


def test_e1rm_series_of_an_untrained_lift_is_empty(session, maya, squat):
    assert dashboard.e1rm_series(session, maya, squat.id, now=NOW) == []
    assert dashboard.e1rm_series(session, maya, "not an id", now=NOW) == []


def test_weekly_volume_by_muscle_lists_every_week_and_muscle(session, maya, squat, bench):
    w01 = datetime(2025, 12, 30, 18, 0, tzinfo=UTC)
    workout = log(session, maya, squat, w01, 5, 100)
    log(session, maya, squat, w01, 5, 100, workout=workout)
    log(session, maya, squat, w01, 5, 60, set_type="warmup", workout=workout)
    log(session, maya, bench, datetime(2026, 1, 6, 7, 0, tzinfo=UTC), 10, 80.25)
    log(session, maya, bench, datetime(2025, 12, 1, 7, 0, tzinfo=UTC), 10, 80)  # before the window
    log(session, make_user(session, "Omar"), bench, w01, 10, 500)

    rows = dashboard.weekly_volume_by_muscle(session, maya, weeks=3, now=NOW)

    assert rows == [
        {"week": "2025-W52", "chest": 0.0, "quadriceps": 0.0},
        {"week": "2026-W01", "chest": 0.0, "quadriceps": 1000.0},
        {"week": "2026-W02", "chest": 802.5, "quadriceps": 0.0},
    ]


def test_weekly_volume_with_no_training_is_just_the_weeks(session, maya):
    rows = dashboard.weekly_volume_by_muscle(session, maya, now=NOW)
    assert [row["week"] for row in rows] == [
        "2025-W47", "2025-W48", "2025-W49", "2025-W50", "2025-W51", "2025-W52", "2026-W01", "2026-W02",
    ]
    assert all(row.keys() == {"week"} for row in rows)


def test_workouts_per_week_counts_workouts_with_working_sets_and_zero_weeks(session, maya, squat):
    log(session, maya, squat, datetime(2025, 12, 22, 9, 0, tzinfo=UTC), 5, 100)  # 2025-W52
    log(session, maya, squat, datetime(2026, 1, 5, 9, 0, tzinfo=UTC), 5, 100)  # 2026-W02
    log(session, maya, squat, datetime(2026, 1, 7, 9, 0, tzinfo=UTC), 5, 100)
    log(session, maya, squat, datetime(2026, 1, 6, 9, 0, tzinfo=UTC), 5, 60, set_type="warmup")
    session.add(Workout(user_id=maya.id, name="Opened, nothing logged", started_at=datetime(2026, 1, 6, tzinfo=UTC)))
    log(session, make_user(session, "Omar"), squat, datetime(2025, 12, 30, tzinfo=UTC), 5, 100)
    session.flush()

    rows = dashboard.workouts_per_week(session, maya, weeks=4, now=NOW)

    assert rows == [
        {"week": "2025-W51", "workouts": 0},
        {"week": "2025-W52", "workouts": 1},
        {"week": "2026-W01", "workouts": 0},
        {"week": "2026-W02", "workouts": 2},
    ]
    assert len(dashboard.workouts_per_week(session, maya, now=NOW)) == 12


def test_days_and_weeks_are_the_members_own(session, squat):
    sydney = make_user(session, "Aroha", timezone="Australia/Sydney")
    # Sunday 20:00 UTC of 2026-W01 is Monday 07:00 of 2026-W02 in Sydney (UTC+11 in January).
    when = datetime(2026, 1, 4, 20, 0, tzinfo=UTC)
    log(session, sydney, squat, when, 1, 100)

    assert dashboard.e1rm_series(session, sydney, squat.id, now=NOW) == [{"date": "2026-01-05", "e1rm": 100.0}]
    weeks = dashboard.workouts_per_week(session, sydney, weeks=2, now=NOW)
    assert weeks == [{"week": "2026-W01", "workouts": 0}, {"week": "2026-W02", "workouts": 1}]
    volume = dashboard.weekly_volume_by_muscle(session, sydney, weeks=2, now=NOW)
    assert volume[-1] == {"week": "2026-W02", "quadriceps": 100.0}


def test_top_lifts_are_the_most_trained_exercises(session, maya, squat, bench):
    deadlift = make_exercise(session, "Deadlift", "hamstrings")
    row = make_exercise(session, "Barbell Row", "back")
    when = datetime(2026, 1, 5, tzinfo=UTC)
    for exercise, sets in ((squat, 3), (bench, 5), (deadlift, 1), (row, 1)):
        workout = log(session, maya, exercise, when, 5, 100)
        for _ in range(sets - 1):
            log(session, maya, exercise, when, 5, 100, workout=workout)
    for _ in range(10):
        log(session, maya, deadlift, when, 5, 60, set_type="warmup")
    other = make_user(session, "Omar")
    for _ in range(10):
        log(session, other, row, when, 5, 100)

    assert dashboard.top_lifts(session, maya) == [
        (bench.id, "Bench Press"), (squat.id, "Back Squat"), (row.id, "Barbell Row"), (deadlift.id, "Deadlift"),
    ]
    assert dashboard.top_lifts(session, maya, limit=1) == [(bench.id, "Bench Press")]
    assert dashboard.top_lifts(session, other) == [(row.id, "Barbell Row")]


def test_longest_run_crosses_year_ends():
    mondays = [date(2020, 12, 21), date(2020, 12, 28), date(2021, 1, 4), date(2021, 1, 18)]
    assert dashboard.longest_run(mondays) == 3
    assert dashboard.longest_run([]) == 0


def _train_in_weeks(session, user, exercise, mondays):
    for monday in mondays:
        log(session, user, exercise, datetime.combine(monday, time(10), tzinfo=UTC), 5, 100)


# NOW is in the week of Monday 5 January 2026.
W02, W01, W52, W51, W50 = (date(2026, 1, 5) - timedelta(weeks=n) for n in range(5))


def test_current_streak_counts_back_from_this_week(session, maya, squat):
    _train_in_weeks(session, maya, squat, [W02, W01, W52, W50])
    assert dashboard.current_streak_weeks(session, maya, now=NOW) == 3  # W51 broke it
    assert dashboard.longest_streak_weeks(session, maya, now=NOW) == 3


def test_current_streak_holds_while_this_week_is_still_open(session, maya, squat):
    _train_in_weeks(session, maya, squat, [W01, W52, W51])
    assert dashboard.current_streak_weeks(session, maya, now=NOW) == 3
    # A week later, with nothing logged in the week gone by, the streak is over.
    assert dashboard.current_streak_weeks(session, maya, now=NOW + timedelta(weeks=1)) == 0
    assert dashboard.longest_streak_weeks(session, maya, now=NOW + timedelta(weeks=1)) == 3


def test_current_streak_ignores_empty_workouts_warmups_and_later_weeks(session, maya, squat):
    assert dashboard.current_streak_weeks(session, maya, now=NOW) == 0
    assert dashboard.longest_streak_weeks(session, maya, now=NOW) == 0
    _train_in_weeks(session, maya, squat, [W52, W51, W50])  # over before last week
    log(session, maya, squat, datetime(2026, 1, 6, tzinfo=UTC), 5, 60, set_type="warmup")
    session.add(Workout(user_id=maya.id, name="Opened, nothing logged", started_at=datetime(2025, 12, 30, tzinfo=UTC)))
    log(session, make_user(session, "Omar"), squat, datetime(2025, 12, 30, tzinfo=UTC), 5, 100)
    session.flush()
    assert dashboard.current_streak_weeks(session, maya, now=NOW) == 0
    assert dashboard.longest_streak_weeks(session, maya, now=NOW) == 3
    _train_in_weeks(session, maya, squat, [date(2026, 1, 19)])  # a workout dated ahead of now
    assert dashboard.current_streak_weeks(session, maya, now=NOW) == 0


def test_current_streak_uses_the_members_weeks(session, squat):
    sydney = make_user(session, "Aroha", timezone="Australia/Sydney")
    # Sunday 20:00 UTC of 2026-W01 is Monday 07:00 of 2026-W02 in Sydney; the other is mid-W01.
    log(session, sydney, squat, datetime(2026, 1, 4, 20, 0, tzinfo=UTC), 5, 100)
    log(session, sydney, squat, datetime(2025, 12, 31, 9, 0, tzinfo=UTC), 5, 100)
    assert dashboard.current_streak_weeks(session, sydney, now=NOW) == 2
    # In UTC both fall in 2026-W01: one week, counted from last week when this one is still empty.
    utc = make_user(session, "Ute")
    log(session, utc, squat, datetime(2026, 1, 4, 20, 0, tzinfo=UTC), 5, 100)
    log(session, utc, squat, datetime(2025, 12, 31, 9, 0, tzinfo=UTC), 5, 100)
    assert dashboard.current_streak_weeks(session, utc, now=NOW) == 1
