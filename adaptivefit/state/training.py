"""Plans, equipment profiles, the dashboard, goals and exercise editing. Thin: services decide."""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.models import User
from adaptivefit.services.catalog import equipment_profiles, exercises_admin, library
from adaptivefit.services.marketplace import program_builder
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.training import display, goals, plan_exercises, plans
from adaptivefit.state.guard import actor, refusal_text, require_role, with_user


def _first_error(failed: ValidationFailed) -> str:
    return refusal_text(failed)


class PlanState(rx.State):
    plans: list[dict[str, str]] = []
    plan_id: str = ""
    plan_name: str = ""
    days: list[dict] = []
    exercise_options: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    # Set when the open plan is the draft of one of the trainer's marketplace programs.
    program_title: str = ""
    program_link: str = ""

    def _read(self, session, user: User, plan_id: str) -> None:
        mine = plans.list_plans(session, user)
        self.plans = [{"id": str(p.id), "name": p.name, "active": "yes" if p.active else ""} for p in mine]
        chosen = next((p for p in mine if str(p.id) == plan_id), None) or next((p for p in mine if p.active), None)
        if chosen is None and mine:
            chosen = mine[0]
        if chosen is None:
            self.plan_id, self.plan_name, self.days = "", "", []
            self.program_title = self.program_link = ""
            return
        view = plans.plan_view(session, user, chosen.id)
        self.plan_id, self.plan_name = str(view.id), view.name
        draft_of = program_builder.program_for_plan(session, user, chosen.id)
        self.program_title = draft_of.name if draft_of else ""
        self.program_link = f"/studio/programs/{draft_of.id}" if draft_of else ""
        self.days = display.plan_days(view, user.units)
        self.exercise_options = [{"id": str(r.id), "name": r.name}
                                 for r in library.search_exercises(session, user_id=user.id, page_size=400).rows]

    async def _refresh(self, plan_id: str = "") -> None:
        await asyncio.to_thread(with_user, lambda s, u: self._read(s, u, plan_id or self.plan_id), actor().id)

    @rx.event
    @require_role()
    async def load(self):
        self.errors = {}
        # /plans?plan=ID opens that plan (the program builder links here); otherwise the last one open.
        await self._refresh(str(self.router.url.query_parameters.get("plan", ""))[:12])

    @rx.event
    @require_role()
    async def open_plan(self, plan_id: str):
        await self._refresh(str(plan_id)[:12])

    async def _change(self, fn, error_key: str, done: str | None = None):
        try:
            await asyncio.to_thread(with_user, fn, actor().id)
        except ValidationFailed as failed:
            self.errors = {error_key: _first_error(failed)}
            return None
        except PermissionDenied as refused:
            self.errors = {error_key: str(refused)}
            return None
        self.errors = {}
        await self._refresh()
        return rx.toast.success(done) if done else None

    @rx.event
    @require_role()
    async def create_plan(self, form: dict):
        name = str(form.get("plan_name", ""))[:200]
        created = {}

        def make(session, user):
            created["id"] = plans.create_plan(session, user, name).id

        result = await self._change(make, "plan_name", "Plan created.")
        if created:
            await self._refresh(str(created["id"]))
        return result

    @rx.event
    @require_role()
    async def add_day(self, form: dict):
        plan_id, week = self.plan_id, str(form.get("week", "1") or "1")[:3]
        return await self._change(lambda s, u: plans.add_day(s, u, plan_id, week=week,
                                                             name=str(form.get("day_name", ""))[:200]), "day_name")

    @rx.event
    @require_role()
    async def add_exercise(self, form: dict):
        day_id = str(form.get("day_id", ""))[:12]
        try:
            day = int(day_id)
        except ValueError:
            return
        fields = {k: str(v)[:200] for k, v in form.items() if k != "day_id"}
        return await self._change(lambda s, u: plan_exercises.add_plan_exercise(s, u, day, fields), f"day-{day_id}")

    @rx.event
    @require_role()
    async def remove_exercise(self, plan_exercise_id: str):
        try:
            target = int(plan_exercise_id)
        except ValueError:
            return
        return await self._change(lambda s, u: plan_exercises.remove_plan_exercise(s, u, target), "plan")

    @rx.event
    @require_role()
    async def swap(self, plan_exercise_id: str, new_exercise_id: str):
        try:
            target, new = int(plan_exercise_id), int(new_exercise_id)
        except ValueError:
            return
        return await self._change(lambda s, u: plan_exercises.replace_exercise(s, u, target, new), "plan", "Exercise swapped.")

    @rx.event
    @require_role()
    async def activate(self):
        plan_id = self.plan_id
        return await self._change(lambda s, u: plans.set_active(s, u, plan_id), "plan", "This is now your active plan.")


