import pytest

from adaptivefit.services.nutrition.portions import OZ_IN_G, grams_for, logging_units, units_for
from tests.services.nutrition.nutrition_fixtures import refused
from tests.services.nutrition.nutrition_fixtures import make_catalog_food as make_food


def test_grams_for_each_unit_is_exact(session):
    milk = make_food(session, "Milk", servings=[{"name": "1 glass", "grams": 250}], grams_per_ml=1.03)
    assert grams_for(milk, 150, "g") == 150
    assert grams_for(milk, "2", "oz") == 2 * OZ_IN_G
    assert grams_for(milk, 1, "oz") == 28.349523125
    assert grams_for(milk, 200, "ml") == pytest.approx(206.0)
    assert grams_for(milk, "1,5", "1 glass") == 375
    assert grams_for(milk, 2, "1 Glass") == 500
    assert units_for(milk) == ["g", "oz", "ml", "1 glass"]


def test_ml_is_refused_for_a_food_without_density(session):
    bread = make_food(session, "Bread", servings=[{"name": "1 slice", "grams": 30}])
    assert "unit" in refused(grams_for, bread, 100, "ml")
    assert units_for(bread) == ["g", "oz", "1 slice"]


@pytest.mark.parametrize("quantity", [0, -5, "-1", float("nan"), "nan", float("inf"), "abc", "", None, True])
def test_bad_quantities_are_refused(session, quantity):
    food = make_food(session, "Rice")
    assert set(refused(grams_for, food, quantity, "g")) == {"quantity"}


def test_more_than_five_kilograms_is_refused(session):
    food = make_food(session, "Rice", servings=[{"name": "1 bag", "grams": 1000}])
    assert grams_for(food, 5000, "g") == 5000
    assert "quantity" in refused(grams_for, food, 5000.5, "g")
    assert "quantity" in refused(grams_for, food, 177, "oz")
    assert "quantity" in refused(grams_for, food, 6, "1 bag")


@pytest.mark.parametrize("unit", ["kg", "", "1 slice", "cup"])
def test_unknown_units_are_refused(session, unit):
    food = make_food(session, "Rice", servings=[{"name": "1 cup", "grams": 180}])
    assert set(refused(grams_for, food, 1, unit)) == {"unit"}



def test_a_recipe_is_logged_by_the_serving_first(session):
    soup = make_food(session, "Soup", servings=[{"name": "1 serving", "grams": 300}], is_recipe=True)
    bread = make_food(session, "Bread", servings=[{"name": "1 slice", "grams": 30}])
    assert logging_units(soup) == ["1 serving", "g", "oz"]
    assert logging_units(bread) == units_for(bread) == ["g", "oz", "1 slice"]
