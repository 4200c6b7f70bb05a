"""Who may use a program: the one rule over a member's purchase rows, for the program page and payments.

Access: a one-time or free purchase that is active; a subscription that is active or past_due
(Stripe is retrying), unless it was set to cancel at period end and that end has passed;
nothing for canceled, expired or refunded ones. Having bought a program (and not been refunded)
is what lets a member review it. Payments writes the rows; it asks here what they grant.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from adaptivefit.models import Purchase
from adaptivefit.services.core import app_settings

ACCESS_STATUSES = ("active", "past_due")


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def grants_access(purchase: Purchase, at: datetime) -> bool:
    if purchase.status not in ACCESS_STATUSES:
        return False
    if purchase.kind in ("one_time", "free"):
        return purchase.status == "active"
    end = aware(purchase.end_at)
    return not (purchase.cancel_at_period_end and end is not None and end <= at)


def user_purchases(session: Session, user_id: int, **where) -> list[Purchase]:
    """A member's purchases, newest first, optionally narrowed by column values."""
    query = select(Purchase).where(Purchase.user_id == user_id)
    for name, value in where.items():
        query = query.where(getattr(Purchase, name) == value)
    return list(session.exec(query.order_by(col(Purchase.created_at).desc())).all())


def first_granting(purchases: list[Purchase], at: datetime) -> Purchase | None:
    return next((purchase for purchase in purchases if grants_access(purchase, at)), None)


def program_access(session: Session, user_id: int, program_id: int) -> Purchase | None:
    """The purchase that gives this member the program now, if any."""
    return first_granting(user_purchases(session, user_id, program_id=program_id, product="program"),
                          app_settings.purchase_clock(session))


def has_purchased(session: Session, user_id: int, program_id: int) -> bool:
    """Ever bought (or took) the program and was not refunded: may review it."""
    return any(p.status != "refunded" for p in user_purchases(session, user_id, program_id=program_id,
                                                              product="program"))
