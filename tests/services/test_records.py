from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import Exercise, PersonalRecord, User, Workout, WorkoutSet
from adaptivefit.services import catalog, records
from adaptivefit.services.training_math import e1rm

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def gym(session):
    catalog.install_library(session)
    user = User(email="ada@example.com", name="Ada")
    other = User(email="bob@example.com", name="Bob")
    session.add_all([user, other])
    session.flush()
    workout = Workout(user_id=user.id, name="Legs", started_at=T0)
    session.add(workout)
    session.flush()
    squat = session.exec(select(Exercise).where(Exercise.name == "Barbell Back Squat")).one()
    bench = session.exec(select(Exercise).where(Exercise.name == "Barbell Bench Press")).one()
    return user, other, workout, squat, bench


class Logger:
    """Adds sets straight to the table, one minute apart, and runs the record check on each."""

    def __init__(self, session, user, workout):
        self.session, self.user, self.workout, self.minute = session, user, workout, 0

    def __call__(self, exercise, load, reps, *, rpe=None, rir=None, set_type="working", check=True):
        self.minute += 1
        row = WorkoutSet(
            workout_id=self.workout.id, user_id=self.user.id, exercise_id=exercise.id, client_id=f"client-{self.minute:04d}",
            set_number=self.minute, set_type=set_type, reps=reps, load_kg=load, rpe=rpe, rir=rir,
            logged_at=T0 + timedelta(minutes=self.minute),
        )
        self.session.add(row)
        self.session.flush()
        kinds = records.update_records(self.session, self.user.id, row) if check else None
        return row, kinds


def _rows(session, user_id):
    return sorted(
        (r.exercise_id, r.kind, round(r.value, 3), r.set_id)
        for r in session.exec(select(PersonalRecord).where(PersonalRecord.user_id == user_id)).all()
    )


def test_first_set_is_the_baseline_and_better_sets_are_records(session, gym):
    user, _, workout, squat, _ = gym
    log = Logger(session, user, workout)

    _, kinds = log(squat, 100, 5)
    assert kinds == []
    assert session.exec(select(PersonalRecord)).all() == []
    assert records.best(session, user.id, squat.id, "load") == 100
    assert records.best(session, user.id, squat.id, "e1rm") == pytest.approx(e1rm(100, 5))

    heavier, kinds = log(squat, 105, 5)
    assert kinds == ["e1rm", "load", "volume"]
    saved = session.exec(select(PersonalRecord).where(PersonalRecord.set_id == heavier.id)).all()
    assert {r.kind: r.value for r in saved} == pytest.approx({"e1rm": 105 * (1 + 5 / 30), "load": 105, "volume": 525})
    assert all(r.achieved_at == heavier.logged_at for r in saved)

    _, kinds = log(squat, 105, 5)
    assert kinds == []  # equal is not a record

    _, kinds = log(squat, 90, 10)
    assert kinds == ["volume"]  # 900 kg in a set, but its 120 e1RM is below 122.5

    _, kinds = log(squat, 95, 10)
    assert kinds == ["e1rm", "volume"]  # 126.7 e1RM and 950 kg, but not the heaviest
    assert records.best(session, user.id, squat.id, "load") == 105
    assert records.best(session, user.id, squat.id, "volume") == 950


def test_warmups_drops_and_zero_rep_sets_do_not_count(session, gym):
    user, _, workout, squat, _ = gym
    log = Logger(session, user, workout)
    assert log(squat, 200, 5, set_type="warmup")[1] == []
    assert records.best(session, user.id, squat.id, "load") is None
    log(squat, 100, 5)
    assert log(squat, 150, 5, set_type="warmup")[1] == []
    assert log(squat, 150, 5, set_type="drop")[1] == []
    assert log(squat, 150, 0)[1] == []
    assert session.exec(select(PersonalRecord)).all() == []


