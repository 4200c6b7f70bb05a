"""An amount of a food: a quantity in grams, ounces, millilitres (only for foods that know their
density) or one of the food's named servings, and its weight in grams."""

from __future__ import annotations

import math
from typing import Any

from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition.foods import normalise_name

UNITS = ("g", "oz", "ml")
OZ_IN_G = 28.349523125
MAX_GRAMS = 5000.0


def read_number(value: object) -> float | None:
    """A finite number from a number or text ("1,5" too), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _serving_grams(food: Any, unit: str) -> float | None:
    wanted = normalise_name(unit)
    for serving in food.servings or ():
        if normalise_name(str(serving.get("name", ""))) == wanted:
            return read_number(serving.get("grams"))
    return None


def units_for(food: Any) -> list[str]:
    """The units an amount of this food may be given in, for a unit picker."""
    units = ["g", "oz"] + (["ml"] if food.grams_per_ml else [])
    return units + [str(s["name"]) for s in food.servings or () if s.get("name")]


def logging_units(food: Any) -> list[str]:
    """The unit picker's order when logging: a recipe is logged by the serving, so its servings come first."""
    units = units_for(food)
    if not food.is_recipe:
        return units
    return [u for u in units if u not in UNITS] + [u for u in units if u in UNITS]


def unit_name(food: Any, unit: str) -> str:
    """The unit as stored: g, oz or ml in lower case, or the food's own spelling of a serving."""
    if unit.lower() in UNITS:
        return unit.lower()
    wanted = normalise_name(unit)
    return next((str(s["name"]) for s in food.servings or () if normalise_name(str(s.get("name", ""))) == wanted), unit)


def grams_for(food: Any, quantity: object, unit: str) -> float:
    """How many grams `quantity` `unit` of this food weighs; refuses what cannot be meant."""
    amount = read_number(quantity)
    unit = (unit or "").strip()
    errors: dict[str, str] = {}
    if amount is None:
        errors["quantity"] = "Enter the amount as a number, like 150 or 1.5."
    elif amount <= 0:
        errors["quantity"] = "Enter an amount above zero."
    if unit.lower() == "g":
        per_unit = 1.0
    elif unit.lower() == "oz":
        per_unit = OZ_IN_G
    elif unit.lower() == "ml":
        per_unit = food.grams_per_ml
        if not per_unit:
            errors["unit"] = "This food has no known density: weigh it in grams or ounces, or pick a serving."
    else:
        per_unit = _serving_grams(food, unit) if unit else None
        if not per_unit or per_unit <= 0:
            millilitres = ", millilitres" if food.grams_per_ml else ""
            errors["unit"] = f"Choose grams, ounces{millilitres} or a serving of this food."
    if errors:
        raise ValidationFailed(errors)
    grams = amount * per_unit
    if grams > MAX_GRAMS:
        raise ValidationFailed({"quantity": f"That is over {MAX_GRAMS / 1000:g} kg; log it as separate entries."})
    return grams

