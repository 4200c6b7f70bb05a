import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from adaptivefit.models import ExpenditureEstimate, FitnessData, Food, FoodEntry, NutritionGoal, User, Workout
from adaptivefit.services.nutrition import diary
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition.diary import (
    compute_targets,
    copy_day,
    copy_meal,
    day_view,
    daily_hints,
    delete_entry,
    estimate_expenditure,
    log_bodyweight,
    log_food,
    recent_foods,
    set_goal,
    suggest_calorie_update,
    targets_for_day,
    update_entry,
    weight_trend,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 2, 27)


def make_user(session, name="Ann", **profile):
    user = User(email=f"{name.lower()}@example.com", name=name, **profile)
    session.add(user)
    session.flush()
    return user


def make_food(session, name="Oats", *, kcal=380.0, protein=13.0, carbs=60.0, fat=7.0, fibre=10.0,
              servings=(), grams_per_ml=None, owner_id=None):
    food = Food(name=name, name_lower=name.lower(), kcal=kcal, protein_g=protein, carbs_g=carbs, fat_g=fat,
                fibre_g=fibre, servings=list(servings), grams_per_ml=grams_per_ml, owner_id=owner_id)
    session.add(food)
    session.flush()
    return food


def at(day, hour, minute=0, zone="UTC"):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def record_of(session, entry_id):
    rows = session.exec(select(FitnessData).where(FitnessData.type == "nutrition")).all()
    return [r for r in rows if r.data.get("food_entry_id") == entry_id]


def refused(call, *args, **kwargs):
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def set_targets(session, user, calories=2000, protein=150, carbs=200, fat=67, extra=0):
    goal = NutritionGoal(user_id=user.id, calories=calories, protein_g=protein, carbs_g=carbs, fat_g=fat,
                         settings={"training_day_extra_kcal": extra})
    session.add(goal)
    session.flush()
    return goal


# --- logging food ---------------------------------------------------------------------------------


def test_log_food_in_grams_snapshots_nutrients_and_mirrors_into_fitness_data(session):
    user = make_user(session)
    oats = make_food(session)
    entry = log_food(session, user, food_id=oats.id, quantity=150, unit="g", meal_type="breakfast",
                     eaten_at=at(DAY, 8))
    assert (entry.name, entry.food_id, entry.quantity, entry.unit, entry.meal_type) == ("Oats", oats.id, 150, "g", "breakfast")
    assert (entry.calories, entry.protein_g, entry.carbs_g, entry.fat_g) == (570.0, 19.5, 90.0, 10.5)
    (record,) = record_of(session, entry.id)
    assert record.user_id == user.id and record.recorded_at == entry.eaten_at
    assert record.data == {
        "food_entry_id": entry.id, "food_id": oats.id, "name": "Oats", "calories": 570.0, "protein_g": 19.5,
        "carbs_g": 90.0, "fat_g": 10.5, "fibre_g": 15.0, "meal": "breakfast", "quantity": 150, "unit": "g",
    }
    # A later edit to the food leaves the logged entry as it was.
    oats.kcal = 999
    session.add(oats)
    session.flush()
    assert session.get(FoodEntry, entry.id).calories == 570.0


