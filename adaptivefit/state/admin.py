"""Admin pages: user management (moderators and admins) and the audit log (admins).

The guard checks the role on every handler; the services check it again, with object scope
(a moderator cannot suspend an admin), so a handler called directly by any browser is refused.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import reflex as rx

from adaptivefit.models import Role
from adaptivefit.services.accounts import users_admin
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import STAFF
from adaptivefit.services.core.paging import requested_page
from adaptivefit.state.guard import actor, attempt, in_session, require_role

ALL = "all"



def _date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


class AdminUsersState(rx.State):
    query: str = ""
    role_filter: str = ALL
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[dict[str, str]] = []
    suspend_reason: dict[str, str] = {}
    error: str = ""

    async def _refresh(self) -> None:
        me = actor()
        result = await asyncio.to_thread(in_session, users_admin.list_users, me, query=self.query,
                                         role="" if self.role_filter == ALL else self.role_filter, page=self.page)
        self.rows = [{"id": str(r.id), "name": r.name, "email": r.email, "role": r.role,
                      "status": "suspended" if r.is_suspended else "active", "joined": _date(r.created_at),
                      "two_factor": "on" if r.totp_enabled else "off",
                      "coach_ai": "on" if r.coach_ai else ""} for r in result.rows]
        self.total, self.page, self.pages = result.total, result.page, result.pages

    @rx.event
    @require_role(*STAFF)
    async def load(self):
        self.error = ""
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def search(self, value: str):
        self.query, self.page = str(value)[:100], 1
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def filter_role(self, value: str):
        self.role_filter = str(value) if value in (ALL, *[r.value for r in Role]) else ALL
        self.page = 1
        await self._refresh()

    @rx.event
    @require_role(*STAFF)
    async def go_to_page(self, page: int):
        self.page = requested_page(page)
        await self._refresh()

    async def _act(self, fn, *args, done: str):
        self.error = await attempt(fn, *args)
        if self.error:
            return rx.toast.error(self.error)
        await self._refresh()
        return rx.toast.success(done)

    @rx.event
    @require_role(Role.ADMIN)
    async def change_role(self, user_id: str, role: str):
        try:
            target = int(user_id)
        except (TypeError, ValueError):
            return rx.toast.error("No such user.")
        return await self._act(users_admin.change_role, target, str(role)[:20], done="Role changed.")

    @rx.event
    @require_role(Role.ADMIN)
    async def set_coach_ai(self, user_id: str, enabled: bool):
        try:
            target = int(user_id)
        except (TypeError, ValueError):
            return rx.toast.error("No such user.")
        return await self._act(users_admin.set_coach_ai, target, enabled is True,
                               done="AI coach messages on." if enabled is True else "AI coach messages off.")

    @rx.event
    @require_role(*STAFF)
    async def suspend(self, form: dict):
        try:
            target = int(form.get("user_id", ""))
        except (TypeError, ValueError):
            return rx.toast.error("No such user.")
        return await self._act(users_admin.suspend, target, str(form.get("reason", ""))[:1000],
                               done="User suspended; their sessions ended.")

    @rx.event
    @require_role(*STAFF)
    async def reinstate(self, user_id: str):
        try:
            target = int(user_id)
        except (TypeError, ValueError):
            return rx.toast.error("No such user.")
        return await self._act(users_admin.reinstate, target, done="User reinstated.")


class AuditLogState(rx.State):
    event: str = ALL
    user_query: str = ""
    days: str = "30"
    page: int = 1
    total: int = 0
    rows: list[dict[str, str]] = []
    events: list[str] = [ALL, *audit.EVENTS]

    async def _refresh(self) -> None:
        me = actor()
        try:
            days = max(1, min(3650, int(self.days)))
        except ValueError:
            days = 30
        since = datetime.now(UTC) - timedelta(days=days)
        rows, self.total = await asyncio.to_thread(
            in_session, users_admin.audit_log, me, event="" if self.event == ALL else self.event,
            user_query=self.user_query, since=since, page=self.page)
        self.rows = [{"when": _date(r.created_at), "event": r.event, "user": r.user_email or "—",
                      "actor": r.actor_email or "—", "ip": r.ip_address or "—",
                      "details": json.dumps(r.details, ensure_ascii=False)[:300] if r.details else ""}
                     for r in rows]

    @rx.event
    @require_role(Role.ADMIN)
    async def load(self):
        await self._refresh()

    @rx.event
    @require_role(Role.ADMIN)
    async def set_event(self, value: str):
        self.event = value if value in self.events else ALL
        self.page = 1
        await self._refresh()

    @rx.event
    @require_role(Role.ADMIN)
    async def set_user_query(self, value: str):
        self.user_query, self.page = str(value)[:100], 1
        await self._refresh()

    @rx.event
    @require_role(Role.ADMIN)
    async def set_days(self, value: str):
        self.days, self.page = str(value)[:4], 1
        await self._refresh()

    @rx.event
    @require_role(Role.ADMIN)
    async def go_to_page(self, page: int):
        self.page = requested_page(page)
        await self._refresh()
