from datetime import timedelta

from adaptivefit.services.nutrition import day_page
from adaptivefit.services.nutrition.bodyweight import log_bodyweight
from adaptivefit.services.nutrition.diary import log_food
from adaptivefit.services.nutrition.expenditure import record_estimate
from tests.services.nutrition.nutrition_fixtures import DAY, NOW, at, make_food, make_user, set_targets, simulate


def test_rings_and_meals_read_as_the_page_shows_them(session):
    ann = make_user(session)
    oats = make_food(session)
    set_targets(session, ann, calories=2000, protein=20, carbs=0, fat=10)
    log_food(session, ann, food_id=oats.id, quantity=150, unit="g", meal_type="breakfast", eaten_at=at(DAY, 8))
    page = day_page.day_page(session, ann, DAY.isoformat(), "7", now=NOW)
    assert (page.day, page.day_label, page.has_targets) == ("2026-02-27", "Fri 27 Feb", True)
    calories, protein, carbs, fat = page.rings
    assert calories == {"label": "Calories", "value": "570", "target": "2000", "percent": "28", "unit": "kcal",
                        "left": "1430 kcal left"}
    # 19.5 g of 20 and 10.5 g of 10: each rounds to nothing, on its own side of the target.
    assert (protein["left"], protein["percent"]) == ("0 g left", "98")
    assert (fat["left"], fat["percent"]) == ("0 g over", "100")
    assert (carbs["target"], carbs["left"], carbs["percent"]) == ("", "", "0")
    breakfast = page.meals[0]
    assert (breakfast["label"], breakfast["kcal"]) == ("Breakfast", "570")
    assert {k: breakfast["entries"][0][k] for k in ("amount", "kcal", "macros")} == {
        "amount": "150 g", "kcal": "570", "macros": "P 20 · C 90 · F 10"}
    assert [m["label"] for m in page.meals] == ["Breakfast", "Lunch", "Dinner", "Snacks"]


def test_a_day_without_targets_and_the_labels_of_today_and_yesterday(session):
    ann = make_user(session)
    page = day_page.day_page(session, ann, "", "30", now=NOW)
    assert (page.day, page.day_label, page.has_targets) == ("2026-03-01", "Today", False)
    assert all(ring["target"] == "" and ring["left"] == "" for ring in page.rings)
    assert len(page.week) == 30
    assert day_page.day_page(session, ann, "2026-02-28", "7", now=NOW).day_label == "Yesterday"
    assert day_page.day_page(session, ann, "not a day", "7", now=NOW).day == "2026-03-01"
    assert len(day_page.day_page(session, ann, "", "365", now=NOW).week) == 7


def test_weights_show_in_the_members_units_with_one_rounding(session):
    ann = make_user(session, units="lb")
    log_bodyweight(session, ann, 50, day=NOW.date() - timedelta(days=1), now=NOW)
    page = day_page.day_page(session, ann, "", "7", now=NOW)
    assert page.units == "lb"
    assert page.trend == [{"date": "2026-02-28", "weight": 110.2, "trend": 110.2}]
    assert [p["weight"] for p in page.energy if p["weight"] is not None] == [110.2]
    assert page.energy[-1]["date"] == "01 Mar"


def test_estimates_are_dated_by_the_members_day(session):
    # 10:30 UTC on 1 March is 2 March in Kiritimati (UTC+14).
    ann = make_user(session, timezone="Pacific/Kiritimati")
    simulate(session, ann, seed=3)
    later = NOW + timedelta(hours=1, minutes=30)
    stored = record_estimate(session, ann, now=later)
    (shown,) = day_page.day_page(session, ann, "", "7", now=later).estimates
    assert shown == {"date": "2026-03-02", "kcal": str(round(stored.kcal_per_day)), "applied": ""}


def test_days_move_by_at_most_a_year_and_periods_are_seven_or_thirty():
    assert day_page.shifted_day("2026-03-01", -1) == "2026-02-28"
    assert day_page.shifted_day("2026-03-01", "1000") == "2027-03-02"
    assert day_page.shifted_day("", 1) == day_page.shifted_day("2026-03-01", "x") == ""
    assert [day_page.period_of(v) for v in ("7", "30", "90", None)] == ["7", "30", "7", "7"]
