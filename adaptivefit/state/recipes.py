"""The recipe builder page. Thin: services/nutrition/recipes.py reads the amounts and does the arithmetic."""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.nutrition import food_picker, recipe_page, recipes
from adaptivefit.state.guard import actor, refusal_text, require_role, with_user


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
        totals = await asyncio.to_thread(with_user, recipe_page.builder_totals, actor().id, lines, servings)
        self.errors = self._field_errors(totals.errors)
        self.per_serving, self.total_grams = totals.per_serving, totals.total_grams

    def _clear(self) -> None:
        self.recipe_id, self.name, self.servings, self.lines = "", "", "1", []
        self.query, self.results, self.per_serving, self.total_grams, self.errors = "", [], {}, "", {}

    @rx.event
    @require_role()
    async def load(self):
        self._clear()
        self.recipes = await asyncio.to_thread(with_user, recipe_page.recipe_rows, actor().id)

    @rx.event
    @require_role()
    async def new_recipe(self):
        self._clear()

    @rx.event
    @require_role()
    async def edit(self, recipe_id: str):
        try:
            opened = await asyncio.to_thread(with_user, recipe_page.open_recipe, actor().id, recipe_id)
        except NotYours as refused:
            return rx.toast.error(str(refused))
        self._clear()
        self.recipe_id, self.name, self.servings = str(opened.id), opened.name, opened.servings
        self.lines = [self._line(*line) for line in opened.lines]
        await self._preview()
        return rx.scroll_to("recipe-builder")

    @rx.event
    @require_role()
    async def search(self, value: str):
        self.query = str(value)[:100]
        self.results = await asyncio.to_thread(with_user, food_picker.search_results, actor().id, self.query,
                                               limit=10, leave_out=self.recipe_id)

    @rx.event
    @require_role()
    async def add_ingredient(self, food_id: str):
        try:
            recipe_page.check_room(len(self.lines))
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        try:
            found = await asyncio.to_thread(with_user, food_picker.ingredient, actor().id, food_id)
        except ValidationFailed as failed:
            return rx.toast.error(refusal_text(failed))
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
        try:
            saved, self.recipes = await asyncio.to_thread(
                with_user, recipe_page.save_recipe, actor().id, name=self.name, lines=self._service_lines(),
                servings=self.servings, recipe_id=self.recipe_id or None,
            )
        except NotYours as refused:
            return rx.toast.error(str(refused))
        except ValidationFailed as failed:
            self.errors = self._field_errors(failed.errors)
            return
        self._clear()
        return rx.toast.success(saved)

    @rx.event
    @require_role()
    async def delete(self, recipe_id: str):
        try:
            deleted, self.recipes = await asyncio.to_thread(with_user, recipe_page.delete_recipe, actor().id, recipe_id)
        except NotYours as refused:
            return rx.toast.error(str(refused))
        except ValidationFailed as failed:
            return rx.toast.error(refusal_text(failed))
        if self.recipe_id == str(recipe_id):
            self._clear()
        return rx.toast.success(deleted)
