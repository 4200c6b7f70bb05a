"""Food imports, on real Open Food Facts responses and wger's ingredient fixture.

Both are read from ../shared/data (other licences: never copied into the repository). There is
no USDA sample there, so the USDA test uses a small sample written below in the documented
FoodData Central download shape.
"""

import json

import pytest
from sqlmodel import select

from adaptivefit.models import Food
from adaptivefit.services.nutrition.food_import import import_off, import_usda, import_wger_ingredients
from adaptivefit.services.nutrition.foods import food_by_barcode, search_foods
from tests.conftest import SHARED_DATA, shared_data_missing

FOOD = SHARED_DATA / "food"
ROBOTOFF = FOOD / "openfoodfacts" / "robotoff"
OFF_SERVER = FOOD / "openfoodfacts" / "openfoodfacts-server"
WGER = FOOD / "wger" / "test-ingredients.json"

pytestmark = pytest.mark.skipif(
    shared_data_missing(ROBOTOFF / "3228857000852.json", WGER),
    reason=f"food test data not found at {FOOD} (the shared test data sits beside the repository)",
)

PRODUCTS = ("3088543506255", "3225350000501", "3228857000852", "3366321052331", "3523230028431")

# name, brand, kcal, protein, carbs, fat, fibre, sugar, saturated fat, sodium mg, servings
EXPECTED = {
    "3225350000501": ("Pulco Citron", "Pulco", 23, 0.2, 1.6, 0, None, 0.8, 0, 4, [{"name": "100ml", "grams": 100}]),
    "3228857000852": ("Pain 100% mie nature PT", "Harrys", 268, 7, 48.5, 4.3, 3.8, 7.7, 0.4, 452,
                      [{"name": "25g", "grams": 25}]),
    "3366321052331": ("St Hubert bio doux pour tartine et cuisine", "St Hubert", 470, 0, 0, 52, 0, 0, 17, 180,
                      [{"name": "10 g", "grams": 10}]),
    "3523230028431": ("Bûche Sainte-Maure", "Soignon", 291, 20, 1, 23, 0, 1, 16, 600, []),
}


def off_bytes(code):
    return (ROBOTOFF / f"{code}.json").read_bytes()


def shared_food(session, barcode):
    return session.exec(select(Food).where(Food.barcode == barcode, Food.owner_id.is_(None))).one()


def check_product(food, code):
    name, brand, kcal, protein, carbs, fat, fibre, sugar, saturated, sodium, servings = EXPECTED[code]
    assert (food.name, food.brand, food.barcode, food.external_id) == (name, brand, code, code)
    assert (food.source, food.owner_id, food.is_recipe) == ("openfoodfacts", None, False)
    assert food.attribution == f"Open Food Facts (ODbL), product {code}"
    assert (food.kcal, food.protein_g, food.carbs_g, food.fat_g) == pytest.approx((kcal, protein, carbs, fat))
    assert food.fibre_g == (None if fibre is None else pytest.approx(fibre))
    assert (food.sugar_g, food.saturated_fat_g, food.sodium_mg) == pytest.approx((sugar, saturated, sodium))
    assert food.servings == servings


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_real_off_product_is_parsed(session, code):
    report = import_off(session, off_bytes(code), filename=f"{code}.json")
    assert (report.added, report.merged, report.bad) == (1, 0, [])
    check_product(shared_food(session, code), code)


def test_a_product_without_nutrition_facts_is_reported(session):
    report = import_off(session, off_bytes("3088543506255"))
    assert report.added == 0
    assert report.bad == [("3088543506255", "no kcal, protein, carbs, fat per 100 g")]
    assert session.exec(select(Food)).all() == []


def test_accents_fold_for_search(session):
    import_off(session, off_bytes("3523230028431"))
    assert [h.name for h in search_foods(session, None, "buche")] == ["Bûche Sainte-Maure"]
    assert food_by_barcode(session, None, "3523230028431").brand == "Soignon"


def test_kj_only_product_is_converted(session):
    response = json.loads((OFF_SERVER / "get-nutriments.json").read_text())
    # The server's test product has no name, so it is refused as it stands...
    assert import_off(session, json.dumps(response)).bad == [("0200000000034", "no product name")]
    # ...and once named, its 400 kJ become kcal.
    response["product"]["product_name"] = "Test product"
    report = import_off(session, json.dumps(response))
    assert (report.added, report.bad) == (1, [])
    food = shared_food(session, "0200000000034")
    assert food.kcal == pytest.approx(400 / 4.184)
    assert (food.protein_g, food.carbs_g, food.fat_g, food.fibre_g) == (4.5, 10.5, 8.5, 2)
    assert (food.sugar_g, food.saturated_fat_g, food.sodium_mg) == pytest.approx((12.5, 5.6, 20.08))


