from types import SimpleNamespace

import pytest

from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition import macros
from adaptivefit.services.nutrition.macros import DayTotals, Nutrients, Targets, nutrients_for
from adaptivefit.services.nutrition.portions import OZ_IN_G, grams_for
from tests.services.nutrition.nutrition_fixtures import make_catalog_food as make_food


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


def test_a_mix_per_100_g_and_per_serving():
    oats = SimpleNamespace(kcal=380, protein_g=13, carbs_g=68, fat_g=6.5, fibre_g=10, sugar_g=None,
                           saturated_fat_g=None, sodium_mg=None)
    milk = SimpleNamespace(kcal=64, protein_g=3.4, carbs_g=4.8, fat_g=3.6, fibre_g=None, sugar_g=None,
                           saturated_fat_g=None, sodium_mg=None)
    per_100 = macros.mix_per_100([(oats, 80), (milk, 320)])
    assert per_100["kcal"] == pytest.approx((380 * 0.8 + 64 * 3.2) / 4)
    assert per_100["fibre_g"] == pytest.approx(8 / 4)  # milk states none: it adds nothing
    assert per_100["sugar_g"] is None
    assert macros.per_serving([(oats, 80), (milk, 320)], 2).kcal == pytest.approx((380 * 0.8 + 64 * 3.2) / 2)


def test_an_entry_keeps_one_decimal_and_a_day_adds_up_and_says_what_is_left():
    assert macros.snapshot(Nutrients(151.64, 5.28, 27.08, 2.65, None)) == {
        "calories": 151.6, "protein_g": 5.3, "carbs_g": 27.1, "fat_g": 2.6, "fibre_g": 0.0}
    raw = macros.total([(100.04, 10.02, 20.0, 5.0, 1.0), (50.03, 0.0, 10.0, None, 0.5)])
    assert raw.kcal == pytest.approx(150.07) and raw.fat_g == 5.0
    assert macros.rounded(raw) == DayTotals(150.1, 10.0, 30.0, 5.0, 1.5)
    assert macros.total([]) == DayTotals()
    assert macros.remaining(Targets(2000, 150, 200, 4), macros.rounded(raw)) == Targets(1850, 140, 170, -1)
    assert [macros.percent_of(v, t) for v, t in ((50, 200), (300, 200), (10, 0), (10, None), (-5, 100))] == [
        25, 100, 0, 0, 0]


def test_targets_split_energy_four_four_nine_and_training_days_add_carbohydrate():
    # 2000 kcal, 150 g protein (600 kcal), 25% fat (500 kcal = 55.6 g): 900 kcal of carbohydrate = 225 g.
    assert macros.split(2000, 150, 0.25) == Targets(2000, 150, 225, 56)
    with pytest.raises(ValidationFailed) as refused:
        macros.split(1200, 250, 0.5, "calories")
    assert "lower the protein or the fat share" in refused.value.errors["calories"]
    assert macros.with_training_extra(2400, 160, 260, 80, 300) == Targets(2700, 160, 335, 80)
    assert macros.energy_split(10, 20, 5) == (40, 80, 45)
