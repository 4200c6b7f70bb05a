"""A member's own subscriptions and purchases after the sale: cancel at period end, resume, move to a
program's newest version, and Stripe's customer portal.
"""

from __future__ import annotations

from sqlmodel import Session

from adaptivefit.config import get_settings
from adaptivefit.models import Purchase, TrainingProgram, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed, owned
from adaptivefit.services.marketplace import entitlements, programs
from adaptivefit.services.payments.billing import now, test_mode
from adaptivefit.services.payments.gateway import gateway
from adaptivefit.services.payments.provider import GatewayError


def _own_subscription(session: Session, user: User, purchase_id: int) -> Purchase:
    """The member's live subscription with this id; NotYours for anyone else's."""
    purchase = owned(session, Purchase, purchase_id, user, "That purchase")
    if purchase.kind != "subscription" or not purchase.stripe_subscription_id:
        raise ValidationFailed({"purchase": "Only subscriptions can be cancelled or resumed."})
    if purchase.status not in entitlements.ACCESS_STATUSES:
        raise ValidationFailed({"purchase": "This subscription has already ended."})
    return purchase


def _set_cancel(session: Session, user: User, purchase_id: int, cancel: bool) -> Purchase:
    purchase = _own_subscription(session, user, purchase_id)
    if not cancel and purchase.end_at is not None and entitlements.aware(purchase.end_at) <= now(session):
        raise ValidationFailed({"purchase": "This subscription's period has ended; subscribe again instead."})
    try:
        gateway(session).set_cancel_at_period_end(purchase.stripe_subscription_id, cancel)
    except GatewayError as failed:
        raise ValidationFailed({"purchase": str(failed)}) from None
    # Shown at once; Stripe's customer.subscription.updated confirms it.
    purchase.cancel_at_period_end, purchase.updated_at = cancel, utcnow()
    session.add(purchase)
    session.flush()
    return purchase


def cancel_subscription(session: Session, user: User, purchase_id: int) -> Purchase:
    """Cancel at the end of the paid period: access continues until then."""
    return _set_cancel(session, user, purchase_id, True)


def resume_subscription(session: Session, user: User, purchase_id: int) -> Purchase:
    return _set_cancel(session, user, purchase_id, False)


def portal_url(session: Session, user: User) -> str:
    """Stripe's customer portal (payment methods, invoices); only with real keys."""
    if test_mode():
        raise ValidationFailed({"billing": "The billing portal is available once Stripe keys are configured."})
    if not user.stripe_customer_id:
        raise ValidationFailed({"billing": "You have no billing history yet."})
    try:
        return gateway(session).portal_url(user.stripe_customer_id, f"{get_settings().public_url}/purchases")
    except GatewayError as failed:
        raise ValidationFailed({"billing": str(failed)}) from None


def update_to_latest_version(session: Session, user: User, purchase_id: int) -> Purchase:
    """Move a buyer to the program's newest version: a new plan from it, the old one kept."""
    purchase = owned(session, Purchase, purchase_id, user, "That purchase")
    if purchase.product != "program":
        raise ValidationFailed({"purchase": "Only a program has versions to update to."})
    if not entitlements.grants_access(purchase, now(session)):
        raise ValidationFailed({"purchase": "This purchase no longer gives access to the program."})
    program = session.get(TrainingProgram, purchase.program_id) if purchase.program_id else None
    if program is None or program.current_version <= (purchase.program_version or 0):
        raise ValidationFailed({"purchase": "You already have the newest version."})
    purchase.plan_id = programs.install_version(session, user.id, program.id, program.current_version).id
    purchase.program_version, purchase.updated_at = program.current_version, utcnow()
    session.add(purchase)
    session.flush()
    return purchase
