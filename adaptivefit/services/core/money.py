"""Money: integer minor units (cents) and an ISO currency code, and the one way it reads.

"$1,234.56", "-€9.99", "12.00 CHF": integer arithmetic, never a float. Every page, email, toast
and API reply that shows an amount calls `format_money`.
"""

from __future__ import annotations

from decimal import Decimal

SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}


def format_money(cents: int, currency: str) -> str:
    """"$1,234.56", "-€9.99", "12.00 CHF"."""
    code = (currency or "").lower()
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    number = f"{whole:,}.{part:02d}"
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {code.upper()}"


def amount_text(cents: int) -> str:
    """The number alone, as a price field shows it for editing: 1234.5 -> "1234.50"."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}.{part:02d}"


def format_percent(value: Decimal) -> str:
    """15.00 -> "15%", 12.50 -> "12.5%"."""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"
