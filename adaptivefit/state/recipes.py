"""The recipe builder page. Thin: services/recipes.py reads the amounts and does the arithmetic."""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.models import Food
from adaptivefit.services.nutrition import foods, recipes
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.state.guard import actor, require_role, with_user

MAX_LINES = 100


def _fmt(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _nutrients(n: foods.Nutrients) -> dict[str, str]:
    return {"kcal": _fmt(n.kcal), "protein": _fmt(n.protein_g, 1), "carbs": _fmt(n.carbs_g, 1),
            "fat": _fmt(n.fat_g, 1), "fibre": _fmt(n.fibre_g, 1)}


def _list_view(session, user) -> list[dict[str, str]]:
    return [{"id": str(r.id), "name": r.name, "servings": str(r.servings), "serving_grams": _fmt(r.serving_grams),
             **_nutrients(r.per_serving)} for r in recipes.list_recipes(session, user)]


class RecipeState(rx.State):
    recipes: list[dict[str, str]] = []
    # The recipe in the builder: "" while it is a new one.
    recipe_id: str = ""
    name: str = ""
    servings: str = "1"
    # Each line: key (stable while the builder is open), food_id, name, quantity, unit, units ("|"-joined).
    lines: list[dict[str, str]] = []
    query: str = ""
    results: list[dict[str, str]] = []
    per_serving: dict[str, str] = {}
    total_grams: str = ""
    errors: dict[str, str] = {}
    _next_key: int = 0

    def _line(self, food_id: int, name: str, quantity: str, unit: str, units: list[str]) -> dict[str, str]:
        self._next_key += 1
        return {"key": str(self._next_key), "food_id": str(food_id), "name": name, "quantity": quantity,
                "unit": unit, "units": "|".join(units)}

    def _service_lines(self) -> list[recipes.Line]:
        return [recipes.Line(line["food_id"], line["quantity"], line["unit"]) for line in self.lines]

    def _field_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """The service names a line by its index; the page by its key."""
        shown = {}
        for field, reason in errors.items():
            kind, _, index = field.partition("-")
            if index.isdigit() and int(index) < len(self.lines):
                shown[f"{kind}-{self.lines[int(index)]['key']}"] = reason
            else:
                shown[field] = reason
        return shown

    async def _preview(self) -> None:
        lines, servings = self._service_lines(), self.servings
        result = await asyncio.to_thread(with_user, recipes.preview, actor().id, lines, servings)
        self.errors = self._field_errors(result.errors)
        self.per_serving = _nutrients(result.per_serving) if result.per_serving else {}
        self.total_grams = _fmt(result.total_grams) if result.total_grams else ""

    def _clear(self) -> None:
        self.recipe_id, self.name, self.servings, self.lines = "", "", "1", []
        self.query, self.results, self.per_serving, self.total_grams, self.errors = "", [], {}, "", {}

    @rx.event
    @require_role()
    async def load(self):
        self._clear()
        self.recipes = await asyncio.to_thread(with_user, _list_view, actor().id)

    @rx.event
    @require_role()
    async def new_recipe(self):
        self._clear()

    @rx.event
    @require_role()
    async def edit(self, recipe_id: str):
        try:
            view = await asyncio.to_thread(with_user, recipes.detail, actor().id, recipe_id)
        except ValidationFailed:
            return rx.toast.error("That recipe could not be found.")
        self._clear()
        self.recipe_id, self.name, self.servings = str(view.id), view.name, str(view.servings)
        self.lines = [self._line(i.food_id, i.name, f"{i.quantity:g}", i.unit, i.units) for i in view.ingredients]
        await self._preview()
        return rx.scroll_to("recipe-builder")

    @rx.event
    @require_role()
    async def search(self, value: str):
        self.query = str(value)[:100]
        if len(self.query.strip()) < 2:
            self.results = []
            return
        editing = self.recipe_id

        def find(session, user):
            return [{"id": str(h.id), "name": h.name + (f" ({h.brand})" if h.brand else ""), "kcal": _fmt(h.kcal)}
                    for h in foods.search_foods(session, user.id, self.query, limit=10) if str(h.id) != editing]

        self.results = await asyncio.to_thread(with_user, find, actor().id)

    @rx.event
    @require_role()
    async def add_ingredient(self, food_id: str):
        if len(self.lines) >= MAX_LINES:
            self.errors = {"ingredients": f"A recipe holds at most {MAX_LINES} ingredients."}
            return

        def pick(session, user):
            food = session.get(Food, int(food_id))
            if food is None or food.owner_id not in (None, user.id):
                raise ValidationFailed({"food": "That food could not be found."})
            # A recipe goes in by the serving; anything else by weight.
            unit, quantity = ("1 serving", "1") if food.is_recipe else ("g", "100")
            return food.id, food.name, quantity, unit, foods.units_for(food)

        try:
            found = await asyncio.to_thread(with_user, pick, actor().id)
        except (ValueError, ValidationFailed):
            return rx.toast.error("That food could not be found.")
        self.lines = [*self.lines, self._line(*found)]
        self.query, self.results = "", []
        await self._preview()

    def _update(self, key: str, field: str, value: str) -> None:
        self.lines = [{**line, field: str(value)[:60]} if line["key"] == key else line for line in self.lines]

    @rx.event
    @require_role()
    async def set_quantity(self, key: str, value: str):
        self._update(key, "quantity", value)
        await self._preview()

    @rx.event
    @require_role()
    async def set_unit(self, key: str, value: str):
        self._update(key, "unit", value)
        await self._preview()

    @rx.event
    @require_role()
    async def remove_ingredient(self, key: str):
        self.lines = [line for line in self.lines if line["key"] != key]
        await self._preview()

    @rx.event
    @require_role()
    async def set_name(self, value: str):
        self.name = str(value)[:200]

    @rx.event
    @require_role()
    async def set_servings(self, value: str):
        self.servings = str(value)[:10]
        await self._preview()

    @rx.event
    @require_role()
    async def save(self, form: dict):
        # What the form holds at the moment of saving wins over the last (debounced) change.
        self.name = str(form.get("name", self.name))[:200]
        self.servings = str(form.get("servings", self.servings))[:10]
        for line in self.lines:
            for field in ("quantity", "unit"):
                if f"{field}-{line['key']}" in form:
                    self._update(line["key"], field, form[f"{field}-{line['key']}"])
        me = actor()

        def write(session, user):
            recipe = recipes.save(session, user, name=self.name, lines=self._service_lines(), servings=self.servings,
                                  recipe_id=self.recipe_id or None)
            return recipe.name, _list_view(session, user)

        try:
            name, self.recipes = await asyncio.to_thread(with_user, write, me.id)
        except ValidationFailed as failed:
            self.errors = self._field_errors(failed.errors)
            return
        self._clear()
        return rx.toast.success(f"Saved {name}. Find it in food search on the nutrition page.")

    @rx.event
    @require_role()
    async def delete(self, recipe_id: str):
        me = actor()

        def remove(session, user):
            return recipes.delete(session, user, recipe_id), _list_view(session, user)

        try:
            name, self.recipes = await asyncio.to_thread(with_user, remove, me.id)
        except ValidationFailed as failed:
            return rx.toast.error(next(iter(failed.errors.values())))
        if self.recipe_id == str(recipe_id):
            self._clear()
        return rx.toast.success(f"Deleted {name}.")
