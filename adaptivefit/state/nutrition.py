"""Food logging, targets, bodyweight and the expenditure estimate. Thin: services decide."""

from __future__ import annotations

import asyncio
from dataclasses import fields
from datetime import date

import reflex as rx

from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.nutrition import actions, day_page, diary, expenditure, food_picker, photos
from adaptivefit.state.guard import actor, refusal_text, require_role, with_user


class NutritionState(rx.State):
    day: str = ""
    day_label: str = ""
    units: str = "kg"
    has_targets: bool = False
    rings: list[dict[str, str]] = []
    meals: list[dict] = []
    hints: list[str] = []
    query: str = ""
    results: list[dict[str, str]] = []
    recents: list[dict[str, str]] = []
    chosen: dict[str, str] = {}
    errors: dict[str, str] = {}
    week: list[dict] = []
    # Trend weight, weigh-ins, intake and expenditure per day of the period, for the two-axis chart.
    energy: list[dict] = []
    split: list[dict] = []
    trend: list[dict] = []
    suggestion: dict[str, str] = {}
    estimates: list[dict[str, str]] = []
    period: str = "7"
    editing: str = ""
    custom_open: bool = False

    def _read(self, session, user) -> None:
        page = day_page.day_page(session, user, self.day, self.period)
        for name in (f.name for f in fields(page)):
            setattr(self, name, getattr(page, name))

    async def _refresh(self) -> None:
        await asyncio.to_thread(with_user, self._read, actor().id)

    @rx.event
    @require_role()
    async def load(self):
        self.errors, self.results, self.query, self.chosen = {}, [], "", {}
        self.day = ""
        # Keep a daily record of the expenditure estimate, so its history can be shown.
        await asyncio.to_thread(with_user, expenditure.record_daily_estimate, actor().id)
        await self._refresh()

    @rx.event
    @require_role()
    async def shift_day(self, days: int):
        self.day = day_page.shifted_day(self.day, days)
        await self._refresh()

    @rx.event
    @require_role()
    async def set_period(self, value: str):
        self.period = day_page.period_of(value)
        await self._refresh()

    @rx.event
    @require_role()
    async def search(self, value: str):
        self.query = str(value)[:100]
        self.results = await asyncio.to_thread(with_user, food_picker.search_results, actor().id, self.query, limit=12)

    @rx.event
    @require_role()
    async def choose(self, food_id: str):
        try:
            self.chosen = await asyncio.to_thread(with_user, food_picker.chosen_food, actor().id, food_id)
        except ValidationFailed as failed:
            return rx.toast.error(refusal_text(failed))
        self.errors = {}

    @rx.event
    @require_role()
    async def find_barcode(self, form: dict):
        code = str(form.get("barcode", "")).strip()[:20]
        try:
            self.chosen = await asyncio.to_thread(with_user, food_picker.food_for_barcode, actor().id, code)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.errors = {}

    @rx.event
    @require_role()
    async def log(self, form: dict):
        typed = {k: str(v)[:50] for k, v in form.items()}
        try:
            day = date.fromisoformat(self.day)
        except ValueError:
            day = None
        try:
            await asyncio.to_thread(
                with_user, diary.log_food_on_day, actor().id, day, food_id=self.chosen.get("id", ""),
                quantity=typed.get("quantity", ""), unit=typed.get("unit", "g"), meal_type=typed.get("meal", "snack"),
            )
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        name = self.chosen.get("name", "Food")
        self.errors, self.chosen, self.results, self.query = {}, {}, [], ""
        await self._refresh()
        return rx.toast.success(f"Logged {name}.")

    @rx.event
    @require_role()
    async def delete_entry(self, entry_id: str):
        try:
            target = int(entry_id)
        except ValueError:
            return
        try:
            await asyncio.to_thread(with_user, diary.delete_entry, actor().id, target)
        except NotYours as refused:
            return rx.toast.error(str(refused))
        await self._refresh()

    @rx.event
    @require_role()
    async def edit_entry(self, entry_id: str):
        self.editing = str(entry_id)[:12]

    @rx.event
    @require_role()
    async def save_entry(self, form: dict):
        try:
            target = int(self.editing)
        except ValueError:
            return
        quantity = str(form.get("quantity", ""))[:20]
        try:
            await asyncio.to_thread(with_user, lambda s, u: diary.update_entry(s, u, target, quantity=quantity),
                                    actor().id)
        except NotYours as refused:
            self.errors = {"edit": str(refused)}
            return
        except ValidationFailed as failed:
            self.errors = {"edit": " ".join(failed.errors.values())}
            return
        self.editing, self.errors = "", {}
        await self._refresh()

    @rx.event
    @require_role()
    async def upload_photo(self, files: list[rx.UploadFile]):
        try:
            target = int(self.editing)
        except ValueError:
            return rx.toast.error("Choose the entry the photo belongs to first.")
        if not files:
            return rx.toast.error("Choose a photo first.")
        # One byte past the limit: enough to refuse an oversized file without reading it all.
        data = await files[0].read(photos.MAX_PHOTO_BYTES + 1)
        try:
            await asyncio.to_thread(with_user, photos.set_entry_photo, actor().id, target, data)
        except NotYours as refused:
            self.errors = {"photo": str(refused)}
            return
        except ValidationFailed as failed:
            self.errors = {"photo": refusal_text(failed)}
            return
        self.errors = {}
        await self._refresh()
        return rx.toast.success("Photo saved.")

    @rx.event
    @require_role()
    async def remove_photo(self, entry_id: str):
        try:
            target = int(entry_id)
        except ValueError:
            return
        try:
            await asyncio.to_thread(with_user, photos.remove_entry_photo, actor().id, target)
        except NotYours as refused:
            return rx.toast.error(str(refused))
        await self._refresh()
        return rx.toast.success("Photo removed.")

    @rx.event
    @require_role()
    async def toggle_custom(self):
        self.custom_open = not self.custom_open

    @rx.event
    @require_role()
    async def add_custom_food(self, form: dict):
        typed = {k: str(v)[:200] for k, v in form.items()}
        try:
            self.chosen = await asyncio.to_thread(with_user, food_picker.add_own_food, actor().id, typed)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.errors, self.custom_open = {}, False
        return rx.toast.success("Your food is saved; log it below.")

    @rx.event
    @require_role()
    async def copy_yesterday(self, meal: str):
        day = date.fromisoformat(self.day)
        try:
            copied = await asyncio.to_thread(with_user, actions.copy_from_yesterday, actor().id, day, meal)
        except ValidationFailed as failed:
            return rx.toast.error(refusal_text(failed))
        await self._refresh()
        return rx.toast.success(copied)

    @rx.event
    @require_role()
    async def set_goal(self, form: dict):
        typed = {k: str(v)[:50] for k, v in form.items() if str(v).strip() != ""}
        try:
            await asyncio.to_thread(with_user, actions.set_goal_in_units, actor().id, typed)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.errors = {}
        await self._refresh()
        return rx.toast.success("Targets set.")

    @rx.event
    @require_role()
    async def log_weight(self, form: dict):
        typed = str(form.get("weight", "")).strip()[:10]
        try:
            await asyncio.to_thread(with_user, actions.log_weight_as_typed, actor().id, typed)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.errors = {}
        await self._refresh()
        return rx.toast.success("Weight logged.")

    @rx.event
    @require_role()
    async def apply_suggestion(self):
        try:
            await asyncio.to_thread(with_user, expenditure.apply_suggestion, actor().id)
        except ValidationFailed as failed:
            return rx.toast.error(refusal_text(failed))
        await self._refresh()
        return rx.toast.success("Calorie target updated from your expenditure.")
