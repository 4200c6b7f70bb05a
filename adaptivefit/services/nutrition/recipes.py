"""Recipes: a member's own food made of other foods, its nutrients from its ingredients, and the
builder that reads ingredients by amount and unit, saves, edits and deletes them.

A recipe is a Food with `is_recipe` and an `owner_id`; its nutrients per 100 g come from its
ingredients (macros.mix_per_100) and it has one "1 serving" of the total weight divided by its
servings. The builder reads what the member typed (a quantity and a unit on each line, a number of
servings) into grams, with a reason at each line that cannot be read. Error keys name the field:
"name", "servings", "ingredients", and "food-<i>", "quantity-<i>", "unit-<i>" for the line at index i.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Food, RecipeIngredient, User
from adaptivefit.services.core.access import NotYours, ValidationFailed, owned
from adaptivefit.services.core.inputs import number, whole
from adaptivefit.services.nutrition import macros
from adaptivefit.services.nutrition.custom_foods import text_field
from adaptivefit.services.nutrition.foods import MEMBER_SOURCE, NAME_MAX, normalise_name, visible_food, visible_to
from adaptivefit.services.nutrition.portions import MAX_GRAMS, grams_for, read_number, unit_name, units_for

MAX_SERVINGS = 100
MAX_INGREDIENTS = 100
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
    per_serving: macros.Nutrients | None
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
    per_serving: macros.Nutrients
    ingredients: list[IngredientView]


def _read_lines(session: Session, user: User, lines: Sequence[Line], errors: dict[str, str]):
    """(food, grams) and (quantity, unit) for each line that can be read; a reason at each that cannot."""
    parts: list[tuple[Food, float]] = []
    entered: list[tuple[float, str]] = []
    for index, line in enumerate(lines):
        food = visible_food(session, user, line.food_id)
        if food is None:
            errors[f"food-{index}"] = "Pick this ingredient from the food list."
            continue
        unit = line.unit.strip() if isinstance(line.unit, str) else ""
        try:
            grams = grams_for(food, line.quantity, unit)
        except ValidationFailed as refused:
            errors.update({f"{key}-{index}": reason for key, reason in refused.errors.items()})
            continue
        parts.append((food, grams))
        entered.append((number(line.quantity, 0.0, math.inf), unit_name(food, unit)))
    return parts, entered


def _servings(value: object, errors: dict[str, str]) -> int | None:
    try:
        return whole(value, 1, MAX_SERVINGS)
    except (ValueError, TypeError, OverflowError):
        errors["servings"] = SERVINGS_MESSAGE
        return None


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
    return Preview(total, macros.per_serving(parts, count), errors)


def owned_recipe(session: Session, user: User, recipe_id: object) -> Food:
    """One of the member's own recipes; NotYours for anyone else's, a missing one or a plain food."""
    recipe = owned(session, Food, recipe_id, user, "That recipe", owner_field="owner_id")
    if not recipe.is_recipe:
        raise NotYours("That recipe was not found in your account.")
    return recipe


def _recipes_containing(session: Session, recipe_id: int) -> set[int]:
    """The recipe and every recipe that holds it as an ingredient, however deep."""
    found, frontier = {recipe_id}, {recipe_id}
    while frontier:
        frontier = set(session.exec(
            select(RecipeIngredient.recipe_id).where(RecipeIngredient.food_id.in_(frontier))
        ).all()) - found
        found |= frontier
    return found


def check_recipe(
    session: Session, user: Any, name: str, ingredients: list[tuple[int, float]], servings: int, *,
    recipe: Food | None = None,
) -> tuple[str, list[tuple[Food, float]]]:
    """The recipe's clean name and its (food, grams), or ValidationFailed with every reason at once."""
    errors: dict[str, str] = {}
    if recipe is not None:
        owned_recipe(session, user, recipe.id)
    clean_name = text_field({"name": name}, "name", NAME_MAX, errors, required=True, label="a name")
    if isinstance(servings, bool) or not isinstance(servings, int) or not 1 <= servings <= MAX_SERVINGS:
        errors["servings"] = SERVINGS_MESSAGE
    amounts: list[tuple[int, float]] = []
    for food_id, grams in ingredients or ():
        amount = read_number(grams)
        if not isinstance(food_id, int) or isinstance(food_id, bool):
            errors["ingredients"] = "Pick each ingredient from the food list."
            break
        if amount is None or not 0 < amount <= MAX_GRAMS:
            errors["ingredients"] = f"Give each ingredient a weight above 0 and up to {MAX_GRAMS:g} g."
            break
        amounts.append((food_id, amount))
    if not amounts and "ingredients" not in errors:
        errors["ingredients"] = "Add at least one ingredient."
    elif len(amounts) > MAX_INGREDIENTS:
        errors["ingredients"] = f"A recipe holds at most {MAX_INGREDIENTS} ingredients."
    foods: dict[int, Food] = {}
    if amounts and "ingredients" not in errors:
        ids = {food_id for food_id, _ in amounts}
        foods = {f.id: f for f in session.exec(select(Food).where(Food.id.in_(ids), visible_to(user.id))).all()}
        if len(foods) != len(ids):
            errors["ingredients"] = "An ingredient is not among the foods you can use."
        elif recipe is not None and ids & _recipes_containing(session, recipe.id):
            errors["ingredients"] = "A recipe cannot hold itself, nor a recipe that holds it."
    if errors:
        raise ValidationFailed(errors)
    return clean_name, [(foods[food_id], grams) for food_id, grams in amounts]


