"""Stripe's webhook events (or the simulator's, shaped the same): the only thing that grants access.

`process(event)` applies one verified event in one transaction together with its StripeEvent
row, so each event id takes effect exactly once; a duplicate delivery finds the row and changes
nothing. Any exception rolls everything back and the endpoint answers 500, so Stripe retries.

Order independence: subscription state carries Stripe's `event.created`; an event older than
the newest one applied (`Purchase.stripe_synced_at`) is recorded but not applied. Deletion is
terminal: nothing re-activates a canceled or refunded purchase, though money an invoice took is
still booked. Money is booked under keys Stripe makes unique (payment intent, invoice, charge +
cumulative refunded amount), so the ledger never counts a payment twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from adaptivefit.models import Checkout, Purchase, StripeEvent, Trainer, TrainingProgram, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.marketplace import programs
from adaptivefit.services.payments import gateway as payment_gateway
from adaptivefit.services.payments import ledger

log = logging.getLogger("adaptivefit.payments.webhook_events")

TERMINAL = ("canceled", "refunded")
STATUS_MAP = {
    "active": "active", "trialing": "active", "past_due": "past_due", "unpaid": "expired",
    "canceled": "canceled", "incomplete_expired": "expired", "paused": "expired",
}


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def _id(value: Any) -> str | None:
    """A Stripe reference, expanded (a dict with an id) or not."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def process(event: dict[str, Any], *, gateway=None) -> str:
    """Apply a verified event once: 'processed', 'ignored' (unknown type) or 'duplicate'."""
    from adaptivefit.db import session_scope

    try:
        with session_scope() as session:
            if session.get(StripeEvent, event["id"]) is not None:
                return "duplicate"
            session.add(StripeEvent(id=event["id"], type=str(event["type"])[:80],
                                    created=_ts(event.get("created")) or utcnow()))
            session.flush()  # a concurrent delivery of the same event fails here or at commit
            return apply(session, event, gateway=gateway)
    except IntegrityError:
        # A concurrent delivery of the same event won the race; any other conflict is a failure to retry.
        with session_scope() as session:
            if session.get(StripeEvent, event["id"]) is not None:
                return "duplicate"
        raise


def apply(session: Session, event: dict[str, Any], *, gateway=None) -> str:
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return "ignored"
    obj = (event.get("data") or {}).get("object") or {}
    if gateway is None:
        gateway = payment_gateway.gateway(session)
    handler(session, obj, _ts(event.get("created")) or utcnow(), gateway)
    return "processed"


# -- finding what an event is about -------------------------------------------------------------


def _checkout(session: Session, metadata: dict[str, Any] | None, *, reference: str | None = None,
              session_id: str | None = None) -> Checkout | None:
    public_id = (metadata or {}).get("checkout_id") or reference
    if public_id:
        found = session.exec(select(Checkout).where(Checkout.public_id == public_id)).first()
        if found is not None:
            return found
    if session_id:
        return session.exec(select(Checkout).where(Checkout.stripe_session_id == session_id)).first()
    return None


def _purchase_for_subscription(session: Session, subscription_id: str | None) -> Purchase | None:
    if not subscription_id:
        return None
    return session.exec(select(Purchase).where(Purchase.stripe_subscription_id == subscription_id)).first()


def _install(session: Session, purchase: Purchase) -> None:
    """Make the bought version the buyer's plan (the training issue's plans, via the programs service)."""
    if purchase.product != "program" or purchase.program_id is None or purchase.user_id is None:
        return
    plan = programs.install_version(session, purchase.user_id, purchase.program_id, purchase.program_version or 1)
    purchase.plan_id = plan.id


def _count_sale(session: Session, program_id: int | None) -> None:
    program = session.get(TrainingProgram, program_id) if program_id else None
    if program is not None:
        program.sales_count += 1
        session.add(program)


def _new_purchase(session: Session, checkout: Checkout, *, kind: str, **fields: Any) -> Purchase:
    purchase = Purchase(
        user_id=checkout.user_id, program_id=checkout.program_id, kind=kind, status="active",
        product=checkout.product, amount_cents=checkout.amount_cents, currency=checkout.currency,
        program_version=checkout.program_version, trainer_id=checkout.trainer_id, checkout_id=checkout.id,
        **fields,
    )
    session.add(purchase)
    session.flush()
    _count_sale(session, checkout.program_id)
    _install(session, purchase)
    session.add(purchase)
    return purchase


