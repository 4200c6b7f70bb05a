"""Plans, equipment profiles, the dashboard, goals and exercise editing. Thin: services decide."""

from __future__ import annotations

import asyncio

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.models import User
from adaptivefit.services.catalog import equipment_profiles, exercises_admin, library
from adaptivefit.services.marketplace import programs
from adaptivefit.services.training import badges, dashboard, goals, plans, records
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.core.lifting import from_display, to_display
from adaptivefit.state.guard import actor, require_role, with_user




GOAL_TARGETS = {"strength": "target_e1rm_kg", "consistency": "workouts_per_week", "bodyweight": "target_kg",
                "volume": "weekly_volume_kg"}


def _first_error(failed: ValidationFailed) -> str:
    return next(iter(failed.errors.values()), "That did not work.")


def _load_text(kg: float | None, units: str) -> str:
    return "" if kg is None else f"{to_display(kg, units):.1f}".rstrip("0").rstrip(".") + f" {units}"


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
        draft_of = programs.program_for_plan(session, user, chosen.id)
        self.program_title = draft_of.name if draft_of else ""
        self.program_link = f"/studio/programs/{draft_of.id}" if draft_of else ""
        self.days = [{
            "id": str(day.id), "week": str(day.week), "name": day.name,
            "exercises": [{
                "id": str(e.id), "name": e.exercise_name, "exercise_id": str(e.exercise_id),
                "prescription": f"{e.sets} × {e.reps_min}" + (f"-{e.reps_max}" if e.reps_max != e.reps_min else "")
                + (f" @ {_load_text(e.load_kg, user.units)}" if e.load_kg else "")
                + (f" @ {e.percent_1rm:g}% 1RM" if e.percent_1rm else "")
                + (f" · RPE {e.target_rpe:g}" if e.target_rpe else "")
                + (f" · {e.target_rir} RIR" if e.target_rir is not None else "") + f" · rest {e.rest_s}s",
                "unavailable": "" if e.available else "yes",
                "substitutes": [{"id": str(s.exercise_id), "name": s.name} for s in e.substitutes],
            } for e in day.exercises],
        } for day in view.days]
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
        plan_id = int(self.plan_id or 0)
        try:
            week = int(str(form.get("week", "1") or "1")[:3])
        except ValueError:
            self.errors = {"day_name": "The week must be a whole number."}
            return
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
        return await self._change(lambda s, u: plans.add_plan_exercise(s, u, day, fields), f"day-{day_id}")

    @rx.event
    @require_role()
    async def remove_exercise(self, plan_exercise_id: str):
        try:
            target = int(plan_exercise_id)
        except ValueError:
            return
        return await self._change(lambda s, u: plans.remove_plan_exercise(s, u, target), "plan")

    @rx.event
    @require_role()
    async def swap(self, plan_exercise_id: str, new_exercise_id: str):
        try:
            target, new = int(plan_exercise_id), int(new_exercise_id)
        except ValueError:
            return
        return await self._change(lambda s, u: plans.replace_exercise(s, u, target, new), "plan", "Exercise swapped.")

    @rx.event
    @require_role()
    async def activate(self):
        plan_id = int(self.plan_id or 0)
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
        await self._refresh()

    @rx.event
    @require_role()
    async def make_default(self, profile_id: str):
        try:
            await asyncio.to_thread(with_user, equipment_profiles.set_default, actor().id, int(profile_id))
        except (ValueError, ValidationFailed):
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
        units = user.units
        self.units = units
        day = plans.next_day(session, user)
        self.today, self.today_id = (day.name, str(day.id)) if day else ("", "")
        self.goals = [{"id": str(g.id), "title": g.title, "percent": str(round(g.percent)),
                       "progress": f"{g.current:g} / {g.target:g} {g.unit}", "reached": "yes" if g.reached else "",
                       "focus": g.primary.replace("_", " "),
                       "due": (f"{g.days_left} days left" if g.days_left is not None and g.days_left >= 0
                               else ("past its date" if g.days_left is not None else ""))}
                      for g in goals.list_goals(session, user)]
        self.records = [{"name": r.exercise_name,
                         "kind": {"e1rm": "estimated 1RM", "load": "heaviest", "volume": "best set volume",
                                  "reps": "rep record"}.get(r.kind, r.kind),
                         "value": (f"{r.value:g} reps at {_load_text(r.load_kg, units)}" if r.kind == "reps"
                                   else _load_text(r.value, units)),
                         "date": r.achieved_at.strftime("%d %b")}
                        for r in records.recent_records(session, user.id, limit=6)]
        self.streak = dashboard.current_streak_weeks(session, user)
        self.best_streak = dashboard.longest_streak_weeks(session, user)
        self.badges = [{"title": b.title, "description": b.description, "icon": b.icon,
                        "date": b.awarded_at.strftime("%d %b %Y")} for b in badges.list_achievements(session, user)]
        self.lifts = [{"id": str(i), "name": n} for i, n in dashboard.top_lifts(session, user)]
        if not self.lift_id and self.lifts:
            self.lift_id = self.lifts[0]["id"]
        self.e1rm = ([{"date": p["date"], "e1rm": round(to_display(p["e1rm"], units), 1)}
                      for p in dashboard.e1rm_series(session, user, int(self.lift_id))] if self.lift_id else [])
        weeks = dashboard.weekly_volume_by_muscle(session, user)
        self.muscles = sorted({k for row in weeks for k in row if k != "week"})
        self.volume = [{k: (round(to_display(v, units)) if k != "week" else v) for k, v in row.items()} for row in weeks]
        self.per_week = dashboard.workouts_per_week(session, user)

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
        fields = {k: str(v)[:200] for k, v in form.items()}
        # One "target" box in the form; the goal kind says what it measures (masses in the member's units).
        kind = fields.get("kind", "")
        key = GOAL_TARGETS.get(kind)
        target = fields.pop("target", "").strip().replace(",", ".")
        if key is not None and target:
            if kind != "consistency" and self.units == "lb":
                try:
                    target = f"{from_display(float(target), 'lb'):.2f}"
                except ValueError:
                    pass
            fields[key] = target
        try:
            await asyncio.to_thread(with_user, goals.create_goal, actor().id, fields)
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