def save_recipe(
    session: Session, user: Any, name: str, ingredients: list[tuple[int, float]], servings: int, *,
    recipe: Food | None = None, entered: list[tuple[float, str]] | None = None,
) -> Food:
    """A recipe of the member's own: its nutrients per 100 g from its ingredients (food id, grams),
    and a "1 serving" of the total weight divided by `servings`.

    With `recipe` (one of the member's recipes), that recipe is rewritten in place: entries already
    logged keep their snapshot. `entered` holds how each ingredient's amount was given (quantity,
    unit), kept beside its grams.
    """
    clean_name, parts = check_recipe(session, user, name, ingredients, servings, recipe=recipe)
    if recipe is None:
        recipe = Food(name=clean_name, name_lower="", kcal=0, protein_g=0, carbs_g=0, fat_g=0, source=MEMBER_SOURCE,
                      owner_id=user.id, is_recipe=True)
    else:
        for old in session.exec(select(RecipeIngredient).where(RecipeIngredient.recipe_id == recipe.id)).all():
            session.delete(old)
    recipe.name, recipe.name_lower = clean_name, normalise_name(clean_name)
    for n, value in macros.mix_per_100(parts).items():
        setattr(recipe, n, value)
    recipe.servings = [{"name": SERVING, "grams": sum(grams for _, grams in parts) / servings}]
    session.add(recipe)
    session.flush()
    given = entered if entered is not None and len(entered) == len(parts) else [(None, None)] * len(parts)
    session.add_all(RecipeIngredient(recipe_id=recipe.id, food_id=food.id, grams=grams, quantity=quantity, unit=unit)
                    for (food, grams), (quantity, unit) in zip(parts, given))
    session.flush()
    return recipe


def create_recipe(
    session: Session, user: Any, name: str, ingredients: list[tuple[int, float]], servings: int
) -> Food:
    """A new recipe of the member's own from (food id, grams) ingredients; see `save_recipe`."""
    return save_recipe(session, user, name, ingredients, servings)


def save(
    session: Session, user: User, *, name: object, lines: Sequence[Line], servings: object,
    recipe_id: object = None,
) -> Food:
    """Create a recipe, or rewrite one of the member's own (`recipe_id`); every refusal at its field."""
    recipe = None if recipe_id in (None, "") else owned_recipe(session, user, recipe_id)
    errors: dict[str, str] = {}
    parts, entered = _read_lines(session, user, lines, errors)
    lines_refused = bool(errors)
    count = _servings(servings, errors)
    ingredients = [(food.id, grams) for food, grams in parts]
    try:
        check_recipe(session, user, str(name or ""), ingredients, count or 1, recipe=recipe)
    except ValidationFailed as refused:
        found = dict(refused.errors)
        if lines_refused and not parts:
            # Every line was refused at its own field; "add an ingredient" would only confuse.
            found.pop("ingredients", None)
        errors = {**found, **errors}
    if errors:
        raise ValidationFailed(errors)
    return save_recipe(session, user, str(name), ingredients, count, recipe=recipe, entered=entered)


def delete(session: Session, user: User, recipe_id: object) -> str:
    """Delete one of the member's recipes (logged entries keep their snapshot); returns its name."""
    recipe = owned_recipe(session, user, recipe_id)
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
    recipe = owned_recipe(session, user, recipe_id)
    rows = session.exec(
        select(RecipeIngredient, Food).join(Food, Food.id == RecipeIngredient.food_id)
        .where(RecipeIngredient.recipe_id == recipe.id).order_by(RecipeIngredient.id)
    ).all()
    serving = _serving_grams(recipe)
    total = sum(row.grams for row, _ in rows)
    ingredients = [
        IngredientView(food.id, food.name, row.quantity if row.unit else row.grams, row.unit or "g",
                       units_for(food), row.grams)
        for row, food in rows
    ]
    return RecipeView(recipe.id, recipe.name, max(1, round(total / serving)), serving,
                      macros.nutrients_for(recipe, serving), ingredients)


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
        views.append(RecipeView(recipe.id, recipe.name, count, serving, macros.nutrients_for(recipe, serving), []))
    return views