def _subscription_purchase(session: Session, subscription_id: str, metadata: dict[str, Any] | None,
                           customer: str | None) -> Purchase | None:
    """The purchase of a subscription, created from its Checkout when this is the first event about it."""
    purchase = _purchase_for_subscription(session, subscription_id)
    if purchase is not None:
        return purchase
    checkout = _checkout(session, metadata)
    if checkout is None:
        return None
    purchase = session.exec(select(Purchase).where(Purchase.checkout_id == checkout.id)).first()
    if purchase is not None:
        purchase.stripe_subscription_id = subscription_id
        session.add(purchase)
        return purchase
    return _new_purchase(session, checkout, kind="subscription", stripe_subscription_id=subscription_id,
                         stripe_customer_id=customer)


def _remember_customer(session: Session, user_id: int | None, customer: str | None, gateway) -> None:
    if not customer or user_id is None or getattr(gateway, "provider", "") != "stripe":
        return
    user = session.get(User, user_id)
    if user is not None and not user.stripe_customer_id:
        user.stripe_customer_id = customer
        session.add(user)


# -- the handlers --------------------------------------------------------------------------------


def _checkout_completed(session: Session, obj: dict[str, Any], created: datetime, gateway) -> None:
    checkout = _checkout(session, obj.get("metadata"), reference=obj.get("client_reference_id"),
                         session_id=obj.get("id"))
    if checkout is None:
        log.info("checkout.session.completed for a session this app did not create: %s", obj.get("id"))
        return
    if obj.get("payment_status") not in ("paid", "no_payment_required"):
        return  # a delayed payment method: access waits for the payment itself
    checkout.status, checkout.completed_at = "completed", checkout.completed_at or utcnow()
    session.add(checkout)
    customer = _id(obj.get("customer"))
    _remember_customer(session, checkout.user_id, customer, gateway)
    if obj.get("mode") == "subscription" or checkout.mode == "subscription":
        subscription = _id(obj.get("subscription"))
        if subscription:
            _subscription_purchase(session, subscription, obj.get("metadata") or checkout_metadata_of(checkout),
                                   customer)
        return
    if session.exec(select(Purchase).where(Purchase.checkout_id == checkout.id)).first() is not None:
        return
    payment_intent = _id(obj.get("payment_intent"))
    purchase = _new_purchase(session, checkout, kind="one_time", stripe_payment_intent_id=payment_intent,
                             stripe_customer_id=customer)
    gross = int(obj.get("amount_total") if obj.get("amount_total") is not None else checkout.amount_cents)
    ledger.book_sale(session, source_id=payment_intent or f"checkout:{checkout.public_id}", purchase=purchase,
                     gross=gross, currency=obj.get("currency") or checkout.currency, gateway=gateway,
                     payment_intent=payment_intent, charge=None,
                     application_fee=checkout.application_fee_cents if checkout.destination_account else None,
                     commission=ledger.commission(session, purchase, checkout),
                     destination=checkout.destination_account is not None)


def checkout_metadata_of(checkout: Checkout) -> dict[str, str]:
    return {"checkout_id": checkout.public_id}


