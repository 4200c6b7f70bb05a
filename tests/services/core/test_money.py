"""Money reads one way everywhere: symbol or code, thousands separators, integer cents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adaptivefit.services.core.money import amount_text, format_money, format_percent


@pytest.mark.parametrize(("cents", "currency", "text"), [
    (123456, "usd", "$1,234.56"), (999, "eur", "€9.99"), (5, "gbp", "£0.05"), (0, "usd", "$0.00"),
    (-2550, "usd", "-$25.50"), (100000000, "aud", "A$1,000,000.00"), (1200, "chf", "12.00 CHF"),
])
def test_money_is_shown_with_its_currency(cents, currency, text):
    assert format_money(cents, currency) == text


def test_percent_text_drops_trailing_zeros():
    assert [format_percent(Decimal(v)) for v in ("15.00", "12.50", "0.00", "7.25")] == \
        ["15%", "12.5%", "0%", "7.25%"]


def test_an_edit_field_shows_the_number_alone():
    assert [amount_text(c) for c in (999, 123450, 5, 0)] == ["9.99", "1234.50", "0.05", "0.00"]
