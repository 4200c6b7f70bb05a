"""The workout logger: start, log sets, rest timer, edit, finish; and history import/export.

A set is written on the server the moment it is entered. Each entry carries a random client id
made on the server before the form is shown, so a double tap, a resent event after a lost
connection or a reload writes it once. Each handler calls one use case in
services/training/actions (or one read) and keeps what the view shows.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime

import reflex as rx

from adaptivefit.coach import ai_messages
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.payments import billing
from adaptivefit.services.training import actions, history_io, logger_display, workout_sets, workouts
from adaptivefit.state.guard import actor, public, refusal_text, require_role, with_user


def _new_client_id() -> str:
    return secrets.token_urlsafe(12)


def _first_error(failed: ValidationFailed) -> str:
    return refusal_text(failed)


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
        self._show(await asyncio.to_thread(with_user, logger_display.logger_view, me.id, list(self._extra_ids)))
        if not self.active and self._finished_id is not None:
            self.tweaks = await asyncio.to_thread(with_user, logger_display.tweak_cards, me.id, self._finished_id)

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
        day = str(plan_day_id)[:12] or None
        try:
            await asyncio.to_thread(with_user, lambda s, u: workouts.start_workout(s, u, plan_day_id=day), actor().id)
        except ValidationFailed as failed:
            return rx.toast.error(_first_error(failed))
        self.summary, self.summary_prs, self._extra_ids, self._finished_id = {}, [], [], None
        await self._refresh()

    @rx.event
    @require_role()
    async def find_exercise(self, value: str):
        self.search = str(value)[:100]
        self.search_results = await asyncio.to_thread(with_user, logger_display.exercise_choices, actor().id,
                                                      self.search)

    @rx.event
    @require_role()
    async def add_exercise(self, exercise_id: str):
        try:
            chosen = await asyncio.to_thread(with_user, actions.add_exercise, actor().id, str(exercise_id)[:12])
        except (ValidationFailed, PermissionDenied):
            return rx.toast.error("That exercise cannot be added.")
        if chosen not in self._extra_ids:
            self._extra_ids = [*self._extra_ids, chosen]
        self.search, self.search_results = "", []
        await self._refresh()

    @rx.event
    @require_role()
    async def log_set(self, form: dict):
        me = actor()
        exercise_key = str(form.get("exercise_id", ""))[:12]
        client_id = str(form.get("client_id", "") or self.client_id)[:64]

        def write(session, user):
            return actions.log_set(session, user, form, client_id=client_id, ai_tier=billing.is_pro(session, user))

        try:
            done = await asyncio.to_thread(with_user, write, me.id)
        except ValidationFailed as failed:
            self.errors = {exercise_key: " ".join(failed.errors.values())}
            return
        except PermissionDenied as refused:
            self.errors = {exercise_key: str(refused)}
            return
        self.errors, self.client_id = {}, _new_client_id()
        await self._refresh()
        events = [WorkoutState.tick]
        if done.record_news:
            events.append(rx.toast.success(done.record_news))
        events += [rx.toast.success(f"Badge earned: {title}") for title in done.badges]
        if done.wants_ai:
            self._coach_uid = me.id
            events.append(WorkoutState.write_ai_message(str(done.tweak_id)))
        return events

    @rx.event
    @require_role()
    async def skip_set(self, exercise_id: str):
        """The member skips the next set of an exercise; the coach answers with less volume."""
        try:
            await asyncio.to_thread(with_user, actions.skip_set, actor().id, exercise_id)
        except ValidationFailed as failed:
            return rx.toast.error(_first_error(failed))
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        await self._refresh()

    @rx.event
    @require_role()
    async def answer_tweak(self, tweak_id: str, accept: bool):
        """Accept (apply to the remaining sets or the plan) or dismiss a suggestion."""
        try:
            done = await asyncio.to_thread(with_user, actions.answer_tweak, actor().id, tweak_id, accept)
        except ValidationFailed as failed:
            await self._refresh()
            return rx.toast.error(_first_error(failed))
        except PermissionDenied as refused:
            await self._refresh()
            return rx.toast.error(str(refused))
        if done:
            # A fresh id for the next set also remounts the set form, so it shows the new targets.
            self.client_id = _new_client_id()
        await self._refresh()
        if done:
            return [WorkoutState.tick, rx.toast.success(done)]

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
        ai_tier = await asyncio.to_thread(with_user, billing.is_pro, user_id)
        written = await ai_messages.write_ai_message(user_id, key, ai_tier)
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
        set_id = self.editing_set
        try:
            await asyncio.to_thread(with_user, actions.edit_set, actor().id, set_id, form)
        except ValidationFailed as failed:
            self.errors = {"edit": " ".join(failed.errors.values())}
            return
        except PermissionDenied as refused:
            self.errors = {"edit": str(refused)}
            return
        self.editing_set, self.errors = "", {}
        await self._refresh()

    @rx.event
    @require_role()
    async def delete_set(self, set_id: str):
        try:
            await asyncio.to_thread(with_user, workout_sets.delete_set, actor().id, str(set_id)[:12])
        except (ValidationFailed, PermissionDenied):
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
        try:
            done = await asyncio.to_thread(with_user, actions.finish_workout, actor().id)
        except ValidationFailed as failed:
            return rx.toast.error(_first_error(failed))
        self.summary, self.summary_prs = done.summary, list(done.records)
        self.rest_ends_at, self.rest_left, self._extra_ids = "", 0, []
        self._finished_id = done.workout_id
        await self._refresh()
        return [rx.toast.success(f"Badge earned: {title}") for title in done.badges]

    @rx.event
    @require_role()
    async def import_history(self, files: list[rx.UploadFile]):
        if not files:
            return
        data = await files[0].read(actions.UPLOAD_MAX_BYTES + 1)
        try:
            self.import_report = await asyncio.to_thread(with_user, actions.import_history, actor().id, data)
        except ValidationFailed as failed:
            self.import_report = list(failed.errors.values())
            return
        await self._refresh()

    @rx.event
    @require_role()
    async def export_history(self):
        data = await asyncio.to_thread(with_user, history_io.export_history, actor().id)
        return rx.download(data=data, filename="adaptivefit-training-history.csv")
