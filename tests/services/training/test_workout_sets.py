from datetime import timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import Exercise, FitnessData, PersonalRecord, WorkoutSet
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.training import workout_sets, workout_view, workouts
from tests.services.training.workout_fixtures import T0, ctx  # noqa: F401  (fixture)
from tests.services.training.workout_fixtures import count as _count
from tests.services.training.workout_fixtures import finished_workout as _finished_workout


# --- logging ---------------------------------------------------------------------------------


def test_log_set_numbers_sets_and_mirrors_them_into_fitness_data(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    when = T0 + timedelta(minutes=3)
    first = workout_sets.log_set(c.session, c.ada, workout.id, client_id="abcdefgh", exercise_id=str(c.squat.id),
                             reps="5", load_kg="102,5", rpe="8.5", rir="1", note="  easy  ", now=when)
    assert (first.set_number, first.reps, first.load_kg, first.rpe, first.rir, first.note) == (1, 5, 102.5, 8.5, 1, "easy")
    assert first.set_type == "working" and first.rest_s == 90 and first.logged_at == when and first.pr_kinds == ()
    warmup = c.log(c.ada, workout, c.bench, 10, 40, set_type="warmup")
    assert (warmup.set_number, warmup.rest_s) == (1, 60)
    second = c.log(c.ada, workout, c.squat, 5, 102.5, rest_s="150", rpe="")
    assert (second.set_number, second.rest_s, second.rpe) == (2, 150, None)

    record = c.session.exec(select(FitnessData).where(FitnessData.user_id == c.ada.id).order_by(FitnessData.id)).first()
    assert record.type == "workout" and record.recorded_at == when
    assert record.data == {"set_id": first.id, "workout_id": workout.id, "exercise_id": c.squat.id,
                           "exercise": "Barbell Back Squat", "reps": 5, "load_kg": 102.5, "rpe": 8.5, "rir": 1,
                           "set_type": "working"}
    assert _count(c.session, FitnessData, FitnessData.type == "workout") == 3


def test_log_set_announces_records_after_the_baseline(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    assert c.log(c.ada, workout, c.squat, 5, 100).pr_kinds == ()
    assert c.log(c.ada, workout, c.squat, 5, 100).pr_kinds == ()
    assert c.log(c.ada, workout, c.squat, 5, 110).pr_kinds == ("e1rm", "load", "volume")
    assert c.log(c.ada, workout, c.squat, 5, 140, set_type="warmup").pr_kinds == ()
    view = workout_view.workout_view(c.session, c.ada, workout.id)
    assert [s.pr_kinds for s in view.blocks[0].sets] == [(), (), ("e1rm", "load", "volume"), ()]


def test_the_same_client_id_logs_once(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 5, 100, client_id="retry-me-1")
    first = c.log(c.ada, workout, c.squat, 5, 110, client_id="retry-me-2")
    again = c.log(c.ada, workout, c.squat, 8, 60, client_id="retry-me-2", note="different")
    assert again == first and again.pr_kinds == ("e1rm", "load", "volume")
    workouts.finish_workout(c.session, c.ada, workout.id)
    assert c.log(c.ada, workout, c.squat, 5, 110, client_id="retry-me-2") == first  # a late resend
    assert _count(c.session, WorkoutSet) == 2
    assert _count(c.session, FitnessData) == 2
    assert _count(c.session, PersonalRecord) == 3


def test_a_racing_duplicate_returns_the_set_the_other_request_wrote(ctx, monkeypatch):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    first = c.log(c.ada, workout, c.squat, 5, 100, client_id="raced-id-1")
    real = workout_sets._by_client_id
    calls = []

    def not_yet_seen(session, user_id, client_id):
        calls.append(client_id)
        return None if len(calls) == 1 else real(session, user_id, client_id)

    monkeypatch.setattr(workout_sets, "_by_client_id", not_yet_seen)
    again = c.log(c.ada, workout, c.squat, 5, 100, client_id="raced-id-1")
    assert again == first and len(calls) == 2
    assert _count(c.session, WorkoutSet) == 1 and _count(c.session, FitnessData) == 1


def test_logging_stays_inside_the_callers_transaction(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.session.commit()
    c.log(c.ada, workout, c.squat, 5, 100)
    c.session.rollback()
    assert _count(c.session, WorkoutSet) == 0 and _count(c.session, FitnessData) == 0


def test_the_same_client_id_is_free_for_another_member(ctx):
    c = ctx
    mine = workouts.start_workout(c.session, c.ada, now=T0)
    theirs = workouts.start_workout(c.session, c.bob, now=T0)
    a = c.log(c.ada, mine, c.squat, 5, 100, client_id="shared-id")
    b = c.log(c.bob, theirs, c.squat, 5, 60, client_id="shared-id")
    assert a.id != b.id and b.load_kg == 60


MESSAGES = {
    "reps": "Reps must be a whole number from 0 to 1000.",
    "load_kg": "Load must be a number from 0 to 1000 kg.",
    "rpe": "RPE must be from 1 to 10 in steps of 0.5, or left empty.",
    "rir": "Reps in reserve must be a whole number from 0 to 10, or left empty.",
    "set_type": "Set type must be warm-up, working or drop.",
    "note": "The note can be at most 500 characters.",
    "rest_s": "Rest must be a whole number of seconds from 0 to 3600.",
    "client_id": "This entry has no valid id; reload the page and try again.",
    "exercise": "Choose an exercise from the library.",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reps", "five"), ("reps", -1), ("reps", 1001), ("reps", 5.5), ("reps", "5.5"), ("reps", True), ("reps", None),
        ("load_kg", "heavy"), ("load_kg", -0.5), ("load_kg", 1000.5), ("load_kg", float("nan")), ("load_kg", "nan"),
        ("load_kg", float("inf")), ("load_kg", "-inf"), ("load_kg", None), ("load_kg", ""),
        ("rpe", 0.5), ("rpe", 10.5), ("rpe", 7.3), ("rpe", "hard"), ("rpe", "nan"),
        ("rir", -1), ("rir", 11), ("rir", 2.5), ("rir", "x"),
        ("set_type", "heavy"), ("set_type", None), ("set_type", 1),
        ("note", "n" * 501), ("note", 42),
        ("rest_s", -5), ("rest_s", 3601), ("rest_s", "long"),
        ("client_id", "short"), ("client_id", "has spaces!"), ("client_id", "x" * 65), ("client_id", ""),
        ("client_id", None),
        ("exercise", 999_999), ("exercise", "squat"), ("exercise", None),
    ],
)
def test_each_bad_field_is_refused_with_its_message_and_nothing_written(ctx, field, value):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    kwargs = {"client_id": "valid-client-id", "exercise_id": c.squat.id, "reps": 5, "load_kg": 100}
    kwargs["exercise_id" if field == "exercise" else field] = value
    with pytest.raises(ValidationFailed) as failed:
        workout_sets.log_set(c.session, c.ada, workout.id, **kwargs)
    assert failed.value.errors == {field: MESSAGES[field]}
    assert _count(c.session, WorkoutSet) == 0 and _count(c.session, FitnessData) == 0


def test_edge_values_are_accepted(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    low = c.log(c.ada, workout, c.squat, 0, 0, rpe=1, rir=0, rest_s=0, client_id="a" * 8, note="n" * 500)
    high = c.log(c.ada, workout, c.squat, "1000", "1000", rpe="10", rir="10", rest_s=3600, client_id="Z_-9" * 16,
                 set_type=" Drop ")
    assert (low.reps, low.load_kg, low.rpe, low.rir, low.rest_s) == (0, 0.0, 1.0, 0, 0)
    assert (high.reps, high.load_kg, high.rpe, high.rir, high.set_type) == (1000, 1000.0, 10.0, 10, "drop")


def test_every_bad_field_is_reported_at_once(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    with pytest.raises(ValidationFailed) as failed:
        workout_sets.log_set(c.session, c.ada, workout.id, client_id="?", exercise_id=0, reps="", load_kg="x",
                         rpe=11, rir=20, set_type="max", note="n" * 600, rest_s=-1)
    assert failed.value.errors == MESSAGES


def test_exercises_must_be_shared_or_the_members_own(ctx):
    c = ctx
    mine = Exercise(name="Ada's Sled Push", slug="ada-sled-push", category="conditioning", primary_muscle="quadriceps",
                    owner_id=c.ada.id)
    theirs = Exercise(name="Bob's Thing", slug="bob-thing", category="strength", primary_muscle="biceps",
                      owner_id=c.bob.id)
    c.session.add_all([mine, theirs])
    c.session.flush()
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    assert c.log(c.ada, workout, mine, 10, 50).exercise_id == mine.id
    with pytest.raises(ValidationFailed) as failed:
        c.log(c.ada, workout, theirs, 10, 50)
    assert failed.value.errors == {"exercise": MESSAGES["exercise"]}
    with pytest.raises(ValidationFailed):
        workout_view.add_exercise(c.session, c.ada, workout.id, theirs.id)
    with pytest.raises(ValidationFailed):
        workout_view.exercise_history(c.session, c.ada, theirs.id)
    assert _count(c.session, WorkoutSet) == 1


def test_sets_go_only_into_an_open_workout_of_ones_own(ctx):
    c = ctx
    bobs = workouts.start_workout(c.session, c.bob, now=T0)
    for workout_id in (bobs.id, 999_999, "x", None):
        with pytest.raises(NotYours, match="That workout was not found in your account."):
            workout_sets.log_set(c.session, c.ada, workout_id, client_id="valid-client-id", exercise_id=c.squat.id,
                                 reps=5, load_kg=100)
    done = _finished_workout(c, c.ada, T0 - timedelta(days=1), [])
    with pytest.raises(ValidationFailed) as failed:
        c.log(c.ada, done, c.squat, 5, 100)
    assert failed.value.errors == {"workout": "This workout is already finished."}
    with pytest.raises(ValidationFailed):
        workout_view.add_exercise(c.session, c.ada, done.id, c.squat.id)
    assert _count(c.session, WorkoutSet) == 0 and _count(c.session, FitnessData) == 0


# --- editing ---------------------------------------------------------------------------------


def test_update_set_changes_the_set_its_record_and_the_personal_records(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 5, 100)
    typo = c.log(c.ada, workout, c.squat, 5, 1000, rpe=8)
    assert typo.pr_kinds == ("e1rm", "load", "volume")
    fixed = workout_sets.update_set(c.session, c.ada, typo.id, load_kg="100", rpe="", note="fixed typo")
    assert (fixed.load_kg, fixed.rpe, fixed.note, fixed.reps, fixed.pr_kinds) == (100.0, None, "fixed typo", 5, ())
    assert _count(c.session, PersonalRecord) == 0
    record = c.session.exec(select(FitnessData).where(FitnessData.recorded_at == typo.logged_at)).one()
    assert record.data["load_kg"] == 100.0 and record.data["rpe"] is None and record.data["set_id"] == typo.id
    assert record.data["exercise"] == "Barbell Back Squat"

    warm = workout_sets.update_set(c.session, c.ada, typo.id, set_type="warmup", reps=3, rir=2)
    assert (warm.set_type, warm.reps, warm.rir, warm.load_kg) == ("warmup", 3, 2, 100.0)
    better = workout_sets.update_set(c.session, c.ada, typo.id, set_type="working", reps=6)
    assert better.pr_kinds == ("e1rm", "volume", "reps")  # same load is not heavier, but 6 reps beat 5 at it


def test_update_set_validates_and_writes_nothing_when_refused(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    logged = c.log(c.ada, workout, c.squat, 5, 100)
    with pytest.raises(ValidationFailed) as failed:
        workout_sets.update_set(c.session, c.ada, logged.id, reps=-1, load_kg="x", rpe=12, set_type="big")
    assert failed.value.errors == {k: MESSAGES[k] for k in ("reps", "load_kg", "rpe", "set_type")}
    c.session.expire_all()
    stored = c.session.get(WorkoutSet, logged.id)
    assert (stored.reps, stored.load_kg, stored.rpe, stored.set_type) == (5, 100.0, None, "working")


def test_delete_set_renumbers_and_rebuilds(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 5, 100)
    heavy = c.log(c.ada, workout, c.squat, 5, 120)
    c.log(c.ada, workout, c.bench, 5, 80)
    last = c.log(c.ada, workout, c.squat, 5, 110)
    assert heavy.pr_kinds and not last.pr_kinds
    workout_sets.delete_set(c.session, c.ada, heavy.id)
    squat = workout_view.workout_view(c.session, c.ada, workout.id).blocks[0]
    assert [(s.set_number, s.load_kg, s.pr_kinds) for s in squat.sets] == [
        (1, 100.0, ()), (2, 110.0, ("e1rm", "load", "volume")),
    ]
    assert _count(c.session, FitnessData) == 3
    assert c.session.get(WorkoutSet, heavy.id) is None
    next_one = c.log(c.ada, workout, c.squat, 5, 100)
    assert next_one.set_number == 3
