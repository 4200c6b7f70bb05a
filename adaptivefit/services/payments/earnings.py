"""What trainers earned and what the platform made: monthly sums of the ledger and payouts, and the
earnings and revenue pages built from them (one function per page).

Month buckets are UTC calendar months, computed in SQL with a CASE over the month boundaries
(portable across SQLite and PostgreSQL) and summed there, so a chart never loads the ledger.
Amounts stay integer cents per currency; nothing here adds two currencies together.

For a trainer, ``commission`` is everything the platform took from their sales: its share plus
Stripe's processing fee, which the platform pays out of its commission (marketplace/pricing.py).
So each month ``gross + refunds == commission + net``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, literal
from sqlmodel import Session, col, select

from adaptivefit.models import LedgerEntry, Payout, Role, Trainer, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import app_settings
from adaptivefit.services.core.access import Actor, require
from adaptivefit.services.core.money import amount_text, format_money, format_percent
from adaptivefit.services.core.paging import window
from adaptivefit.services.marketplace import trainers
from adaptivefit.services.payments import connect
from adaptivefit.services.payments import payouts as payout_rules

PAYOUTS_PER_PAGE = 12
TRAINERS_PER_PAGE = 20
MAX_MONTHS = 36


def month_label(month: datetime) -> str:
    return month.strftime("%b %Y")


def month_starts(now: datetime, months: int) -> list[datetime]:
    """The first instants of the last `months` UTC months up to now, oldest first, and the next month's."""
    months = max(1, min(int(months), MAX_MONTHS))
    now = now.astimezone(UTC)
    index = now.year * 12 + now.month - 1 - (months - 1)
    return [datetime(i // 12, i % 12 + 1, 1, tzinfo=UTC) for i in range(index, index + months + 1)]


def _bucket(starts: list[datetime]):
    """The month index (0 = oldest) of an entry, for entries inside [starts[0], starts[-1])."""
    if len(starts) == 2:
        return literal(0)
    return case(*[(LedgerEntry.occurred_at < starts[i + 1], i) for i in range(len(starts) - 2)],
                else_=len(starts) - 2)


def _sums(session: Session, starts: list[datetime], *conditions) -> list:
    """(bucket, currency, kind, for_trainer, gross, fee, platform, trainer) sums per group."""
    inner = select(
        _bucket(starts).label("bucket"), LedgerEntry.currency, LedgerEntry.kind,
        case((col(LedgerEntry.trainer_id).is_(None), 0), else_=1).label("for_trainer"),
        LedgerEntry.gross_cents, LedgerEntry.fee_cents, LedgerEntry.platform_cents, LedgerEntry.trainer_cents,
    ).where(LedgerEntry.occurred_at >= starts[0], LedgerEntry.occurred_at < starts[-1], *conditions).subquery()
    return session.exec(
        select(inner.c.bucket, inner.c.currency, inner.c.kind, inner.c.for_trainer,
               func.sum(inner.c.gross_cents), func.sum(inner.c.fee_cents), func.sum(inner.c.platform_cents),
               func.sum(inner.c.trainer_cents))
        .group_by(inner.c.bucket, inner.c.currency, inner.c.kind, inner.c.for_trainer)
    ).all()


# -- trainers ----------------------------------------------------------------------------------

@dataclass
class TrainerMonth:
    month: datetime
    currency: str
    gross_cents: int = 0  # sales
    refund_cents: int = 0  # refunds, negative
    commission_cents: int = 0  # the platform's share plus Stripe's fee, net of refunds
    fee_cents: int = 0  # Stripe's fee, part of the commission
    net_cents: int = 0  # the trainer's share, net of refunds

    @property
    def label(self) -> str:
        return month_label(self.month)


def trainer_monthly(session: Session, trainer_id: int, months: int = 12, *,
                    now: datetime | None = None) -> list[TrainerMonth]:
    """Each month of the last `months` (oldest first) per currency the trainer sold in, zeros included."""
    starts = month_starts(now or utcnow(), months)
    table: dict[tuple[str, int], TrainerMonth] = {}
    currencies: set[str] = set()
    for bucket, currency, kind, _for_trainer, gross, fee, platform, trainer in _sums(
            session, starts, LedgerEntry.trainer_id == trainer_id):
        currencies.add(currency)
        row = table.setdefault((currency, bucket), TrainerMonth(starts[bucket], currency))
        if kind == "refund":
            row.refund_cents += int(gross)
        else:
            row.gross_cents += int(gross)
        row.commission_cents += int(platform) + int(fee)
        row.fee_cents += int(fee)
        row.net_cents += int(trainer)
    return [table.get((currency, i)) or TrainerMonth(starts[i], currency)
            for currency in sorted(currencies) for i in range(len(starts) - 1)]


@dataclass(frozen=True)
class TrainerTotals:
    currency: str
    lifetime_net_cents: int
    month_net_cents: int
    awaiting_cents: int  # owed by the platform and not sent yet (negative: a deficit being carried)


def trainer_summary(session: Session, trainer_id: int, *, now: datetime | None = None) -> list[TrainerTotals]:
    """Per currency: everything earned, this month's earnings, and what the platform still owes."""
    month_start = month_starts(now or utcnow(), 1)[0]
    entry = LedgerEntry
    rows = session.exec(
        select(entry.currency, func.sum(entry.trainer_cents),
               func.sum(case((entry.occurred_at >= month_start, entry.trainer_cents), else_=0)),
               func.sum(case(((col(entry.payout_id).is_(None)) & (entry.destination == False),  # noqa: E712
                              entry.trainer_cents), else_=0)))
        .where(entry.trainer_id == trainer_id).group_by(entry.currency).order_by(entry.currency)
    ).all()
    totals = []
    for currency, lifetime, this_month, unsettled in rows:
        pending = session.exec(select(Payout).where(
            Payout.trainer_id == trainer_id, Payout.currency == currency, Payout.status == payout_rules.PENDING)).all()
        awaiting = int(unsettled) + sum(payout_rules.owed_part(session, p) for p in pending)
        awaiting += payout_rules.carried_in(session, trainer_id, currency, datetime.max.replace(tzinfo=UTC))
        totals.append(TrainerTotals(currency, int(lifetime), int(this_month), awaiting))
    return totals


def payouts_for(session: Session, trainer_id: int, page: object = 1,
                per_page: int = PAYOUTS_PER_PAGE) -> tuple[list[Payout], int, int]:
    """(the page's payouts, newest period first; the page shown; the number of pages)."""
    count = session.exec(select(func.count()).select_from(Payout).where(Payout.trainer_id == trainer_id)).one()
    shown = window(page, count, per_page)
    rows = session.exec(select(Payout).where(Payout.trainer_id == trainer_id)
                        .order_by(col(Payout.period_start).desc(), Payout.currency)
                        .offset(shown.offset).limit(shown.limit)).all()
    return list(rows), shown.page, shown.pages


# -- the platform --------------------------------------------------------------------------------

@dataclass
class PlatformMonth:
    month: datetime
    currency: str
    gross_cents: int = 0  # sales, programs and Pro
    refund_cents: int = 0  # refunds, negative
    fee_cents: int = 0  # Stripe's fees, net of refunds
    platform_cents: int = 0  # the platform's net revenue: program_cents + pro_cents
    program_cents: int = 0  # commission on programs, after Stripe's fee
    pro_cents: int = 0  # Pro subscriptions, after Stripe's fee
    trainer_cents: int = 0  # what trainers earned

    @property
    def label(self) -> str:
        return month_label(self.month)


def platform_monthly(session: Session, months: int = 12, *, now: datetime | None = None) -> list[PlatformMonth]:
    """Each month of the last `months` (oldest first) per currency, zeros included. Callers check the role."""
    starts = month_starts(now or utcnow(), months)
    table: dict[tuple[str, int], PlatformMonth] = {}
    currencies: set[str] = set()
    for bucket, currency, kind, for_trainer, gross, fee, platform, trainer in _sums(session, starts):
        currencies.add(currency)
        row = table.setdefault((currency, bucket), PlatformMonth(starts[bucket], currency))
        if kind == "refund":
            row.refund_cents += int(gross)
        else:
            row.gross_cents += int(gross)
        row.fee_cents += int(fee)
        row.platform_cents += int(platform)
        if for_trainer:
            row.program_cents += int(platform)
        else:
            row.pro_cents += int(platform)
        row.trainer_cents += int(trainer)
    return [table.get((currency, i)) or PlatformMonth(starts[i], currency)
            for currency in sorted(currencies) for i in range(len(starts) - 1)]


def revenue(session: Session, actor: Actor, months: int = 12, *, now: datetime | None = None) -> list[PlatformMonth]:
    """platform_monthly for an admin."""
    require(actor, Role.ADMIN)
    return platform_monthly(session, months, now=now)


@dataclass(frozen=True)
class TrainerCommission:
    trainer_id: int
    name: str
    status: str
    override: Decimal | None
    effective: Decimal


def trainer_commissions(session: Session, admin: Actor, page: object = 1,
                        per_page: int = TRAINERS_PER_PAGE) -> tuple[list[TrainerCommission], int, int]:
    """Trainers (by name) with their own commission or the platform's default: admins only."""
    require(admin, Role.ADMIN)
    default = app_settings.commission_percent(session)
    count = session.exec(select(func.count()).select_from(Trainer)).one()
    shown = window(page, count, per_page)
    rows = session.exec(
        select(Trainer, User.name).join(User, col(User.id) == Trainer.user_id, isouter=True)
        .order_by(func.lower(func.coalesce(User.name, "")), Trainer.id)
        .offset(shown.offset).limit(shown.limit)
    ).all()
    return [TrainerCommission(t.id, name or "Former trainer", t.status,
                              None if t.commission_percent is None else Decimal(t.commission_percent),
                              default if t.commission_percent is None else Decimal(t.commission_percent))
            for t, name in rows], shown.page, shown.pages


# -- what the pages show -------------------------------------------------------------------------
# Amounts as text through format_money; chart heights as numbers in major units (a chart needs
# numbers, and these are never shown as amounts).

PAYOUT_STATUS_TEXT = {
    payout_rules.TRANSFERRED: "sent by Stripe",
    payout_rules.PAID: "paid",
    payout_rules.PENDING: "pending",
    payout_rules.CARRIED: "carried over",
}


def chart_value(cents: int) -> float:
    return round(cents / 100, 2)


def _by_size(charts: dict[str, list[dict[str, Any]]], size) -> list[str]:
    """Currencies, the one with the most money first: most trainers sell in one."""
    return sorted(charts, key=lambda currency: -sum(size(point) for point in charts[currency]))


def _trainer_totals(totals: list[TrainerTotals], currencies: list[str]) -> dict[str, dict[str, str]]:
    """Per currency: lifetime, this month and awaiting as text; zeros for a currency with no totals
    and, under "", for a trainer who sold nothing yet."""
    summary = {t.currency: {"lifetime": format_money(t.lifetime_net_cents, t.currency),
                            "month": format_money(t.month_net_cents, t.currency),
                            "awaiting": format_money(t.awaiting_cents, t.currency)} for t in totals}
    for currency in [*currencies, ""]:
        zero = format_money(0, currency or "usd")
        summary.setdefault(currency, {"lifetime": zero, "month": zero, "awaiting": zero})
    return summary


def trainer_page(session: Session, user_id: int, page: object = 1) -> dict[str, Any]:
    """/studio/earnings: a trainer's months, totals, rate, Connect status and payouts."""
    trainer = trainers.trainer_for_user(session, user_id)
    if trainer is None:
        return {"has_profile": False}
    charts: dict[str, list[dict[str, Any]]] = {}
    for m in trainer_monthly(session, trainer.id):
        charts.setdefault(m.currency, []).append(
            {"month": m.label, "net": chart_value(m.net_cents), "refunds": chart_value(m.refund_cents),
             "net_text": format_money(m.net_cents, m.currency)})
    currencies = _by_size(charts, lambda point: abs(point["net"]))
    rows, page, pages = payouts_for(session, trainer.id, page)
    status = connect.connect_status(trainer)
    return {
        "has_profile": True,
        "connect": status,
        "connect_text": connect.STATUS_TEXT[status],
        "commission": format_percent(app_settings.trainer_commission(session, trainer)),
        "commission_note": "your agreed rate" if trainer.commission_percent is not None
        else "the platform's standard rate",
        "currencies": currencies,
        "charts": charts,
        "summary": _trainer_totals(trainer_summary(session, trainer.id), currencies),
        "payouts": [{"id": str(p.id), "period": month_label(p.period_start),
                     "amount": format_money(p.amount_cents, p.currency), "status": p.status,
                     "status_text": PAYOUT_STATUS_TEXT.get(p.status, p.status), "entries": str(p.entries_count)}
                    for p in rows],
        "page": page,
        "pages": pages,
    }


REVENUE_LINES = (("gross", "Sales"), ("refunds", "Refunds"), ("fees", "Stripe fees"),
                 ("programs", "Program commission"), ("pro", "Pro subscriptions"), ("net", "Net revenue"))


def _revenue_totals(months: list[PlatformMonth]) -> dict[str, list[dict[str, str]]]:
    """Per currency, the window's sums as labelled text lines."""
    sums: dict[str, dict[str, int]] = {}
    for m in months:
        total = sums.setdefault(m.currency, dict.fromkeys((key for key, _ in REVENUE_LINES), 0))
        for key, cents in (("gross", m.gross_cents), ("refunds", m.refund_cents), ("fees", m.fee_cents),
                           ("net", m.platform_cents), ("programs", m.program_cents), ("pro", m.pro_cents)):
            total[key] += cents
    return {currency: [{"label": label, "value": format_money(values[key], currency)} for key, label in REVENUE_LINES]
            for currency, values in sums.items()}


def revenue_page(session: Session, admin: Actor, page: object = 1) -> dict[str, Any]:
    """/admin/revenue: the platform's months and totals, its rates and prices, and trainers' rates."""
    months = revenue(session, admin)
    rows, page, pages = trainer_commissions(session, admin, page)
    default = app_settings.commission_percent(session)
    pro = app_settings.pro_price(session)
    charts: dict[str, list[dict[str, Any]]] = {}
    for m in months:
        charts.setdefault(m.currency, []).append(
            {"month": m.label, "programs": chart_value(m.program_cents), "pro": chart_value(m.pro_cents)})
    return {
        "commission": f"{default:f}",
        "commission_text": format_percent(default),
        "pro_price": amount_text(pro.cents),
        "pro_currency": pro.currency,
        "pro_text": format_money(pro.cents, pro.currency) + " a month",
        "currencies": _by_size(charts, lambda point: point["programs"] + point["pro"]),
        "charts": charts,
        "totals": _revenue_totals(months),
        "trainers": [{"id": str(r.trainer_id), "name": r.name, "status": r.status,
                      "override": "" if r.override is None else f"{r.override:f}",
                      "effective": format_percent(r.effective),
                      "source": "own rate" if r.override is not None else "default"} for r in rows],
        "page": page,
        "pages": pages,
    }