def test_log_food_in_ounces_millilitres_and_servings(session):
    user = make_user(session)
    chicken = make_food(session, "Chicken breast", kcal=165, protein=31, carbs=0, fat=3.6, fibre=None)
    milk = make_food(session, "Milk", kcal=64, protein=3.4, carbs=4.8, fat=3.6, fibre=0, grams_per_ml=1.03)
    bread = make_food(session, "Bread", kcal=250, protein=9, carbs=49, fat=3.2, fibre=6,
                      servings=[{"name": "1 slice", "grams": 30}])

    ounces = log_food(session, user, food_id=chicken.id, quantity=4, unit="oz", meal_type="dinner")
    grams = 4 * 28.349523125
    assert ounces.calories == pytest.approx(round(165 * grams / 100, 1))
    assert ounces.protein_g == pytest.approx(round(31 * grams / 100, 1))
    assert ounces.unit == "oz"

    millilitres = log_food(session, user, food_id=milk.id, quantity="250", unit="ml", meal_type="breakfast")
    assert millilitres.calories == pytest.approx(round(64 * 250 * 1.03 / 100, 1))
    assert millilitres.fat_g == pytest.approx(round(3.6 * 2.575, 1))

    slices = log_food(session, user, food_id=bread.id, quantity=2, unit="1 Slice", meal_type="lunch")
    assert (slices.calories, slices.carbs_g, slices.unit) == (150.0, 29.4, "1 slice")
    assert record_of(session, slices.id)[0].data["fibre_g"] == 3.6


def test_log_food_refuses_each_bad_field_with_its_own_message(session):
    user = make_user(session)
    other = make_user(session, "Bob")
    oats = make_food(session)
    private = make_food(session, "Bob's shake", owner_id=other.id)

    errors = refused(log_food, session, user, food_id=private.id, quantity=-1, unit="g", meal_type="brunch")
    assert set(errors) == {"food", "quantity", "meal_type"}
    assert errors["meal_type"] == "Choose breakfast, lunch, dinner or snack."
    assert refused(log_food, session, user, food_id=oats.id, quantity="abc", unit="g", meal_type="lunch") == {
        "quantity": "Enter the amount as a number, like 150 or 1.5."}
    assert "density" in refused(log_food, session, user, food_id=oats.id, quantity=100, unit="ml",
                                meal_type="lunch")["unit"]
    assert "serving" in refused(log_food, session, user, food_id=oats.id, quantity=1, unit="1 cup",
                                meal_type="lunch")["unit"]
    assert refused(log_food, session, user, food_id=oats.id, quantity=1, unit="g", meal_type="lunch",
                   eaten_at=datetime(2026, 2, 1, 8))["eaten_at"]
    assert session.exec(select(FoodEntry)).all() == []
    assert session.exec(select(FitnessData)).all() == []
    # The owner may log their own food.
    assert log_food(session, other, food_id=private.id, quantity=300, unit="g", meal_type="snack").id


def test_update_entry_recomputes_and_keeps_fitness_data_in_step(session):
    user = make_user(session)
    bread = make_food(session, "Bread", kcal=250, protein=9, carbs=49, fat=3.2, fibre=6,
                      servings=[{"name": "1 slice", "grams": 30}])
    entry = log_food(session, user, food_id=bread.id, quantity=1, unit="1 slice", meal_type="breakfast",
                     eaten_at=at(DAY, 8))

    update_entry(session, user, entry.id, quantity=100, unit="g", meal_type="lunch")
    assert (entry.quantity, entry.unit, entry.meal_type, entry.calories, entry.carbs_g) == (100, "g", "lunch", 250.0, 49.0)
    (record,) = record_of(session, entry.id)
    assert record.data["calories"] == 250.0 and record.data["meal"] == "lunch" and record.data["fibre_g"] == 6.0
    assert record.data["quantity"] == 100 and record.data["unit"] == "g"

    update_entry(session, user, entry.id, quantity=3)
    assert (entry.unit, entry.calories) == ("g", 7.5)
    assert record_of(session, entry.id)[0].data["calories"] == 7.5

    assert refused(update_entry, session, user, entry.id, meal_type="elevenses") == {
        "meal_type": "Choose breakfast, lunch, dinner or snack."}
    assert refused(update_entry, session, user, entry.id, quantity=0)["quantity"]
    assert entry.quantity == 3


