from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import Exercise, PersonalRecord, User, Workout, WorkoutSet
from adaptivefit.services.catalog import library
from adaptivefit.services.training import records
from adaptivefit.services.core.lifting import e1rm

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def gym(session):
    library.install_library(session)
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
    assert kinds == ["volume", "reps"]  # 900 kg in a set, but its 120 e1RM is below 122.5; 10 reps beat 5 at 90+ kg

    _, kinds = log(squat, 95, 10)
    assert kinds == ["e1rm", "volume", "reps"]  # 126.7 e1RM and 950 kg, but not the heaviest
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


# Rep records: the most reps at a load or heavier.


def test_more_reps_at_a_load_is_a_rep_record(session, gym):
    user, _, workout, squat, _ = gym
    log = Logger(session, user, workout)
    assert log(squat, 100, 8)[1] == []  # the baseline
    assert log(squat, 110, 3)[1] == ["load"]  # nothing done at 110 or heavier yet: no rep record
    rep_set, kinds = log(squat, 110, 4)
    assert kinds == ["reps"]  # its 124.7 e1RM and 440 kg are below 126.7 and 800
    saved = session.exec(select(PersonalRecord).where(PersonalRecord.set_id == rep_set.id)).one()
    assert (saved.kind, saved.value, saved.achieved_at) == ("reps", 4, rep_set.logged_at)
    assert log(squat, 105, 4)[1] == []  # 4 reps were already done at 110, which is heavier
    assert log(squat, 105, 5)[1] == ["reps"]
    assert log(squat, 110, 4)[1] == []  # equal is not a record
    assert log(squat, 100, 8)[1] == []  # 8 at 100 was the baseline
    assert log(squat, 100, 9)[1] == ["e1rm", "volume", "reps"]
    assert log(squat, 100, 20, set_type="warmup")[1] == []
    assert log(squat, 100, 10, set_type="drop")[1] == []
    assert log(squat, 100, 10)[1] == ["e1rm", "volume", "reps"]  # the drop set did not count


def test_rep_records_compare_loads_rounded_to_half_a_kilo(session, gym):
    user, _, workout, _, bench = gym
    log = Logger(session, user, workout)
    log(bench, 60, 8)
    # 60.2 kg (about 132.7 lb) is 60 kg to the half kilo: 9 reps there beat the 8 at 60 kg.
    assert "reps" in log(bench, 60.2, 9)[1]
    assert log(bench, 59.8, 9)[1] == []  # also 60 kg: 9 reps were done
    # 60.3 kg rounds to 60.5: nothing has been done at 60.5 kg or heavier, so it is only heavier.
    assert log(bench, 60.3, 9)[1] == ["e1rm", "load", "volume"]
    assert records.most_reps_at(session, user.id, bench.id, 60.4) == 9
    assert records.most_reps_at(session, user.id, bench.id, 59.76) == 9
    assert records.most_reps_at(session, user.id, bench.id, 60.75) is None


def test_rep_records_are_per_member_and_exercise(session, gym):
    user, other, workout, squat, bench = gym
    log = Logger(session, user, workout)
    log(squat, 100, 5)
    assert log(bench, 100, 6)[1] == []  # squat sets say nothing about the bench
    other_workout = Workout(user_id=other.id, name="Other", started_at=T0)
    session.add(other_workout)
    session.flush()
    assert Logger(session, other, other_workout)(squat, 100, 6)[1] == []
    assert records.most_reps_at(session, other.id, squat.id, 100) == 6
    assert records.most_reps_at(session, user.id, squat.id, 100) == 5


def test_only_earlier_sets_count_towards_a_rep_record(session, gym):
    user, _, workout, squat, _ = gym
    log = Logger(session, user, workout)
    log(squat, 80, 5, check=False)
    later, _ = log(squat, 80, 12, check=False)
    now, _ = log(squat, 80, 10, check=False)
    now.logged_at = later.logged_at - timedelta(seconds=30)  # logged between the two
    session.add(now)
    session.flush()
    assert records.update_records(session, user.id, now) == ["e1rm", "volume", "reps"]
    assert records.most_reps_at(session, user.id, squat.id, 80, before=now) == 5
    assert records.most_reps_at(session, user.id, squat.id, 80) == 12


def test_rep_records_rebuild_the_same_as_they_were_logged(session, gym):
    user, _, workout, squat, bench = gym
    log = Logger(session, user, workout)
    log(squat, 100, 8)
    log(squat, 110, 3)
    log(squat, 110, 4)
    log(squat, 105, 5)
    log(squat, 60.2, 9)
    log(bench, 60, 8)
    log(bench, 60.2, 9)
    before = _rows(session, user.id)
    assert sum(1 for row in before if row[1] == "reps") == 4

    records.rebuild_records(session, user.id)
    assert _rows(session, user.id) == before


def _reference(sets):
    """Brute force over a list of (load, reps) in time order: the rep records as (index, reps)."""
    found = []
    for i, (load, reps) in enumerate(sets):
        rounded = round(load * 2) / 2
        earlier = [r for load_, r in sets[:i] if round(load_ * 2) / 2 >= rounded]
        if earlier and reps > max(earlier):
            found.append((i, reps))
    return found


@pytest.mark.parametrize("step", [2.5, 0.1])
def test_rep_records_match_a_brute_force_count(session, gym, step):
    import random

    user, _, workout, squat, _ = gym
    rng = random.Random(7)
    # Loads on a 2.5 kg or 0.1 kg grid: never on a .25 edge, where Python's round() goes to even.
    sets = [(round(rng.randint(0, int(50 / step)) * step, 1), rng.randint(1, 15)) for _ in range(150)]
    log = Logger(session, user, workout)
    logged = [log(squat, load, reps)[0] for load, reps in sets]
    expected = [(logged[i].id, float(reps)) for i, reps in _reference(sets)]
    assert len(expected) >= 5

    def rep_rows():
        return sorted(
            (r.set_id, r.value)
            for r in session.exec(select(PersonalRecord).where(PersonalRecord.kind == "reps")).all()
        )

    assert rep_rows() == sorted(expected)
    records.rebuild_records(session, user.id, squat.id)
    assert rep_rows() == sorted(expected)


def test_recent_records_carry_the_load_of_a_rep_record(session, gym):
    user, _, workout, squat, _ = gym
    log = Logger(session, user, workout)
    log(squat, 100, 5)
    log(squat, 100, 6)
    rows = records.recent_records(session, user.id)
    assert [(r.kind, r.value, r.load_kg) for r in rows] == [  # newest first: the last written first
        ("reps", 6.0, 100.0), ("volume", 600.0, None), ("e1rm", pytest.approx(120.0), None),
    ]
    set_ids = session.exec(select(WorkoutSet.id).order_by(WorkoutSet.id)).all()
    assert records.records_for_sets(session, set_ids) == {set_ids[1]: ("e1rm", "volume", "reps")}
    # A record row from before load_kg existed still builds.
    assert records.RecordRow(squat.id, "Squat", "load", 100.0, T0).load_kg is None
