from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from adaptivefit.models import Exercise, FitnessData, PersonalRecord, Plan, PlanDay, PlanExercise, User, Workout, WorkoutSet
from adaptivefit.services.catalog import library
from adaptivefit.services.training import workouts
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.lifting import KG_PER_LB

T0 = datetime(2025, 3, 3, 18, 0, tzinfo=UTC)


@pytest.fixture
def ctx(session):
    library.install_library(session)
    ada = User(email="ada@example.com", name="Ada")
    bob = User(email="bob@example.com", name="Bob")
    session.add_all([ada, bob])
    session.flush()

    def exercise(name):
        return session.exec(select(Exercise).where(Exercise.name == name)).one()

    class Ctx:
        pass

    c = Ctx()
    c.session, c.ada, c.bob = session, ada, bob
    c.squat, c.bench = exercise("Barbell Back Squat"), exercise("Barbell Bench Press")
    c.deadlift = exercise("Conventional Deadlift")
    c.counter = 0

    def log(user, workout, exercise_, reps, load, **kw):
        c.counter += 1
        kw.setdefault("client_id", f"set-{c.counter:06d}")
        kw.setdefault("now", workout.started_at + timedelta(minutes=c.counter))
        return workouts.log_set(session, user, workout.id, exercise_id=exercise_.id, reps=reps, load_kg=load, **kw)

    c.log = log
    return c


def _count(session, model, *where):
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _finished_workout(c, user, when, sets):
    """A past workout with `sets` [(exercise, reps, load, kw)], finished an hour after it started."""
    workout = workouts.start_workout(c.session, user, name="Past", now=when)
    for exercise, reps, load, kw in sets:
        c.log(user, workout, exercise, reps, load, **kw)
    workouts.finish_workout(c.session, user, workout.id, now=when + timedelta(hours=1))
    return workout


def _plan_day(c, user, entries, name="Day A"):
    plan = Plan(user_id=user.id, name="Strength")
    c.session.add(plan)
    c.session.flush()
    day = PlanDay(plan_id=plan.id, week=1, position=1, name=name)
    c.session.add(day)
    c.session.flush()
    for position, (exercise, kw) in enumerate(entries, start=1):
        c.session.add(PlanExercise(day_id=day.id, exercise_id=exercise.id, position=position, **kw))
    c.session.flush()
    return day


# --- starting ---------------------------------------------------------------------------------


def test_start_returns_the_unfinished_workout_instead_of_a_second(ctx):
    c = ctx
    assert workouts.active_workout(c.session, c.ada) is None
    first = workouts.start_workout(c.session, c.ada, now=T0)
    assert first.name == "Workout" and first.started_at == T0 and first.finished_at is None
    assert workouts.start_workout(c.session, c.ada, name="Other").id == first.id
    assert workouts.active_workout(c.session, c.ada).id == first.id
    assert workouts.active_workout(c.session, c.bob) is None
    workouts.finish_workout(c.session, c.ada, first.id, now=T0 + timedelta(minutes=30))
    second = workouts.start_workout(c.session, c.ada, name="  Arms  ", now=T0 + timedelta(days=1))
    assert second.id != first.id and second.name == "Arms"


def test_start_refuses_a_long_name_and_another_members_plan_day(ctx):
    c = ctx
    with pytest.raises(ValidationFailed) as failed:
        workouts.start_workout(c.session, c.ada, name="x" * 121)
    assert failed.value.errors == {"name": "The name can be at most 120 characters."}
    bobs_day = _plan_day(c, c.bob, [(c.squat, {})])
    for day_id in (bobs_day.id, 999_999, "abc"):
        with pytest.raises(ValidationFailed) as failed:
            workouts.start_workout(c.session, c.ada, plan_day_id=day_id)
        assert failed.value.errors == {"plan_day": "No such plan day."}
    assert _count(c.session, Workout, Workout.user_id == c.ada.id) == 0