def test_delete_entry_removes_its_fitness_data_and_only_the_owner_may_change_it(session):
    user = make_user(session)
    other = make_user(session, "Bob")
    oats = make_food(session)
    keep = log_food(session, user, food_id=oats.id, quantity=50, unit="g", meal_type="breakfast", eaten_at=at(DAY, 8))
    gone = log_food(session, user, food_id=oats.id, quantity=60, unit="g", meal_type="breakfast", eaten_at=at(DAY, 8))

    assert refused(update_entry, session, other, gone.id, quantity=10) == {"entry": "No such food entry."}
    assert refused(delete_entry, session, other, gone.id) == {"entry": "No such food entry."}
    assert refused(delete_entry, session, user, "not-an-id") == {"entry": "No such food entry."}

    delete_entry(session, user, gone.id)
    assert session.get(FoodEntry, gone.id) is None
    assert record_of(session, gone.id) == []
    assert len(record_of(session, keep.id)) == 1


# --- copying ----------------------------------------------------------------------------------------


def test_copy_meal_and_copy_day_bring_snapshots_to_the_same_local_time(session):
    user = make_user(session, timezone="Australia/Sydney")
    oats = make_food(session)
    milk = make_food(session, "Milk", kcal=64, protein=3.4, carbs=4.8, fat=3.6, fibre=0, grams_per_ml=1.03)
    zone = "Australia/Sydney"
    log_food(session, user, food_id=oats.id, quantity=80, unit="g", meal_type="breakfast", eaten_at=at(DAY, 7, 30, zone))
    log_food(session, user, food_id=milk.id, quantity=200, unit="ml", meal_type="breakfast", eaten_at=at(DAY, 7, 31, zone))
    log_food(session, user, food_id=oats.id, quantity=40, unit="g", meal_type="snack", eaten_at=at(DAY, 15, 0, zone))
    target = DAY + timedelta(days=1)

    assert copy_meal(session, user, DAY, "breakfast", target) == 2
    copied = day_view(session, user, target)
    assert [row.name for row in copied.meals["breakfast"]] == ["Oats", "Milk"]
    assert copied.totals.kcal == pytest.approx(day_view(session, user, DAY).totals.kcal - 152.0)
    times = sorted(e.eaten_at for e in session.exec(select(FoodEntry)).all() if e.eaten_at > at(target, 0, 0, zone))
    assert times[0] == at(target, 7, 30, zone)

    assert copy_meal(session, user, DAY, "snack", DAY, "lunch") == 1
    assert [row.quantity for row in day_view(session, user, DAY).meals["lunch"]] == [40]
    assert refused(copy_meal, session, user, DAY, "snack", DAY) == {"to_day": "Choose a different day or meal to copy to."}
    assert copy_meal(session, user, DAY, "dinner", target) == 0

    later = DAY + timedelta(days=7)
    assert copy_day(session, user, DAY, later) == 4
    week_on = day_view(session, user, later)
    assert week_on.totals == day_view(session, user, DAY).totals
    assert refused(copy_day, session, user, DAY, DAY)["to_day"]
    # Every copy has its own history record, fibre included.
    entries = session.exec(select(FoodEntry)).all()
    assert len(entries) == 10
    assert all(len(record_of(session, e.id)) == 1 for e in entries)
    assert week_on.totals.fibre_g == 16.0


# --- the day ----------------------------------------------------------------------------------------


def test_day_view_totals_meals_and_local_day_boundaries(session):
    user = make_user(session, timezone="America/New_York")
    oats = make_food(session)
    zone = "America/New_York"
    log_food(session, user, food_id=oats.id, quantity=100, unit="g", meal_type="breakfast", eaten_at=at(DAY, 0, 5, zone))
    log_food(session, user, food_id=oats.id, quantity=50, unit="g", meal_type="dinner", eaten_at=at(DAY, 23, 55, zone))
    # Late evening in New York is the next day in UTC, and the early morning after is not this day.
    log_food(session, user, food_id=oats.id, quantity=10, unit="g", meal_type="snack", eaten_at=at(DAY + timedelta(days=1), 0, 1, zone))

    view = day_view(session, user, DAY)
    assert list(view.meals) == ["breakfast", "lunch", "dinner", "snack"]
    assert [len(rows) for rows in view.meals.values()] == [1, 0, 1, 0]
    assert (view.totals.kcal, view.totals.protein_g, view.totals.carbs_g, view.totals.fat_g, view.totals.fibre_g) == (
        570.0, 19.5, 90.0, 10.5, 15.0)
    assert view.targets is None and view.remaining is None and not view.is_training_day
    row = view.meals["breakfast"][0]
    assert (row.name, row.quantity, row.unit, row.kcal, row.protein_g) == ("Oats", 100, "g", 380.0, 13.0)

    set_targets(session, user, calories=2000, protein=150, carbs=200, fat=67)
    view = day_view(session, user, DAY)
    assert view.remaining == diary.Targets(1430, 130, 110, 56)


