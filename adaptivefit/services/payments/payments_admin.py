"""The admin's payments page: every purchase (searchable, paged), the latest webhook events, and the
simulator's clock while it is active. Amounts are shown through core.money.format_money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from adaptivefit.models import Purchase, Role, StripeEvent, TrainingProgram, User
from adaptivefit.services.core.access import Actor, require
from adaptivefit.services.core.money import format_money
from adaptivefit.services.core.paging import window
from adaptivefit.services.marketplace import entitlements
from adaptivefit.services.payments.billing import PRO_NAME, now, test_mode
from adaptivefit.services.payments.purchases import KIND_LABELS, STATUS_LABELS, date_text
from adaptivefit.services.payments.refunds import refundable_cents

PAGE_SIZE = 20
EVENTS_SHOWN = 20


@dataclass(frozen=True)
class AdminRow:
    id: int
    buyer: str
    title: str
    kind: str
    status: str
    amount_cents: int
    refunded_cents: int
    refundable_cents: int
    currency: str
    created_at: datetime


@dataclass(frozen=True)
class AdminPage:
    rows: list[AdminRow]
    total: int
    page: int
    pages: int


def admin_purchases(session: Session, actor: Actor, *, query: str = "", page: object = 1) -> AdminPage:
    require(actor, Role.ADMIN)
    statement = select(Purchase, User.email).join(User, User.id == Purchase.user_id, isouter=True)
    counter = select(func.count()).select_from(Purchase).join(User, User.id == Purchase.user_id, isouter=True)
    text = query.strip().lower()[:254]
    if text:
        condition = or_(col(User.email).contains(text))
        statement, counter = statement.where(condition), counter.where(condition)
    total = session.exec(counter).one()
    shown = window(page, total, PAGE_SIZE)
    found = session.exec(statement.order_by(col(Purchase.created_at).desc(), col(Purchase.id).desc())
                         .offset(shown.offset).limit(shown.limit)).all()
    rows = []
    for purchase, email in found:
        program = session.get(TrainingProgram, purchase.program_id) if purchase.program_id else None
        rows.append(AdminRow(
            id=purchase.id, buyer=email or "an erased account",
            title=PRO_NAME if purchase.product == "pro" else (program.name if program else "—"),
            kind=purchase.kind, status=purchase.status, amount_cents=purchase.amount_cents,
            refunded_cents=purchase.refunded_cents, refundable_cents=refundable_cents(session, purchase),
            currency=purchase.currency, created_at=entitlements.aware(purchase.created_at)))
    return AdminPage(rows, total, shown.page, shown.pages)


def recent_events(session: Session, actor: Actor, limit: int = EVENTS_SHOWN) -> list[StripeEvent]:
    require(actor, Role.ADMIN)
    return list(session.exec(select(StripeEvent).order_by(col(StripeEvent.processed_at).desc()).limit(limit)).all())


def admin_row_view(row: AdminRow) -> dict[str, str]:
    return {
        "id": str(row.id), "buyer": row.buyer, "title": row.title, "kind": KIND_LABELS.get(row.kind, row.kind),
        "status": row.status, "status_label": STATUS_LABELS.get(row.status, row.status),
        "amount": format_money(row.amount_cents, row.currency),
        "refunded": format_money(row.refunded_cents, row.currency) if row.refunded_cents else "",
        "refundable": format_money(row.refundable_cents, row.currency) if row.refundable_cents else "",
        "date": date_text(row.created_at),
    }


def _stamp(value: datetime) -> str:
    return entitlements.aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class AdminView:
    rows: list[dict[str, str]]
    total: int
    page: int
    pages: int
    events: list[dict[str, str]]
    clock: str  # the simulator's time, "" with Stripe keys


def admin_view(session: Session, actor: Actor, *, query: str = "", page: object = 1) -> AdminView:
    """Everything /admin/payments shows, for an admin."""
    found = admin_purchases(session, actor, query=query, page=page)
    events = [{"type": e.type, "created": _stamp(e.created), "processed": _stamp(e.processed_at)}
              for e in recent_events(session, actor)]
    clock = now(session).strftime("%Y-%m-%d %H:%M UTC") if test_mode() else ""
    return AdminView([admin_row_view(r) for r in found.rows], found.total, found.page, found.pages, events, clock)