def test_filtered_and_not_found_responses_are_reported(session):
    fields = (OFF_SERVER / "get-fields-product-quantity-and-energy-kcal-100g.json").read_text()
    missing = (OFF_SERVER / "get-unexisting-product.json").read_bytes()
    assert import_off(session, fields).bad == [("0200000000034", "no product name")]
    report = import_off(session, missing)
    assert (report.added, report.merged, report.bad) == (0, 0, [("12345678", "product not found")])
    named = json.loads(fields)
    named["product"]["product_name"] = "Test product"
    assert import_off(session, json.dumps(named)).bad == [("0200000000034", "no protein, carbs, fat per 100 g")]


def test_a_list_imports_and_reimport_merges(session):
    responses = [json.loads(off_bytes(code)) for code in PRODUCTS]
    first = import_off(session, json.dumps(responses))
    assert (first.added, first.merged) == (4, 0)
    assert [label for label, _ in first.bad] == ["3088543506255"]
    again = import_off(session, json.dumps(responses))
    assert (again.added, again.merged) == (0, 4)
    assert len(session.exec(select(Food)).all()) == 4
    for code in EXPECTED:
        check_product(shared_food(session, code), code)


def test_same_name_and_brand_merges_and_updates(session):
    import_off(session, off_bytes("3228857000852"))
    relabelled = json.loads(off_bytes("3228857000852"))
    relabelled["code"] = relabelled["product"]["code"] = "3228857000999"
    relabelled["product"]["product_name"] = "PAIN 100% mie  nature PT"
    relabelled["product"]["brands"] = "harrys"
    relabelled["product"]["nutriments"]["energy-kcal_100g"] = 270
    report = import_off(session, json.dumps(relabelled))
    assert (report.added, report.merged) == (0, 1)
    (food,) = session.exec(select(Food)).all()
    assert (food.kcal, food.barcode) == (270, "3228857000999")


def test_json_lines_with_a_broken_line(session):
    lines = [json.dumps(json.loads(off_bytes(code))["product"]) for code in PRODUCTS]
    lines.insert(2, '{"code": "123", "product_name": "cut off')
    lines.insert(4, "")
    report = import_off(session, "\n".join(lines), filename="products.jsonl")
    assert report.added == 4
    assert report.bad[0] == ("line 3", report.bad[0][1]) and report.bad[0][1].startswith("not valid JSON")
    assert report.bad[1] == ("3088543506255", "no kcal, protein, carbs, fat per 100 g")
    assert len(report.bad) == 2
    for code in EXPECTED:
        check_product(shared_food(session, code), code)
    # Without the telling file name, the lines are recognised all the same.
    assert import_off(session, "\n".join(lines)).merged == 4


def test_broken_json_file_is_reported(session):
    report = import_off(session, b'{"code": "1", "product": {', filename="one.json")
    assert report.added == 0 and report.bad[0][0] == "one.json"
    assert import_off(session, b"\xff\xfe").bad == [("file", "not UTF-8 text")]


def test_wger_ingredients(session):
    report = import_wger_ingredients(session, WGER.read_bytes())
    # Seven "Needed for guest user" records of one brand are one food.
    assert (report.added, report.merged, report.bad) == (8, 6, [])
    food = session.exec(select(Food).where(Food.name == "Test ingredient 1")).one()
    assert (food.source, food.brand, food.owner_id) == ("wger", "the food brand", None)
    assert (food.kcal, food.protein_g, food.carbs_g, food.fat_g) == pytest.approx((176, 25.63, 0.1251, 8.19))
    assert (food.fibre_g, food.sugar_g, food.saturated_fat_g, food.sodium_mg) == pytest.approx((0, 0, 3.244, 549))
    assert food.barcode is None  # its 19-digit code is no barcode
    assert food.attribution == "wger, by wger test (from Open Food Facts)"
    assert sorted((s["name"], s["grams"]) for s in food.servings) == [("A bit", 12), ("Cup", 223), ("Spoon", 109)]
    slurm = session.exec(select(Food).where(Food.name == "Slurm")).one()
    assert (slurm.barcode, slurm.kcal, slurm.carbs_g, slurm.sodium_mg) == ("0987654321", 500, 99, 100)
    pending = session.exec(select(Food).where(Food.name == "Pending ingredient")).one()
    assert pending.attribution == "wger, by test"
    again = import_wger_ingredients(session, WGER.read_text())
    assert (again.added, again.merged) == (0, 14)


