import pytest

from adaptivefit.services.core.units import KG_PER_LB, format_mass, mass_text, parse_mass


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


def test_large_masses_keep_their_decimal_and_never_read_in_exponent_form():
    assert mass_text(123_456.7, "kg") == "123456.7"
    assert mass_text(1_000_000, "kg") == "1000000"
    assert format_mass(50, "lb") == "110.2 lb"
    assert format_mass(60, "kg") == "60 kg"
