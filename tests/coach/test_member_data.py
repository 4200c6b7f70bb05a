"""What the coach knows of a member (coach.member_data): goals, history, readiness."""

from datetime import timedelta

import pytest

from adaptivefit.coach import member_data
from adaptivefit.models import FitnessData, Goal
from adaptivefit.services.core.lifting import e1rm, set_e1rm
from adaptivefit.services.training import records, workouts
from tests.coach.coach_gym import T0


def test_history_and_goals_reach_the_coach(gym):
    gym.session.add(Goal(user_id=gym.ada.id, goal_type="general_fitness", priority=3))
    gym.session.add(Goal(user_id=gym.ada.id, goal_type="hypertrophy", priority=1))
    for days in (9, 5):
        past = gym.start(T0 - timedelta(days=days))
        gym.log(past, 8, 95, rpe=8)
        workouts.finish_workout(gym.session, gym.ada, past.id, now=past.started_at + timedelta(hours=1))
    gym.session.add(FitnessData(user_id=gym.ada.id, type="sleep", data={"hours": 5.0},
                                recorded_at=T0 - timedelta(hours=8)))
    data = member_data.user_data(gym.session, gym.ada, gym.squat.id, now=T0)
    assert data.goals == ("hypertrophy", "general")
    assert [h.days_ago for h in data.history] == [5, 9] and data.history[0].top_load_kg == 95
    assert data.readiness.sleep_hours == 5.0


def test_a_set_logged_with_rir_only_has_the_same_e1rm_for_the_coach_as_in_the_records(gym):
    past = gym.start(T0 - timedelta(days=3))
    gym.log(past, 5, 100, rir=2)
    workouts.finish_workout(gym.session, gym.ada, past.id, now=past.started_at + timedelta(hours=1))
    recorded = records.best(gym.session, gym.ada.id, gym.squat.id, "e1rm")
    # Two reps in reserve count: 5 reps done, 7 to failure.
    assert recorded == pytest.approx(set_e1rm(100, 5, rir=2)) and recorded > e1rm(100, 5)
    [session] = member_data.user_data(gym.session, gym.ada, gym.squat.id, now=T0).history
    assert session.best_e1rm_kg == pytest.approx(recorded, abs=0.005)