def _invoice_subscription(obj: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The subscription an invoice bills and its metadata, in the older and the newer API shapes."""
    parent = (obj.get("parent") or {}).get("subscription_details") or {}
    details = obj.get("subscription_details") or {}
    lines = ((obj.get("lines") or {}).get("data")) or []
    subscription = _id(obj.get("subscription")) or _id(parent.get("subscription"))
    metadata = parent.get("metadata") or details.get("metadata") or {}
    for line in lines:
        subscription = subscription or _id(line.get("subscription")) or _id(
            ((line.get("parent") or {}).get("subscription_item_details") or {}).get("subscription"))
        metadata = metadata or line.get("metadata") or {}
    return subscription, metadata


def _invoice_payment(obj: dict[str, Any]) -> tuple[str | None, str | None]:
    payment_intent, charge = _id(obj.get("payment_intent")), _id(obj.get("charge"))
    for payment in ((obj.get("payments") or {}).get("data")) or []:
        inner = payment.get("payment") or {}
        payment_intent = payment_intent or _id(inner.get("payment_intent"))
        charge = charge or _id(inner.get("charge"))
    return payment_intent, charge


def _invoice_paid(session: Session, obj: dict[str, Any], created: datetime, gateway) -> None:
    subscription, metadata = _invoice_subscription(obj)
    if not subscription:
        return  # a one-off invoice: not something this app sells
    purchase = _subscription_purchase(session, subscription, metadata, _id(obj.get("customer")))
    if purchase is None:
        log.info("invoice.paid for a subscription this app does not know: %s", subscription)
        return
    lines = ((obj.get("lines") or {}).get("data")) or []
    period_end = max((int((line.get("period") or {}).get("end") or 0) for line in lines), default=0)
    period_end = period_end or int(obj.get("period_end") or 0)
    payment_intent, charge = _invoice_payment(obj)
    if purchase.status not in TERMINAL:
        if purchase.status in ("past_due", "expired"):
            purchase.status = "active"
        end = _ts(period_end)
        if end is not None and (purchase.end_at is None or end > purchase.end_at):
            purchase.end_at = end
    if payment_intent:
        purchase.stripe_payment_intent_id = payment_intent
    purchase.updated_at = utcnow()
    session.add(purchase)
    checkout = session.get(Checkout, purchase.checkout_id) if purchase.checkout_id else None
    fee_amount = obj.get("application_fee_amount")
    ledger.book_sale(session, source_id=str(obj["id"]), purchase=purchase, gross=int(obj.get("amount_paid") or 0),
                     currency=obj.get("currency") or purchase.currency, gateway=gateway, payment_intent=payment_intent,
                     charge=charge, application_fee=int(fee_amount) if fee_amount is not None else None,
                     commission=ledger.commission(session, purchase, checkout),
                     destination=fee_amount is not None or bool(checkout and checkout.destination_account))


def _invoice_failed(session: Session, obj: dict[str, Any], created: datetime, gateway) -> None:
    subscription, _ = _invoice_subscription(obj)
    purchase = _purchase_for_subscription(session, subscription)
    if purchase is not None and purchase.status == "active":
        # Access continues while Stripe retries; the subscription's own events end it if they fail.
        purchase.status, purchase.updated_at = "past_due", utcnow()
        session.add(purchase)


def _period_end(obj: dict[str, Any]) -> int | None:
    """current_period_end: on the subscription in older API versions, on its items in newer ones."""
    if obj.get("current_period_end"):
        return int(obj["current_period_end"])
    items = ((obj.get("items") or {}).get("data")) or []
    ends = [int(item["current_period_end"]) for item in items if item.get("current_period_end")]
    return max(ends) if ends else None


def _subscription_updated(session: Session, obj: dict[str, Any], created: datetime, gateway) -> None:
    purchase = _subscription_purchase(session, obj["id"], obj.get("metadata"), _id(obj.get("customer")))
    if purchase is None:
        return
    if purchase.status in TERMINAL:
        return
    if purchase.stripe_synced_at is not None and created < purchase.stripe_synced_at:
        return  # older than what is applied already
    status = STATUS_MAP.get(obj.get("status") or "")
    if status is not None:
        purchase.status = status
    cancel_at = obj.get("cancel_at")
    purchase.cancel_at_period_end = bool(obj.get("cancel_at_period_end")) or bool(cancel_at)
    end = _ts(cancel_at) if cancel_at else _ts(_period_end(obj))
    if end is not None:
        purchase.end_at = end
    purchase.stripe_synced_at, purchase.updated_at = created, utcnow()
    session.add(purchase)


def _subscription_deleted(session: Session, obj: dict[str, Any], created: datetime, gateway) -> None:
    purchase = _subscription_purchase(session, obj["id"], obj.get("metadata"), _id(obj.get("customer")))
    if purchase is None:
        return
    if purchase.status != "refunded":
        purchase.status = "canceled"
    purchase.cancel_at_period_end = False
    purchase.end_at = _ts(obj.get("ended_at")) or _ts(obj.get("canceled_at")) or created
    if purchase.stripe_synced_at is None or created > purchase.stripe_synced_at:
        purchase.stripe_synced_at = created
    purchase.updated_at = utcnow()
    session.add(purchase)


def _charge_refunded(session: Session, obj: dict[str, Any], created: datetime, gateway) -> None:
    metadata = obj.get("metadata") or {}
    ours = bool(metadata.get("checkout_id")) or bool(obj.get("invoice"))
    known = ledger.sale_for_charge(session, obj["id"], _id(obj.get("payment_intent")))
    if known is None and not ours:
        return
    ledger.apply_refund(session, obj["id"], int(obj.get("amount_refunded") or 0),
                 payment_intent=_id(obj.get("payment_intent")), ours=True)


def _account_updated(session: Session, obj: dict[str, Any], created: datetime, gateway) -> None:
    trainer = session.exec(select(Trainer).where(Trainer.stripe_account_id == obj.get("id"))).first()
    if trainer is None:
        return
    trainer.stripe_charges_enabled = bool(obj.get("charges_enabled"))
    trainer.stripe_payouts_enabled = bool(obj.get("payouts_enabled"))
    trainer.updated_at = utcnow()
    session.add(trainer)


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_failed,
    "customer.subscription.created": _subscription_updated,
    "customer.subscription.updated": _subscription_updated,
    "customer.subscription.deleted": _subscription_deleted,
    "charge.refunded": _charge_refunded,
    "account.updated": _account_updated,
}
