from datetime import date, timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import NutritionGoal, Workout
from adaptivefit.services.nutrition.bodyweight import log_bodyweight
from adaptivefit.services.nutrition.diary import day_view
from adaptivefit.services.nutrition.macros import Targets
from adaptivefit.services.nutrition.targets import bmr_mifflin_st_jeor, compute_targets, set_goal, targets_for_day
from tests.services.nutrition.nutrition_fixtures import DAY, NOW, at, make_user, refused, set_targets


def test_bmr_and_targets_match_hand_computed_cases():
    assert bmr_mifflin_st_jeor(80, 180, 30, "male") == 1780
    assert bmr_mifflin_st_jeor(60, 165, 25, "female") == pytest.approx(1345.25)

    # 1780 x 1.55 = 2759; protein 1.6 g/kg = 128 g; fat 25% = 76.6 g; carbs (2759 - 512 - 689.75) / 4 = 389.3 g.
    maintain = compute_targets(weight_kg=80, height_cm=180, age=30, sex="male", activity="moderate",
                               goal="maintain", rate_kg_per_week=0)
    assert maintain == Targets(2759, 128, 389, 77)

    # 0.5 kg a week = 550 kcal a day; protein 2.0 g/kg losing, 1.8 g/kg gaining.
    lose = compute_targets(weight_kg=80, height_cm=180, age=30, sex="male", activity="moderate",
                           goal="lose", rate_kg_per_week=0.5)
    assert lose == Targets(2209, 160, 254, 61)
    gain = compute_targets(weight_kg=80, height_cm=180, age=30, sex="male", activity="moderate",
                           goal="gain", rate_kg_per_week=0.5)
    assert gain == Targets(3309, 144, 476, 92)

    # 1345.25 x 1.2 = 1614.3; - 275 = 1339.3; protein 120 g; fat 30% = 44.6 g; carbs (1339.3 - 480 - 401.8) / 4 = 114.4 g.
    custom = compute_targets(weight_kg=60, height_cm=165, age=25, sex="female", activity="sedentary",
                             goal="lose", rate_kg_per_week=0.25, fat_share=0.3)
    assert custom == Targets(1339, 120, 114, 45)

    # Protein chosen by hand.
    assert compute_targets(weight_kg=80, height_cm=180, age=30, sex="male", activity="moderate", goal="maintain",
                           rate_kg_per_week=0, protein_g_per_kg=2.2).protein_g == 176


def test_targets_never_go_below_the_calorie_floor_and_say_so():
    low = compute_targets(weight_kg=50, height_cm=155, age=40, sex="female", activity="sedentary",
                          goal="lose", rate_kg_per_week=1.0)
    assert low.calories == 1200
    assert "1200 kcal" in low.notes[0] and "women" in low.notes[0]
    man = compute_targets(weight_kg=60, height_cm=165, age=60, sex="male", activity="sedentary",
                          goal="lose", rate_kg_per_week=1.0)
    assert man.calories == 1500 and "men" in man.notes[0]


def test_targets_refuse_unsafe_rates_and_impossible_splits():
    body = {"weight_kg": 80, "height_cm": 180, "age": 30, "sex": "male", "activity": "moderate"}
    assert refused(compute_targets, **body, goal="lose", rate_kg_per_week=1.5) == {
        "rate_kg_per_week": "Losing more than 1 kg a week is not supported here; choose 1 kg or less."}
    assert "0.5 kg or less" in refused(compute_targets, **body, goal="gain", rate_kg_per_week=0.75)["rate_kg_per_week"]
    errors = refused(compute_targets, weight_kg=150, height_cm=160, age=70, sex="female", activity="sedentary",
                     goal="lose", rate_kg_per_week=1.0, protein_g_per_kg=3.5, fat_share=0.6)
    assert "lower the protein or the fat share" in errors["protein_g_per_kg"]
    errors = refused(compute_targets, weight_kg=10, height_cm=180, age=12, sex="other", activity="couch",
                     goal="bulk", rate_kg_per_week=0)
    assert set(errors) == {"weight_kg", "age", "sex", "activity", "goal"}


def test_set_goal_uses_the_profile_and_latest_weigh_in_and_stores_its_settings(session):
    user = make_user(session, sex="male", height_cm=180, date_of_birth=date(1995, 6, 1))
    log_bodyweight(session, user, 82, day=date(2026, 2, 20), now=NOW)
    log_bodyweight(session, user, 80, day=date(2026, 2, 28), now=NOW)

    goal = set_goal(session, user, {"activity": "moderate", "goal": "maintain", "training_day_extra_kcal": "200"}, now=NOW)
    assert (goal.calories, goal.protein_g, goal.carbs_g, goal.fat_g) == (2759, 128, 389, 77)  # age 30 on NOW
    assert goal.settings["weight_kg"] == 80 and goal.settings["age"] == 30
    assert goal.settings["training_day_extra_kcal"] == 200 and goal.settings["protein_g_per_kg"] == 1.6

    # Overrides: calories re-split the macros, then a macro given by hand replaces its share.
    again = set_goal(session, user, {"activity": "moderate", "goal": "lose", "rate_kg_per_week": "0.5",
                                     "weight_kg": "90", "calories": "2400", "fat_g": "70"}, now=NOW)
    assert again.id == goal.id
    assert (again.calories, again.protein_g, again.fat_g) == (2400, 180, 70)
    assert again.carbs_g == round((2400 - 720 - 600) / 4)
    assert again.settings["overrides"] == {"calories": 2400, "fat_g": 70}
    assert len(session.exec(select(NutritionGoal)).all()) == 1


def test_set_goal_says_what_is_missing_or_out_of_range(session):
    user = make_user(session)
    errors = refused(set_goal, session, user, {"goal": "lose"})
    assert errors == {
        "weight_kg": "Enter your weight, or log a weigh-in first.",
        "height_cm": "Enter your height, or add it to your profile.",
        "age": "Enter your age, or add your date of birth to your profile.",
        "sex": "Choose male or female (the energy formula differs), or set it in your profile.",
        "activity": "Choose how active you are.",
        "rate_kg_per_week": "Enter how many kg a week.",
    }
    form = {"weight_kg": 60, "height_cm": 165, "age": 30, "sex": "female", "activity": "light", "goal": "maintain"}
    assert refused(set_goal, session, user, {**form, "training_day_extra_kcal": 1500}) == {
        "training_day_extra_kcal": "The training-day extra must be a whole number from 0 to 1000 kcal."}
    assert refused(set_goal, session, user, {**form, "calories": "1000"}) == {
        "calories": "Calories can be no lower than 1200 kcal a day for women here."}
    assert refused(set_goal, session, user, {**form, "protein_g": "lots"})["protein_g"]


def test_training_days_add_the_extra_as_carbohydrate(session):
    user = make_user(session, timezone="Europe/London")
    set_targets(session, user, calories=2400, protein=160, carbs=260, fat=80, extra=300)
    session.add(Workout(user_id=user.id, name="Legs", started_at=at(DAY, 18, 0, "Europe/London")))
    session.flush()
    assert targets_for_day(session, user, DAY) == Targets(2700, 160, 335, 80)
    assert targets_for_day(session, user, DAY + timedelta(days=1)) == Targets(2400, 160, 260, 80)
    view = day_view(session, user, DAY)
    assert view.is_training_day and view.targets.carbs_g == 335
    assert targets_for_day(session, make_user(session, "Bob"), DAY) is None

