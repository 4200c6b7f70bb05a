"""Picking a food to log or to put in a recipe: search results, a food chosen by id or barcode, as
the pickers show them. Only foods the member may use (shared, or their own) are ever offered."""

from __future__ import annotations

from sqlmodel import Session

from adaptivefit.models import Food, User
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.nutrition.custom_foods import create_custom_food
from adaptivefit.services.nutrition.display import food_label, number_text
from adaptivefit.services.nutrition.foods import food_by_barcode, search_foods, visible_food
from adaptivefit.services.nutrition.portions import logging_units, units_for
from adaptivefit.services.nutrition.recipes import SERVING

# Fewer letters than this match too much to be worth a search.
MIN_QUERY = 2
NOT_FOUND = "That food could not be found."


def search_results(
    session: Session, user: User, query: str, *, limit: int, leave_out: str = ""
) -> list[dict[str, str]]:
    """Foods matching the query, best first, as picker rows; nothing for a query too short to mean much.

    `leave_out` is the id of the recipe being edited, which cannot go into itself.
    """
    if len(query.strip()) < MIN_QUERY:
        return []
    return [{"id": str(hit.id), "name": food_label(hit.name, hit.brand), "kcal": number_text(hit.kcal),
             "tag": "recent" if hit.recent else ("mine" if hit.is_mine else "")}
            for hit in search_foods(session, user.id, query, limit=limit) if str(hit.id) != leave_out]


def _usable(session: Session, user: User, food_id: object) -> Food:
    food = visible_food(session, user, food_id)
    if food is None:
        raise ValidationFailed({"food": NOT_FOUND})
    return food


def _chosen(food: Food) -> dict[str, str]:
    source = "Your recipe" if food.is_recipe else "Your own food" if food.owner_id else ""
    return {"id": str(food.id), "name": food.name, "kcal": number_text(food.kcal),
            "units": "|".join(logging_units(food)),
            # A recipe is logged by the serving, anything else by weight.
            "quantity": "1" if food.is_recipe else "100", "attribution": food.attribution or source}


def chosen_food(session: Session, user: User, food_id: object) -> dict[str, str]:
    """The food to log, as the logging form shows it; ValidationFailed when the member may not use it."""
    return _chosen(_usable(session, user, food_id))


def food_for_barcode(session: Session, user: User, code: str) -> dict[str, str]:
    """The food with this barcode, as the logging form shows it; a reason at "barcode" when there is none."""
    food = food_by_barcode(session, user.id, code)
    if food is None:
        raise ValidationFailed({"barcode": f"No food with barcode {code} yet. Search by name, or add it "
                                           "as your own food."})
    return _chosen(food)


def add_own_food(session: Session, user: User, form: dict[str, object]) -> dict[str, str]:
    """Create a food of the member's own from its form and choose it for logging."""
    return _chosen(create_custom_food(session, user, form))


def ingredient(session: Session, user: User, food_id: object) -> tuple[int, str, str, str, list[str]]:
    """A new recipe line for a food: (id, name, quantity, unit, units). A recipe goes in by the serving."""
    food = _usable(session, user, food_id)
    unit, quantity = (SERVING, "1") if food.is_recipe else ("g", "100")
    return food.id, food.name, quantity, unit, units_for(food)
