"""The workout logger: start, log sets, rest timer, edit, finish; and history import/export.

A set is written on the server the moment it is entered. Each entry carries a random client id
made on the server before the form is shown, so a double tap, a resent event after a lost
connection or a reload writes it once.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime

import reflex as rx

from adaptivefit.coach import service as coach
from adaptivefit.models import User
from adaptivefit.services.catalog import equipment_profiles, library
from adaptivefit.services.training import badges, history_io, plans, workouts
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.lifting import e1rm, from_display, to_display
from adaptivefit.state.guard import actor, public, require_role, with_user




def _number(value: float | None, units: str) -> str:
    if value is None:
        return ""
    shown = to_display(value, units)
    return f"{shown:.1f}".rstrip("0").rstrip(".")


def _new_client_id() -> str:
    return secrets.token_urlsafe(12)


TWEAK_TITLES = {
    "maintain": "On target: keep going",
    "reduce_volume": "One set fewer",
    "reduce_load": "Go a little lighter",
    "add_rest": "Rest a little longer",
    "increase_load": "Go a little heavier",
    "increase_reps": "One more rep next time",
    "progress_load": "Add weight next time",
    "deload": "Take a lighter week",
    "readiness_adjust": "Ease in today",
}


def _target_text(target, units: str) -> str:
    load = f" @ {_number(target.weight_kg, units)} {units}" if target.weight_kg else ""
    sets = f"{target.sets} set" + ("s" if target.sets != 1 else "")
    return f"{sets} × {target.reps}{load} · rest {target.rest_s}s"


def _tweak_view(shown: coach.ShownTweak, units: str) -> dict[str, str]:
    tweak = shown.tweak
    when = {"session": "Next set", "next_session": "Next time", "week": "This week"}.get(tweak.scope, "Next")
    view = {
        "id": str(shown.id),
        "exercise": shown.exercise,
        "exercise_id": str(shown.exercise_id or ""),
        "action": tweak.action,
        "title": TWEAK_TITLES.get(tweak.action, tweak.action.replace("_", " ").capitalize()),
        "reason": tweak.reason,
        "change": f"{when}: {_target_text(tweak.next, units)}",
        "message": shown.message,
        "ai": "yes" if shown.ai_powered else "",
        "informational": "yes" if tweak.action == "maintain" else "",
    }
    for n in (1, 2):
        study = tweak.evidence[n - 1] if len(tweak.evidence) >= n else None
        view[f"evidence_{n}"] = (f"{study.title} ({study.year})" if study.year else study.title) if study else ""
        view[f"evidence_{n}_url"] = study.url if study else ""
    return view


def _tweaks(session, user: User, workout_id: int | None) -> list[dict[str, str]]:
    if workout_id is None:
        return []
    return [_tweak_view(t, user.units) for t in coach.open_tweaks(session, user, workout_id)]


def _view(session, user: User, extra_ids: list[int]) -> dict:
    """Everything the logger shows, as plain data for the browser."""
    workout = workouts.active_workout(session, user)
    units = user.units
    result = {"units": units, "active": workout is not None, "blocks": [], "name": "", "started": "",
              "rest_ends_at": "", "next_day": "", "next_day_id": "", "tweaks": [], "workout_id": ""}
    if workout is None:
        day = plans.next_day(session, user)
        if day is not None:
            result["next_day"], result["next_day_id"] = day.name, str(day.id)
        return result
    view = workouts.workout_view(session, user, workout.id)
    seen = {block.exercise_id for block in view.blocks}
    blocks = list(view.blocks)
    for exercise_id in extra_ids:
        if exercise_id not in seen:
            exercise = library.exercise_name(session, user.id, exercise_id)
            if exercise is not None:
                blocks.append(workouts.ExerciseBlock(exercise_id=exercise_id, name=exercise, planned=None,
                                                     previous=(), sets=()))
                seen.add(exercise_id)
    available = equipment_profiles.available_equipment(session, user)
    agreed = coach.targets(session, user, workout, [block.exercise_id for block in blocks])
    for block in blocks:
        planned = block.planned
        plan_text = ""
        if planned is not None:
            reps = f"{planned.reps_min}" if planned.reps_min == planned.reps_max else f"{planned.reps_min}-{planned.reps_max}"
            load = (f" @ {_number(planned.suggested_load_kg, units)} {units}" if planned.suggested_load_kg else "")
            effort = f" · RPE {planned.target_rpe:g}" if planned.target_rpe else (
                f" · {planned.target_rir} RIR" if planned.target_rir is not None else "")
            plan_text = f"Plan: {planned.sets} × {reps}{load}{effort} · rest {planned.rest_s}s"
        previous = ", ".join(f"{_number(load, units)} {units} × {reps}" + (f" @{rpe:g}" if rpe else "")
                             for reps, load, rpe in block.previous)
        substitutes = []
        if available is not None and not equipment_profiles.is_exercise_available(session, user, block.exercise_id):
            substitutes = [{"id": str(s.exercise_id), "name": s.name}
                           for s in equipment_profiles.suggest_substitutes(session, user, block.exercise_id)]
        target = agreed.get(block.exercise_id)
        result["blocks"].append({
            "exercise_id": str(block.exercise_id),
            "name": block.name,
            "plan": plan_text,
            "coach": f"Coach: {_target_text(target, units)}" if target else "",
            "previous": previous or "No earlier sets",
            "default_load": _number(target.weight_kg if target else (
                planned.suggested_load_kg if planned and planned.suggested_load_kg else
                (block.sets[-1].load_kg if block.sets else (block.previous[0][1] if block.previous else None))), units),
            "default_reps": str(target.reps if target else (
                block.sets[-1].reps if block.sets else (planned.reps_max if planned else ""))),
            "unavailable": "yes" if substitutes else "",
            "substitutes": substitutes,
            "sets": [{"id": str(s.id), "number": str(s.set_number), "type": s.set_type, "reps": str(s.reps),
                      "load": _number(s.load_kg, units), "rpe": f"{s.rpe:g}" if s.rpe is not None else "",
                      "rir": str(s.rir) if s.rir is not None else "", "note": s.note,
                      "e1rm": (f"{_number(e1rm(s.load_kg, s.reps, s.rpe), units)} {units}"
                               if s.set_type == "working" and s.reps and s.load_kg else ""),
                      "pr": "PR" if s.pr_kinds else ""} for s in block.sets],
        })
    result.update(tweaks=_tweaks(session, user, workout.id), workout_id=str(workout.id))
    result.update(name=view.name, started=view.started_at.isoformat(),
                  rest_ends_at=view.rest_ends_at.isoformat() if view.rest_ends_at else "")
    return result


class WorkoutState(rx.State):
    units: str = "kg"
    active: bool = False
    name: str = ""
    blocks: list[dict] = []
    next_day: str = ""
    next_day_id: str = ""
    client_id: str = ""
    errors: dict[str, str] = {}
    rest_ends_at: str = ""
    rest_left: int = 0
    summary: dict[str, str] = {}
    summary_prs: list[str] = []
    editing_set: str = ""
    search: str = ""
    search_results: list[dict] = []
    import_report: list[str] = []
    tweaks: list[dict[str, str]] = []
    _extra_ids: list[int] = []
    # The finished workout whose next-session suggestions are still on screen.
    _finished_id: int | None = None
    # Who the pending AI messages are for: set by a guarded handler, read by the background writer.
    _coach_uid: int | None = None

    def _show(self, data: dict) -> None:
        self.units, self.active, self.name, self.blocks = data["units"], data["active"], data["name"], data["blocks"]
        self.next_day, self.next_day_id = data["next_day"], data["next_day_id"]
        self.rest_ends_at = data["rest_ends_at"]
        if data["active"] or self._finished_id is None:
            self.tweaks = data["tweaks"]
        if not self.client_id:
            self.client_id = _new_client_id()

    async def _refresh(self) -> None:
        me = actor()
        self._show(await asyncio.to_thread(with_user, _view, me.id, list(self._extra_ids)))
        if not self.active and self._finished_id is not None:
            self.tweaks = await asyncio.to_thread(with_user, _tweaks, me.id, self._finished_id)

    @rx.event
    @require_role()
    async def load(self):
        self.errors, self.search, self.search_results = {}, "", []
        await self._refresh()
        if self.rest_ends_at:
            return WorkoutState.tick

    @rx.event(background=True)
    @public
    async def tick(self):
        """Count the rest down from the server's end time; survives reloads because the end time is stored."""
        while True:
            async with self:
                if not self.rest_ends_at:
                    self.rest_left = 0
                    return
                left = (datetime.fromisoformat(self.rest_ends_at) - datetime.now(UTC)).total_seconds()
                self.rest_left = max(0, int(left + 0.999))
                if self.rest_left <= 0:
                    self.rest_ends_at = ""
                    return
            await asyncio.sleep(1)

    @rx.event
    @require_role()
    async def skip_rest(self):
        self.rest_ends_at, self.rest_left = "", 0

    @rx.event
    @require_role()
    async def start(self, plan_day_id: str = ""):
        me = actor()
        try:
            day = int(plan_day_id) if plan_day_id else None
        except ValueError:
            day = None
        try:
            await asyncio.to_thread(with_user, lambda s, u: workouts.start_workout(s, u, plan_day_id=day), me.id)
        except ValidationFailed as failed:
            return rx.toast.error(next(iter(failed.errors.values())))
        self.summary, self.summary_prs, self._extra_ids, self._finished_id = {}, [], [], None
        await self._refresh()

    @rx.event
    @require_role()
    async def find_exercise(self, value: str):
        self.search = str(value)[:100]
        if len(self.search.strip()) < 2:
            self.search_results = []
            return
        me = actor()

        def find(session, user):
            return [{"id": str(r.id), "name": r.name, "equipment": ", ".join(r.equipment) or "Bodyweight"}
                    for r in library.search_exercises(session, user_id=user.id, query=self.search, page_size=8).rows]

        self.search_results = await asyncio.to_thread(with_user, find, me.id)

    @rx.event
    @require_role()
    async def add_exercise(self, exercise_id: str):
        me = actor()
        try:
            chosen = int(exercise_id)
            await asyncio.to_thread(with_user, lambda s, u: workouts.add_exercise(
                s, u, workouts.active_workout(s, u).id, chosen), me.id)
        except (ValueError, AttributeError, ValidationFailed):
            return rx.toast.error("That exercise cannot be added.")
        if chosen not in self._extra_ids:
            self._extra_ids = [*self._extra_ids, chosen]
        self.search, self.search_results = "", []
        await self._refresh()

    @rx.event
    @require_role()
    async def log_set(self, form: dict):
        me = actor()
        units = self.units
        raw_load = str(form.get("load", "") or "").strip().replace(",", ".")[:20]
        try:
            load_kg = from_display(float(raw_load), units) if raw_load else 0.0
        except ValueError:
            self.errors = {str(form.get("exercise_id", ""))[:12]: "Enter the load as a number."}
            return
        exercise_key = str(form.get("exercise_id", ""))[:12]
        client_id = str(form.get("client_id", "") or self.client_id)[:64]

        def write(session, user):
            workout = workouts.active_workout(session, user)
            if workout is None:
                raise ValidationFailed({"workout": "Start a workout first."})
            logged = workouts.log_set(
                session, user, workout.id, client_id=client_id, exercise_id=int(exercise_key or 0),
                reps=str(form.get("reps", ""))[:10], load_kg=load_kg, rpe=str(form.get("rpe", "") or "")[:5] or None,
                rir=str(form.get("rir", "") or "")[:5] or None,
                set_type=str(form.get("set_type", "working"))[:10], note=str(form.get("note", ""))[:500])
            badges.evaluate(session, user)
            shown = coach.coach_logged_set(session, user, logged.id)
            wants_ai = shown is not None and coach.ai_tier(session, user)
            return logged, [b.title for b in badges.unannounced(session, user)], (shown.id if wants_ai else None)

        try:
            logged, badges, ai_for = await asyncio.to_thread(with_user, write, me.id)
        except ValidationFailed as failed:
            self.errors = {exercise_key: " ".join(failed.errors.values())}
            return
        except ValueError:
            self.errors = {exercise_key: "Choose an exercise."}
            return
        self.errors, self.client_id = {}, _new_client_id()
        await self._refresh()
        events = [WorkoutState.tick]
        if logged.pr_kinds:
            events.append(rx.toast.success("New personal record! " + ", ".join(
                {"e1rm": "best estimated 1RM", "load": "heaviest load", "volume": "most volume in a set"}.get(k, k)
                for k in logged.pr_kinds)))
        events += [rx.toast.success(f"Badge earned: {title}") for title in badges]
        if ai_for is not None:
            self._coach_uid = me.id
            events.append(WorkoutState.write_ai_message(str(ai_for)))
        if badges:
            await asyncio.to_thread(with_user, lambda s, u: badges.mark_announced(
                s, u, [b.code for b in badges.unannounced(s, u)]), me.id)
        return events

    @rx.event
    @require_role()
    async def skip_set(self, exercise_id: str):
        """The member skips the next set of an exercise; the coach answers with less volume."""
        me = actor()

        def skip(session, user):
            workout = workouts.active_workout(session, user)
            if workout is None:
                raise ValidationFailed({"workout": "Start a workout first."})
            return coach.skip_set(session, user, workout.id, str(exercise_id)[:12])

        try:
            await asyncio.to_thread(with_user, skip, me.id)
        except ValidationFailed as failed:
            return rx.toast.error(next(iter(failed.errors.values())))
        await self._refresh()

    @rx.event
    @require_role()
    async def answer_tweak(self, tweak_id: str, accept: bool):
        """Accept (apply to the remaining sets or the plan) or dismiss a suggestion."""
        me = actor()
        try:
            await asyncio.to_thread(with_user, lambda s, u: coach.decide(s, u, str(tweak_id)[:12], accept is True), me.id)
        except ValidationFailed as failed:
            await self._refresh()
            return rx.toast.error(next(iter(failed.errors.values())))
        if accept is True:
            # A fresh id for the next set also remounts the set form, so it shows the new targets.
            self.client_id = _new_client_id()
        await self._refresh()
        if accept is True:
            return [WorkoutState.tick, rx.toast.success("Done: your targets are updated.")]

    @rx.event(background=True)
    @public
    async def write_ai_message(self, tweak_id: str):
        """The language model's words for a Pro member, arriving after the template's.

        Open to call, but it acts only for the member a guarded handler recorded, only on that
        member's own tweak, and only when they have the AI tier.
        """
        async with self:
            user_id = self._coach_uid
        if user_id is None:
            return
        try:
            key = int(tweak_id)
        except (TypeError, ValueError):
            return
        written = await coach.write_ai_message(user_id, key)
        if written is None:
            return
        async with self:
            self.tweaks = [{**t, "message": written, "ai": "yes"} if t["id"] == str(key) else t for t in self.tweaks]

    @rx.event
    @require_role()
    async def edit_set(self, set_id: str):
        self.editing_set = str(set_id)[:12]

    @rx.event
    @require_role()
    async def cancel_edit(self):
        self.editing_set = ""

    @rx.event
    @require_role()
    async def save_set(self, form: dict):
        me, units = actor(), self.units
        try:
            set_id = int(self.editing_set)
            raw_load = str(form.get("load", "")).strip().replace(",", ".")[:20]
            load_kg = from_display(float(raw_load), units) if raw_load else 0.0
        except ValueError:
            self.errors = {"edit": "Enter the load as a number."}
            return
        try:
            await asyncio.to_thread(with_user, lambda s, u: workouts.update_set(
                s, u, set_id, reps=str(form.get("reps", ""))[:10], load_kg=load_kg,
                rpe=str(form.get("rpe", "") or "")[:5] or None, note=str(form.get("note", ""))[:500]), me.id)
        except ValidationFailed as failed:
            self.errors = {"edit": " ".join(failed.errors.values())}
            return
        self.editing_set, self.errors = "", {}
        await self._refresh()

    @rx.event
    @require_role()
    async def delete_set(self, set_id: str):
        me = actor()
        try:
            await asyncio.to_thread(with_user, lambda s, u: workouts.delete_set(s, u, int(set_id)), me.id)
        except (ValueError, ValidationFailed):
            return rx.toast.error("That set could not be found.")
        await self._refresh()

    @rx.event
    @require_role()
    async def substitute(self, old_id: str, new_id: str):
        """Accept a substitution: the available exercise takes the unavailable one's place today."""
        try:
            old, new = int(old_id), int(new_id)
        except ValueError:
            return
        self._extra_ids = [i for i in self._extra_ids if i != old]
        return WorkoutState.add_exercise(str(new))

    @rx.event
    @require_role()
    async def finish(self):
        me = actor()

        def done(session, user):
            workout = workouts.active_workout(session, user)
            if workout is None:
                raise ValidationFailed({"workout": "There is no workout to finish."})
            summary = workouts.finish_workout(session, user, workout.id)
            coach.coach_finished_workout(session, user, workout.id)
            badges.evaluate(session, user)
            earned = badges.unannounced(session, user)
            badges.mark_announced(session, user, [b.code for b in earned])
            return summary, [b.title for b in earned], user.units

        try:
            summary, badges, units = await asyncio.to_thread(with_user, done, me.id)
        except ValidationFailed as failed:
            return rx.toast.error(next(iter(failed.errors.values())))
        minutes = max(1, round(summary.duration_s / 60))
        self.summary = {"name": summary.name, "duration": f"{minutes} min", "sets": str(summary.set_count),
                        "volume": f"{_number(summary.volume_kg, units)} {units}"}
        self.summary_prs = list(summary.prs)
        self.rest_ends_at, self.rest_left, self._extra_ids = "", 0, []
        self._finished_id = summary.id
        await self._refresh()
        return [rx.toast.success(f"Badge earned: {title}") for title in badges]

    @rx.event
    @require_role()
    async def import_history(self, files: list[rx.UploadFile]):
        me = actor()
        if not files:
            return
        data = await files[0].read(10 * 1024 * 1024 + 1)
        if len(data) > 10 * 1024 * 1024:
            self.import_report = ["The file is larger than 10 MB."]
            return

        def run(session, user):
            return history_io.import_history(session, user, data, units=user.units, tz=user.timezone)

        try:
            report = await asyncio.to_thread(with_user, run, me.id)
        except ValidationFailed as failed:
            self.import_report = list(failed.errors.values())
            return
        lines = [f"Imported {report.workouts} workouts and {report.sets} sets."]
        lines += [f"Line {line}: {reason}" for line, reason in report.bad_rows[:50]]
        if report.unknown_exercises:
            lines.append("Added as your own exercises: " + ", ".join(report.unknown_exercises[:20]))
        self.import_report = lines
        await self._refresh()

    @rx.event
    @require_role()
    async def export_history(self):
        data = await asyncio.to_thread(with_user, history_io.export_history, actor().id)
        return rx.download(data=data, filename="adaptivefit-training-history.csv")
