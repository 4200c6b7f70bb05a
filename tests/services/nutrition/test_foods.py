from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
from sqlmodel import select

from adaptivefit.models import Food
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition import foods as foods_service
from adaptivefit.services.nutrition.custom_foods import create_custom_food
from adaptivefit.services.nutrition.foods import food_by_barcode, install_foods, normalise_name, search_foods
from adaptivefit.services.nutrition.recipes import create_recipe
from tests.services.nutrition.nutrition_fixtures import eat, make_user
from tests.services.nutrition.nutrition_fixtures import make_catalog_food as make_food

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_normalise_name_strips_accents_case_and_spaces():
    assert normalise_name("  Bûche   Sainte-Maure\tCRÈME ") == "buche sainte-maure creme"



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



@pytest.mark.parametrize("query", ["%", "_", "'", "a%b_c\\", "x" * 500, "  ", "é", "12345", "1234567890123456"])
def test_odd_queries_are_plain_text(session, query):
    member = make_user(session, "Ana")
    make_food(session, "100% juice")
    hits = search_foods(session, member.id, query, limit=0)
    assert len(hits) <= 1
    assert names(search_foods(session, member.id, "%", now=NOW)) == ["100% juice"]
