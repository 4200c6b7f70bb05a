from datetime import UTC, date, datetime

from adaptivefit.models import FoodEntry, NutritionGoal, User
from adaptivefit.services.nutrition_history import intake_by_day, macro_split


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
