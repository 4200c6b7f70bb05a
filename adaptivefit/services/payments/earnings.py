"""What trainers earned and what the platform made: monthly sums of the ledger, payouts, money text.

Month buckets are UTC calendar months, computed in SQL with a CASE over the month boundaries
(portable across SQLite and PostgreSQL) and summed there, so a chart never loads the ledger.
Amounts stay integer cents per currency; nothing here adds two currencies together.

For a trainer, ``commission`` is everything the platform took from their sales: its share plus
Stripe's processing fee, which the platform pays out of its commission (services/ledger.py).
So each month ``gross + refunds == commission + net``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import case, func, literal
from sqlmodel import Session, col, select

from adaptivefit.jobs import payouts as payout_rules
from adaptivefit.models import LedgerEntry, Payout, Role, Trainer, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import app_settings
from adaptivefit.services.core.access import Actor, require

PAYOUTS_PER_PAGE = 12
TRAINERS_PER_PAGE = 20
MAX_MONTHS = 36
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}


def format_money(cents: int, currency: str) -> str:
    """"$1,234.56", "-€9.99", "12.00 CHF": integer arithmetic, never a float."""
    code = (currency or "").lower()
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    number = f"{whole:,}.{part:02d}"
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {code.upper()}"


def format_percent(value: Decimal) -> str:
    """15.00 -> "15%", 12.50 -> "12.5%"."""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


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


def payouts_for(session: Session, trainer_id: int, page: int = 1,
                per_page: int = PAYOUTS_PER_PAGE) -> tuple[list[Payout], int, int]:
    """(the page's payouts, newest period first; the page shown; the number of pages)."""
    count = session.exec(select(func.count()).select_from(Payout).where(Payout.trainer_id == trainer_id)).one()
    pages = max(1, -(-int(count) // per_page))
    page = min(max(1, int(page)), pages)
    rows = session.exec(select(Payout).where(Payout.trainer_id == trainer_id)
                        .order_by(col(Payout.period_start).desc(), Payout.currency)
                        .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), page, pages


def connect_status(trainer: Trainer | None) -> str:
    """"none", "incomplete" (onboarding started, charges not enabled) or "enabled"."""
    if trainer is None or not trainer.stripe_account_id:
        return "none"
    return "enabled" if trainer.stripe_charges_enabled and trainer.stripe_payouts_enabled else "incomplete"


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


def trainer_commissions(session: Session, admin: Actor, page: int = 1,
                        per_page: int = TRAINERS_PER_PAGE) -> tuple[list[TrainerCommission], int, int]:
    """Trainers (by name) with their own commission or the platform's default: admins only."""
    require(admin, Role.ADMIN)
    default = app_settings.commission_percent(session)
    count = session.exec(select(func.count()).select_from(Trainer)).one()
    pages = max(1, -(-int(count) // per_page))
    page = min(max(1, int(page)), pages)
    rows = session.exec(
        select(Trainer, User.name).join(User, col(User.id) == Trainer.user_id, isouter=True)
        .order_by(func.lower(func.coalesce(User.name, "")), Trainer.id)
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return [TrainerCommission(t.id, name or "Former trainer", t.status,
                              None if t.commission_percent is None else Decimal(t.commission_percent),
                              default if t.commission_percent is None else Decimal(t.commission_percent))
            for t, name in rows], page, pages
