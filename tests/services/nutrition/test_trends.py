from datetime import UTC, date, datetime, timedelta

import pytest

from adaptivefit.models import FoodEntry, NutritionGoal, User
from adaptivefit.services.nutrition.bodyweight import log_bodyweight, weight_trend
from adaptivefit.services.nutrition.expenditure import estimate_expenditure
from adaptivefit.services.nutrition.trends import intake_by_day, macro_split, weight_and_energy


def _entry(user, when, kcal, protein, carbs, fat):
    return FoodEntry(user_id=user.id, food="x", name="x", calories=kcal, protein_g=protein, carbs_g=carbs, fat_g=fat,
                     quantity=100, unit="g", meal_type="lunch", eaten_at=when)


def test_days_follow_the_members_time_zone_and_gaps_are_zero(session):
    user = User(email="n@example.com", name="N", timezone="America/New_York")
    session.add(user)
    session.flush()
    session.add(NutritionGoal(user_id=user.id, calories=2200, protein_g=150, carbs_g=230, fat_g=70))
    # 02:00 UTC on the 20th is still the evening of the 19th in New York.
    session.add(_entry(user, datetime(2026, 11, 20, 2, 0, tzinfo=UTC), 500, 30, 50, 20))
    session.add(_entry(user, datetime(2026, 11, 20, 18, 0, tzinfo=UTC), 700, 40, 80, 20))
    session.flush()
    series = intake_by_day(session, user, days=3, today=date(2026, 11, 21))
    assert [d["date"] for d in series] == ["2026-11-19", "2026-11-20", "2026-11-21"]
    assert [d["kcal"] for d in series] == [500, 700, 0]
    assert all(d["target"] == 2200 for d in series)
    split = {d["name"]: d["kcal"] for d in macro_split(series)}
    assert split == {"Protein": 280, "Carbohydrate": 520, "Fat": 360}


def test_weight_and_energy_puts_trend_weigh_ins_intake_and_expenditure_on_one_time_line(session):
    user = User(email="w@example.com", name="W")
    session.add(user)
    session.flush()
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    today = now.date()
    # Five weeks: 2500 kcal a day, weight falling 0.1 kg a day (770 kcal a day below expenditure).
    for back in range(35, 0, -1):
        day = today - timedelta(days=back)
        session.add(_entry(user, datetime(day.year, day.month, day.day, 12, tzinfo=UTC), 2500, 150, 250, 80))
        if back % 2:
            log_bodyweight(session, user, 90 - 0.1 * (35 - back), day=day, now=now)
    session.flush()
    series = weight_and_energy(session, user, days=7, now=now)
    assert [p["date"] for p in series] == [(today - timedelta(days=6 - i)).isoformat() for i in range(7)]
    assert series[-1]["intake"] is None and series[0]["intake"] == 2500  # today: nothing logged yet
    assert [p["weight"] is not None for p in series] == [(6 - i) % 2 == 1 for i in range(7)]
    trend = {p["date"].isoformat(): p for p in weight_trend(session, user, 7, now=now)}
    assert all(p["trend"] == trend[p["date"]]["trend"] for p in series if p["date"] in trend)
    # Each day's expenditure is the estimate as it stood that morning: today's is today's estimate.
    assert series[-1]["expenditure"] == round(estimate_expenditure(session, user, now=now))
    assert series[0]["expenditure"] == round(estimate_expenditure(session, user, now=now - timedelta(days=6)))
    assert series[-1]["expenditure"] == pytest.approx(2500 + 770, abs=15)
    assert weight_and_energy(session, User(id=999_999, email="x@example.com", name="X"), days=3, now=now) == [
        {"date": d, "weight": None, "trend": None, "intake": None, "expenditure": None}
        for d in ("2026-02-27", "2026-02-28", "2026-03-01")]


def test_expenditure_is_missing_until_two_weeks_are_logged(session):
    user = User(email="v@example.com", name="V")
    session.add(user)
    session.flush()
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for back in range(10, 0, -1):
        day = now.date() - timedelta(days=back)
        session.add(_entry(user, datetime(day.year, day.month, day.day, 12, tzinfo=UTC), 2000, 100, 200, 70))
        log_bodyweight(session, user, 70, day=day, now=now)
    session.flush()
    assert all(p["expenditure"] is None for p in weight_and_energy(session, user, days=30, now=now))
