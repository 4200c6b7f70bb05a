import pytest

from adaptivefit.services.core.units import KG_PER_LB, parse_mass


@pytest.mark.parametrize(
    ("text", "units", "kg"),
    [("82,5", "kg", 82.5), (" 100 ", "lb", 100 * KG_PER_LB), ("", "kg", None), (None, "lb", None), (60, "kg", 60.0)],
)
def test_parse_mass_reads_the_members_units_into_kg(text, units, kg):
    assert parse_mass(text, units) == (pytest.approx(kg) if kg is not None else None)


@pytest.mark.parametrize("text", ["heavy", "1.2.3", "12kg"])
def test_parse_mass_refuses_what_is_no_number(text):
    with pytest.raises(ValueError):
        parse_mass(text, "kg")
