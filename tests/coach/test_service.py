"""The coach inside the app: tweaks for logged and skipped sets, accepting and dismissing them,
and what the member's next sets and next session become."""

from datetime import timedelta

import pytest
from sqlmodel import select

from adaptivefit.coach import rules, service, tweaks
from adaptivefit.models import CoachTweak, PlanExercise, WorkoutSet
from adaptivefit.services.training import workouts
from adaptivefit.services.core.access import NotYours, ValidationFailed
from tests.coach.coach_gym import T0


def test_a_struggled_set_gets_a_tweak_that_keeps_the_floor(gym):
    workout = gym.start()
    logged = gym.log(workout, 7, 100, rpe=9.5)
    shown = service.coach_logged_set(gym.session, gym.ada, logged.id)
    assert shown.event == "struggle_set"
    assert shown.tweak.action in ("add_rest", "reduce_load")
    assert shown.tweak.next.reps >= rules.rep_floor(8)
    assert shown.message and shown.exercise == "Barbell Back Squat"
    stored = gym.session.get(CoachTweak, shown.id)
    assert stored.status == "shown" and stored.set_id == logged.id and stored.plan_exercise_id == gym.entry.id


def test_logging_the_same_set_twice_coaches_it_once(gym):
    workout = gym.start()
    logged = gym.log(workout, 6, 100, rpe=10)
    first = service.coach_logged_set(gym.session, gym.ada, logged.id)
    again = service.coach_logged_set(gym.session, gym.ada, logged.id)
    assert first.id == again.id
    assert len(gym.session.exec(select(CoachTweak)).all()) == 1


@pytest.mark.parametrize("reps, rpe, event", [
    (5, None, "fail_set"),        # under ceil(0.8 x 8) = 7
    (7, 8, "struggle_set"),       # under the planned 8, above the floor
    (8, 10, "struggle_set"),      # made it, but at the limit
    (8, 5, "too_easy"),
    (8, 8, "complete_set"),
])
def test_each_logged_set_is_read_as_the_right_event(gym, reps, rpe, event):
    workout = gym.start()
    logged = gym.log(workout, reps, 100, rpe=rpe)
    assert service.coach_logged_set(gym.session, gym.ada, logged.id).event == event


def test_accepting_changes_the_next_sets_target_and_the_rest(gym):
    workout = gym.start()
    logged = gym.log(workout, 5, 100, rpe=10)
    shown = service.coach_logged_set(gym.session, gym.ada, logged.id)
    assert shown.tweak.action == "reduce_load"
    assert service.targets(gym.session, gym.ada, workout, [gym.squat.id]) == {}
    service.decide(gym.session, gym.ada, shown.id, True)
    target = service.targets(gym.session, gym.ada, workout, [gym.squat.id])[gym.squat.id]
    assert target == shown.tweak.next and target.weight_kg < 100 and target.reps >= 7
    assert gym.session.get(CoachTweak, shown.id).status == "accepted"
    # The rest after the set just logged is what the coach asked for.
    assert gym.session.get(WorkoutSet, logged.id).rest_s == shown.tweak.next.rest_s


def test_dismissing_changes_nothing_and_an_answer_is_final(gym):
    workout = gym.start()
    shown = service.coach_logged_set(gym.session, gym.ada, gym.log(workout, 5, 100, rpe=10).id)
    service.decide(gym.session, gym.ada, shown.id, False)
    assert service.targets(gym.session, gym.ada, workout, [gym.squat.id]) == {}
    with pytest.raises(ValidationFailed):
        service.decide(gym.session, gym.ada, shown.id, True)


def test_nobody_answers_someone_elses_tweak(gym):
    workout = gym.start()
    shown = service.coach_logged_set(gym.session, gym.ada, gym.log(workout, 5, 100, rpe=10).id)
    with pytest.raises(NotYours, match="That suggestion was not found in your account."):
        service.decide(gym.session, gym.bob, shown.id, True)
    assert gym.session.get(CoachTweak, shown.id).status == "shown"
    # Nor is someone else's set coached for them.
    assert service.coach_logged_set(gym.session, gym.bob, gym.log(workout, 5, 100).id) is None


def test_an_unanswered_tweak_expires_when_the_next_one_comes(gym):
    workout = gym.start()
    first = service.coach_logged_set(gym.session, gym.ada, gym.log(workout, 7, 100, rpe=9).id)
    second = service.coach_logged_set(gym.session, gym.ada, gym.log(workout, 7, 100, rpe=9.5).id)
    assert gym.session.get(CoachTweak, first.id).status == "expired"
    assert [t.id for t in tweaks.open_tweaks(gym.session, gym.ada, workout.id)] == [second.id]
    # The second struggle in a session asks for more than rest.
    assert second.tweak.action in ("reduce_load", "reduce_volume")


def test_skipping_a_set_trims_the_volume(gym):
    workout = gym.start()
    gym.log(workout, 8, 100, rpe=8)
    shown = service.skip_set(gym.session, gym.ada, workout.id, gym.squat.id)
    assert shown.event == "skip_set" and shown.tweak.action == "reduce_volume"
    assert shown.tweak.modifications["sets"] == -1 and shown.tweak.next.sets == 2
    with pytest.raises(NotYours, match="That workout was not found in your account."):
        service.skip_set(gym.session, gym.bob, workout.id, gym.squat.id)


def test_after_the_workout_reps_at_the_top_of_the_range_progress_the_plan(gym):
    workout = gym.start()
    for _ in range(3):
        gym.log(workout, 10, 100, rpe=8)
    workouts.finish_workout(gym.session, gym.ada, workout.id, now=T0 + timedelta(hours=1))
    (shown,) = service.coach_finished_workout(gym.session, gym.ada, workout.id)
    assert shown.tweak.action == "progress_load" and shown.tweak.scope == "next_session"
    new_load = shown.tweak.next.weight_kg
    assert 100 < new_load <= 100 + rules.max_step_up(100, "barbell")
    service.decide(gym.session, gym.ada, shown.id, True)
    assert gym.session.get(PlanExercise, gym.entry.id).load_kg == new_load
    # Next time the squat comes up, the logger starts from the agreed target.
    following = gym.start(T0 + timedelta(days=2))
    assert service.targets(gym.session, gym.ada, following, [gym.squat.id])[gym.squat.id].weight_kg == new_load
