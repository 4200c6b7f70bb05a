"""A trainer's earnings and payouts (/studio/earnings) and the platform's revenue (/admin/revenue).

Thin: services/payments/earnings.py sums the ledger and words each page; this keeps what the pages
show, as text and chart numbers. Never a Stripe id: the trainer's Connect account shows only as a status.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.models import Role
from adaptivefit.services.core import app_settings
from adaptivefit.services.marketplace import trainer_review
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.services.core.paging import requested_page
from adaptivefit.services.payments import earnings
from adaptivefit.state.guard import actor, refusal_text, require_role

def _trainer_view(user_id: int, page: int) -> dict[str, Any]:
    with session_scope() as session:
        return earnings.trainer_page(session, user_id, page)


class EarningsState(rx.State):
    has_profile: bool = True
    connect: str = "none"
    connect_text: str = ""
    commission: str = ""
    commission_note: str = ""
    currencies: list[str] = []
    currency: str = ""
    chart: list[dict[str, Any]] = []
    lifetime: str = ""
    this_month: str = ""
    awaiting: str = ""
    payouts: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    _charts: dict[str, list[dict[str, Any]]] = {}
    _summary: dict[str, dict[str, str]] = {}

    def _show_currency(self, currency: str) -> None:
        self.currency = currency if currency in self._charts else (self.currencies[0] if self.currencies else "")
        self.chart = self._charts.get(self.currency, [])
        totals = self._summary.get(self.currency) or self._summary.get("", {})
        self.lifetime, self.this_month = totals.get("lifetime", ""), totals.get("month", "")
        self.awaiting = totals.get("awaiting", "")

    async def _refresh(self, page: int) -> None:
        view = await asyncio.to_thread(_trainer_view, actor().id, page)
        self.has_profile = view["has_profile"]
        if not self.has_profile:
            return
        self.connect, self.connect_text = view["connect"], view["connect_text"]
        self.commission, self.commission_note = view["commission"], view["commission_note"]
        self._charts, self._summary, self.currencies = view["charts"], view["summary"], view["currencies"]
        self.payouts, self.page, self.pages = view["payouts"], view["page"], view["pages"]
        self._show_currency(self.currency)

    @rx.event
    @require_role(Role.TRAINER, Role.ADMIN)
    async def load(self):
        await self._refresh(1)

    @rx.event
    @require_role(Role.TRAINER, Role.ADMIN)
    async def go_to_page(self, page: int):
        await self._refresh(requested_page(page))

    @rx.event
    @require_role(Role.TRAINER, Role.ADMIN)
    async def choose_currency(self, currency: str):
        self._show_currency(str(currency))


# -- the platform's revenue ---------------------------------------------------------------------

def _revenue_view(admin: Actor, page: int) -> dict[str, Any]:
    with session_scope() as session:
        return earnings.revenue_page(session, admin, page)


def _save(fn, admin: Actor, *args) -> None:
    with session_scope() as session:
        fn(session, admin, *args)


class RevenueState(rx.State):
    commission: str = ""
    commission_text: str = ""
    pro_price: str = ""
    pro_currency: str = "usd"
    pro_text: str = ""
    currencies: list[str] = []
    currency: str = ""
    chart: list[dict[str, Any]] = []
    totals: list[dict[str, str]] = []
    trainers: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    errors: dict[str, str] = {}
    _charts: dict[str, list[dict[str, Any]]] = {}
    _totals: dict[str, list[dict[str, str]]] = {}

    def _show_currency(self, currency: str) -> None:
        self.currency = currency if currency in self._charts else (self.currencies[0] if self.currencies else "")
        self.chart = self._charts.get(self.currency, [])
        self.totals = self._totals.get(self.currency, [])

    async def _refresh(self, page: int) -> None:
        view = await asyncio.to_thread(_revenue_view, actor(), page)
        self.commission, self.commission_text = view["commission"], view["commission_text"]
        self.pro_price, self.pro_currency, self.pro_text = view["pro_price"], view["pro_currency"], view["pro_text"]
        self._charts, self._totals, self.currencies = view["charts"], view["totals"], view["currencies"]
        self.trainers, self.page, self.pages = view["trainers"], view["page"], view["pages"]
        self._show_currency(self.currency)

    @rx.event
    @require_role(Role.ADMIN)
    async def load(self):
        self.errors = {}
        await self._refresh(1)

    @rx.event
    @require_role(Role.ADMIN)
    async def go_to_page(self, page: int):
        await self._refresh(requested_page(page))

    @rx.event
    @require_role(Role.ADMIN)
    async def choose_currency(self, currency: str):
        self._show_currency(str(currency))

    async def _attempt(self, fields: tuple[str, ...], fn, *args, done: str):
        self.errors = {k: v for k, v in self.errors.items() if k not in fields}
        try:
            await asyncio.to_thread(_save, fn, actor(), *args)
        except ValidationFailed as failed:
            self.errors = {**self.errors, **failed.errors}
            return None
        except PermissionDenied as denied:
            return rx.toast.error(str(denied))
        await self._refresh(self.page)
        return rx.toast.success(done)

    @rx.event
    @require_role(Role.ADMIN)
    async def save_commission(self, form: dict):
        raw = str(form.get("commission_percent", ""))[:20]
        return await self._attempt(("commission_percent",), app_settings.set_commission_percent, raw,
                                   done="Platform commission saved.")

    @rx.event
    @require_role(Role.ADMIN)
    async def save_pro_price(self, form: dict):
        price, currency = str(form.get("pro_price", ""))[:20], str(form.get("pro_currency", ""))[:8]
        return await self._attempt(("pro_price", "pro_currency"), app_settings.set_pro_price, price, currency,
                                   done="Pro plan price saved.")

    @rx.event
    @require_role(Role.ADMIN)
    async def save_override(self, form: dict):
        try:
            trainer_id = int(str(form.get("trainer_id", "")))
        except ValueError:
            return rx.toast.error("No such trainer.")
        field = f"trainer-{trainer_id}"

        def save(session, admin, raw):
            try:
                trainer_review.set_commission_override(session, admin, trainer_id, raw)
            except ValidationFailed as failed:  # one field per trainer on the page
                raise ValidationFailed({field: refusal_text(failed)}) from None

        return await self._attempt((field,), save, str(form.get("percent", ""))[:20],
                                   done="Trainer commission saved.")
