"""Mass in the member's units: stored in kg, shown and typed in kg or lb, with one display rounding.

Every page, card and coach message that shows a mass goes through `format_mass` (or `display_mass`
for the number alone), so 50 kg reads "110.2 lb" everywhere, never "110 lb" in one place and
"110.2 lb" in another.
"""

from __future__ import annotations

KG_PER_LB = 0.45359237
UNITS = ("kg", "lb")
# Shown masses carry one decimal: enough for 1.25 kg plates and 2.5 lb plates.
DISPLAY_DECIMALS = 1


def check_units(units: str) -> str:
    if units not in UNITS:
        raise ValueError(f"unknown units {units!r}; expected 'kg' or 'lb'")
    return units


def to_display(kg: float, units: str) -> float:
    """A mass stored in kg, in the member's units (unrounded)."""
    return kg / KG_PER_LB if check_units(units) == "lb" else float(kg)


def from_display(value: float, units: str) -> float:
    """A mass entered in the member's units, in kg for storage."""
    return value * KG_PER_LB if check_units(units) == "lb" else float(value)


def display_mass(kg: float, units: str) -> float:
    """The number shown for a mass: the member's units, rounded once, to one decimal."""
    return round(to_display(kg, units), DISPLAY_DECIMALS)


def mass_text(kg: float, units: str) -> str:
    """The number alone as text: "110.2", "60" (no trailing ".0")."""
    text = f"{display_mass(kg, units):.{DISPLAY_DECIMALS}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_mass(kg: float, units: str) -> str:
    """"110.2 lb", "60 kg", "62.5 kg"."""
    return f"{mass_text(kg, units)} {units}"


def parse_mass(value: object, units: str) -> float | None:
    """A mass typed in the member's units ("82,5" or "82.5"), in kg; None when left empty.

    Raises ValueError when the text is not a number, for the caller to word for its field.
    """
    text = str(value if value is not None else "").strip().replace(",", ".")[:20]
    if not text:
        return None
    return from_display(float(text), units)