def test_recent_foods_are_newest_first_once_each_and_still_visible(session):
    user = make_user(session)
    foods = [make_food(session, name) for name in ("Oats", "Rice", "Eggs")]
    for food in (foods[0], foods[1], foods[0], foods[2]):
        log_food(session, user, food_id=food.id, quantity=100, unit="g", meal_type="lunch")
    assert recent_foods(session, user) == [(foods[2].id, "Eggs"), (foods[0].id, "Oats"), (foods[1].id, "Rice")]
    assert recent_foods(session, user, limit=1) == [(foods[2].id, "Eggs")]
    assert recent_foods(session, make_user(session, "Bob")) == []


# --- targets ----------------------------------------------------------------------------------------


def test_bmr_and_targets_match_hand_computed_cases():
    assert diary.bmr_mifflin_st_jeor(80, 180, 30, "male") == 1780
    assert diary.bmr_mifflin_st_jeor(60, 165, 25, "female") == pytest.approx(1345.25)

    # 1780 x 1.55 = 2759; protein 1.6 g/kg = 128 g; fat 25% = 76.6 g; carbs (2759 - 512 - 689.75) / 4 = 389.3 g.
    maintain = compute_targets(weight_kg=80, height_cm=180, age=30, sex="male", activity="moderate",
                               goal="maintain", rate_kg_per_week=0)
    assert maintain == diary.Targets(2759, 128, 389, 77)

    # 0.5 kg a week = 550 kcal a day; protein 2.0 g/kg losing, 1.8 g/kg gaining.
    lose = compute_targets(weight_kg=80, height_cm=180, age=30, sex="male", activity="moderate",
                           goal="lose", rate_kg_per_week=0.5)
    assert lose == diary.Targets(2209, 160, 254, 61)
    gain = compute_targets(weight_kg=80, height_cm=180, age=30, sex="male", activity="moderate",
                           goal="gain", rate_kg_per_week=0.5)
    assert gain == diary.Targets(3309, 144, 476, 92)

    # 1345.25 x 1.2 = 1614.3; - 275 = 1339.3; protein 120 g; fat 30% = 44.6 g; carbs (1339.3 - 480 - 401.8) / 4 = 114.4 g.
    custom = compute_targets(weight_kg=60, height_cm=165, age=25, sex="female", activity="sedentary",
                             goal="lose", rate_kg_per_week=0.25, fat_share=0.3)
    assert custom == diary.Targets(1339, 120, 114, 45)

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
    assert targets_for_day(session, user, DAY) == diary.Targets(2700, 160, 335, 80)
    assert targets_for_day(session, user, DAY + timedelta(days=1)) == diary.Targets(2400, 160, 260, 80)
    view = day_view(session, user, DAY)
    assert view.is_training_day and view.targets.carbs_g == 335
    assert targets_for_day(session, make_user(session, "Bob"), DAY) is None


# --- bodyweight -------------------------------------------------------------------------------------