# A sample written for this test in the documented FoodData Central download shape
# (https://fdc.nal.usda.gov/download-datasets): no USDA file is in ../shared/data.
def usda_food(fdc_id, description, nutrients, **extra):
    return {
        "fdcId": fdc_id, "description": description, "dataType": "Foundation",
        "foodNutrients": [
            {"type": "FoodNutrient", "amount": amount,
             "nutrient": {"id": 1000 + i, "number": number, "name": number, "rank": i, "unitName": unit}}
            for i, (number, amount, unit) in enumerate(nutrients)
        ],
        **extra,
    }


MACROS = [("203", 20.0, "g"), ("205", 1.5, "g"), ("204", 10.0, "g")]
USDA_SAMPLE = {"FoundationFoods": [
    usda_food(100001, "Sample cheese, cheddar", [("208", 403.0, "kcal"), *MACROS, ("291", 0.0, "g"),
                                                ("269", 0.3, "g"), ("606", 19.0, "g"), ("307", 650.0, "mg")],
              foodPortions=[
                  {"id": 1, "amount": 1.0, "gramWeight": 28.0, "modifier": "slice",
                   "measureUnit": {"id": 9999, "name": "undetermined", "abbreviation": "undetermined"}},
                  {"id": 2, "amount": 1.0, "gramWeight": 132.0, "portionDescription": "1 cup, diced",
                   "measureUnit": {"id": 1000, "name": "cup", "abbreviation": "cup"}},
              ]),
    usda_food(100002, "Sample lentils, raw", [("957", 352.0, "kcal"), ("958", 345.0, "kcal"), *MACROS]),
    usda_food(100003, "Sample kJ only", [("268", 1000.0, "kJ"), *MACROS, ("307", 0.2, "g")]),
    usda_food(100004, "Sample no fat", [("208", 50.0, "kcal"), ("203", 1.0, "g"), ("205", 10.0, "g")]),
    usda_food(100005, "Sample cola", [("208", 42.0, "kcal"), ("203", 0.0, "g"), ("205", 10.6, "g"),
                                      ("204", 0.0, "g"), ("269", 10600, "mg")],
              gtinUpc="049000000443", brandOwner="Sample Beverages Inc.", servingSize=355.0,
              servingSizeUnit="g", householdServingFullText="1 can"),
]}


def test_usda_sample(session):
    report = import_usda(session, json.dumps(USDA_SAMPLE).encode())
    assert (report.added, report.merged) == (4, 0)
    assert report.bad == [("FDC 100004", "no fat per 100 g")]
    foods = {f.external_id: f for f in session.exec(select(Food).where(Food.source == "usda")).all()}
    cheese = foods["100001"]
    assert cheese.name == "Sample cheese, cheddar"
    assert cheese.attribution == "USDA FoodData Central (public domain), FDC 100001"
    assert (cheese.kcal, cheese.protein_g, cheese.carbs_g, cheese.fat_g) == (403, 20, 1.5, 10)
    assert (cheese.fibre_g, cheese.sugar_g, cheese.saturated_fat_g, cheese.sodium_mg) == (0, 0.3, 19, 650)
    assert cheese.servings == [{"name": "1 slice", "grams": 28}, {"name": "1 cup, diced", "grams": 132}]
    assert foods["100002"].kcal == 345  # Atwater specific factors before general ones
    assert foods["100003"].kcal == pytest.approx(1000 / 4.184)
    assert foods["100003"].sodium_mg == pytest.approx(200)
    cola = foods["100005"]
    assert (cola.brand, cola.barcode, cola.sugar_g) == ("Sample Beverages Inc.", "049000000443", pytest.approx(10.6))
    assert cola.servings == [{"name": "1 can", "grams": 355}]
    again = import_usda(session, USDA_SAMPLE)
    assert (again.added, again.merged) == (0, 4)


def test_usda_file_of_another_shape_is_reported(session):
    assert import_usda(session, b'{"foods": []}').bad == [
        ("file", "no FoundationFoods, SRLegacyFoods, BrandedFoods or SurveyFoods list")]
    assert import_usda(session, "not json").bad[0][0] == "file"
