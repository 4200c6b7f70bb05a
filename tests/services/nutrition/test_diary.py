from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from adaptivefit.models import FitnessData, FoodEntry
from adaptivefit.services.core.access import NotYours
from adaptivefit.services.nutrition.diary import (
    copy_day,
    copy_meal,
    day_view,
    delete_entry,
    log_food,
    log_food_on_day,
    recent_foods,
    update_entry,
)
from adaptivefit.services.nutrition.macros import Targets
from tests.services.nutrition.nutrition_fixtures import DAY, at, make_food, make_user, record_of, refused, set_targets


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

    for call, args in ((update_entry, (session, other, gone.id)), (delete_entry, (session, other, gone.id)),
                       (delete_entry, (session, user, "not-an-id"))):
        with pytest.raises(NotYours, match="That entry was not found in your account."):
            call(*args)

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
    assert view.remaining == Targets(1430, 130, 110, 56)


def test_recent_foods_are_newest_first_once_each_and_still_visible(session):
    user = make_user(session)
    foods = [make_food(session, name) for name in ("Oats", "Rice", "Eggs")]
    for food in (foods[0], foods[1], foods[0], foods[2]):
        log_food(session, user, food_id=food.id, quantity=100, unit="g", meal_type="lunch")
    assert recent_foods(session, user) == [(foods[2].id, "Eggs"), (foods[0].id, "Oats"), (foods[1].id, "Rice")]
    assert recent_foods(session, user, limit=1) == [(foods[2].id, "Eggs")]
    assert recent_foods(session, make_user(session, "Bob")) == []



# --- logging to a day -------------------------------------------------------------------------------


def test_an_entry_for_another_day_takes_the_members_local_time_of_day(session):
    # Kiritimati is UTC+14: at 09:00 UTC it is 23:00 there, a time of day neither UTC nor a server clock reads.
    zone = ZoneInfo("Pacific/Kiritimati")
    user = make_user(session, timezone="Pacific/Kiritimati")
    oats = make_food(session)
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    earlier = log_food_on_day(session, user, date(2026, 2, 27), food_id=oats.id, quantity=50, unit="g",
                              meal_type="dinner", now=now)
    local = earlier.eaten_at.astimezone(zone)
    assert (local.date(), local.hour, local.minute) == (date(2026, 2, 27), 23, 0)
    assert [row.id for row in day_view(session, user, date(2026, 2, 27)).meals["dinner"]] == [earlier.id]
    # The member's today (already 1 March there) is logged at this moment.
    today = log_food_on_day(session, user, date(2026, 3, 1), food_id=oats.id, quantity=50, unit="g",
                            meal_type="snack", now=now)
    assert today.eaten_at == now
    assert log_food_on_day(session, user, None, food_id=oats.id, quantity=50, unit="g", meal_type="snack",
                           now=now).eaten_at == now
