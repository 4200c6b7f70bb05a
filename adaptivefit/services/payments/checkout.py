"""Starting a purchase: a Checkout at the price in the database, the provider's payment page, and the
page after payment that waits for the webhook. A free program is taken at once, with no payment.
"""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from adaptivefit.config import get_settings
from adaptivefit.models import Checkout, Purchase, TrainingProgram, User
from adaptivefit.services.core import app_settings
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.marketplace import entitlements, pricing, programs
from adaptivefit.services.payments.billing import PRO_NAME, now, pro_purchase, program_access, test_mode
from adaptivefit.services.payments.gateway import gateway
from adaptivefit.services.payments.provider import GatewayError


def _urls(checkout: Checkout) -> tuple[str, str]:
    """Where the payment page sends the buyer back. Stripe needs absolute URLs; the simulator's
    page is served by this app, so relative ones keep the buyer on the origin they signed in on."""
    base = "" if test_mode() else get_settings().public_url
    return (f"{base}/checkout/complete?checkout={checkout.public_id}",
            f"{base}/checkout/canceled?checkout={checkout.public_id}")


def _customer(session: Session, user: User, gw) -> str | None:
    if getattr(gw, "provider", "") != "stripe":
        return None
    if not user.stripe_customer_id:
        user.stripe_customer_id = gw.create_customer(user.email, user.name, user.id)
        session.add(user)
    return user.stripe_customer_id


def _start(session: Session, user: User, checkout: Checkout, product_name: str) -> str:
    gw = gateway(session)
    checkout.provider = gw.provider
    session.add(checkout)
    session.flush()
    success_url, cancel_url = _urls(checkout)
    try:
        session_id, url = gw.create_checkout_session(checkout, user.email, _customer(session, user, gw),
                                                     success_url, cancel_url, product_name=product_name)
    except GatewayError as failed:
        raise ValidationFailed({"checkout": str(failed)}) from None
    checkout.stripe_session_id = session_id
    session.add(checkout)
    session.flush()
    return url


def _new_checkout(**fields) -> Checkout:
    public_id = "co_" + secrets.token_urlsafe(18)
    return Checkout(public_id=public_id, idempotency_key=f"checkout-{public_id}", **fields)


def _offer(session: Session, user_id: int, program_id: int):
    return programs.checkout_offer(session, user_id, int(program_id))


def start_program_checkout(session: Session, user: User, program_id: int) -> str:
    """A Checkout for a paid program at its price in the database; returns the payment page's URL."""
    offer = _offer(session, user.id, program_id)
    if offer.price_kind == "free":
        raise ValidationFailed({"program": "This program is free: take it without paying."})
    if program_access(session, user.id, offer.program_id) is not None:
        raise ValidationFailed({"program": "You already have this program."})
    trainer = offer.trainer
    percent = app_settings.trainer_commission(session, trainer)
    connected = bool(trainer is not None and trainer.stripe_account_id and trainer.stripe_charges_enabled)
    mode = "payment" if offer.price_kind == "one_time" else "subscription"
    checkout = _new_checkout(
        user_id=user.id, product="program", program_id=offer.program_id, program_version=offer.version, mode=mode,
        amount_cents=offer.price_cents, currency=offer.currency, trainer_id=trainer.id if trainer else None,
        commission_percent=percent,
        application_fee_cents=pricing.application_fee_cents(offer.price_cents, percent) if connected else None,
        destination_account=trainer.stripe_account_id if connected else None,
    )
    return _start(session, user, checkout, offer.title)


def start_pro_checkout(session: Session, user: User) -> str:
    if pro_purchase(session, user.id) is not None:
        raise ValidationFailed({"pro": "You already have Pro."})
    price = app_settings.pro_price(session)
    checkout = _new_checkout(user_id=user.id, product="pro", mode="subscription", amount_cents=price.cents,
                             currency=price.currency)
    return _start(session, user, checkout, PRO_NAME)


def get_free(session: Session, user: User, program_id: int) -> Purchase:
    """Take a free program: no payment, so no webhook; it becomes the member's plan at once."""
    offer = _offer(session, user.id, program_id)
    if offer.price_kind != "free":
        raise ValidationFailed({"program": "This program is not free."})
    if program_access(session, user.id, offer.program_id) is not None:
        raise ValidationFailed({"program": "You already have this program."})
    purchase = Purchase(user_id=user.id, program_id=offer.program_id, kind="free", status="active", product="program",
                        amount_cents=0, currency=offer.currency, program_version=offer.version,
                        trainer_id=offer.trainer.id if offer.trainer else None)
    session.add(purchase)
    session.flush()
    purchase.plan_id = programs.install_version(session, user.id, offer.program_id, offer.version).id
    program = session.get(TrainingProgram, offer.program_id)
    if program is not None:
        program.sales_count += 1
        session.add(program)
    session.add(purchase)
    session.flush()
    return purchase


def _own_checkout(session: Session, user: User, public_id: str) -> Checkout | None:
    checkout = session.exec(select(Checkout).where(Checkout.public_id == str(public_id)[:40])).first()
    return checkout if checkout is not None and checkout.user_id == user.id else None


def checkout_status(session: Session, user: User, public_id: str) -> str:
    """For the page after payment: 'granted' once the webhook gave access, else 'waiting' or 'failed'."""
    checkout = _own_checkout(session, user, public_id)
    if checkout is None:
        return "unknown"
    if checkout.status == "failed":
        return "failed"
    purchase = session.exec(select(Purchase).where(Purchase.checkout_id == checkout.id)).first()
    if purchase is not None and entitlements.grants_access(purchase, now(session)):
        return "granted"
    return "waiting"


def checkout_target(session: Session, user: User, public_id: str) -> dict[str, str]:
    checkout = _own_checkout(session, user, public_id)
    if checkout is None:
        return {"product": "", "title": ""}
    if checkout.product == "pro":
        return {"product": "pro", "title": PRO_NAME}
    program = session.get(TrainingProgram, checkout.program_id) if checkout.program_id else None
    return {"product": "program", "title": program.name if program else "your program"}


def checkout_page(session: Session, user: User, public_id: str) -> tuple[dict[str, str], str]:
    """What the page after payment shows first: what was bought, and whether access came yet."""
    return checkout_target(session, user, public_id), checkout_status(session, user, public_id)
