from adaptivefit.services.nutrition.display import food_label, macros_text, number_text, nutrient_texts, portion_text
from adaptivefit.services.nutrition.macros import Nutrients


def test_numbers_read_one_way_on_every_nutrition_page():
    assert [number_text(v) for v in (2150.4, 2150.6, 0.5, 1.5, None)] == ["2150", "2151", "0", "2", ""]
    assert number_text(12.345, 1) == "12.3" and number_text(None, 1) == ""
    assert portion_text(150, "g") == "150 g" and portion_text(2.0, "1 slice") == "2 × 1 slice"
    assert portion_text(1.5, "oz") == "1.5 oz"
    assert macros_text(20.4, 45.5, 12) == "P 20 · C 46 · F 12"
    assert nutrient_texts(Nutrients(301.6, 12.34, 40, 9.96, None)) == {
        "kcal": "302", "protein": "12.3", "carbs": "40.0", "fat": "10.0", "fibre": ""}
    assert food_label("Oat drink", "Oatly") == "Oat drink (Oatly)" and food_label("Oats", "") == "Oats"
