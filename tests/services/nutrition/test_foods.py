from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
from sqlmodel import select

from adaptivefit.models import Food, FoodEntry, RecipeIngredient, User
from adaptivefit.services.nutrition import foods as foods_service
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition.foods import (
    OZ_IN_G,
    create_custom_food,
    create_recipe,
    food_by_barcode,
    grams_for,
    install_foods,
    normalise_name,
    nutrients_for,
    search_foods,
    units_for,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def make_user(session, name):
    user = User(email=f"{name.lower()}@example.com", name=name)
    session.add(user)
    session.flush()
    return user


def make_food(session, name, *, kcal=100.0, protein=10.0, carbs=10.0, fat=2.0, owner=None, barcode=None,
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


def refused(action, *args):
    with pytest.raises(ValidationFailed) as caught:
        action(*args)
    return caught.value.errors


# Amounts -----------------------------------------------------------------------------------


def test_normalise_name_strips_accents_case_and_spaces():
    assert normalise_name("  Bûche   Sainte-Maure\tCRÈME ") == "buche sainte-maure creme"


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


def test_nutrients_scale_with_grams_and_keep_unknowns_unknown(session):
    food = make_food(session, "Oats", kcal=379, protein=13.2, carbs=67.7, fat=6.5, fibre_g=10.1, sodium_mg=6)
    n = nutrients_for(food, 40)
    assert n.kcal == pytest.approx(151.6)
    assert n.protein_g == pytest.approx(5.28)
    assert n.carbs_g == pytest.approx(27.08)
    assert n.fat_g == pytest.approx(2.6)
    assert n.fibre_g == pytest.approx(4.04)
    assert n.sodium_mg == pytest.approx(2.4)
    assert n.sugar_g is None and n.saturated_fat_g is None
    assert nutrients_for(food, grams_for(food, 1, "oz")).kcal == pytest.approx(379 * OZ_IN_G / 100)


# Shipped table -------------------------------------------------------------------------------


def test_install_foods_is_idempotent(session, monkeypatch):
    table = [
        {"name": "Apple, raw", "kcal": 52, "protein_g": 0.3, "carbs_g": 13.8, "fat_g": 0.2, "fibre_g": 2.4,
         "sugar_g": 10.4, "saturated_fat_g": 0.0, "sodium_mg": 1, "servings": [{"name": "1 medium", "grams": 182}],
         "grams_per_ml": None},
        {"name": "Crème fraîche", "kcal": 292, "protein_g": 2.4, "carbs_g": 2.8, "fat_g": 30, "fibre_g": 0,
         "sugar_g": 2.8, "saturated_fat_g": 19, "sodium_mg": 40, "servings": [], "grams_per_ml": 1.0},
    ]
    monkeypatch.setattr(foods_service, "load_shipped", lambda name: table)
    assert install_foods(session) == 2
    assert install_foods(session) == 0
    creme = session.exec(select(Food).where(Food.name_lower == "creme fraiche")).one()
    assert (creme.source, creme.owner_id, creme.grams_per_ml, creme.fat_g) == ("adaptivefit", None, 1.0, 30)
    apple = session.exec(select(Food).where(Food.name == "Apple, raw")).one()
    assert apple.servings == [{"name": "1 medium", "grams": 182.0}]


@pytest.mark.skipif(not resources.files("adaptivefit.data").joinpath("foods.json").is_file(),
                    reason="adaptivefit/data/foods.json is not there yet")
def test_the_shipped_table_installs(session):
    added = install_foods(session)
    assert added >= 500
    assert install_foods(session) == 0
    for food in session.exec(select(Food)).all():
        assert food.name and food.name_lower == normalise_name(food.name)
        assert 0 <= food.kcal <= 900 and food.protein_g + food.carbs_g + food.fat_g <= 100.5
        assert all(s["grams"] > 0 for s in food.servings)


# Search -------------------------------------------------------------------------------------


def names(hits):
    return [hit.name for hit in hits]


def test_ranking_exact_prefix_word_then_substring(session):
    member = make_user(session, "Ana")
    for name in ("Grilled chicken", "Chickpeas, canned", "Chicken breast, roasted", "Chicken",
                 "Spiced chickenish stew", "Rice"):
        make_food(session, name)
    hits = search_foods(session, member.id, "chicken", now=NOW)
    assert names(hits) == ["Chicken", "Chicken breast, roasted", "Grilled chicken", "Spiced chickenish stew"]
    assert names(search_foods(session, member.id, "icken", now=NOW)) == [
        "Chicken", "Grilled chicken", "Spiced chickenish stew", "Chicken breast, roasted"]
    assert names(search_foods(session, member.id, "  CHICK ", now=NOW))[:3] == [
        "Chicken", "Chickpeas, canned", "Chicken breast, roasted"]
    assert names(search_foods(session, member.id, "breast chicken", now=NOW)) == ["Chicken breast, roasted"]
    assert search_foods(session, member.id, "zzqx", now=NOW) == []


def test_recent_and_frequent_foods_come_first(session):
    member, other = make_user(session, "Ana"), make_user(session, "Ben")
    plain = make_food(session, "Chicken")
    stew = make_food(session, "Chicken stew")
    curry = make_food(session, "Thai chicken curry")
    old = make_food(session, "Chicken soup")
    eat(session, member, curry, NOW - timedelta(days=3), times=4)
    eat(session, member, stew, NOW - timedelta(days=1), times=2)
    eat(session, member, old, NOW - timedelta(days=120), times=9)
    eat(session, other, plain, NOW - timedelta(days=1), times=5)
    hits = search_foods(session, member.id, "chicken", now=NOW)
    assert names(hits) == ["Thai chicken curry", "Chicken stew", "Chicken", "Chicken soup"]
    assert [h.recent for h in hits] == [True, True, False, False]
    assert names(search_foods(session, member.id, "", now=NOW)) == ["Thai chicken curry", "Chicken stew"]
    assert names(search_foods(session, member.id, "stew", now=NOW)) == ["Chicken stew"]
    assert names(search_foods(session, other.id, "chicken", now=NOW))[0] == "Chicken"
    assert len(search_foods(session, member.id, "chicken", limit=2, now=NOW)) == 2


def test_private_foods_are_seen_by_their_owner_only(session):
    ana, ben = make_user(session, "Ana"), make_user(session, "Ben")
    mine = create_custom_food(session, ana, {"name": "Ana's granola", "kcal": 450, "protein_g": 12, "carbs_g": 60,
                                             "fat_g": 18, "barcode": "4006381333931"})
    make_food(session, "Granola, plain")
    ana_hits = search_foods(session, ana.id, "granola", now=NOW)
    assert names(ana_hits) == ["Granola, plain", "Ana's granola"]
    assert [h.is_mine for h in ana_hits] == [False, True]
    assert names(search_foods(session, ben.id, "granola", now=NOW)) == ["Granola, plain"]
    assert names(search_foods(session, None, "granola", now=NOW)) == ["Granola, plain"]
    assert food_by_barcode(session, ana.id, "4006381333931").id == mine.id
    assert food_by_barcode(session, ben.id, "4006381333931") is None
    assert names(search_foods(session, ben.id, "4006381333931", now=NOW)) == []
    eat(session, ana, mine, NOW - timedelta(days=1))
    assert "Ana's granola" not in names(search_foods(session, ben.id, "", now=NOW))
    with pytest.raises(ValidationFailed):
        create_recipe(session, ben, "Borrowed", [(mine.id, 50)], 1)


def test_barcode_lookup_with_and_without_leading_zeros(session):
    member = make_user(session, "Ana")
    upc = make_food(session, "Peanut butter", barcode="051500255162")  # UPC-A as printed
    ean = make_food(session, "Yoghurt", barcode="0200000000034")  # EAN-13 with a leading zero
    assert food_by_barcode(session, member.id, "051500255162").id == upc.id
    assert food_by_barcode(session, member.id, "0051500255162").id == upc.id  # the same as EAN-13
    assert food_by_barcode(session, member.id, "00051500255162").id == upc.id  # as GTIN-14
    assert food_by_barcode(session, member.id, "200000000034").id == ean.id
    assert food_by_barcode(session, member.id, " 0200000000034 ").id == ean.id
    assert names(search_foods(session, member.id, "0200000000034", now=NOW)) == ["Yoghurt"]
    for bad in ("", "1234567", "123456789012345", "12345abc9", "0000000000000"):
        assert food_by_barcode(session, member.id, bad) is None


def test_own_barcode_wins_over_the_shared_one(session):
    member = make_user(session, "Ana")
    make_food(session, "Shared cola", barcode="5449000000996")
    own = create_custom_food(session, member, {"name": "My cola", "kcal": 42, "protein_g": 0, "carbs_g": 10.6,
                                               "fat_g": 0, "barcode": "5449000000996"})
    assert food_by_barcode(session, member.id, "5449000000996").id == own.id


# Custom foods and recipes ---------------------------------------------------------------------


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


def test_recipe_nutrients_come_from_its_ingredients(session):
    member = make_user(session, "Ana")
    oats = make_food(session, "Oats", kcal=380, protein=13, carbs=68, fat=6.5, fibre_g=10)
    milk = make_food(session, "Milk", kcal=64, protein=3.4, carbs=4.8, fat=3.6, grams_per_ml=1.03)
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
    assert names(search_foods(session, member.id, "porridge", now=NOW)) == ["Porridge"]
    assert search_foods(session, member.id, "porridge", now=NOW)[0].is_recipe


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
    food = make_food(session, "Leek")
    ingredients = {"food": [(food.id, 100)], "grams0": [(food.id, 0)], "grams6000": [(food.id, 6000)]}.get(
        ingredients, ingredients) if isinstance(ingredients, str) else ingredients
    assert field in refused(create_recipe, session, member, name, ingredients, servings)


@pytest.mark.parametrize("query", ["%", "_", "'", "a%b_c\\", "x" * 500, "  ", "é", "12345", "1234567890123456"])
def test_odd_queries_are_plain_text(session, query):
    member = make_user(session, "Ana")
    make_food(session, "100% juice")
    hits = search_foods(session, member.id, query, limit=0)
    assert len(hits) <= 1
    assert names(search_foods(session, member.id, "%", now=NOW)) == ["100% juice"]
