from datetime import timedelta

import pytest

from adaptivefit.models import FitnessData, PersonalRecord, Workout, WorkoutSet
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.core.units import KG_PER_LB
from adaptivefit.services.training import workout_sets, workout_view, workouts
from tests.services.training.workout_fixtures import T0, ctx  # noqa: F401  (fixture)
from tests.services.training.workout_fixtures import count as _count
from tests.services.training.workout_fixtures import finished_workout as _finished_workout
from tests.services.training.workout_fixtures import plan_day as _plan_day


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


def test_another_members_workout_and_sets_are_out_of_reach(ctx):
    c = ctx
    bobs = workouts.start_workout(c.session, c.bob, now=T0)
    bobs_set = c.log(c.bob, bobs, c.squat, 5, 60)
    c.log(c.bob, bobs, c.squat, 5, 70)
    records_before = _count(c.session, PersonalRecord)
    for call in (
        lambda: workout_view.workout_view(c.session, c.ada, bobs.id),
        lambda: workout_view.add_exercise(c.session, c.ada, bobs.id, c.bench.id),
        lambda: workouts.finish_workout(c.session, c.ada, bobs.id),
        lambda: workouts.summary(c.session, c.ada, bobs.id),
    ):
        with pytest.raises(NotYours, match="That workout was not found in your account."):
            call()
    for call in (
        lambda: workout_sets.update_set(c.session, c.ada, bobs_set.id, reps=1, load_kg=1),
        lambda: workout_sets.delete_set(c.session, c.ada, bobs_set.id),
        lambda: workout_sets.update_set(c.session, c.ada, 999_999, reps=1),
        lambda: workout_sets.delete_set(c.session, c.ada, "1; drop"),
    ):
        with pytest.raises(NotYours, match="That set was not found in your account."):
            call()
    c.session.expire_all()
    assert c.session.get(Workout, bobs.id).finished_at is None
    stored = c.session.get(WorkoutSet, bobs_set.id)
    assert (stored.reps, stored.load_kg, stored.set_number) == (5, 60, 1)
    assert _count(c.session, WorkoutSet) == 2 and _count(c.session, FitnessData) == 2
    assert _count(c.session, PersonalRecord) == records_before
    assert workout_view.exercise_history(c.session, c.ada, c.squat.id) == []


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