def test_one_weigh_in_per_local_day(session):
    user = make_user(session, timezone="Asia/Tokyo")
    first = log_bodyweight(session, user, 81.2, now=NOW)
    second = log_bodyweight(session, user, "80.6", now=NOW + timedelta(hours=2))
    assert second.id == first.id
    rows = session.exec(select(FitnessData).where(FitnessData.type == "bodyweight")).all()
    assert [r.data for r in rows] == [{"kg": 80.6}]
    log_bodyweight(session, user, 81, day=date(2026, 2, 20), now=NOW)
    assert len(session.exec(select(FitnessData).where(FitnessData.type == "bodyweight")).all()) == 2
    assert refused(log_bodyweight, session, user, 19.9, now=NOW) == {"kg": "Enter a weight from 20 to 400 kg."}
    assert refused(log_bodyweight, session, user, 401, now=NOW)["kg"]
    assert refused(log_bodyweight, session, user, 80, day=date(2026, 3, 5), now=NOW) == {
        "day": "Weigh-ins cannot be in the future."}


def test_weight_trend_is_an_ewma_that_carries_over_gaps(session):
    user = make_user(session)
    for day, kg in ((date(2026, 2, 24), 80.0), (date(2026, 2, 25), 81.0), (date(2026, 2, 27), 79.0)):
        log_bodyweight(session, user, kg, day=day, now=NOW)
    trend = weight_trend(session, user, days=30, now=NOW)
    assert trend == [
        {"date": date(2026, 2, 24), "weight": 80.0, "trend": 80.0},
        {"date": date(2026, 2, 25), "weight": 81.0, "trend": 80.1},
        {"date": date(2026, 2, 26), "weight": None, "trend": 80.1},
        {"date": date(2026, 2, 27), "weight": 79.0, "trend": 79.99},
    ]
    # A shorter window still starts from the settled trend of the days before it.
    assert weight_trend(session, user, days=3, now=NOW)[-1]["trend"] == 79.99
    assert weight_trend(session, make_user(session, "Bob"), now=NOW) == []


# --- adaptive expenditure ---------------------------------------------------------------------------


def simulate(session, user, *, seed, days=28, expenditure=2600.0, start_kg=85.0, end=NOW):
    """Intake around 2200 kcal with noise; weight follows the energy balance, plus +-0.5 kg of water."""
    rng = random.Random(seed)
    true_kg = start_kg
    first = end.date() - timedelta(days=days)
    for offset in range(days):
        day = first + timedelta(days=offset)
        log_bodyweight(session, user, round(true_kg + rng.uniform(-0.5, 0.5), 1), day=day, now=end)
        intake = rng.gauss(2200, 250)
        for share, meal, hour in ((0.3, "breakfast", 8), (0.3, "lunch", 13), (0.4, "dinner", 19)):
            session.add(FoodEntry(user_id=user.id, name="Meal", calories=round(intake * share, 1), protein_g=40,
                                  carbs_g=80, fat_g=20, quantity=1, unit="g", meal_type=meal, eaten_at=at(day, hour)))
        true_kg += (intake - expenditure) / diary.KCAL_PER_KG
    session.flush()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_expenditure_estimate_recovers_a_known_expenditure_after_four_weeks(session, seed):
    user = make_user(session)
    simulate(session, user, seed=seed)
    estimate = estimate_expenditure(session, user, now=NOW)
    assert estimate == pytest.approx(2600, rel=0.05)


def test_expenditure_needs_two_weeks_of_intake_and_weigh_ins(session):
    user = make_user(session)
    simulate(session, user, seed=1, days=13)
    assert estimate_expenditure(session, user, now=NOW) is None
    assert diary.record_estimate(session, user, now=NOW) is None
    other = make_user(session, "Bob")
    simulate(session, other, seed=1, days=20)
    # Weigh-ins only over the last ten days: not enough span.
    for row in session.exec(select(FitnessData).where(FitnessData.user_id == other.id,
                                                      FitnessData.recorded_at < NOW - timedelta(days=10))).all():
        session.delete(row)
    session.flush()
    assert estimate_expenditure(session, other, now=NOW) is None


