import pytest

from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.nutrition import recipe_page
from adaptivefit.services.nutrition.recipes import MAX_INGREDIENTS, Line
from tests.services.nutrition.nutrition_fixtures import make_user, refused
from tests.services.nutrition.nutrition_fixtures import make_catalog_food as make_food


def test_the_builder_shows_one_servings_figures_and_saves_and_deletes_with_a_message(session):
    ann, bob = make_user(session), make_user(session, "Bob")
    oats = make_food(session, "Oats", kcal=380, protein=13, carbs=60, fat=7, fibre_g=10)
    lines = [Line(oats.id, "80", "g")]
    totals = recipe_page.builder_totals(session, ann, lines, "2")
    assert totals == recipe_page.BuilderTotals({}, {"kcal": "152", "protein": "5.2", "carbs": "24.0", "fat": "2.8",
                                                    "fibre": "4.0"}, "80")
    assert recipe_page.builder_totals(session, ann, [], "2") == recipe_page.BuilderTotals({}, {}, "")
    message, rows = recipe_page.save_recipe(session, ann, name="Porridge", lines=lines, servings="2", recipe_id=None)
    assert message == "Saved Porridge. Find it in food search on the nutrition page."
    assert rows == [{"id": rows[0]["id"], "name": "Porridge", "servings": "2", "serving_grams": "40", "kcal": "152",
                     "protein": "5.2", "carbs": "24.0", "fat": "2.8", "fibre": "4.0"}]
    opened = recipe_page.open_recipe(session, ann, rows[0]["id"])
    assert (opened.name, opened.servings, opened.lines) == ("Porridge", "2", [(oats.id, "Oats", "80", "g", ["g", "oz"])])
    with pytest.raises(NotYours):
        recipe_page.open_recipe(session, bob, rows[0]["id"])
    with pytest.raises(NotYours):
        recipe_page.delete_recipe(session, bob, rows[0]["id"])
    assert recipe_page.delete_recipe(session, ann, rows[0]["id"]) == ("Deleted Porridge.", [])


def test_the_builder_refuses_a_line_past_the_most_a_recipe_holds():
    recipe_page.check_room(MAX_INGREDIENTS - 1)
    assert refused(recipe_page.check_room, MAX_INGREDIENTS) == {
        "ingredients": f"A recipe holds at most {MAX_INGREDIENTS} ingredients."}
    with pytest.raises(ValidationFailed):
        recipe_page.check_room(MAX_INGREDIENTS + 5)
