"""The plans page and the dashboard in the member's units: one rounding for every mass."""

from datetime import UTC, datetime

import pytest

from adaptivefit.models import User
from adaptivefit.services.training import display, goals
from adaptivefit.services.training.goals import GoalProgress
from adaptivefit.services.training.plans import PlanExerciseView
from adaptivefit.services.training.records import RecordRow


def _planned(**overrides):
    values = dict(id=1, exercise_id=2, exercise_name="Squat", position=1, sets=4, reps_min=5, reps_max=5,
                  load_kg=50.0, percent_1rm=None, target_rpe=None, target_rir=None, rest_s=120, notes="",
                  available=True, substitutes=[])
    values.update(overrides)
    return PlanExerciseView(**values)


@pytest.mark.parametrize(
    ("units", "overrides", "text"),
    [
        ("lb", {}, "4 × 5 @ 110.2 lb · rest 120s"),
        ("kg", {"load_kg": 62.5, "reps_max": 8, "target_rir": 2}, "4 × 5-8 @ 62.5 kg · 2 RIR · rest 120s"),
        ("kg", {"load_kg": None, "percent_1rm": 75.0, "target_rpe": 8.5}, "4 × 5 @ 75% 1RM · RPE 8.5 · rest 120s"),
    ],
)
def test_a_prescription_reads_in_the_members_units(units, overrides, text):
    assert display.prescription(_planned(**overrides), units) == text


def test_a_goal_in_kg_reads_in_pounds_and_a_count_stays_a_count():
    strength = GoalProgress(1, "Squat: one-rep max", "strength", 50.0, 100.0, "kg", 50, False, days_left=-1)
    assert display.goal_row(strength, "lb")["progress"] == "110.2 / 220.5 lb"
    assert display.goal_row(strength, "lb")["due"] == "past its date"
    weekly = GoalProgress(2, "3 workouts a week", "consistency", 2.0, 3.0, "workouts", 66, False)
    assert display.goal_row(weekly, "lb")["progress"] == "2 / 3 workouts"


def test_records_read_in_the_members_units():
    when = datetime(2026, 1, 5, tzinfo=UTC)
    heaviest = RecordRow(1, "Squat", "load", 50.0, when)
    reps = RecordRow(1, "Squat", "reps", 12.0, when, load_kg=50.0)
    assert display.record_row(heaviest, "lb")["value"] == "110.2 lb"
    assert display.record_row(reps, "kg") == {"name": "Squat", "kind": "rep record", "value": "12 reps at 50 kg",
                                              "date": "05 Jan"}


def test_the_dashboard_of_a_new_member_is_empty_but_whole(session):
    member = User(email="new@example.com", name="New", units="lb")
    session.add(member)
    session.flush()
    goals.create_goal_from_page(session, member, {"kind": "bodyweight", "target": "176,4", "start_kg": "85"})
    view = display.dashboard_view(session, member, "")
    assert (view["units"], view["lifts"], view["lift_id"], view["e1rm"], view["streak"]) == ("lb", [], "", [], 0)
    assert view["goals"][0]["progress"] == "187.4 / 176.4 lb"
