"""What the recipe builder page shows and the use cases its handlers call: the member's recipes as
rows, the builder's running totals, a recipe opened for editing, saving and deleting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from adaptivefit.models import User
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition import recipes
from adaptivefit.services.nutrition.display import nutrient_texts, number_text


@dataclass(frozen=True)
class BuilderTotals:
    """The builder's running figures: a reason at each field that is wrong, one serving's nutrients, the weight."""

    errors: dict[str, str]
    per_serving: dict[str, str]
    total_grams: str


@dataclass(frozen=True)
class Editing:
    """A recipe opened in the builder; each line is (food id, name, quantity, unit, units)."""

    id: int
    name: str
    servings: str
    lines: list[tuple[int, str, str, str, list[str]]]


def recipe_rows(session: Session, user: User) -> list[dict[str, str]]:
    """The member's recipes with one serving's weight and nutrients."""
    return [{"id": str(r.id), "name": r.name, "servings": str(r.servings), "serving_grams": number_text(r.serving_grams),
             **nutrient_texts(r.per_serving)} for r in recipes.list_recipes(session, user)]


def builder_totals(session: Session, user: User, lines: Sequence[recipes.Line], servings: object) -> BuilderTotals:
    result = recipes.preview(session, user, lines, servings)
    return BuilderTotals(result.errors, nutrient_texts(result.per_serving) if result.per_serving else {},
                         number_text(result.total_grams) if result.total_grams else "")


def check_room(line_count: int) -> None:
    """Refuses one more line once the builder holds as many as a recipe may."""
    if line_count >= recipes.MAX_INGREDIENTS:
        raise ValidationFailed({"ingredients": f"A recipe holds at most {recipes.MAX_INGREDIENTS} ingredients."})


def open_recipe(session: Session, user: User, recipe_id: object) -> Editing:
    """One of the member's recipes for the builder; NotYours for anyone else's."""
    view = recipes.detail(session, user, recipe_id)
    return Editing(view.id, view.name, str(view.servings),
                   [(i.food_id, i.name, f"{i.quantity:g}", i.unit, i.units) for i in view.ingredients])


def save_recipe(
    session: Session, user: User, *, name: object, lines: Sequence[recipes.Line], servings: object, recipe_id: object
) -> tuple[str, list[dict[str, str]]]:
    """Save the builder's recipe; returns what the member is told and their recipes as rows."""
    recipe = recipes.save(session, user, name=name, lines=lines, servings=servings, recipe_id=recipe_id)
    return f"Saved {recipe.name}. Find it in food search on the nutrition page.", recipe_rows(session, user)


def delete_recipe(session: Session, user: User, recipe_id: object) -> tuple[str, list[dict[str, str]]]:
    """Delete one of the member's recipes; returns what the member is told and their recipes as rows."""
    name = recipes.delete(session, user, recipe_id)
    return f"Deleted {name}.", recipe_rows(session, user)
