"""The recipe builder: ingredients by amount and unit, nutrients per serving, save, edit, delete.

`foods.save_recipe` holds the arithmetic and the rules for what a recipe may hold. This module
reads what the member typed (a quantity and a unit on each line, a number of servings) into
grams, with a reason at each line that cannot be read, and reads recipes back for editing.
Error keys name the field: "name", "servings", "ingredients", and "food-<i>", "quantity-<i>",
"unit-<i>" for the line at index i.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Food, RecipeIngredient, User
from adaptivefit.services.nutrition import foods
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.inputs import as_id, number, whole

MAX_SERVINGS = 100
SERVINGS_MESSAGE = f"Enter how many servings it makes, a whole number from 1 to {MAX_SERVINGS}."
SERVING = "1 serving"


@dataclass(frozen=True)
class Line:
    """One ingredient line as the member gave it."""

    food_id: object
    quantity: object
    unit: object


@dataclass(frozen=True)
class Preview:
    """What the recipe comes to so far; `per_serving` is None until every field can be read."""

    total_grams: float
    per_serving: foods.Nutrients | None
    errors: dict[str, str]


@dataclass(frozen=True)
class IngredientView:
    food_id: int
    name: str
    quantity: float
    unit: str
    units: list[str]
    grams: float


@dataclass(frozen=True)
class RecipeView:
    id: int
    name: str
    servings: int
    serving_grams: float
    per_serving: foods.Nutrients
    ingredients: list[IngredientView]


def _visible_food(session: Session, user: User, food_id: object) -> Food | None:
    key = as_id(food_id)
    food = session.get(Food, key) if key is not None else None
    return food if food is not None and food.owner_id in (None, user.id) else None


def _read_lines(session: Session, user: User, lines: Sequence[Line], errors: dict[str, str]):
    """(food, grams) and (quantity, unit) for each line that can be read; a reason at each that cannot."""
    parts: list[tuple[Food, float]] = []
    entered: list[tuple[float, str]] = []
    for index, line in enumerate(lines):
        food = _visible_food(session, user, line.food_id)
        if food is None:
            errors[f"food-{index}"] = "Pick this ingredient from the food list."
            continue
        unit = line.unit.strip() if isinstance(line.unit, str) else ""
        try:
            grams = foods.grams_for(food, line.quantity, unit)
        except ValidationFailed as refused:
            errors.update({f"{key}-{index}": reason for key, reason in refused.errors.items()})
            continue
        parts.append((food, grams))
        entered.append((number(line.quantity, 0.0, math.inf), foods.unit_name(food, unit)))
    return parts, entered


def _servings(value: object, errors: dict[str, str]) -> int | None:
    try:
        return whole(value, 1, MAX_SERVINGS)
    except (ValueError, TypeError, OverflowError):
        errors["servings"] = SERVINGS_MESSAGE
        return None


def _per_serving(parts: list[tuple[Any, float]], servings: int) -> foods.Nutrients:
    total = sum(grams for _, grams in parts)
    return foods.nutrients_for(SimpleNamespace(**foods.recipe_per_100(parts)), total / servings)


def preview(session: Session, user: User, lines: Sequence[Line], servings: object) -> Preview:
    """The nutrients in one serving of the recipe as it stands, and a reason at each field that is wrong.

    Nothing is saved. An empty recipe is not an error here: the member has only just begun.
    """
    errors: dict[str, str] = {}
    parts, _ = _read_lines(session, user, lines, errors)
    count = _servings(servings, errors)
    total = sum(grams for _, grams in parts)
    if errors or not parts or count is None:
        return Preview(total, None, errors)
    return Preview(total, _per_serving(parts, count), errors)


def _owned_recipe(session: Session, user: User, recipe_id: object) -> Food:
    key = as_id(recipe_id)
    recipe = session.get(Food, key) if key is not None else None
    if recipe is None or recipe.owner_id != user.id or not recipe.is_recipe:
        raise ValidationFailed({"recipe": "That recipe could not be found."})
    return recipe


def save(
    session: Session, user: User, *, name: object, lines: Sequence[Line], servings: object,
    recipe_id: object = None,
) -> Food:
    """Create a recipe, or rewrite one of the member's own (`recipe_id`); every refusal at its field."""
    recipe = None if recipe_id in (None, "") else _owned_recipe(session, user, recipe_id)
    errors: dict[str, str] = {}
    parts, entered = _read_lines(session, user, lines, errors)
    lines_refused = bool(errors)
    count = _servings(servings, errors)
    ingredients = [(food.id, grams) for food, grams in parts]
    try:
        foods.check_recipe(session, user, str(name or ""), ingredients, count or 1, recipe=recipe)
    except ValidationFailed as refused:
        found = dict(refused.errors)
        if lines_refused and not parts:
            # Every line was refused at its own field; "add an ingredient" would only confuse.
            found.pop("ingredients", None)
        errors = {**found, **errors}
    if errors:
        raise ValidationFailed(errors)
    return foods.save_recipe(session, user, str(name), ingredients, count, recipe=recipe, entered=entered)


