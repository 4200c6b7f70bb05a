"""The trainer's studio, the program builder and the moderators' program list. Thin: services decide.

Route arguments (`program_id`) are read from the URL on load and kept under other names: Reflex
adds each dynamic route argument to every state, and a var of the same name would shadow it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.models import Role
from adaptivefit.services.catalog import library
from adaptivefit.services.core.access import STAFF, PermissionDenied, ValidationFailed
from adaptivefit.services.core.paging import requested_page
from adaptivefit.services.marketplace import display, program_builder, program_moderation, program_publishing, programs
from adaptivefit.state.guard import actor, attempt, in_session, refusal_text, require_role

TRAINERS = (Role.TRAINER, Role.ADMIN)
DETAIL_FIELDS = ("title", "description", "goal", "level", "duration_weeks", "price_kind", "price", "currency")
# What the builder page needs to know, read here because pages import only state.
CURRENCY_OPTIONS, GOAL_OPTIONS, LEVEL_OPTIONS = display.CURRENCY_OPTIONS, display.GOAL_OPTIONS, display.LEVEL_OPTIONS
COVER_MAX_BYTES = programs.COVER_MAX_BYTES



def route_id(path: str, prefix: str) -> int | None:
    """The number after `prefix` in a path like /studio/programs/12, or None."""
    rest = str(path or "").removeprefix(prefix).strip("/").split("/")[0]
    return int(rest) if rest.isdigit() and len(rest) <= 12 else None


def _studio_rows(me) -> list[dict[str, str]]:
    return [display.studio_row(r) for r in in_session(program_builder.list_mine, me)]


def _builder(me, program_id: int) -> dict:
    with session_scope() as session:
        view = program_builder.builder_view(session, me, program_id)
        equipment = [(e.id, e.name) for e in library.list_equipment(session)]
    return display.builder_view(view, equipment)


def _moderation(me, query: str, page: int) -> dict:
    found = in_session(program_moderation.moderation_list, me, query, page)
    return {"total": found.total, "page": found.page, "pages": found.pages,
            "rows": [display.moderation_row(r) for r in found.rows]}


class StudioState(rx.State):
    """/studio: the trainer's programs and a form to start one."""

    rows: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    @rx.event
    @require_role(*TRAINERS)
    async def load(self):
        self.errors = {}
        self.rows = await asyncio.to_thread(_studio_rows, actor())

    @rx.event
    @require_role(*TRAINERS)
    async def create(self, form: dict):
        title = str(form.get("title", ""))[:300]
        try:
            program = await asyncio.to_thread(in_session, lambda s, me: program_builder.create_program(s, me, title).id, actor())
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        except PermissionDenied as refused:
            self.errors = {"title": str(refused)}
            return
        self.errors = {}
        return rx.redirect(f"/studio/programs/{program}")


class ProgramBuilderState(rx.State):
    """/studio/programs/[program_id]: details, cover, structure summary, publishing and versions."""

    pid: str = ""
    found: bool = False
    form: dict[str, str] = {}
    form_key: str = ""
    equipment: list[dict[str, str]] = []
    cover: str = ""
    status: str = ""
    status_label: str = ""
    hidden: bool = False
    hidden_reason: str = ""
    version: int = 0
    versions: list[dict[str, str]] = []
    summary: str = ""
    has_exercises: bool = False
    unpublished_changes: bool = False
    plan_link: str = ""
    sales: str = ""
    errors: dict[str, str] = {}

    def _read(self, me, program_id: int) -> None:
        view = _builder(me, program_id)
        self.found, self.form_key = True, datetime.now(UTC).isoformat()
        for name, value in view.items():
            setattr(self, name, value)

    async def _refresh(self) -> None:
        await asyncio.to_thread(self._read, actor(), int(self.pid))

    @rx.event
    @require_role(*TRAINERS)
    async def load(self):
        self.errors, self.found = {}, False
        program_id = route_id(self.router.url.path, "/studio/programs")
        if program_id is None:
            return rx.toast.error(programs.NOT_FOUND)
        try:
            await asyncio.to_thread(self._read, actor(), program_id)
        except PermissionDenied as refused:
            self.pid = ""
            return rx.toast.error(str(refused))

    async def _act(self, fn, *args, done: str):
        if not self.pid:
            return None
        try:
            await asyncio.to_thread(in_session, fn, actor(), int(self.pid), *args)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(refusal_text(failed))
        except PermissionDenied as refused:
            return rx.toast.error(str(refused))
        self.errors = {}
        await self._refresh()
        return rx.toast.success(done)

    @rx.event
    @require_role(*TRAINERS)
    async def save(self, form: dict):
        fields = {key: str(form.get(key, ""))[:12000] for key in DETAIL_FIELDS}
        fields["equipment_ids"] = [key[3:] for key, value in form.items()
                                   if str(key).startswith("eq-") and value in (True, "on", "true")][:200]
        return await self._act(program_builder.update_details, fields, done=display.DONE["details"])

    @rx.event
    @require_role(*TRAINERS)
    async def upload_cover(self, files: list[rx.UploadFile]):
        if not files or not self.pid:
            return None
        data = await files[0].read(programs.COVER_READ_BYTES)
        return await self._act(program_builder.set_cover, data, done=display.DONE["cover"])

    @rx.event
    @require_role(*TRAINERS)
    async def publish(self, form: dict):
        changelog = str(form.get("changelog", ""))[:3000]
        return await self._act(program_publishing.publish, changelog, done=display.DONE["published"])

    @rx.event
    @require_role(*TRAINERS)
    async def unpublish(self):
        return await self._act(program_publishing.unpublish, done=display.DONE["unpublished"])


class ProgramModerationState(rx.State):
    """/admin/programs: staff search programs and hide them with a reason the trainer sees."""

    query: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[dict[str, str]] = []

    async def _refresh(self) -> None:
        view = await asyncio.to_thread(_moderation, actor(), self.query, self.page)
        self.total, self.page, self.pages, self.rows = view["total"], view["page"], view["pages"], view["rows"]

    @rx.event
    @require_role(*STAFF)
    async def load(self):
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def search(self, value: str):
        self.query, self.page = str(value)[:120], 1
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def go_to_page(self, page: int):
        self.page = requested_page(page)
        await self._refresh()

    async def _act(self, fn, *args, done: str):
        refused = await attempt(fn, *args)
        if refused:
            return rx.toast.error(refused)
        await self._refresh()
        return rx.toast.success(done)

    @rx.event
    @require_role(*STAFF)
    async def hide(self, form: dict):
        try:
            program_id = int(str(form.get("program_id", "")))
        except ValueError:
            return rx.toast.error(programs.NOT_FOUND)
        return await self._act(program_moderation.hide, program_id, str(form.get("reason", ""))[:2000],
                               done=display.DONE["hidden"])

    @rx.event
    @require_role(*STAFF)
    async def unhide(self, program_id: str):
        try:
            target = int(program_id)
        except (TypeError, ValueError):
            return rx.toast.error(programs.NOT_FOUND)
        return await self._act(program_moderation.unhide, target, done=display.DONE["unhidden"])

