from datetime import timedelta

import pytest

from adaptivefit.services.core.clock import local_today
from adaptivefit.services.core.units import KG_PER_LB
from adaptivefit.services.nutrition import actions
from adaptivefit.services.nutrition.bodyweight import latest_bodyweight
from adaptivefit.services.nutrition.diary import log_food
from tests.services.nutrition.nutrition_fixtures import make_food, make_user, refused


def test_a_weight_is_typed_in_the_members_units(session):
    ann = make_user(session, units="lb")
    actions.log_weight_as_typed(session, ann, " 176,4 ")
    assert latest_bodyweight(session, ann) == round(176.4 * KG_PER_LB, 2)
    assert refused(actions.log_weight_as_typed, session, ann, "heavy") == {"weight": "Enter your weight as a number."}
    assert refused(actions.log_weight_as_typed, session, ann, "20") == {"weight": "Enter a weight from 20 to 400 kg."}
    bob = make_user(session, "Bob")
    actions.log_weight_as_typed(session, bob, "80")
    assert latest_bodyweight(session, bob) == 80


def test_targets_take_the_weight_in_the_members_units(session):
    form = {"height_cm": "180", "age": "30", "sex": "male", "activity": "moderate", "goal": "maintain"}
    ann = make_user(session, units="lb")
    goal = actions.set_goal_in_units(session, ann, {**form, "weight_kg": "176.37"})
    assert goal.settings["weight_kg"] == pytest.approx(80.0, abs=0.01)
    assert "weight_kg" in refused(actions.set_goal_in_units, session, ann, {**form, "weight_kg": "lots"})
    bob = make_user(session, "Bob")
    assert actions.set_goal_in_units(session, bob, {**form, "weight_kg": "80"}).settings["weight_kg"] == 80


def test_copying_yesterday_says_how_many_items(session):
    ann = make_user(session)
    oats = make_food(session)
    today = local_today(ann)
    log_food(session, ann, food_id=oats.id, quantity=50, unit="g", meal_type="breakfast")
    assert actions.copy_from_yesterday(session, ann, today + timedelta(days=1), "breakfast") == (
        "Copied 1 item from yesterday.")
    assert actions.copy_from_yesterday(session, ann, today + timedelta(days=2), "day") == (
        "Copied 1 item from yesterday.")
    assert actions.copy_from_yesterday(session, ann, today + timedelta(days=4), "day") == (
        "Copied 0 items from yesterday.")
    assert "meal_type" in refused(actions.copy_from_yesterday, session, ann, today, "brunch")
