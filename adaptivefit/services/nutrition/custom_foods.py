"""A member's own foods: the form that creates one, checked field by field, seen by them alone."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from adaptivefit.models import Food
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition.foods import MEMBER_SOURCE, NAME_MAX, clean_barcode, normalise_name
from adaptivefit.services.nutrition.portions import MAX_GRAMS, UNITS, read_number

_BRAND_MAX = 120
_SERVING_NAME_MAX = 60


def text_field(form: dict, name: str, limit: int, errors: dict[str, str], *, required: bool, label: str) -> str:
    """A form's text with whitespace collapsed; a reason in `errors` when it is missing or too long."""
    value = form.get(name)
    text = " ".join(str(value).split()) if value is not None else ""
    if required and not text:
        errors[name] = f"Enter {label}."
    elif len(text) > limit:
        errors[name] = f"Keep {label} to {limit} characters."
    return text


def _amount(
    form: dict, name: str, low: float, high: float, errors: dict[str, str], *, required: bool,
    missing: str = "Enter the amount in 100 g.",
) -> float | None:
    value = form.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = missing
        return None
    number = read_number(value)
    if number is None:
        errors[name] = "Enter a number, like 12.5."
    elif not low <= number <= high:
        errors[name] = f"Enter a value between {low:g} and {high:g}."
    else:
        return number
    return None


def create_custom_food(session: Session, user: Any, form: dict[str, Any]) -> Food:
    """A food of the member's own, nutrients per 100 g; seen by them alone.

    Form fields: name, brand?, barcode?, kcal, protein_g, carbs_g, fat_g, fibre_g?, sugar_g?,
    saturated_fat_g?, sodium_mg?, serving_name? with serving_grams?, grams_per_ml?.
    """
    errors: dict[str, str] = {}
    name = text_field(form, "name", NAME_MAX, errors, required=True, label="a name")
    brand = text_field(form, "brand", _BRAND_MAX, errors, required=False, label="the brand")
    values = {"kcal": _amount(form, "kcal", 0, 900, errors, required=True)}
    values |= {n: _amount(form, n, 0, 100, errors, required=True) for n in ("protein_g", "carbs_g", "fat_g")}
    values |= {n: _amount(form, n, 0, 100, errors, required=False) for n in ("fibre_g", "sugar_g", "saturated_fat_g")}
    values["sodium_mg"] = _amount(form, "sodium_mg", 0, 40_000, errors, required=False)
    protein, carbs, fat = values["protein_g"], values["carbs_g"], values["fat_g"]
    if None not in (protein, carbs, fat) and protein + carbs + fat > 100:
        errors["fat_g"] = "Protein, carbs and fat add up to more than 100 g in 100 g."
    if carbs is not None and values["sugar_g"] is not None and values["sugar_g"] > carbs:
        errors["sugar_g"] = "Sugars are part of the carbs: enter no more than the carbs."
    if fat is not None and values["saturated_fat_g"] is not None and values["saturated_fat_g"] > fat:
        errors["saturated_fat_g"] = "Saturated fat is part of the fat: enter no more than the fat."
    barcode = None
    if str(form.get("barcode") or "").strip():
        barcode = clean_barcode(form["barcode"])
        if barcode is None:
            errors["barcode"] = "Enter the 8 to 14 digits under the barcode."
        elif session.exec(select(Food.id).where(Food.owner_id == user.id, Food.barcode == barcode)).first():
            errors["barcode"] = "You already have a food with this barcode."
    servings = []
    serving_name = text_field(form, "serving_name", _SERVING_NAME_MAX, errors, required=False, label="the serving name")
    serving_grams = _amount(form, "serving_grams", 0, MAX_GRAMS, errors, required=bool(serving_name),
                            missing="Enter the serving's weight in grams.")
    if serving_grams is not None:
        if serving_grams <= 0:
            errors["serving_grams"] = "Enter the serving's weight in grams, above zero."
        elif not serving_name:
            errors["serving_name"] = "Name the serving, like 1 slice."
        elif normalise_name(serving_name) in UNITS:
            errors["serving_name"] = "Name the serving, like 1 slice (not a unit)."
        else:
            servings.append({"name": serving_name, "grams": serving_grams})
    grams_per_ml = _amount(form, "grams_per_ml", 0.1, 5, errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    food = Food(
        name=name, name_lower=normalise_name(name), brand=brand, barcode=barcode, **values, servings=servings,
        grams_per_ml=grams_per_ml, source=MEMBER_SOURCE, owner_id=user.id,
    )
    session.add(food)
    session.flush()
    return food
