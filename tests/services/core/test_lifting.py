import pytest

from adaptivefit.services.core.lifting import E1RM_FORMULA, brzycki, e1rm, round_to_plates, set_volume
from adaptivefit.services.core.units import KG_PER_LB, from_display, to_display


@pytest.mark.parametrize(
    ("load", "reps", "rpe", "expected"),
    [
        (100, 1, None, 100.0),  # a single is the max itself
        (100, 5, None, 100 * (1 + 5 / 30)),  # 116.67
        (100, 10, None, 100 * (1 + 10 / 30)),  # 133.33
        (60, 3, None, 66.0),
        (100, 5, 8, 100 * (1 + 7 / 30)),  # two reps in reserve: as if 7 reps to failure
        (100, 5, 10, 100 * (1 + 5 / 30)),
        (100, 1, 10, 100.0),
        (100, 1, 9, 100 * (1 + 2 / 30)),
        (140, 3, 7.5, 140 * (1 + 5.5 / 30)),
        (100, 0, None, 0.0),
        (100, -2, None, 0.0),
        (0, 5, None, 0.0),
        (-10, 5, None, 0.0),
    ],
)
def test_e1rm_epley(load, reps, rpe, expected):
    assert e1rm(load, reps, rpe) == pytest.approx(expected)


def test_unit_conversion_round_trips():
    assert KG_PER_LB == 0.45359237
    assert to_display(100, "kg") == 100
    assert to_display(100, "lb") == pytest.approx(220.462, abs=1e-3)
    assert from_display(225, "lb") == pytest.approx(102.058, abs=1e-3)
    assert from_display(to_display(87.5, "lb"), "lb") == pytest.approx(87.5)
    with pytest.raises(ValueError):
        to_display(1, "stone")


@pytest.mark.parametrize(
    ("kg", "expected"),
    [(100, 100.0), (101.2, 100.0), (101.25, 102.5), (103.7, 102.5), (104, 105.0), (1.2, 0.0), (0, 0.0)],
)
def test_plate_rounding_in_kg(kg, expected):
    assert round_to_plates(kg, "kg") == pytest.approx(expected)


@pytest.mark.parametrize(
    ("lb", "expected_lb"),
    [(220.46, 220), (222.4, 220), (222.5, 225), (227.4, 225), (134, 135), (2, 0)],
)
def test_plate_rounding_in_lb_returns_kg(lb, expected_lb):
    rounded = round_to_plates(lb * KG_PER_LB, "lb")
    assert rounded == pytest.approx(expected_lb * KG_PER_LB)
    assert to_display(rounded, "lb") == pytest.approx(expected_lb)


def test_set_volume():
    assert set_volume(100, 5) == 500.0
    assert set_volume(0, 12) == 0.0
    assert set_volume(62.5, 8) == 500.0


def test_the_shown_formula_is_epley():
    assert E1RM_FORMULA == "Epley"
    assert e1rm(100, 10) == pytest.approx(100 * (1 + 10 / 30))  # e1rm stays Epley, not Brzycki's 138.5


@pytest.mark.parametrize(
    ("load", "reps", "expected"),
    [
        (100, 1, 100.0),  # 36 / 36: a single is the max itself
        (100, 5, 112.5),  # 3600 / 32
        (100, 10, 100 * 36 / 27),  # 133.33, where Epley also gives 133.33
        (60, 3, 60 * 36 / 34),
        (0, 5, 0.0),
        (-10, 5, 0.0),
    ],
)
def test_brzycki(load, reps, expected):
    assert brzycki(load, reps) == pytest.approx(expected)


@pytest.mark.parametrize("reps", [0, -1, 11, 12, 36, 37, 40])
def test_brzycki_gives_no_estimate_outside_one_to_ten_reps(reps):
    assert brzycki(100, reps) is None  # 37 reps would divide by zero, more would go negative