class GearState(rx.State):
    profiles: list[dict] = []
    equipment: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    def _read(self, session, user: User) -> None:
        self.profiles = [{
            "id": str(p.id), "name": p.name, "default": "yes" if p.is_default else "",
            "items": [{"id": str(i.equipment_id), "name": i.name,
                       "unavailable": "yes" if i.temporarily_unavailable else ""} for i in p.items],
        } for p in equipment_profiles.list_profiles(session, user)]
        self.equipment = [{"id": str(e.id), "name": e.name} for e in library.list_equipment(session)]

    async def _refresh(self) -> None:
        await asyncio.to_thread(with_user, self._read, actor().id)

    @rx.event
    @require_role()
    async def load(self):
        self.errors = {}
        await self._refresh()

    @rx.event
    @require_role()
    async def create_profile(self, form: dict):
        ids = []
        for key, value in form.items():
            if key.startswith("eq-") and value in (True, "on", "true"):
                try:
                    ids.append(int(key[3:]))
                except ValueError:
                    continue
        try:
            await asyncio.to_thread(with_user, equipment_profiles.create_profile, actor().id,
                                    str(form.get("profile_name", ""))[:200], ids)
        except ValidationFailed as failed:
            self.errors = {"profile_name": _first_error(failed)}
            return
        self.errors = {}
        await self._refresh()
        return rx.toast.success("Equipment profile saved.")

    @rx.event
    @require_role()
    async def toggle_unavailable(self, profile_id: str, equipment_id: str, unavailable: bool):
        try:
            profile, item = int(profile_id), int(equipment_id)
        except ValueError:
            return
        try:
            await asyncio.to_thread(with_user, equipment_profiles.set_unavailable, actor().id, profile, item,
                                    bool(unavailable))
        except ValidationFailed as failed:
            return rx.toast.error(_first_error(failed))
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        await self._refresh()

    @rx.event
    @require_role()
    async def make_default(self, profile_id: str):
        try:
            await asyncio.to_thread(with_user, equipment_profiles.set_default, actor().id, str(profile_id)[:12])
        except (ValidationFailed, PermissionDenied):
            return rx.toast.error("That profile could not be found.")
        await self._refresh()


class DashboardState(rx.State):
    today: str = ""
    today_id: str = ""
    goals: list[dict[str, str]] = []
    records: list[dict[str, str]] = []
    badges: list[dict[str, str]] = []
    lifts: list[dict[str, str]] = []
    lift_id: str = ""
    e1rm: list[dict] = []
    volume: list[dict] = []
    muscles: list[str] = []
    per_week: list[dict] = []
    units: str = "kg"
    errors: dict[str, str] = {}
    streak: int = 0
    best_streak: int = 0

    def _read(self, session, user: User) -> None:
        view = display.dashboard_view(session, user, self.lift_id)
        self.units, self.today, self.today_id = view["units"], view["today"], view["today_id"]
        self.goals, self.records, self.badges = view["goals"], view["records"], view["badges"]
        self.streak, self.best_streak = view["streak"], view["best_streak"]
        self.lifts, self.lift_id, self.e1rm = view["lifts"], view["lift_id"], view["e1rm"]
        self.muscles, self.volume, self.per_week = view["muscles"], view["volume"], view["per_week"]

    @rx.event
    @require_role()
    async def load(self):
        await asyncio.to_thread(with_user, self._read, actor().id)

    @rx.event
    @require_role()
    async def choose_lift(self, exercise_id: str):
        self.lift_id = str(exercise_id)[:12]
        await asyncio.to_thread(with_user, self._read, actor().id)

    @rx.event
    @require_role()
    async def add_goal(self, form: dict):
        try:
            await asyncio.to_thread(with_user, goals.create_goal_from_page, actor().id, form)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        self.errors = {}
        await asyncio.to_thread(with_user, self._read, actor().id)
        return rx.toast.success("Goal added.")


class ExerciseEditorState(rx.State):
    open: bool = False
    errors: dict[str, str] = {}
    form: dict[str, str] = {}

    @rx.event
    @require_role()
    async def show(self):
        self.open, self.errors, self.form = True, {}, {}

    @rx.event
    @require_role()
    async def edit(self, exercise_id: str):
        me = actor()
        try:
            target = int(exercise_id)
        except ValueError:
            return
        details = await asyncio.to_thread(_exercise_details, me.id, target)
        if details is None:
            return rx.toast.error("That exercise could not be found.")
        self.open, self.errors, self.form = True, {}, details

    @rx.event
    @require_role()
    async def hide(self):
        self.open = False

    @rx.event
    @require_role()
    async def save(self, form: dict):
        fields = {k: (str(v)[:4000] if not isinstance(v, list) else v) for k, v in form.items()}
        for key in ("secondary_muscles", "equipment"):
            raw = fields.get(key, "")
            if isinstance(raw, str):
                fields[key] = [part.strip() for part in raw.split(",") if part.strip()]
        try:
            saved = await asyncio.to_thread(_save_exercise, actor(), fields)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        self.open, self.errors = False, {}
        from adaptivefit.state.catalog import ExerciseLibraryState

        return [rx.toast.success(f"Saved “{saved}”."), ExerciseLibraryState.load]


def _exercise_details(user_id: int, exercise_id: int) -> dict[str, str] | None:
    with session_scope() as session:
        row = next((r for r in library.search_exercises(session, user_id=user_id, page_size=1,
                                                        exercise_ids=[exercise_id]).rows), None)
        if row is None:
            return None
        return {"exercise_id": str(row.id), "name": row.name, "category": row.category,
                "primary_muscle": row.primary_muscle, "secondary_muscles": ", ".join(row.secondary_muscles),
                "equipment": ", ".join(row.equipment), "instructions": row.instructions}


def _save_exercise(me, fields: dict) -> str:
    exercise_id = fields.pop("exercise_id", "")
    with session_scope() as session:
        return exercises_admin.save_exercise(session, me, fields,
                                             exercise_id=int(exercise_id) if str(exercise_id).isdigit() else None).name
