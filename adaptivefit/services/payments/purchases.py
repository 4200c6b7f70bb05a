"""A member's purchases as /purchases and /pro show them: each row's facts, and the words and
amounts the page prints (every amount through core.money.format_money).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from adaptivefit.models import Purchase, TrainingProgram, User
from adaptivefit.services.core import app_settings
from adaptivefit.services.marketplace import pricing
from adaptivefit.services.core.money import format_money
from adaptivefit.services.marketplace import entitlements
from adaptivefit.services.payments.billing import PRO_NAME, now, pro_purchase, test_mode

STATUS_LABELS = {"active": "Active", "past_due": "Payment retrying", "canceled": "Canceled", "expired": "Expired",
                 "refunded": "Refunded"}
KIND_LABELS = {"free": "Free", "one_time": "One-time", "subscription": "Monthly"}


@dataclass(frozen=True)
class PurchaseRow:
    id: int
    title: str
    product: str
    kind: str
    status: str
    amount_cents: int
    currency: str
    refunded_cents: int
    start_at: datetime
    end_at: datetime | None
    cancel_at_period_end: bool
    has_access: bool
    can_cancel: bool
    can_resume: bool
    program_id: int | None
    version: int | None
    latest_version: int | None
    plan_id: int | None


def purchase_row(session: Session, purchase: Purchase, at: datetime) -> PurchaseRow:
    """One purchase as its owner sees it at `at`: what it gives and what they may do with it."""
    program = session.get(TrainingProgram, purchase.program_id) if purchase.program_id else None
    title = PRO_NAME if purchase.product == "pro" else (program.name if program else "A program no longer listed")
    live_subscription = purchase.kind == "subscription" and purchase.status in entitlements.ACCESS_STATUSES and bool(
        purchase.stripe_subscription_id)
    end = entitlements.aware(purchase.end_at)
    return PurchaseRow(
        id=purchase.id, title=title, product=purchase.product, kind=purchase.kind, status=purchase.status,
        amount_cents=purchase.amount_cents, currency=purchase.currency, refunded_cents=purchase.refunded_cents,
        start_at=entitlements.aware(purchase.start_at), end_at=end, cancel_at_period_end=purchase.cancel_at_period_end,
        has_access=entitlements.grants_access(purchase, at),
        can_cancel=live_subscription and not purchase.cancel_at_period_end,
        can_resume=live_subscription and purchase.cancel_at_period_end and (end is None or end > at),
        program_id=purchase.program_id, version=purchase.program_version,
        latest_version=program.current_version if program else None, plan_id=purchase.plan_id,
    )


def my_purchases(session: Session, user: User) -> list[PurchaseRow]:
    at = now(session)
    return [purchase_row(session, p, at) for p in entitlements.user_purchases(session, user.id)]


def date_text(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%b %d, %Y") if value else ""


def price_text(row: PurchaseRow) -> str:
    return pricing.charge_text(row.kind, row.amount_cents, row.currency)


def _when(row: PurchaseRow) -> str:
    if row.kind != "subscription" or not row.end_at:
        return ""
    if row.status in ("canceled", "expired", "refunded"):
        return f"Access ended on {date_text(row.end_at)}" if row.status != "refunded" else ""
    if row.cancel_at_period_end:
        return f"Access ends on {date_text(row.end_at)}"
    return f"Renews on {date_text(row.end_at)}"


def purchase_view(row: PurchaseRow) -> dict[str, str]:
    """The row as the page prints it; flags are "yes" or "" (Reflex's list items are text)."""
    newer = row.latest_version is not None and row.version is not None and row.latest_version > row.version
    return {
        "id": str(row.id), "title": row.title, "kind": KIND_LABELS.get(row.kind, row.kind),
        "status": row.status, "status_label": STATUS_LABELS.get(row.status, row.status), "price": price_text(row),
        "started": date_text(row.start_at), "when": _when(row), "can_cancel": "yes" if row.can_cancel else "",
        "can_resume": "yes" if row.can_resume else "", "access": "yes" if row.has_access else "",
        "update_label": f"Update to version {row.latest_version}" if newer and row.has_access else "",
        "plan_href": f"/plans?plan={row.plan_id}" if row.plan_id and row.has_access else "",
        "refunded": format_money(row.refunded_cents, row.currency) if row.refunded_cents else "",
    }


def purchases_page(session: Session, user: User | None) -> dict:
    """/purchases: the member's rows, and whether Stripe's billing portal is there for them."""
    rows = my_purchases(session, user) if user else []
    portal = bool(user and user.stripe_customer_id) and not test_mode()
    return {"rows": [purchase_view(r) for r in rows], "portal": portal}


def pro_page(session: Session, user: User | None) -> dict[str, str]:
    """/pro: the monthly price and, when the member has Pro, since when and until when."""
    price = app_settings.pro_price(session)
    purchase = pro_purchase(session, user.id) if user else None
    if purchase is not None:
        when = _when(purchase_row(session, purchase, now(session)))
        status = "Pro is active. " + when + ("." if when else "")
    elif user is not None and user.coach_ai:
        status = "Pro is on for your account, given by an administrator."
    else:
        status = ""
    return {"price": format_money(price.cents, price.currency) + " per month", "status": status}
