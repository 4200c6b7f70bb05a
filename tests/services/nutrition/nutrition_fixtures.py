"""What the nutrition tests share: members, foods, instants in a zone, refusals, targets, a simulated month."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from adaptivefit.models import FitnessData, Food, FoodEntry, NutritionGoal, User
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition.bodyweight import log_bodyweight
from adaptivefit.services.nutrition.foods import normalise_name
from adaptivefit.services.nutrition.targets import KCAL_PER_KG

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
        true_kg += (intake - expenditure) / KCAL_PER_KG
    session.flush()


# Foods as the food-database tests make them: plain defaults, any optional nutrient by keyword.
def make_catalog_food(session, name, *, kcal=100.0, protein=10.0, carbs=10.0, fat=2.0, owner=None, barcode=None,
                      servings=(), grams_per_ml=None, **optional):
    food = Food(
        name=name, name_lower=normalise_name(name), kcal=kcal, protein_g=protein, carbs_g=carbs, fat_g=fat,
        owner_id=owner.id if owner else None, barcode=barcode, servings=list(servings), grams_per_ml=grams_per_ml,
        **optional,
    )
    session.add(food)
    session.flush()
    return food


def eat(session, user, food, when, times=1):
    for _ in range(times):
        session.add(FoodEntry(
            user_id=user.id, food=food.name, food_id=food.id, name=food.name, calories=food.kcal,
            protein_g=food.protein_g, carbs_g=food.carbs_g, fat_g=food.fat_g, quantity=100, unit="g",
            meal_type="lunch", eaten_at=when,
        ))
    session.flush()
