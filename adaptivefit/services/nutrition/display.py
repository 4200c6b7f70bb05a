"""How nutrition numbers read on the pages: one rounding for kcal and grams, amounts as "150 g" or
"2 × 1 slice", a food's name with its brand. The diary, recipe and food-picker views all write
through here."""

from __future__ import annotations

from adaptivefit.services.nutrition.macros import Nutrients
from adaptivefit.services.nutrition.portions import UNITS


def number_text(value: float | None, digits: int = 0) -> str:
    """"2150", "12.5" with `digits`; "" for a value not known."""
    if value is None:
        return ""
    return f"{value:.{digits}f}" if digits else f"{round(value)}"


def portion_text(quantity: float, unit: str) -> str:
    """How an amount reads: "150 g", or "2 × 1 slice" for one of the food's servings."""
    return f"{quantity:g} {unit}" if unit in UNITS else f"{quantity:g} × {unit}"


def macros_text(protein_g: float, carbs_g: float, fat_g: float) -> str:
    """"P 20 · C 45 · F 12"."""
    return f"P {number_text(protein_g)} · C {number_text(carbs_g)} · F {number_text(fat_g)}"


def nutrient_texts(nutrients: Nutrients) -> dict[str, str]:
    """An amount's energy (whole kcal) and macros and fibre (to 0.1 g), for a recipe card."""
    return {"kcal": number_text(nutrients.kcal), "protein": number_text(nutrients.protein_g, 1),
            "carbs": number_text(nutrients.carbs_g, 1), "fat": number_text(nutrients.fat_g, 1),
            "fibre": number_text(nutrients.fibre_g, 1)}


def food_label(name: str, brand: str | None) -> str:
    """"Oat drink (Oatly)", or the name alone without a brand."""
    return name + (f" ({brand})" if brand else "")
