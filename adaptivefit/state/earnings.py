"""A trainer's earnings and payouts (/studio/earnings) and the platform's revenue (/admin/revenue).

Thin: services/earnings.py sums the ledger; this keeps what the pages show, as text and chart
numbers. Never a Stripe id: the trainer's Connect account shows only as a status.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.models import Role
from adaptivefit.services.core import app_settings
from adaptivefit.services.marketplace import trainers
from adaptivefit.services.payments import earnings
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.state.guard import actor, require_role

STATUS_TEXT = {
    "transferred": "sent by Stripe",
    "paid": "paid",
    "pending": "pending",
    "carried": "carried over",
}
CONNECT_TEXT = {
    "none": "Not connected: connect a Stripe account so buyers' payments reach you directly.",
    "incomplete": "Onboarding incomplete: finish the Stripe form to receive payouts.",
    "enabled": "Payouts enabled: your share of each sale goes to your Stripe account.",
}


def _major(cents: int) -> float:
    """Chart heights only; every amount shown as text stays exact (format_money)."""
    return round(cents / 100, 2)


def _trainer_view(user_id: int, page: int) -> dict[str, Any]:
    with session_scope() as session:
        trainer = trainers.trainer_for_user(session, user_id)
        if trainer is None:
            return {"has_profile": False}
        months = earnings.trainer_monthly(session, trainer.id)
        totals = earnings.trainer_summary(session, trainer.id)
        rows, page, pages = earnings.payouts_for(session, trainer.id, page)
        own_rate = trainer.commission_percent is not None
        rate = app_settings.trainer_commission(session, trainer)
        status = earnings.connect_status(trainer)
    charts: dict[str, list[dict[str, Any]]] = {}
    for m in months:
        charts.setdefault(m.currency, []).append(
            {"month": m.label, "net": _major(m.net_cents), "refunds": _major(m.refund_cents),
             "net_text": earnings.format_money(m.net_cents, m.currency)})
    summary = {t.currency: {"lifetime": earnings.format_money(t.lifetime_net_cents, t.currency),
                            "month": earnings.format_money(t.month_net_cents, t.currency),
                            "awaiting": earnings.format_money(t.awaiting_cents, t.currency)} for t in totals}
    return {
        "has_profile": True,
        "connect": status,
        "connect_text": CONNECT_TEXT[status],
        "commission": earnings.format_percent(rate),
        "commission_note": "your agreed rate" if own_rate else "the platform's standard rate",
        "charts": charts,
        "summary": summary,
        "payouts": [{"id": str(p.id), "period": earnings.month_label(p.period_start),
                     "amount": earnings.format_money(p.amount_cents, p.currency), "status": p.status,
                     "status_text": STATUS_TEXT.get(p.status, p.status), "entries": str(p.entries_count)}
                    for p in rows],
        "page": page,
        "pages": pages,
    }


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
        empty = earnings.format_money(0, self.currency or "usd")
        totals = self._summary.get(self.currency, {})
        self.lifetime = totals.get("lifetime", empty)
        self.this_month = totals.get("month", empty)
        self.awaiting = totals.get("awaiting", empty)

    async def _refresh(self, page: int) -> None:
        view = await asyncio.to_thread(_trainer_view, actor().id, page)
        self.has_profile = view["has_profile"]
        if not self.has_profile:
            return
        self.connect, self.connect_text = view["connect"], view["connect_text"]
        self.commission, self.commission_note = view["commission"], view["commission_note"]
        self._charts, self._summary = view["charts"], view["summary"]
        # The currency with the most sales first: most trainers sell in one.
        self.currencies = sorted(self._charts, key=lambda c: -sum(abs(r["net"]) for r in self._charts[c]))
        self.payouts, self.page, self.pages = view["payouts"], view["page"], view["pages"]
        self._show_currency(self.currency)

    @rx.event
    @require_role(Role.TRAINER, Role.ADMIN)
    async def load(self):
        await self._refresh(1)

    @rx.event
    @require_role(Role.TRAINER, Role.ADMIN)
    async def go_to_page(self, page: int):
        try:
            wanted = max(1, int(page))
        except (TypeError, ValueError):
            return
        await self._refresh(wanted)

    @rx.event
    @require_role(Role.TRAINER, Role.ADMIN)
    async def choose_currency(self, currency: str):
        self._show_currency(str(currency))


# -- the platform's revenue ---------------------------------------------------------------------

def _revenue_view(admin: Actor, page: int) -> dict[str, Any]:
    with session_scope() as session:
        months = earnings.revenue(session, admin)
        rows, page, pages = earnings.trainer_commissions(session, admin, page)
        default = app_settings.commission_percent(session)
        pro = app_settings.pro_price(session)
    charts: dict[str, list[dict[str, Any]]] = {}
    sums: dict[str, dict[str, int]] = {}
    for m in months:
        charts.setdefault(m.currency, []).append(
            {"month": m.label, "programs": _major(m.program_cents), "pro": _major(m.pro_cents)})
        total = sums.setdefault(m.currency, {"gross": 0, "refunds": 0, "fees": 0, "net": 0, "programs": 0, "pro": 0})
        total["gross"] += m.gross_cents
        total["refunds"] += m.refund_cents
        total["fees"] += m.fee_cents
        total["net"] += m.platform_cents
        total["programs"] += m.program_cents
        total["pro"] += m.pro_cents
    totals = {currency: [{"label": label, "value": earnings.format_money(values[key], currency)}
                         for key, label in (("gross", "Sales"), ("refunds", "Refunds"), ("fees", "Stripe fees"),
                                            ("programs", "Program commission"), ("pro", "Pro subscriptions"),
                                            ("net", "Net revenue"))]
              for currency, values in sums.items()}
    return {
        "commission": f"{default:f}",
        "commission_text": earnings.format_percent(default),
        "pro_price": f"{pro.cents // 100}.{pro.cents % 100:02d}",
        "pro_currency": pro.currency,
        "pro_text": earnings.format_money(pro.cents, pro.currency) + " a month",
        "charts": charts,
        "totals": totals,
        "trainers": [{"id": str(r.trainer_id), "name": r.name, "status": r.status,
                      "override": "" if r.override is None else f"{r.override:f}",
                      "effective": earnings.format_percent(r.effective),
                      "source": "own rate" if r.override is not None else "default"} for r in rows],
        "page": page,
        "pages": pages,
    }


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
        self._charts, self._totals = view["charts"], view["totals"]
        self.currencies = sorted(self._charts, key=lambda c: -sum(r["programs"] + r["pro"] for r in self._charts[c]))
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
        try:
            wanted = max(1, int(page))
        except (TypeError, ValueError):
            return
        await self._refresh(wanted)

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
                trainers.set_commission_override(session, admin, trainer_id, raw)
            except ValidationFailed as failed:  # one field per trainer on the page
                raise ValidationFailed({field: next(iter(failed.errors.values()))}) from None

        return await self._attempt((field,), save, str(form.get("percent", ""))[:20],
                                   done="Trainer commission saved.")
