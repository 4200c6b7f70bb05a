"""The ledger's bookings for money a provider reports: each sale split between trainer, platform and
Stripe's fee, and each refund reversed in proportion. Keys Stripe makes unique (payment intent,
invoice, charge + cumulative refunded amount) make every booking happen once.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Checkout, LedgerEntry, Purchase, Trainer
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import app_settings
from adaptivefit.services.marketplace import pricing


class RetryLater(Exception):
    """The event refers to something not recorded yet; 500 so Stripe delivers it again later."""


def book_sale(session: Session, *, source_id: str, purchase: Purchase, gross: int, currency: str, gateway,
              payment_intent: str | None, charge: str | None, application_fee: int | None,
              commission: Decimal, destination: bool) -> None:
    """A sale's ledger entry, split by the application fee Stripe took or by the commission."""
    if gross <= 0 or session.exec(select(LedgerEntry.id).where(LedgerEntry.source_id == source_id)).first():
        return
    details = gateway.payment_details(payment_intent=payment_intent, charge=charge)
    fee = min(details.fee_cents, gross)
    if application_fee is not None:
        split = pricing.split_with_application_fee(gross, currency, min(int(application_fee), gross),
                                                  stripe_fee_cents=fee)
    else:
        split = pricing.split_sale(gross, currency, commission, stripe_fee_cents=fee)
    session.add(LedgerEntry(
        kind="sale", source_id=source_id, purchase_id=purchase.id, trainer_id=purchase.trainer_id,
        stripe_charge_id=details.charge_id or charge, stripe_payment_intent_id=details.payment_intent_id or payment_intent,
        gross_cents=split.gross, fee_cents=split.fee, platform_cents=split.platform_share,
        trainer_cents=split.trainer_share, currency=split.currency, commission_percent=commission,
        destination=destination, occurred_at=utcnow(),
    ))


def commission(session: Session, purchase: Purchase, checkout: Checkout | None) -> Decimal:
    """The platform's cut: all of a Pro payment; the trainer's rate as it was at checkout."""
    if purchase.product == "pro" or purchase.trainer_id is None:
        return Decimal(100)
    if checkout is not None and checkout.commission_percent is not None:
        return Decimal(checkout.commission_percent)
    return app_settings.trainer_commission(session, session.get(Trainer, purchase.trainer_id))


def refunded_so_far(session: Session, charge_id: str) -> int:
    total = session.exec(select(func.coalesce(func.sum(LedgerEntry.gross_cents), 0)).where(
        LedgerEntry.kind == "refund", LedgerEntry.stripe_charge_id == charge_id)).one()
    return -int(total)


def sale_for_charge(session: Session, charge_id: str | None, payment_intent: str | None) -> LedgerEntry | None:
    for column, value in ((LedgerEntry.stripe_charge_id, charge_id), (LedgerEntry.stripe_payment_intent_id, payment_intent)):
        if value:
            found = session.exec(select(LedgerEntry).where(LedgerEntry.kind == "sale", column == value)).first()
            if found is not None:
                return found
    return None


def apply_refund(session: Session, charge_id: str, amount_refunded: int, *, payment_intent: str | None = None,
                 ours: bool = True) -> bool:
    """Book a charge's refunds up to its cumulative `amount_refunded`; True when anything changed.

    The same path serves charge.refunded and an admin's refund (applied at once from Stripe's
    answer): the key `{charge}:refunded:{cumulative}` makes the second of them a no-op.
    """
    sale = sale_for_charge(session, charge_id, payment_intent)
    if sale is None:
        if ours:
            raise RetryLater(f"no sale booked yet for charge {charge_id}")
        return False
    source_id = f"{charge_id}:refunded:{amount_refunded}"
    already = refunded_so_far(session, charge_id)
    difference = min(int(amount_refunded), sale.gross_cents) - already
    if difference <= 0 or session.exec(select(LedgerEntry.id).where(LedgerEntry.source_id == source_id)).first():
        return False
    original = pricing.Split(sale.gross_cents, sale.fee_cents, sale.platform_cents, sale.trainer_cents, sale.currency)
    reversal = pricing.split_refund(original, difference, refunded_so_far=already)
    session.add(LedgerEntry(
        kind="refund", source_id=source_id, purchase_id=sale.purchase_id, trainer_id=sale.trainer_id,
        stripe_charge_id=charge_id, stripe_payment_intent_id=sale.stripe_payment_intent_id,
        gross_cents=reversal.gross, fee_cents=reversal.fee, platform_cents=reversal.platform_share,
        trainer_cents=reversal.trainer_share, currency=reversal.currency, commission_percent=sale.commission_percent,
        destination=sale.destination, occurred_at=utcnow(),
    ))
    purchase = session.get(Purchase, sale.purchase_id) if sale.purchase_id else None
    if purchase is not None:
        purchase.refunded_cents += difference
        if already + difference >= sale.gross_cents:
            purchase.status = "refunded"  # a full refund revokes access
        purchase.updated_at = utcnow()
        session.add(purchase)
    session.flush()
    return True
