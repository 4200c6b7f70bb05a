import pytest
from sqlmodel import select

from adaptivefit.models import Food
from adaptivefit.services.nutrition.custom_foods import create_custom_food
from adaptivefit.services.nutrition.portions import grams_for
from tests.services.nutrition.nutrition_fixtures import make_user, refused


def test_custom_food_is_stored_per_100g_for_its_owner(session):
    member = make_user(session, "Ana")
    food = create_custom_food(session, member, {
        "name": "  Seeded   rye bread ", "brand": "Home", "kcal": "250", "protein_g": "8,5", "carbs_g": 40,
        "fat_g": 5, "fibre_g": 7, "sugar_g": 3, "saturated_fat_g": 1, "sodium_mg": 400,
        "serving_name": "1 slice", "serving_grams": 35,
    })
    assert (food.name, food.name_lower, food.owner_id, food.source) == ("Seeded rye bread", "seeded rye bread",
                                                                        member.id, "custom")
    assert (food.kcal, food.protein_g, food.fibre_g, food.sodium_mg) == (250, 8.5, 7, 400)
    assert food.servings == [{"name": "1 slice", "grams": 35}]
    assert grams_for(food, 2, "1 slice") == 70


@pytest.mark.parametrize("change, field", [
    ({"name": " "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"kcal": 901}, "kcal"),
    ({"kcal": -1}, "kcal"),
    ({"kcal": "lots"}, "kcal"),
    ({"kcal": None}, "kcal"),
    ({"protein_g": 101}, "protein_g"),
    ({"protein_g": 50, "carbs_g": 40, "fat_g": 20}, "fat_g"),
    ({"sugar_g": 30}, "sugar_g"),
    ({"saturated_fat_g": 6}, "saturated_fat_g"),
    ({"sodium_mg": 50_000}, "sodium_mg"),
    ({"barcode": "12-34"}, "barcode"),
    ({"serving_grams": 30}, "serving_name"),
    ({"serving_name": "1 slice"}, "serving_grams"),
    ({"serving_name": "1 slice", "serving_grams": 0}, "serving_grams"),
    ({"grams_per_ml": 9}, "grams_per_ml"),
])
def test_custom_food_fields_are_checked(session, change, field):
    member = make_user(session, "Ana")
    form = {"name": "Bar", "kcal": 400, "protein_g": 20, "carbs_g": 20, "fat_g": 5} | change
    assert field in refused(create_custom_food, session, member, form)
    assert session.exec(select(Food)).all() == []
