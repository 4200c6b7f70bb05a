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
from adaptivefit.services.core import app_settings
from adaptivefit.services.marketplace import programs
from adaptivefit.services.core.access import STAFF, PermissionDenied, ValidationFailed
from adaptivefit.state.guard import actor, require_role

TRAINERS = (Role.TRAINER, Role.ADMIN)
STATUS_LABELS = {"draft": "Draft", "published": "Published", "unpublished": "Unpublished"}
CURRENCY_OPTIONS = [(c, c.upper()) for c in app_settings.CURRENCIES]
DETAIL_FIELDS = ("title", "description", "goal", "level", "duration_weeks", "price_kind", "price", "currency")


def _run(fn, *args, **kwargs):
    with session_scope() as session:
        return fn(session, *args, **kwargs)


def _first_error(failed: ValidationFailed) -> str:
    return next(iter(failed.errors.values()), "That did not work.")


def _when(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime("%d %b %Y")


def route_id(path: str, prefix: str) -> int | None:
    """The number after `prefix` in a path like /studio/programs/12, or None."""
    rest = str(path or "").removeprefix(prefix).strip("/").split("/")[0]
    return int(rest) if rest.isdigit() and len(rest) <= 12 else None


def _stars(avg: float, count: int) -> str:
    return "No ratings yet" if count == 0 else f"{avg:.1f} ★ ({count})"


class StudioState(rx.State):
    """/studio: the trainer's programs and a form to start one."""

    rows: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    def _read(self, me) -> None:
        self.rows = [{
            "id": str(r.id), "title": r.title, "status": r.status, "status_label": STATUS_LABELS.get(r.status, r.status),
            "hidden": "yes" if r.hidden else "", "reason": r.hidden_reason,
            "version": f"v{r.version}" if r.version else "not published yet", "price": r.price,
            "sales": f"{r.sales_count} sale{'s' * (r.sales_count != 1)}",
            "rating": _stars(r.rating_avg, r.rating_count), "updated": _when(r.updated_at),
        } for r in _run(programs.list_mine, me)]

    @rx.event
    @require_role(*TRAINERS)
    async def load(self):
        self.errors = {}
        await asyncio.to_thread(self._read, actor())

    @rx.event
    @require_role(*TRAINERS)
    async def create(self, form: dict):
        title = str(form.get("title", ""))[:300]
        try:
            program = await asyncio.to_thread(_run, lambda s, me: programs.create_program(s, me, title).id, actor())
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
        view = _run(programs.builder_view, me, program_id)
        with session_scope() as session:
            equipment = [(e.id, e.name) for e in library.list_equipment(session)]
        self.pid, self.found = str(view.id), True
        self.form = {"title": view.title, "description": view.description, "goal": view.goal, "level": view.level,
                     "duration_weeks": str(view.duration_weeks), "price_kind": view.price_kind, "price": view.price,
                     "currency": view.currency}
        self.form_key = datetime.now(UTC).isoformat()
        chosen = set(view.equipment_ids)
        self.equipment = [{"id": str(i), "name": n, "checked": "yes" if i in chosen else ""} for i, n in equipment]
        self.cover = view.cover_image or ""
        self.status, self.status_label = view.status, STATUS_LABELS.get(view.status, view.status)
        self.hidden, self.hidden_reason = view.hidden, view.hidden_reason
        self.version = view.current_version
        self.sales = f"{view.sales_count} sale{'s' * (view.sales_count != 1)}"
        self.versions = [{"version": f"Version {v.version}", "changelog": v.changelog or "—",
                          "date": _when(v.created_at)} for v in view.versions]
        s = view.summary
        self.summary = (f"{s['weeks']} week{'s' * (s['weeks'] != 1)}, {s['days']} day{'s' * (s['days'] != 1)}, "
                        f"{s['exercises']} exercise{'s' * (s['exercises'] != 1)}")
        self.has_exercises = s["exercises"] > 0
        self.unpublished_changes = view.unpublished_changes
        self.plan_link = f"/plans?plan={view.draft_plan_id}"

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
            await asyncio.to_thread(_run, fn, actor(), int(self.pid), *args)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(_first_error(failed))
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
        return await self._act(programs.update_details, fields, done="Details saved.")

    @rx.event
    @require_role(*TRAINERS)
    async def upload_cover(self, files: list[rx.UploadFile]):
        if not files or not self.pid:
            return None
        data = await files[0].read(programs.COVER_MAX_BYTES + 1)
        return await self._act(programs.set_cover, data, done="Cover picture saved.")

    @rx.event
    @require_role(*TRAINERS)
    async def publish(self, form: dict):
        changelog = str(form.get("changelog", ""))[:3000]
        return await self._act(programs.publish, changelog, done="Published: the program is on the marketplace.")

    @rx.event
    @require_role(*TRAINERS)
    async def unpublish(self):
        return await self._act(programs.unpublish, done="Unpublished. Buyers keep their copies.")


class ProgramModerationState(rx.State):
    """/admin/programs: staff search programs and hide them with a reason the trainer sees."""

    query: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[dict[str, str]] = []

    async def _refresh(self) -> None:
        rows, total = await asyncio.to_thread(_run, programs.moderation_list, actor(), self.query, self.page)
        self.total = total
        self.pages = max(1, -(-total // programs.MODERATION_PAGE_SIZE))
        self.rows = [{"id": str(r.id), "title": r.title, "trainer": r.trainer_name,
                      "status": STATUS_LABELS.get(r.status, r.status), "hidden": "yes" if r.hidden else "",
                      "reason": r.hidden_reason, "price": r.price, "updated": _when(r.updated_at)} for r in rows]

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
        try:
            self.page = min(max(1, int(page)), self.pages)
        except (TypeError, ValueError):
            return
        await self._refresh()

    async def _act(self, fn, *args, done: str):
        try:
            await asyncio.to_thread(_run, fn, actor(), *args)
        except (PermissionDenied, ValidationFailed) as refused:
            message = str(refused) if isinstance(refused, PermissionDenied) else _first_error(refused)
            return rx.toast.error(message)
        await self._refresh()
        return rx.toast.success(done)

    @rx.event
    @require_role(*STAFF)
    async def hide(self, form: dict):
        try:
            program_id = int(str(form.get("program_id", "")))
        except ValueError:
            return rx.toast.error(programs.NOT_FOUND)
        return await self._act(programs.hide, program_id, str(form.get("reason", ""))[:2000],
                               done="Program hidden; the trainer sees your reason.")

    @rx.event
    @require_role(*STAFF)
    async def unhide(self, program_id: str):
        try:
            target = int(program_id)
        except (TypeError, ValueError):
            return rx.toast.error(programs.NOT_FOUND)
        return await self._act(programs.unhide, target, done="Program visible again.")