def test_rpe_and_rir_raise_the_estimate(session, gym):
    user, _, workout, squat, _ = gym
    log = Logger(session, user, workout)
    log(squat, 100, 5, rpe=10)
    assert log(squat, 100, 5, rpe=8)[1] == ["e1rm"]
    assert records.best(session, user.id, squat.id, "e1rm") == pytest.approx(100 * (1 + 7 / 30))
    assert log(squat, 100, 5, rir=3)[1] == ["e1rm"]  # RIR stands in for a missing RPE
    assert records.best(session, user.id, squat.id, "e1rm") == pytest.approx(100 * (1 + 8 / 30))


def test_exercises_and_members_are_separate(session, gym):
    user, other, workout, squat, bench = gym
    log = Logger(session, user, workout)
    log(squat, 100, 5)
    assert log(bench, 120, 5)[1] == []  # first bench set is its own baseline
    other_workout = Workout(user_id=other.id, name="Other", started_at=T0)
    session.add(other_workout)
    session.flush()
    other_log = Logger(session, other, other_workout)
    assert other_log(squat, 60, 5)[1] == []
    assert records.best(session, other.id, squat.id, "load") == 60
    assert records.best(session, user.id, squat.id, "load") == 100


def test_rebuild_after_a_delete_and_an_edit(session, gym):
    user, _, workout, squat, bench = gym
    log = Logger(session, user, workout)
    log(squat, 100, 5)
    middle, _ = log(squat, 110, 5)
    last, kinds = log(squat, 115, 3)
    assert kinds == ["load"]  # its 126.5 e1RM and 345 kg do not beat 128.3 and 550
    log(bench, 80, 5)
    log(bench, 85, 5)
    before = _rows(session, user.id)

    records.rebuild_records(session, user.id)
    assert _rows(session, user.id) == before

    session.delete(middle)
    session.flush()
    records.rebuild_records(session, user.id, squat.id)
    squat_rows = [r for r in _rows(session, user.id) if r[0] == squat.id]
    assert squat_rows == [(squat.id, "e1rm", round(115 * (1 + 3 / 30), 3), last.id), (squat.id, "load", 115.0, last.id)]
    assert [r for r in _rows(session, user.id) if r[0] == bench.id] == [r for r in before if r[0] == bench.id]

    last.load_kg = 90
    session.add(last)
    session.flush()
    records.rebuild_records(session, user.id, squat.id)
    assert [r for r in _rows(session, user.id) if r[0] == squat.id] == []
    assert records.best(session, user.id, squat.id, "load") == 100


def test_rebuild_follows_time_not_insertion_order(session, gym):
    user, _, workout, squat, _ = gym
    log = Logger(session, user, workout)
    late, _ = log(squat, 100, 5, check=False)
    early, _ = log(squat, 90, 5, check=False)
    early.logged_at = T0 - timedelta(days=7)  # an imported, older set
    session.add(early)
    session.flush()
    records.rebuild_records(session, user.id)
    assert [(kind, set_id) for _, kind, _, set_id in _rows(session, user.id)] == sorted(
        [("e1rm", late.id), ("load", late.id), ("volume", late.id)]
    )


def test_recent_records_newest_first(session, gym):
    user, other, workout, squat, bench = gym
    log = Logger(session, user, workout)
    log(squat, 100, 5)
    log(squat, 102.5, 5)
    log(bench, 80, 5)
    log(bench, 82.5, 5)
    rows = records.recent_records(session, user.id, limit=10)
    assert [r.exercise_name for r in rows] == ["Barbell Bench Press"] * 3 + ["Barbell Back Squat"] * 3
    assert {r.kind for r in rows[:3]} == {"e1rm", "load", "volume"}
    assert rows[0].achieved_at > rows[-1].achieved_at
    assert len(records.recent_records(session, user.id, limit=2)) == 2
    assert records.recent_records(session, other.id) == []


def test_unknown_kind_is_refused(session, gym):
    user, _, _, squat, _ = gym
    with pytest.raises(ValueError):
        records.best(session, user.id, squat.id, "reps")
