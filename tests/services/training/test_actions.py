"""The logger's use cases: one transaction each, returning what the view shows."""

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from adaptivefit.coach import tweaks
from adaptivefit.models import Achievement, WorkoutSet
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.core.units import KG_PER_LB
from adaptivefit.services.training import actions, workouts
from tests.services.training.workout_fixtures import T0, ctx  # noqa: F401  (fixture)


def _form(exercise, load, reps="5", **extra):
    return {"exercise_id": str(exercise.id), "load": load, "reps": reps, **extra}


def _sets(session):
    return session.exec(select(func.count()).select_from(WorkoutSet)).one()


def test_a_set_is_read_in_the_members_units_and_brings_records_badges_and_the_coach(ctx):
    c = ctx
    c.ada.units = "lb"
    workouts.start_workout(c.session, c.ada, now=T0)
    first = actions.log_set(c.session, c.ada, _form(c.squat, "100", rpe="8"), client_id="first-set-01", ai_tier=False)
    assert first.logged.load_kg == pytest.approx(100 * KG_PER_LB)
    assert first.record_news == ""  # the first set is the baseline
    assert first.badges == ("First workout",)
    assert first.tweak_id is not None and first.wants_ai is False

    second = actions.log_set(c.session, c.ada, _form(c.squat, "110,5", rpe="8"), client_id="second-set-1",
                             ai_tier=True)
    assert second.record_news == "New personal record! best estimated 1RM, heaviest load, most volume in a set"
    # A badge is announced once: the first set's badge is not announced again.
    assert "First workout" not in second.badges and "First personal record" in second.badges
    assert second.wants_ai and second.tweak_id != first.tweak_id
    announced = c.session.exec(select(Achievement.announced).where(Achievement.user_id == c.ada.id)).all()
    assert announced and all(announced)


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"load": "heavy", "reps": "5"}, {"load": "Enter the load as a number."}),
        ({"load": "100", "reps": "5", "exercise_id": "squat"}, {"exercise": "Choose an exercise."}),
        ({"load": "100", "reps": "five"}, {"reps": "Reps must be a whole number from 0 to 1000."}),
    ],
)
def test_a_refused_set_writes_nothing(ctx, form, errors):
    c = ctx
    workouts.start_workout(c.session, c.ada, now=T0)
    with pytest.raises(ValidationFailed) as failed:
        actions.log_set(c.session, c.ada, {"exercise_id": str(c.squat.id), **form}, client_id="refused-set",
                        ai_tier=False)
    assert failed.value.errors == errors
    assert _sets(c.session) == 0


def test_without_an_open_workout_nothing_is_logged_skipped_added_or_finished(ctx):
    c = ctx
    with pytest.raises(ValidationFailed) as failed:
        actions.log_set(c.session, c.ada, _form(c.squat, "100"), client_id="no-workout-1", ai_tier=False)
    assert failed.value.errors == {"workout": "Start a workout first."}
    with pytest.raises(ValidationFailed, match="Start a workout first."):
        actions.skip_set(c.session, c.ada, str(c.squat.id))
    with pytest.raises(ValidationFailed, match="That exercise cannot be added."):
        actions.add_exercise(c.session, c.ada, str(c.squat.id))
    with pytest.raises(ValidationFailed, match="There is no workout to finish."):
        actions.finish_workout(c.session, c.ada)


def test_an_added_exercise_comes_back_as_its_id(ctx):
    c = ctx
    workouts.start_workout(c.session, c.ada, now=T0)
    assert actions.add_exercise(c.session, c.ada, str(c.bench.id)) == c.bench.id


def test_editing_a_set_reads_the_load_in_the_members_units_and_only_ones_own(ctx):
    c = ctx
    c.ada.units = "lb"
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    logged = c.log(c.ada, workout, c.squat, 5, 100)
    edited = actions.edit_set(c.session, c.ada, str(logged.id), {"load": "225", "reps": "3"})
    assert edited.load_kg == pytest.approx(225 * KG_PER_LB) and edited.reps == 3
    with pytest.raises(ValidationFailed) as failed:
        actions.edit_set(c.session, c.ada, logged.id, {"load": "lots", "reps": "3"})
    assert failed.value.errors == {"load": "Enter the load as a number."}
    with pytest.raises(NotYours):
        actions.edit_set(c.session, c.bob, logged.id, {"load": "1", "reps": "1"})


def test_finishing_sums_up_in_the_members_units_and_the_coach_plans_next_time(ctx):
    c = ctx
    c.ada.units = "lb"
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 1, 50)
    done = actions.finish_workout(c.session, c.ada, now=T0 + timedelta(hours=1))
    assert done.workout_id == workout.id
    assert done.summary == {"name": "Workout", "duration": "60 min", "sets": "1", "volume": "110.2 lb"}
    assert done.badges == ("First workout",)
    assert [t.event for t in tweaks.open_tweaks(c.session, c.ada, workout.id)] == ["complete_workout"]


def test_answering_a_suggestion_says_so_only_when_accepted(ctx):
    c = ctx
    workouts.start_workout(c.session, c.ada, now=T0)
    first = actions.log_set(c.session, c.ada, _form(c.squat, "100", rpe="10"), client_id="hard-set-01",
                            ai_tier=False)
    assert actions.answer_tweak(c.session, c.ada, str(first.tweak_id), True) == "Done: your targets are updated."
    second = actions.log_set(c.session, c.ada, _form(c.squat, "100", rpe="10"), client_id="hard-set-02",
                             ai_tier=False)
    assert actions.answer_tweak(c.session, c.ada, str(second.tweak_id), "yes") == ""


def test_an_uploaded_history_is_capped_and_reported_line_by_line(ctx):
    c = ctx
    with pytest.raises(ValidationFailed) as failed:
        actions.import_history(c.session, c.ada, b"x" * (actions.UPLOAD_MAX_BYTES + 1))
    assert failed.value.errors == {"file": "The file is larger than 10 MB."}
    csv = (b"date,workout,exercise,set_number,set_type,reps,weight_kg,rpe,rir,note\n"
           b"2024-05-01T10:00:00+00:00,Legs,Barbell Back Squat,1,working,5,100,,,\n"
           b"2024-05-01T10:00:00+00:00,Legs,Barbell Back Squat,2,working,lots,100,,,\n")
    lines = actions.import_history(c.session, c.ada, csv)
    assert lines[0] == "Imported 1 workouts and 1 sets."
    assert lines[1].startswith("Line 3: reps")