def test_suggestion_only_past_100_kcal_and_applying_it(session):
    user = make_user(session, sex="male", height_cm=180, date_of_birth=date(1990, 1, 1))
    simulate(session, user, seed=2)
    estimate = estimate_expenditure(session, user, now=NOW)
    form = {"activity": "moderate", "goal": "lose", "rate_kg_per_week": "0.5", "weight_kg": 85}
    goal = set_goal(session, user, {**form, "calories": str(round(estimate - 550 + 90))}, now=NOW)
    assert suggest_calorie_update(session, user, now=NOW) is None
    assert diary.apply_suggestion(session, user, now=NOW) is None

    set_goal(session, user, {**form, "calories": "2500"}, now=NOW)
    suggestion = suggest_calorie_update(session, user, now=NOW)
    assert suggestion["current"] == 2500
    assert suggestion["suggested"] == round(estimate - 550)
    assert suggestion["expenditure"] == round(estimate) and suggestion["adjustment"] == -550
    assert "kcal" in suggestion["message"]

    applied = diary.apply_suggestion(session, user, now=NOW)
    assert applied.id == goal.id and applied.calories == round(estimate - 550)
    assert applied.protein_g == 170 and applied.fat_g == round(applied.calories * 0.25 / 9)
    assert applied.carbs_g == round((applied.calories - 170 * 4 - applied.calories * 0.25) / 4)
    (stored,) = diary.expenditure_history(session, user)
    assert stored.applied and stored.kcal_per_day == pytest.approx(estimate, abs=0.1)
    assert suggest_calorie_update(session, user, now=NOW) is None
    assert session.exec(select(ExpenditureEstimate)).all() == [stored]


def test_record_estimate_builds_a_history(session):
    user = make_user(session)
    simulate(session, user, seed=3)
    first = diary.record_estimate(session, user, now=NOW - timedelta(days=1))
    second = diary.record_estimate(session, user, now=NOW)
    assert [e.id for e in diary.expenditure_history(session, user)] == [first.id, second.id]
    assert not second.applied and second.window_days == 28


# --- hints ------------------------------------------------------------------------------------------


def test_hints_nudge_towards_targets_then_protein_energy_and_fibre(session):
    user = make_user(session)
    shake = make_food(session, "Shake", kcal=100, protein=2, carbs=20, fat=1, fibre=0)
    assert daily_hints(session, user, DAY, now=NOW) == [
        "Set your calorie and macro targets to see how your day adds up."]

    set_targets(session, user, calories=2500, protein=150, carbs=300, fat=80)
    log_food(session, user, food_id=shake.id, quantity=1300, unit="g", meal_type="lunch", eaten_at=at(DAY, 12))
    hints = daily_hints(session, user, DAY, now=NOW)
    assert len(hints) == 2
    assert hints[0].startswith("Protein is at 26 g of your 150 g target")
    assert hints[1].startswith("Fibre is at 0 g today")
    # Before evening, low protein is no news yet.
    morning = at(DAY, 11)
    assert [h for h in daily_hints(session, user, DAY, now=morning) if h.startswith("Protein")] == []

    session.add(Workout(user_id=user.id, name="Push", started_at=at(DAY, 17)))
    session.flush()
    hints = daily_hints(session, user, DAY, now=NOW)
    assert any(h.startswith("You trained today and have eaten 1,300 of your 2,500 kcal") for h in hints)

    # Enough eaten, protein and fibre: nothing to say.
    steak = make_food(session, "Steak and beans", kcal=200, protein=25, carbs=10, fat=6, fibre=5)
    log_food(session, user, food_id=steak.id, quantity=500, unit="g", meal_type="dinner", eaten_at=at(DAY, 19))
    assert daily_hints(session, user, DAY, now=NOW) == []
    for hint in diary.daily_hints(session, user, DAY + timedelta(days=1), now=NOW):
        assert "diagnos" not in hint and "disorder" not in hint