def test_start_from_a_plan_day_shows_planned_blocks_and_suggested_loads(ctx):
    c = ctx
    # Squat history: 100 x 5 is the baseline, e1RM 116.67; 75 % of it is 87.5 on the plates.
    _finished_workout(c, c.ada, T0 - timedelta(days=3), [(c.squat, 5, 100, {})])
    day = _plan_day(c, c.ada, [
        (c.squat, {"sets": 5, "reps_min": 5, "reps_max": 5, "percent_1rm": 75, "rest_s": 180, "target_rpe": 8}),
        (c.bench, {"sets": 3, "reps_min": 8, "reps_max": 10, "load_kg": 60, "rest_s": 120, "notes": "pause"}),
        (c.deadlift, {"sets": 1, "reps_min": 5, "reps_max": 5, "percent_1rm": 80}),
    ])
    workout = workouts.start_workout(c.session, c.ada, plan_day_id=day.id, now=T0)
    assert workout.name == "Day A" and workout.plan_day_id == day.id

    row = workouts.log_set(c.session, c.ada, workout.id, client_id="planned-0001", exercise_id=c.squat.id,
                           reps=5, load_kg=87.5, now=T0 + timedelta(minutes=5))
    assert row.rest_s == 180  # the plan's rest
    leg_press = c.session.exec(select(Exercise).where(Exercise.name == "Leg Press")).one()
    c.log(c.ada, workout, leg_press, 8, 40)

    view = workouts.workout_view(c.session, c.ada, workout.id, now=T0 + timedelta(minutes=6))
    assert [b.name for b in view.blocks] == [
        "Barbell Back Squat", "Barbell Bench Press", "Conventional Deadlift", "Leg Press",
    ]
    squat, bench, deadlift, press = view.blocks
    assert squat.planned.suggested_load_kg == pytest.approx(87.5)
    assert squat.planned.sets == 5 and squat.planned.target_rpe == 8 and squat.planned.rest_s == 180
    assert [s.set_number for s in squat.sets] == [1]
    assert bench.planned.suggested_load_kg == 60 and bench.planned.notes == "pause" and bench.sets == ()
    assert deadlift.planned.suggested_load_kg is None  # no history, no e1RM to take a share of
    assert press.planned is None and len(press.sets) == 1
    assert squat.previous == ((5, 100.0, None),)


def test_suggested_load_rounds_to_five_pounds_for_a_pound_member(ctx):
    c = ctx
    c.ada.units = "lb"
    c.session.add(c.ada)
    _finished_workout(c, c.ada, T0 - timedelta(days=3), [(c.squat, 5, 100, {})])
    day = _plan_day(c, c.ada, [(c.squat, {"percent_1rm": 70})])
    workout = workouts.start_workout(c.session, c.ada, plan_day_id=day.id, now=T0)
    planned = workouts.workout_view(c.session, c.ada, workout.id).blocks[0].planned
    # 70 % of 116.67 kg is 81.67 kg = 180.04 lb -> 180 lb.
    assert planned.suggested_load_kg == pytest.approx(180 * KG_PER_LB)


# --- logging ---------------------------------------------------------------------------------


