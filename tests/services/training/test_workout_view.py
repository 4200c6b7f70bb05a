from datetime import timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import Exercise
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.units import KG_PER_LB
from adaptivefit.services.training import workout_sets, workout_view, workouts
from tests.services.training.workout_fixtures import T0, ctx  # noqa: F401  (fixture)
from tests.services.training.workout_fixtures import finished_workout as _finished_workout
from tests.services.training.workout_fixtures import plan_day as _plan_day


# --- planned exercises ---------------------------------------------------------------------


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

    row = workout_sets.log_set(c.session, c.ada, workout.id, client_id="planned-0001", exercise_id=c.squat.id,
                           reps=5, load_kg=87.5, now=T0 + timedelta(minutes=5))
    assert row.rest_s == 180  # the plan's rest
    leg_press = c.session.exec(select(Exercise).where(Exercise.name == "Leg Press")).one()
    c.log(c.ada, workout, leg_press, 8, 40)

    view = workout_view.workout_view(c.session, c.ada, workout.id, now=T0 + timedelta(minutes=6))
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
    planned = workout_view.workout_view(c.session, c.ada, workout.id).blocks[0].planned
    # 70 % of 116.67 kg is 81.67 kg = 180.04 lb -> 180 lb.
    assert planned.suggested_load_kg == pytest.approx(180 * KG_PER_LB)


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
    squat, bench, deadlift = workout_view.workout_view(c.session, c.ada, workout.id).blocks
    assert squat.previous == ((5, 100.0, 7.5), (4, 100.0, 9.0))  # warm-up left out
    assert bench.previous == ((8, 70.0, 8.0),)  # from the workout before, where bench was done
    assert deadlift.previous == ()
    assert workout_view.workout_view(c.session, c.bob, bobs.id).blocks[0].previous == ()


def test_an_unfinished_workout_is_not_previous_performance(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 5, 100)
    block = workout_view.add_exercise(c.session, c.ada, workout.id, c.squat.id)
    assert block.previous == () and len(block.sets) == 1


def test_add_exercise_returns_the_block_to_show_and_stores_nothing(ctx):
    c = ctx
    _finished_workout(c, c.ada, T0 - timedelta(days=2), [(c.bench, 8, 70, {})])
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    block = workout_view.add_exercise(c.session, c.ada, workout.id, c.bench.id)
    assert (block.exercise_id, block.name, block.planned, block.sets) == (c.bench.id, "Barbell Bench Press", None, ())
    assert block.previous == ((8, 70.0, None),)
    assert workout_view.workout_view(c.session, c.ada, workout.id).blocks == ()
    with pytest.raises(ValidationFailed) as failed:
        workout_view.add_exercise(c.session, c.ada, workout.id, 999_999)
    assert failed.value.errors == {"exercise": "Choose an exercise from the library."}


def test_rest_ends_at_runs_from_the_last_set(ctx):
    c = ctx
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    assert workout_view.workout_view(c.session, c.ada, workout.id, now=T0).rest_ends_at is None
    at = T0 + timedelta(minutes=10)
    c.log(c.ada, workout, c.squat, 5, 100, now=at - timedelta(minutes=3))
    c.log(c.ada, workout, c.squat, 5, 100, now=at, rest_s=150)
    view = workout_view.workout_view(c.session, c.ada, workout.id, now=at + timedelta(seconds=30))
    assert view.rest_ends_at == at + timedelta(seconds=150)
    assert workout_view.workout_view(c.session, c.ada, workout.id, now=at + timedelta(seconds=150)).rest_ends_at is None
    assert workout_view.workout_view(c.session, c.ada, workout.id, now=at + timedelta(seconds=200)).rest_ends_at is None
    workouts.finish_workout(c.session, c.ada, workout.id, now=at + timedelta(seconds=10))
    assert workout_view.workout_view(c.session, c.ada, workout.id, now=at + timedelta(seconds=30)).rest_ends_at is None


def test_exercise_history_lists_finished_workouts_newest_first(ctx):
    c = ctx
    days = [T0 - timedelta(days=d) for d in (9, 6, 3)]
    for n, day in enumerate(days):
        _finished_workout(c, c.ada, day, [(c.squat, 5, 100 + 5 * n, {}), (c.squat, 5, 100 + 5 * n, {})])
    _finished_workout(c, c.ada, T0 - timedelta(days=1), [(c.bench, 5, 80, {})])
    _finished_workout(c, c.bob, T0 - timedelta(days=2), [(c.squat, 5, 300, {})])
    open_workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, open_workout, c.squat, 5, 150)

    history = workout_view.exercise_history(c.session, c.ada, c.squat.id)
    assert [when for when, _ in history] == list(reversed(days))
    assert [[(s.set_number, s.load_kg) for s in sets] for _, sets in history] == [
        [(1, 110.0), (2, 110.0)], [(1, 105.0), (2, 105.0)], [(1, 100.0), (2, 100.0)],
    ]
    assert history[0][1][0].pr_kinds == ("e1rm", "load", "volume")
    latest_two = workout_view.exercise_history(c.session, c.ada, c.squat.id, limit=2)
    assert [when for when, _ in latest_two] == list(reversed(days))[:2]
    assert workout_view.exercise_history(c.session, c.ada, c.deadlift.id) == []
