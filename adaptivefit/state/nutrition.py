"""Food logging, targets, bodyweight and the expenditure estimate. Thin: services decide."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import reflex as rx

from adaptivefit.models import User
from adaptivefit.services.nutrition import diary, foods, photos, trends
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.lifting import from_display, to_display
from adaptivefit.state.guard import actor, require_role, with_user

MEAL_LABELS = {"breakfast": "Breakfast", "lunch": "Lunch", "dinner": "Dinner", "snack": "Snacks"}


def _today(user: User) -> date:
    try:
        return datetime.now(ZoneInfo(user.timezone or "UTC")).date()
    except Exception:
        return datetime.now(ZoneInfo("UTC")).date()


def _fmt(value: float | None, digits: int = 0) -> str:
    return "" if value is None else (f"{value:.{digits}f}" if digits else f"{round(value)}")


def _amount(quantity: float, unit: str) -> str:
    """How an amount reads: "150 g", or "2 × 1 slice" for one of the food's servings."""
    return f"{quantity:g} {unit}" if unit in foods.UNITS else f"{quantity:g} × {unit}"


def _percent(value: float, target: float | None) -> int:
    if not target:
        return 0
    return max(0, min(100, round(100 * value / target)))


def _record_daily_estimate(session, user: User) -> None:
    history = diary.expenditure_history(session, user, limit=1)
    if history and history[-1].computed_at.date() == datetime.now(ZoneInfo("UTC")).date():
        return
    diary.record_estimate(session, user)


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

    def _read(self, session, user: User) -> None:
        day = date.fromisoformat(self.day) if self.day else _today(user)
        self.day = day.isoformat()
        today = _today(user)
        self.day_label = ("Today" if day == today else "Yesterday" if day == today - timedelta(days=1)
                          else day.strftime("%a %d %b"))
        self.units = user.units
        view = diary.day_view(session, user, day)
        targets = view.targets
        self.has_targets = targets is not None
        totals = view.totals

        def ring(label, value, target, unit):
            left = (target - value) if target else None
            return {"label": label, "value": _fmt(value), "target": _fmt(target) if target else "",
                    "percent": str(_percent(value, target)), "unit": unit,
                    "left": (f"{_fmt(left)} {unit} left" if left is not None and left >= 0
                             else f"{_fmt(-left)} {unit} over" if left is not None else "")}

        self.rings = [
            ring("Calories", totals.kcal, targets.calories if targets else None, "kcal"),
            ring("Protein", totals.protein_g, targets.protein_g if targets else None, "g"),
            ring("Carbohydrate", totals.carbs_g, targets.carbs_g if targets else None, "g"),
            ring("Fat", totals.fat_g, targets.fat_g if targets else None, "g"),
        ]
        self.meals = [{
            "meal": meal, "label": MEAL_LABELS[meal],
            "kcal": _fmt(sum(e.kcal for e in view.meals.get(meal, []))),
            "entries": [{"id": str(e.id), "name": e.name, "amount": _amount(e.quantity, e.unit), "kcal": _fmt(e.kcal),
                         "macros": f"P {_fmt(e.protein_g)} · C {_fmt(e.carbs_g)} · F {_fmt(e.fat_g)}",
                         # Signed for this member's own entries only: the view holds no one else's.
                         "photo": photos.photo_url(user, e.photo)}
                        for e in view.meals.get(meal, [])],
        } for meal in diary.MEALS]
        self.hints = diary.daily_hints(session, user, day)
        self.recents = [{"id": str(food_id), "name": name} for food_id, name in diary.recent_foods(session, user)]
        series = trends.intake_by_day(session, user, days=int(self.period), today=today)
        self.week = series
        self.split = trends.macro_split(series)

        def shown(kg):
            return None if kg is None else round(to_display(kg, user.units), 1)

        self.energy = [{**p, "date": date.fromisoformat(p["date"]).strftime("%d %b"), "weight": shown(p["weight"]),
                        "trend": shown(p["trend"])}
                       for p in trends.weight_and_energy(session, user, days=int(self.period))]
        self.trend = [{"date": str(p["date"]),
                       "weight": round(to_display(p["weight"], user.units), 1) if p["weight"] else None,
                       "trend": round(to_display(p["trend"], user.units), 1)} for p in diary.weight_trend(session, user)]
        suggestion = diary.suggest_calorie_update(session, user)
        self.suggestion = ({"expenditure": f"{suggestion['expenditure']:,}", "suggested": f"{suggestion['suggested']:,}",
                            "current": f"{suggestion['current']:,}", "message": suggestion["message"]}
                           if suggestion else {})
        self.estimates = [{"date": row.computed_at.date().isoformat(), "kcal": _fmt(row.kcal_per_day),
                           "applied": "applied" if row.applied else ""}
                          for row in diary.expenditure_history(session, user)][-8:]

    async def _refresh(self) -> None:
        await asyncio.to_thread(with_user, self._read, actor().id)

    @rx.event
    @require_role()
    async def load(self):
        self.errors, self.results, self.query, self.chosen = {}, [], "", {}
        self.day = ""
        # Keep a daily record of the expenditure estimate, so its history can be shown.
        await asyncio.to_thread(with_user, _record_daily_estimate, actor().id)
        await self._refresh()

    @rx.event
    @require_role()
    async def shift_day(self, days: int):
        try:
            current = date.fromisoformat(self.day)
            self.day = (current + timedelta(days=max(-366, min(366, int(days))))).isoformat()
        except (TypeError, ValueError):
            self.day = ""
        await self._refresh()

    @rx.event
    @require_role()
    async def set_period(self, value: str):
        self.period = value if value in ("7", "30") else "7"
        await self._refresh()

    @rx.event
    @require_role()
    async def search(self, value: str):
        self.query = str(value)[:100]
        if len(self.query.strip()) < 2:
            self.results = []
            return
        me = actor()

        def find(session, user):
            return [{"id": str(h.id), "name": h.name + (f" ({h.brand})" if h.brand else ""),
                     "kcal": _fmt(h.kcal), "tag": "recent" if h.recent else ("mine" if h.is_mine else "")}
                    for h in foods.search_foods(session, user.id, self.query, limit=12)]

        self.results = await asyncio.to_thread(with_user, find, me.id)

    def _choose_food(self, session, user, food) -> None:
        units = foods.units_for(food)
        if food.is_recipe:
            # A recipe is logged by the serving: its servings first, one of them to start with.
            units = [u for u in units if u not in foods.UNITS] + [u for u in units if u in foods.UNITS]
        source = "Your recipe" if food.is_recipe else "Your own food" if food.owner_id else ""
        self.chosen = {"id": str(food.id), "name": food.name, "kcal": _fmt(food.kcal), "units": "|".join(units),
                       "quantity": "1" if food.is_recipe else "100", "attribution": food.attribution or source}

    @rx.event
    @require_role()
    async def choose(self, food_id: str):
        me = actor()

        def pick(session, user):
            from adaptivefit.models import Food

            food = session.get(Food, int(food_id))
            if food is None or (food.owner_id not in (None, user.id)):
                raise ValidationFailed({"food": "That food could not be found."})
            self._choose_food(session, user, food)

        try:
            await asyncio.to_thread(with_user, pick, me.id)
        except (ValueError, ValidationFailed):
            return rx.toast.error("That food could not be found.")
        self.errors = {}

    @rx.event
    @require_role()
    async def find_barcode(self, form: dict):
        code = str(form.get("barcode", "")).strip()[:20]
        me = actor()

        def lookup(session, user):
            food = foods.food_by_barcode(session, user.id, code)
            if food is None:
                raise ValidationFailed({"barcode": f"No food with barcode {code} yet. Search by name, or add it "
                                                  "as your own food."})
            self._choose_food(session, user, food)

        try:
            await asyncio.to_thread(with_user, lookup, me.id)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.errors = {}

    @rx.event
    @require_role()
    async def log(self, form: dict):
        me = actor()
        fields = {k: str(v)[:50] for k, v in form.items()}
        try:
            day = date.fromisoformat(self.day)
        except ValueError:
            day = None

        def write(session, user):
            eaten_at = None
            if day is not None and day != _today(user):
                eaten_at = datetime.combine(day, datetime.now().time(), ZoneInfo(user.timezone or "UTC"))
            diary.log_food(session, user, food_id=int(self.chosen.get("id", "0") or 0),
                               quantity=fields.get("quantity", ""), unit=fields.get("unit", "g"),
                               meal_type=fields.get("meal", "snack"), eaten_at=eaten_at)

        try:
            await asyncio.to_thread(with_user, write, me.id)
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
        except ValidationFailed:
            return rx.toast.error("That entry could not be found.")
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
        except ValidationFailed as failed:
            self.errors = {"photo": next(iter(failed.errors.values()))}
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
        except ValidationFailed:
            return rx.toast.error("That entry could not be found.")
        await self._refresh()
        return rx.toast.success("Photo removed.")

    @rx.event
    @require_role()
    async def toggle_custom(self):
        self.custom_open = not self.custom_open

    @rx.event
    @require_role()
    async def add_custom_food(self, form: dict):
        fields = {k: str(v)[:200] for k, v in form.items()}
        me = actor()

        def create(session, user):
            food = foods.create_custom_food(session, user, fields)
            self._choose_food(session, user, food)

        try:
            await asyncio.to_thread(with_user, create, me.id)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.errors, self.custom_open = {}, False
        return rx.toast.success("Your food is saved; log it below.")

    @rx.event
    @require_role()
    async def copy_yesterday(self, meal: str):
        me = actor()
        day = date.fromisoformat(self.day)

        def copy(session, user):
            if meal == "day":
                return diary.copy_day(session, user, day - timedelta(days=1), day)
            return diary.copy_meal(session, user, day - timedelta(days=1), meal, day)

        try:
            count = await asyncio.to_thread(with_user, copy, me.id)
        except ValidationFailed as failed:
            return rx.toast.error(next(iter(failed.errors.values())))
        await self._refresh()
        return rx.toast.success(f"Copied {count} item{'s' if count != 1 else ''} from yesterday.")

    @rx.event
    @require_role()
    async def set_goal(self, form: dict):
        fields = {k: str(v)[:50] for k, v in form.items() if str(v).strip() != ""}
        if self.units == "lb" and "weight_kg" in fields:
            try:
                fields["weight_kg"] = f"{from_display(float(fields['weight_kg']), 'lb'):.2f}"
            except ValueError:
                pass
        try:
            await asyncio.to_thread(with_user, diary.set_goal, actor().id, fields)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.errors = {}
        await self._refresh()
        return rx.toast.success("Targets set.")

    @rx.event
    @require_role()
    async def log_weight(self, form: dict):
        raw = str(form.get("weight", "")).strip().replace(",", ".")[:10]
        try:
            kg = from_display(float(raw), self.units)
        except ValueError:
            self.errors = {"weight": "Enter your weight as a number."}
            return
        try:
            await asyncio.to_thread(with_user, diary.log_bodyweight, actor().id, kg)
        except ValidationFailed as failed:
            self.errors = {"weight": next(iter(failed.errors.values()))}
            return
        self.errors = {}
        await self._refresh()
        return rx.toast.success("Weight logged.")

    @rx.event
    @require_role()
    async def apply_suggestion(self):
        try:
            await asyncio.to_thread(with_user, diary.apply_suggestion, actor().id)
        except ValidationFailed as failed:
            return rx.toast.error(next(iter(failed.errors.values())))
        await self._refresh()
        return rx.toast.success("Calorie target updated from your expenditure.")
