import pytest
from sqlmodel import select

from adaptivefit.models import Food, FoodEntry, RecipeIngredient, User
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.nutrition import diary, foods, recipes
from adaptivefit.services.nutrition.custom_foods import create_custom_food
from adaptivefit.services.nutrition.macros import nutrients_for
from adaptivefit.services.nutrition.portions import grams_for
from adaptivefit.services.nutrition.recipes import Line, create_recipe
from tests.services.nutrition.nutrition_fixtures import make_catalog_food


def make_user(session, name="Ann") -> User:
    user = User(email=f"{name.lower()}@example.com", name=name)
    session.add(user)
    session.flush()
    return user


def make_food(session, name, kcal, protein, carbs, fat, *, servings=(), grams_per_ml=None, owner_id=None) -> Food:
    food = Food(name=name, name_lower=foods.normalise_name(name), kcal=kcal, protein_g=protein, carbs_g=carbs,
                fat_g=fat, servings=list(servings), grams_per_ml=grams_per_ml, owner_id=owner_id)
    session.add(food)
    session.flush()
    return food


@pytest.fixture
def pantry(session):
    return {
        "oats": make_food(session, "Oats", 380, 13, 60, 7),
        "milk": make_food(session, "Milk", 64, 3.4, 4.8, 3.6, grams_per_ml=1.03),
        "egg": make_food(session, "Egg", 143, 12.6, 0.7, 9.5, servings=[{"name": "1 large egg", "grams": 60}]),
    }