def delete(session: Session, user: User, recipe_id: object) -> str:
    """Delete one of the member's recipes (logged entries keep their snapshot); returns its name."""
    recipe = _owned_recipe(session, user, recipe_id)
    holder = session.exec(
        select(Food.name).join(RecipeIngredient, RecipeIngredient.recipe_id == Food.id)
        .where(RecipeIngredient.food_id == recipe.id).limit(1)
    ).first()
    if holder is not None:
        raise ValidationFailed({"recipe": f"“{holder}” uses this recipe as an ingredient; "
                                          "take it out there first."})
    name = recipe.name
    session.delete(recipe)
    session.flush()
    return name


def _serving_grams(recipe: Food) -> float:
    return next((float(s["grams"]) for s in recipe.servings or () if s.get("name") == SERVING), 100.0)


def detail(session: Session, user: User, recipe_id: object) -> RecipeView:
    """One of the member's recipes, with each ingredient as it was entered (grams for older ones)."""
    recipe = _owned_recipe(session, user, recipe_id)
    rows = session.exec(
        select(RecipeIngredient, Food).join(Food, Food.id == RecipeIngredient.food_id)
        .where(RecipeIngredient.recipe_id == recipe.id).order_by(RecipeIngredient.id)
    ).all()
    serving = _serving_grams(recipe)
    total = sum(row.grams for row, _ in rows)
    ingredients = [
        IngredientView(food.id, food.name, row.quantity if row.unit else row.grams, row.unit or "g",
                       foods.units_for(food), row.grams)
        for row, food in rows
    ]
    return RecipeView(recipe.id, recipe.name, max(1, round(total / serving)), serving,
                      foods.nutrients_for(recipe, serving), ingredients)


def list_recipes(session: Session, user: User, *, limit: int = 200) -> list[RecipeView]:
    """The member's recipes, by name, with the nutrients in a serving (ingredients left out)."""
    recipes = session.exec(
        select(Food).where(Food.owner_id == user.id, Food.is_recipe.is_(True))
        .order_by(Food.name_lower, Food.id).limit(max(1, min(int(limit), 1000)))
    ).all()
    totals = dict(session.exec(
        select(RecipeIngredient.recipe_id, func.sum(RecipeIngredient.grams))
        .where(RecipeIngredient.recipe_id.in_([r.id for r in recipes])).group_by(RecipeIngredient.recipe_id)
    ).all()) if recipes else {}
    views = []
    for recipe in recipes:
        serving = _serving_grams(recipe)
        count = max(1, round(totals.get(recipe.id, serving) / serving))
        views.append(RecipeView(recipe.id, recipe.name, count, serving, foods.nutrients_for(recipe, serving), []))
    return views
