import pytest

from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition import food_picker
from adaptivefit.services.nutrition.recipes import Line, save
from tests.services.nutrition.nutrition_fixtures import make_user, refused
from tests.services.nutrition.nutrition_fixtures import make_catalog_food as make_food


def test_search_rows_name_the_brand_and_leave_out_short_queries_and_the_recipe_in_the_builder(session):
    ann = make_user(session)
    drink = make_food(session, "Oat drink", kcal=45.6, brand="Oatly")
    own = food_picker.add_own_food(session, ann, {"name": "Oat bake", "kcal": 300, "protein_g": 10, "carbs_g": 40,
                                                  "fat_g": 10})
    assert food_picker.search_results(session, ann, " o ", limit=12) == []
    rows = food_picker.search_results(session, ann, "oat", limit=12)
    assert {"id": str(drink.id), "name": "Oat drink (Oatly)", "kcal": "46", "tag": ""} in rows
    assert {"id": own["id"], "name": "Oat bake", "kcal": "300", "tag": "mine"} in rows
    assert [r["id"] for r in food_picker.search_results(session, ann, "oat", limit=12, leave_out=own["id"])] == [
        str(drink.id)]


def test_a_chosen_recipe_is_logged_by_the_serving_and_a_foreign_food_is_refused(session):
    ann, bob = make_user(session), make_user(session, "Bob")
    oats = make_food(session, "Oats", kcal=380)
    recipe = save(session, ann, name="Porridge", lines=[Line(oats.id, "80", "g")], servings="2")
    assert food_picker.chosen_food(session, ann, str(recipe.id)) == {
        "id": str(recipe.id), "name": "Porridge", "kcal": "380", "units": "1 serving|g|oz", "quantity": "1",
        "attribution": "Your recipe"}
    assert food_picker.chosen_food(session, bob, oats.id)["quantity"] == "100"
    for food_id in (recipe.id, "x", None):
        assert refused(food_picker.chosen_food, session, bob, food_id) == {"food": "That food could not be found."}
    assert food_picker.ingredient(session, ann, recipe.id) == (recipe.id, "Porridge", "1", "1 serving",
                                                               ["g", "oz", "1 serving"])
    assert food_picker.ingredient(session, bob, oats.id) == (oats.id, "Oats", "100", "g", ["g", "oz"])
    with pytest.raises(ValidationFailed):
        food_picker.ingredient(session, bob, recipe.id)


def test_a_barcode_without_a_food_says_what_to_do(session):
    ann = make_user(session)
    make_food(session, "Cola", barcode="5449000000996")
    assert food_picker.food_for_barcode(session, ann, "5449000000996")["name"] == "Cola"
    assert refused(food_picker.food_for_barcode, session, ann, "4006381333931") == {
        "barcode": "No food with barcode 4006381333931 yet. Search by name, or add it as your own food."}