def test_log_set_numbers_sets_and_mirrors_them_into_fitness_data(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    when = T0 + timedelta(minutes=3)
    first = workouts.log_set(c.session, c.ada, workout.id, client_id="abcdefgh", exercise_id=str(c.squat.id),
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
    view = workouts.workout_view(c.session, c.ada, workout.id)
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
    real = workouts._by_client_id
    calls = []

    def not_yet_seen(session, user_id, client_id):
        calls.append(client_id)
        return None if len(calls) == 1 else real(session, user_id, client_id)

    monkeypatch.setattr(workouts, "_by_client_id", not_yet_seen)
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
        workouts.log_set(c.session, c.ada, workout.id, **kwargs)
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
        workouts.log_set(c.session, c.ada, workout.id, client_id="?", exercise_id=0, reps="", load_kg="x",
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
        workouts.add_exercise(c.session, c.ada, workout.id, theirs.id)
    with pytest.raises(ValidationFailed):
        workouts.exercise_history(c.session, c.ada, theirs.id)
    assert _count(c.session, WorkoutSet) == 1


def test_sets_go_only_into_an_open_workout_of_ones_own(ctx):
    c = ctx
    bobs = workouts.start_workout(c.session, c.bob, now=T0)
    for workout_id in (bobs.id, 999_999, "x", None):
        with pytest.raises(ValidationFailed) as failed:
            workouts.log_set(c.session, c.ada, workout_id, client_id="valid-client-id", exercise_id=c.squat.id,
                             reps=5, load_kg=100)
        assert failed.value.errors == {"workout": "No such workout."}
    done = _finished_workout(c, c.ada, T0 - timedelta(days=1), [])
    with pytest.raises(ValidationFailed) as failed:
        c.log(c.ada, done, c.squat, 5, 100)
    assert failed.value.errors == {"workout": "This workout is already finished."}
    with pytest.raises(ValidationFailed):
        workouts.add_exercise(c.session, c.ada, done.id, c.squat.id)
    assert _count(c.session, WorkoutSet) == 0 and _count(c.session, FitnessData) == 0


def test_another_members_workout_and_sets_are_out_of_reach(ctx):
    c = ctx
    bobs = workouts.start_workout(c.session, c.bob, now=T0)
    bobs_set = c.log(c.bob, bobs, c.squat, 5, 60)
    c.log(c.bob, bobs, c.squat, 5, 70)
    records_before = _count(c.session, PersonalRecord)
    for call in (
        lambda: workouts.workout_view(c.session, c.ada, bobs.id),
        lambda: workouts.add_exercise(c.session, c.ada, bobs.id, c.bench.id),
        lambda: workouts.finish_workout(c.session, c.ada, bobs.id),
        lambda: workouts.summary(c.session, c.ada, bobs.id),
    ):
        with pytest.raises(ValidationFailed) as failed:
            call()
        assert failed.value.errors == {"workout": "No such workout."}
    for call in (
        lambda: workouts.update_set(c.session, c.ada, bobs_set.id, reps=1, load_kg=1),
        lambda: workouts.delete_set(c.session, c.ada, bobs_set.id),
        lambda: workouts.update_set(c.session, c.ada, 999_999, reps=1),
        lambda: workouts.delete_set(c.session, c.ada, "1; drop"),
    ):
        with pytest.raises(ValidationFailed) as failed:
            call()
        assert failed.value.errors == {"set": "No such set."}
    c.session.expire_all()
    assert c.session.get(Workout, bobs.id).finished_at is None
    stored = c.session.get(WorkoutSet, bobs_set.id)
    assert (stored.reps, stored.load_kg, stored.set_number) == (5, 60, 1)
    assert _count(c.session, WorkoutSet) == 2 and _count(c.session, FitnessData) == 2
    assert _count(c.session, PersonalRecord) == records_before
    assert workouts.exercise_history(c.session, c.ada, c.squat.id) == []


# --- the logger's view -------------------------------------------------------------------------


def test_previous_performance_comes_from_the_last_finished_workout(ctx):
    c = ctx
    _finished_workout(c, c.ada, T0 - timedelta(days=7), [
        (c.squat, 5, 95, {}), (c.bench, 8, 70, {"rpe": 8}),
    ])
    _finished_workout(c, c.ada, T0 - timedelta(days=3), [
        (c.squat, 10, 40, {"set_type": "warmup"}), (c.squat, 5, 100, {"rpe": 7.5}), (c.squat, 4, 100, {"rpe": 9}),
    ])
    bobs = _finished_workout(c, c.bob, T0 - timedelta(days=1), [(c.squat, 5, 200, {})])
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 5, 102.5)
    c.log(c.ada, workout, c.bench, 8, 72.5)
    c.log(c.ada, workout, c.deadlift, 5, 140)
    squat, bench, deadlift = workouts.workout_view(c.session, c.ada, workout.id).blocks
    assert squat.previous == ((5, 100.0, 7.5), (4, 100.0, 9.0))  # warm-up left out
    assert bench.previous == ((8, 70.0, 8.0),)  # from the workout before, where bench was done
    assert deadlift.previous == ()
    assert workouts.workout_view(c.session, c.bob, bobs.id).blocks[0].previous == ()


def test_an_unfinished_workout_is_not_previous_performance(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 5, 100)
    block = workouts.add_exercise(c.session, c.ada, workout.id, c.squat.id)
    assert block.previous == () and len(block.sets) == 1


def test_add_exercise_returns_the_block_to_show_and_stores_nothing(ctx):
    c = ctx
    _finished_workout(c, c.ada, T0 - timedelta(days=2), [(c.bench, 8, 70, {})])
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    block = workouts.add_exercise(c.session, c.ada, workout.id, c.bench.id)
    assert (block.exercise_id, block.name, block.planned, block.sets) == (c.bench.id, "Barbell Bench Press", None, ())
    assert block.previous == ((8, 70.0, None),)
    assert workouts.workout_view(c.session, c.ada, workout.id).blocks == ()
    with pytest.raises(ValidationFailed) as failed:
        workouts.add_exercise(c.session, c.ada, workout.id, 999_999)
    assert failed.value.errors == {"exercise": "Choose an exercise from the library."}


def test_rest_ends_at_runs_from_the_last_set(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    assert workouts.workout_view(c.session, c.ada, workout.id, now=T0).rest_ends_at is None
    at = T0 + timedelta(minutes=10)
    c.log(c.ada, workout, c.squat, 5, 100, now=at - timedelta(minutes=3))
    c.log(c.ada, workout, c.squat, 5, 100, now=at, rest_s=150)
    view = workouts.workout_view(c.session, c.ada, workout.id, now=at + timedelta(seconds=30))
    assert view.rest_ends_at == at + timedelta(seconds=150)
    assert workouts.workout_view(c.session, c.ada, workout.id, now=at + timedelta(seconds=150)).rest_ends_at is None
    assert workouts.workout_view(c.session, c.ada, workout.id, now=at + timedelta(seconds=200)).rest_ends_at is None
    workouts.finish_workout(c.session, c.ada, workout.id, now=at + timedelta(seconds=10))
    assert workouts.workout_view(c.session, c.ada, workout.id, now=at + timedelta(seconds=30)).rest_ends_at is None


# --- editing ---------------------------------------------------------------------------------


def test_update_set_changes_the_set_its_record_and_the_personal_records(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 5, 100)
    typo = c.log(c.ada, workout, c.squat, 5, 1000, rpe=8)
    assert typo.pr_kinds == ("e1rm", "load", "volume")
    fixed = workouts.update_set(c.session, c.ada, typo.id, load_kg="100", rpe="", note="fixed typo")
    assert (fixed.load_kg, fixed.rpe, fixed.note, fixed.reps, fixed.pr_kinds) == (100.0, None, "fixed typo", 5, ())
    assert _count(c.session, PersonalRecord) == 0
    record = c.session.exec(select(FitnessData).where(FitnessData.recorded_at == typo.logged_at)).one()
    assert record.data["load_kg"] == 100.0 and record.data["rpe"] is None and record.data["set_id"] == typo.id
    assert record.data["exercise"] == "Barbell Back Squat"

    warm = workouts.update_set(c.session, c.ada, typo.id, set_type="warmup", reps=3, rir=2)
    assert (warm.set_type, warm.reps, warm.rir, warm.load_kg) == ("warmup", 3, 2, 100.0)
    better = workouts.update_set(c.session, c.ada, typo.id, set_type="working", reps=6)
    assert better.pr_kinds == ("e1rm", "volume", "reps")  # same load is not heavier, but 6 reps beat 5 at it


def test_update_set_validates_and_writes_nothing_when_refused(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    logged = c.log(c.ada, workout, c.squat, 5, 100)
    with pytest.raises(ValidationFailed) as failed:
        workouts.update_set(c.session, c.ada, logged.id, reps=-1, load_kg="x", rpe=12, set_type="big")
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
    workouts.delete_set(c.session, c.ada, heavy.id)
    squat = workouts.workout_view(c.session, c.ada, workout.id).blocks[0]
    assert [(s.set_number, s.load_kg, s.pr_kinds) for s in squat.sets] == [
        (1, 100.0, ()), (2, 110.0, ("e1rm", "load", "volume")),
    ]
    assert _count(c.session, FitnessData) == 3
    assert c.session.get(WorkoutSet, heavy.id) is None
    next_one = c.log(c.ada, workout, c.squat, 5, 100)
    assert next_one.set_number == 3


# --- finishing and history ---------------------------------------------------------------------


def test_finish_gives_duration_volume_sets_and_records_once(ctx):
    c = ctx
    _finished_workout(c, c.ada, T0 - timedelta(days=3), [(c.squat, 5, 100, {}), (c.bench, 5, 80, {})])
    workout = workouts.start_workout(c.session, c.ada, name="Heavy day", now=T0)
    c.log(c.ada, workout, c.squat, 10, 60, set_type="warmup")
    c.log(c.ada, workout, c.squat, 5, 105)
    c.log(c.ada, workout, c.squat, 3, 112.5)
    c.log(c.ada, workout, c.bench, 5, 80)
    c.log(c.ada, workout, c.bench, 8, 50, set_type="drop")
    summary = workouts.finish_workout(c.session, c.ada, workout.id, now=T0 + timedelta(minutes=52, seconds=5))
    assert (summary.id, summary.name, summary.duration_s, summary.set_count) == (workout.id, "Heavy day", 3125, 5)
    assert summary.volume_kg == pytest.approx(525 + 337.5 + 400 + 400)  # warm-up left out, drop set in
    assert summary.prs == (
        "Barbell Back Squat: new e1RM 123.8 kg",  # 112.5 x 3 = 123.75 beats 105 x 5 = 122.5
        "Barbell Back Squat: new heaviest load 112.5 kg",
        "Barbell Back Squat: new best set volume 525 kg",
    )
    again = workouts.finish_workout(c.session, c.ada, workout.id, now=T0 + timedelta(hours=5))
    assert again == summary == workouts.summary(c.session, c.ada, workout.id)
    assert workouts.active_workout(c.session, c.ada) is None


def test_summary_shows_records_in_the_members_units(ctx):
    c = ctx
    c.ada.units = "lb"
    c.session.add(c.ada)
    _finished_workout(c, c.ada, T0 - timedelta(days=3), [(c.bench, 1, 100 * KG_PER_LB, {})])
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.bench, 1, 225 * KG_PER_LB)
    assert workouts.finish_workout(c.session, c.ada, workout.id, now=T0 + timedelta(minutes=20)).prs == (
        "Barbell Bench Press: new e1RM 225 lb",
        "Barbell Bench Press: new heaviest load 225 lb",
        "Barbell Bench Press: new best set volume 225 lb",
    )


def test_summary_names_rep_records_with_their_load(ctx):
    c = ctx
    _finished_workout(c, c.ada, T0 - timedelta(days=3), [(c.bench, 8, 60, {}), (c.bench, 5, 70, {})])
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    assert c.log(c.ada, workout, c.bench, 9, 60).pr_kinds == ("volume", "reps")  # 78 e1RM < 70 x 5's 81.7
    assert c.log(c.ada, workout, c.bench, 10, 60).pr_kinds == ("volume", "reps")
    assert c.log(c.ada, workout, c.bench, 6, 70).pr_kinds == ("e1rm", "reps")
    assert workouts.finish_workout(c.session, c.ada, workout.id, now=T0 + timedelta(minutes=30)).prs == (
        "Barbell Bench Press: new e1RM 84 kg",
        "Barbell Bench Press: new best set volume 600 kg",
        "Barbell Bench Press: 6 reps at 70 kg",  # heaviest first; 9 at 60 is left out for 10 at 60
        "Barbell Bench Press: 10 reps at 60 kg",
    )


def test_a_rep_record_matched_at_a_heavier_load_in_the_same_workout_is_one_line(ctx):
    c = ctx
    c.ada.units = "lb"
    c.session.add(c.ada)
    _finished_workout(c, c.ada, T0 - timedelta(days=3), [(c.squat, 5, 225 * KG_PER_LB, {})])
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 8, 185 * KG_PER_LB)
    c.log(c.ada, workout, c.squat, 8, 205 * KG_PER_LB)
    prs = workouts.finish_workout(c.session, c.ada, workout.id, now=T0 + timedelta(minutes=30)).prs
    assert [line for line in prs if " reps at " in line] == ["Barbell Back Squat: 8 reps at 205 lb"]


def test_exercise_history_lists_finished_workouts_newest_first(ctx):
    c = ctx
    days = [T0 - timedelta(days=d) for d in (9, 6, 3)]
    for n, day in enumerate(days):
        _finished_workout(c, c.ada, day, [(c.squat, 5, 100 + 5 * n, {}), (c.squat, 5, 100 + 5 * n, {})])
    _finished_workout(c, c.ada, T0 - timedelta(days=1), [(c.bench, 5, 80, {})])
    _finished_workout(c, c.bob, T0 - timedelta(days=2), [(c.squat, 5, 300, {})])
    open_workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, open_workout, c.squat, 5, 150)

    history = workouts.exercise_history(c.session, c.ada, c.squat.id)
    assert [when for when, _ in history] == list(reversed(days))
    assert [[(s.set_number, s.load_kg) for s in sets] for _, sets in history] == [
        [(1, 110.0), (2, 110.0)], [(1, 105.0), (2, 105.0)], [(1, 100.0), (2, 100.0)],
    ]
    assert history[0][1][0].pr_kinds == ("e1rm", "load", "volume")
    latest_two = workouts.exercise_history(c.session, c.ada, c.squat.id, limit=2)
    assert [when for when, _ in latest_two] == list(reversed(days))[:2]
    assert workouts.exercise_history(c.session, c.ada, c.deadlift.id) == []