def refused(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def test_preview_gives_a_servings_nutrients_from_amounts_in_any_unit(session, pantry):
    ann = make_user(session)
    lines = [Line(pantry["oats"].id, "80", "g"), Line(pantry["milk"].id, "250", "ml"),
             Line(pantry["egg"].id, "2", "1 large egg")]
    result = recipes.preview(session, ann, lines, "2")
    grams = 80 + 250 * 1.03 + 120
    assert result.errors == {} and result.total_grams == pytest.approx(grams)
    kcal = (380 * 0.8 + 64 * 2.575 + 143 * 1.2) / 2
    assert result.per_serving.kcal == pytest.approx(kcal)
    assert result.per_serving.protein_g == pytest.approx((13 * 0.8 + 3.4 * 2.575 + 12.6 * 1.2) / 2)
    # Saved, one serving holds exactly what the preview said.
    recipe = recipes.save(session, ann, name="Oats and eggs", lines=lines, servings="2")
    one = nutrients_for(recipe, grams_for(recipe, 1, "1 serving"))
    assert one.kcal == pytest.approx(result.per_serving.kcal)


def test_preview_of_an_empty_recipe_is_not_an_error(session, pantry):
    result = recipes.preview(session, make_user(session), [], "4")
    assert result == recipes.Preview(0, None, {})


@pytest.mark.parametrize("line, servings, field, words", [
    (("oats", "-5", "g"), "2", "quantity-0", "above zero"),
    (("oats", "0", "g"), "2", "quantity-0", "above zero"),
    (("oats", "lots", "g"), "2", "quantity-0", "number"),
    (("oats", "100", "cup"), "2", "unit-0", "Choose grams, ounces"),
    (("oats", "100", "ml"), "2", "unit-0", "density"),
    (("oats", "9000", "g"), "2", "quantity-0", "kg"),
    ((999_999, "100", "g"), "2", "food-0", "food list"),
    (("oats", "100", "g"), "0", "servings", "from 1 to 100"),
    (("oats", "100", "g"), "1.5", "servings", "whole number"),
    (("oats", "100", "g"), "", "servings", "servings"),
])
def test_bad_input_is_refused_at_its_field_in_preview_and_save(session, pantry, line, servings, field, words):
    ann = make_user(session)
    food, quantity, unit = line
    lines = [Line(pantry["milk"].id, "100", "g"), Line(pantry[food].id if food in pantry else food, quantity, unit)]
    field = field.replace("-0", "-1")
    preview = recipes.preview(session, ann, lines, servings)
    assert words in preview.errors[field] and preview.per_serving is None
    errors = refused(recipes.save, session, ann, name="Porridge", lines=lines, servings=servings)
    assert words in errors[field] and "ingredients" not in errors
    assert session.exec(select(Food).where(Food.is_recipe.is_(True))).all() == []


def test_saving_refuses_a_nameless_empty_recipe_with_every_reason_at_once(session, pantry):
    errors = refused(recipes.save, session, make_user(session), name="  ", lines=[], servings="0")
    assert set(errors) == {"name", "ingredients", "servings"}
    assert errors["ingredients"] == "Add at least one ingredient."
    # A name and servings are still checked while a line is wrong.
    errors = refused(recipes.save, session, make_user(session, "Bob"), name="",
                     lines=[Line(pantry["oats"].id, "-1", "g")], servings="2")
    assert set(errors) == {"name", "quantity-0"}


def test_a_saved_recipe_is_found_in_search_and_logged_by_the_serving(session, pantry):
    ann = make_user(session)
    recipe = recipes.save(session, ann, name="Porridge", servings="2",
                          lines=[Line(pantry["oats"].id, "80", "g"), Line(pantry["milk"].id, "300", "g")])
    hit = foods.search_foods(session, ann.id, "porr")[0]
    assert (hit.id, hit.is_recipe, hit.is_mine) == (recipe.id, True, True)
    assert foods.search_foods(session, make_user(session, "Bob").id, "porr") == []
    entry = diary.log_food(session, ann, food_id=recipe.id, quantity="1.5", unit="1 serving", meal_type="breakfast")
    assert entry.calories == pytest.approx(round((380 * 0.8 + 64 * 3) * 0.75, 1), abs=0.1)


def test_editing_shows_the_amounts_as_entered_and_rewrites_the_recipe(session, pantry):
    ann = make_user(session)
    lines = [Line(pantry["egg"].id, "2", "1 LARGE EGG"), Line(pantry["milk"].id, "100", "ml")]
    recipe = recipes.save(session, ann, name="Scramble", lines=lines, servings="2")
    logged = diary.log_food(session, ann, food_id=recipe.id, quantity=1, unit="1 serving", meal_type="lunch")
    view = recipes.detail(session, ann, recipe.id)
    assert (view.name, view.servings) == ("Scramble", 2)
    assert [(i.name, i.quantity, i.unit) for i in view.ingredients] == [("Egg", 2, "1 large egg"), ("Milk", 100, "ml")]
    assert view.ingredients[0].units == ["g", "oz", "1 large egg"]

    before = logged.calories
    same = recipes.save(session, ann, name="Big scramble", servings="3", recipe_id=str(recipe.id),
                        lines=[Line(pantry["egg"].id, "4", "1 large egg")])
    assert same.id == recipe.id and same.name == "Big scramble" and same.kcal == pytest.approx(143)
    assert same.servings == [{"name": "1 serving", "grams": 80}]
    rows = session.exec(select(RecipeIngredient).where(RecipeIngredient.recipe_id == recipe.id)).all()
    assert [(r.food_id, r.grams, r.quantity, r.unit) for r in rows] == [(pantry["egg"].id, 240, 4, "1 large egg")]
    assert session.get(FoodEntry, logged.id).calories == before  # the diary keeps its snapshot
    assert [r.name for r in recipes.list_recipes(session, ann)] == ["Big scramble"]
    assert recipes.list_recipes(session, ann)[0].servings == 3


def test_a_recipe_made_before_amounts_were_kept_edits_in_grams(session, pantry):
    ann = make_user(session)
    recipe = create_recipe(session, ann, "Old porridge", [(pantry["oats"].id, 80)], 1)
    (line,) = recipes.detail(session, ann, recipe.id).ingredients
    assert (line.quantity, line.unit, line.grams) == (80, "g", 80)


def test_only_the_owner_sees_edits_or_deletes_a_recipe(session, pantry):
    ann, bob = make_user(session), make_user(session, "Bob")
    recipe = recipes.save(session, ann, name="Mine", lines=[Line(pantry["oats"].id, "50", "g")], servings="1")
    mine = create_custom_food(session, ann, {"name": "Ann's jam", "kcal": 250, "protein_g": 0, "carbs_g": 60,
                                                   "fat_g": 0})
    for call, args, kwargs in (
        (recipes.detail, (session, bob, recipe.id), {}),
        (recipes.delete, (session, bob, recipe.id), {}),
        (recipes.save, (session, bob), {"name": "Stolen", "recipe_id": recipe.id, "servings": "1",
                                         "lines": [Line(pantry["oats"].id, "50", "g")]}),
        (recipes.detail, (session, ann, pantry["oats"].id), {}),  # a food, not a recipe
        (recipes.detail, (session, ann, "not-an-id"), {}),
    ):
        with pytest.raises(NotYours, match="That recipe was not found in your account."):
            call(*args, **kwargs)
    assert "food-0" in refused(recipes.save, session, bob, name="Jam toast", servings="1",
                               lines=[Line(mine.id, "20", "g")])
    assert recipes.list_recipes(session, bob) == []
    assert session.get(Food, recipe.id).name == "Mine"


def test_delete_keeps_the_diary_and_refuses_while_another_recipe_holds_it(session, pantry):
    ann = make_user(session)
    base = recipes.save(session, ann, name="Stock", lines=[Line(pantry["milk"].id, "500", "g")], servings="5")
    soup = recipes.save(session, ann, name="Soup", lines=[Line(base.id, "2", "1 serving")], servings="1")
    entry = diary.log_food(session, ann, food_id=base.id, quantity=1, unit="1 serving", meal_type="lunch")
    assert "Soup" in refused(recipes.delete, session, ann, base.id)["recipe"]
    # Nor may the stock take in the soup that holds it.
    assert "itself" in refused(recipes.save, session, ann, name="Stock", recipe_id=base.id, servings="5",
                               lines=[Line(soup.id, "1", "1 serving")])["ingredients"]
    assert recipes.delete(session, ann, soup.id) == "Soup"
    assert recipes.delete(session, ann, base.id) == "Stock"
    assert session.get(Food, base.id) is None
    assert session.exec(select(RecipeIngredient)).all() == []
    session.expire_all()
    kept = session.get(FoodEntry, entry.id)
    assert kept.food_id is None and kept.name == "Stock"


def test_recipe_nutrients_come_from_its_ingredients(session):
    member = make_user(session, "Ana")
    oats = make_catalog_food(session, "Oats", kcal=380, protein=13, carbs=68, fat=6.5, fibre_g=10)
    milk = make_catalog_food(session, "Milk", kcal=64, protein=3.4, carbs=4.8, fat=3.6, grams_per_ml=1.03)
    honey = create_custom_food(session, member, {"name": "Honey", "kcal": 304, "protein_g": 0.3, "carbs_g": 82,
                                                 "fat_g": 0, "fibre_g": 0.2})
    recipe = create_recipe(session, member, "Porridge", [(oats.id, 80), (milk.id, 300), (honey.id, 20)], 2)
    total = 80 + 300 + 20
    assert recipe.is_recipe and recipe.owner_id == member.id
    assert recipe.kcal == pytest.approx((380 * 0.8 + 64 * 3 + 304 * 0.2) * 100 / total)
    assert recipe.protein_g == pytest.approx((13 * 0.8 + 3.4 * 3 + 0.3 * 0.2) * 100 / total)
    assert recipe.fat_g == pytest.approx((6.5 * 0.8 + 3.6 * 3) * 100 / total)
    assert recipe.fibre_g == pytest.approx((10 * 0.8 + 0.2 * 0.2) * 100 / total)  # milk states none
    assert recipe.sugar_g is None
    assert recipe.servings == [{"name": "1 serving", "grams": 200}]
    one = nutrients_for(recipe, grams_for(recipe, 1, "1 serving"))
    assert one.kcal == pytest.approx((380 * 0.8 + 64 * 3 + 304 * 0.2) / 2)
    parts = session.exec(select(RecipeIngredient).where(RecipeIngredient.recipe_id == recipe.id)).all()
    assert sorted((p.food_id, p.grams) for p in parts) == sorted([(oats.id, 80), (milk.id, 300), (honey.id, 20)])
    assert [hit.name for hit in foods.search_foods(session, member.id, "porridge")] == ["Porridge"]
    assert foods.search_foods(session, member.id, "porridge")[0].is_recipe


@pytest.mark.parametrize("name, ingredients, servings, field", [
    ("", None, 1, "name"),
    ("Soup", [], 1, "ingredients"),
    ("Soup", [(None, 100)], 1, "ingredients"),
    ("Soup", [(999_999, 100)], 1, "ingredients"),
    ("Soup", [("food", 100)], 1, "ingredients"),
    ("Soup", "grams0", 1, "ingredients"),
    ("Soup", "grams6000", 1, "ingredients"),
    ("Soup", "food", 0, "servings"),
    ("Soup", "food", 1.5, "servings"),
])
def test_recipe_input_is_checked(session, name, ingredients, servings, field):
    member = make_user(session, "Ana")
    food = make_catalog_food(session, "Leek")
    ingredients = {"food": [(food.id, 100)], "grams0": [(food.id, 0)], "grams6000": [(food.id, 6000)]}.get(
        ingredients, ingredients) if isinstance(ingredients, str) else ingredients
    assert field in refused(create_recipe, session, member, name, ingredients, servings)
