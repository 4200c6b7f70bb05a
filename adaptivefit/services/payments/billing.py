"""Buying programs and the Pro plan, subscriptions, refunds and Stripe Connect: the rules in one place.

Prices always come from the database (programs.checkout_offer, app_settings.pro_price), never
from the browser. Starting a checkout grants nothing: access comes only from the webhook
(services/stripe_events.py), the same for Stripe and the built-in test provider.

Access: a one-time or free purchase that is active; a subscription that is active or past_due
(Stripe is retrying), unless it was set to cancel at period end and that end has passed;
nothing for canceled, expired or refunded ones.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from adaptivefit.config import get_settings
from adaptivefit.models import Checkout, LedgerEntry, Purchase, Role, StripeEvent, TrainingProgram, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import app_settings, audit
from adaptivefit.services.marketplace import pricing
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed, require
from adaptivefit.services.payments.gateway import GatewayError, gateway, test_mode as _test_mode

ACCESS_STATUSES = ("active", "past_due")
PAGE_SIZE = 20
PRO_NAME = "Adaptive Fit Pro"


def test_mode() -> bool:
    """No Stripe secret key configured: the built-in test provider is active."""
    return _test_mode()


def now(session: Session) -> datetime:
    """Billing's clock: real time, moved by the test provider's clock while it is active."""
    if _test_mode():
        from adaptivefit.services.payments.simulator import clock_datetime

        return clock_datetime(session)
    return utcnow()


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def grants_access(purchase: Purchase, at: datetime) -> bool:
    if purchase.status not in ACCESS_STATUSES:
        return False
    if purchase.kind in ("one_time", "free"):
        return purchase.status == "active"
    end = _aware(purchase.end_at)
    return not (purchase.cancel_at_period_end and end is not None and end <= at)


def _user_purchases(session: Session, user_id: int, **where) -> list[Purchase]:
    query = select(Purchase).where(Purchase.user_id == user_id)
    for name, value in where.items():
        query = query.where(getattr(Purchase, name) == value)
    return list(session.exec(query.order_by(col(Purchase.created_at).desc())).all())


def program_access(session: Session, user_id: int, program_id: int) -> Purchase | None:
    """The purchase that gives this member the program now, if any."""
    at = now(session)
    for purchase in _user_purchases(session, user_id, program_id=program_id, product="program"):
        if grants_access(purchase, at):
            return purchase
    return None


def pro_purchase(session: Session, user_id: int) -> Purchase | None:
    at = now(session)
    for purchase in _user_purchases(session, user_id, product="pro"):
        if grants_access(purchase, at):
            return purchase
    return None


def is_pro(session: Session, user: User) -> bool:
    """The coach's ai_powered tier: an admin's grant, or a Pro subscription that gives access now."""
    return bool(user.coach_ai) or pro_purchase(session, user.id) is not None


def has_purchased(session: Session, user_id: int, program_id: int) -> bool:
    """Ever bought (or took) the program and was not refunded: may review it."""
    return any(p.status != "refunded" for p in _user_purchases(session, user_id, program_id=program_id,
                                                               product="program"))


# -- starting a purchase --------------------------------------------------------------------------


def _urls(checkout: Checkout) -> tuple[str, str]:
    """Where the payment page sends the buyer back. Stripe needs absolute URLs; the test provider's
    page is served by this app, so relative ones keep the buyer on the origin they signed in on."""
    base = "" if _test_mode() else get_settings().public_url
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
    from adaptivefit.services.marketplace import programs

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
    from adaptivefit.services.marketplace import programs

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


def checkout_status(session: Session, user: User, public_id: str) -> str:
    """For the page after payment: 'granted' once the webhook gave access, else 'waiting' or 'failed'."""
    checkout = session.exec(select(Checkout).where(Checkout.public_id == str(public_id)[:40])).first()
    if checkout is None or checkout.user_id != user.id:
        return "unknown"
    if checkout.status == "failed":
        return "failed"
    purchase = session.exec(select(Purchase).where(Purchase.checkout_id == checkout.id)).first()
    if purchase is not None and grants_access(purchase, now(session)):
        return "granted"
    return "waiting"


def checkout_target(session: Session, user: User, public_id: str) -> dict[str, str]:
    checkout = session.exec(select(Checkout).where(Checkout.public_id == str(public_id)[:40])).first()
    if checkout is None or checkout.user_id != user.id:
        return {"product": "", "title": ""}
    if checkout.product == "pro":
        return {"product": "pro", "title": PRO_NAME}
    program = session.get(TrainingProgram, checkout.program_id) if checkout.program_id else None
    return {"product": "program", "title": program.name if program else "your program"}


def connect_onboarding_url(session: Session, user: User, return_path: str = "/studio/earnings") -> str:
    """Stripe Connect Express onboarding for an approved trainer (the test provider's page without keys)."""
    from adaptivefit.services.marketplace import trainers

    trainer = trainers.trainer_for_user(session, user.id)
    if trainer is None or trainer.status != "approved":
        raise PermissionDenied("Only approved trainers can connect a payout account.")
    gw = gateway(session)
    try:
        if not trainer.stripe_account_id:
            trainer.stripe_account_id = gw.create_express_account(user.email, f"connect-trainer-{trainer.id}")
            trainer.updated_at = utcnow()
            session.add(trainer)
            session.flush()
        base = "" if _test_mode() else get_settings().public_url
        return gw.account_link(trainer.stripe_account_id, f"{base}{return_path}", f"{base}{return_path}")
    except GatewayError as failed:
        raise ValidationFailed({"connect": str(failed)}) from None


# -- my purchases ---------------------------------------------------------------------------------


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


def _row(session: Session, purchase: Purchase, at: datetime) -> PurchaseRow:
    program = session.get(TrainingProgram, purchase.program_id) if purchase.program_id else None
    title = PRO_NAME if purchase.product == "pro" else (program.name if program else "A program no longer listed")
    access = grants_access(purchase, at)
    live_subscription = purchase.kind == "subscription" and purchase.status in ACCESS_STATUSES and bool(
        purchase.stripe_subscription_id)
    end = _aware(purchase.end_at)
    return PurchaseRow(
        id=purchase.id, title=title, product=purchase.product, kind=purchase.kind, status=purchase.status,
        amount_cents=purchase.amount_cents, currency=purchase.currency, refunded_cents=purchase.refunded_cents,
        start_at=_aware(purchase.start_at), end_at=end, cancel_at_period_end=purchase.cancel_at_period_end,
        has_access=access, can_cancel=live_subscription and not purchase.cancel_at_period_end,
        can_resume=live_subscription and purchase.cancel_at_period_end and (end is None or end > at),
        program_id=purchase.program_id, version=purchase.program_version,
        latest_version=program.current_version if program else None, plan_id=purchase.plan_id,
    )


def my_purchases(session: Session, user: User) -> list[PurchaseRow]:
    at = now(session)
    return [_row(session, p, at) for p in _user_purchases(session, user.id)]


def _own_subscription(session: Session, user: User, purchase_id: int) -> Purchase:
    purchase = session.get(Purchase, int(purchase_id))
    if purchase is None or purchase.user_id != user.id:
        raise ValidationFailed({"purchase": "No such purchase."})
    if purchase.kind != "subscription" or not purchase.stripe_subscription_id:
        raise ValidationFailed({"purchase": "Only subscriptions can be cancelled or resumed."})
    if purchase.status not in ACCESS_STATUSES:
        raise ValidationFailed({"purchase": "This subscription has already ended."})
    return purchase


def _set_cancel(session: Session, user: User, purchase_id: int, cancel: bool) -> Purchase:
    purchase = _own_subscription(session, user, purchase_id)
    if not cancel and purchase.end_at is not None and _aware(purchase.end_at) <= now(session):
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
    if _test_mode():
        raise ValidationFailed({"billing": "The billing portal is available once Stripe keys are configured."})
    if not user.stripe_customer_id:
        raise ValidationFailed({"billing": "You have no billing history yet."})
    try:
        return gateway(session).portal_url(user.stripe_customer_id, f"{get_settings().public_url}/purchases")
    except GatewayError as failed:
        raise ValidationFailed({"billing": str(failed)}) from None


def update_to_latest_version(session: Session, user: User, purchase_id: int) -> Purchase:
    """Move a buyer to the program's newest version: a new plan from it, the old one kept."""
    purchase = session.get(Purchase, int(purchase_id))
    if purchase is None or purchase.user_id != user.id or purchase.product != "program":
        raise ValidationFailed({"purchase": "No such purchase."})
    if not grants_access(purchase, now(session)):
        raise ValidationFailed({"purchase": "This purchase no longer gives access to the program."})
    program = session.get(TrainingProgram, purchase.program_id) if purchase.program_id else None
    if program is None or program.current_version <= (purchase.program_version or 0):
        raise ValidationFailed({"purchase": "You already have the newest version."})
    from adaptivefit.services.marketplace import programs

    purchase.plan_id = programs.install_version(session, user.id, program.id, program.current_version).id
    purchase.program_version, purchase.updated_at = program.current_version, utcnow()
    session.add(purchase)
    session.flush()
    return purchase


# -- admin: purchases, refunds, events ------------------------------------------------------------


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


def _product_title(session: Session, purchase: Purchase) -> str:
    if purchase.product == "pro":
        return PRO_NAME
    program = session.get(TrainingProgram, purchase.program_id) if purchase.program_id else None
    return program.name if program else "a program no longer listed"


def _latest_sale(session: Session, purchase_id: int) -> LedgerEntry | None:
    return session.exec(select(LedgerEntry).where(LedgerEntry.purchase_id == purchase_id, LedgerEntry.kind == "sale")
                        .order_by(col(LedgerEntry.occurred_at).desc(), col(LedgerEntry.id).desc())).first()


def refundable_cents(session: Session, purchase: Purchase) -> int:
    """What is left to refund of the purchase's latest payment."""
    from adaptivefit.services.payments.webhook_events import refunded_so_far

    sale = _latest_sale(session, purchase.id)
    if sale is None or not sale.stripe_charge_id:
        return 0
    return max(0, sale.gross_cents - refunded_so_far(session, sale.stripe_charge_id))


def admin_purchases(session: Session, actor: Actor, *, query: str = "", page: int = 1) -> AdminPage:
    require(actor, Role.ADMIN)
    statement = select(Purchase, User.email).join(User, User.id == Purchase.user_id, isouter=True)
    counter = select(func.count()).select_from(Purchase).join(User, User.id == Purchase.user_id, isouter=True)
    text = query.strip().lower()[:254]
    if text:
        condition = or_(col(User.email).contains(text))
        statement, counter = statement.where(condition), counter.where(condition)
    total = session.exec(counter).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, int(page)), pages)
    found = session.exec(statement.order_by(col(Purchase.created_at).desc(), col(Purchase.id).desc())
                         .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    rows = []
    for purchase, email in found:
        program = session.get(TrainingProgram, purchase.program_id) if purchase.program_id else None
        rows.append(AdminRow(
            id=purchase.id, buyer=email or "an erased account",
            title=PRO_NAME if purchase.product == "pro" else (program.name if program else "—"),
            kind=purchase.kind, status=purchase.status, amount_cents=purchase.amount_cents,
            refunded_cents=purchase.refunded_cents, refundable_cents=refundable_cents(session, purchase),
            currency=purchase.currency, created_at=_aware(purchase.created_at)))
    return AdminPage(rows, total, page, pages)


def recent_events(session: Session, actor: Actor, limit: int = 20) -> list[StripeEvent]:
    require(actor, Role.ADMIN)
    return list(session.exec(select(StripeEvent).order_by(col(StripeEvent.processed_at).desc()).limit(limit)).all())


def parse_amount(raw: object, field: str = "amount") -> int | None:
    """An admin's refund amount in major units; empty means the whole remaining amount."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValidationFailed({field: "Enter an amount like 12.50, or leave it empty for a full refund."}) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed({field: "Enter a positive amount with at most two decimals."})
    return int(value * 100)


@dataclass(frozen=True)
class RefundPreview:
    purchase_id: int
    amount_cents: int
    currency: str
    full: bool  # the whole payment: access ends (and a subscription stops now)
    subscription: bool
    buyer: str
    title: str


def _refund_plan(session: Session, purchase_id: int, amount_cents: int | None) -> tuple[Purchase, LedgerEntry, int, int]:
    """The purchase, its latest sale, the cents to refund and the cents refunded before; or why not."""
    from adaptivefit.services.payments.webhook_events import refunded_so_far

    purchase = session.get(Purchase, int(purchase_id))
    if purchase is None:
        raise ValidationFailed({"purchase": "No such purchase."})
    sale = _latest_sale(session, purchase.id)
    if sale is None or not sale.stripe_charge_id:
        raise ValidationFailed({"amount": "Nothing was paid for this purchase."})
    already = refunded_so_far(session, sale.stripe_charge_id)
    left = sale.gross_cents - already
    if left <= 0:
        raise ValidationFailed({"amount": "This payment has been refunded in full already."})
    amount = left if amount_cents is None else int(amount_cents)
    if amount <= 0:
        raise ValidationFailed({"amount": "Enter a positive amount."})
    if amount > left:
        raise ValidationFailed({"amount": f"At most {left / 100:.2f} {sale.currency.upper()} is left to refund."})
    return purchase, sale, amount, already


def refund_preview(session: Session, actor: Actor, purchase_id: int, amount_cents: int | None) -> RefundPreview:
    """What a refund would do, for the admin to confirm; refuses as the refund itself would."""
    require(actor, Role.ADMIN)
    purchase, sale, amount, already = _refund_plan(session, purchase_id, amount_cents)
    buyer = session.get(User, purchase.user_id) if purchase.user_id else None
    return RefundPreview(purchase.id, amount, sale.currency, already + amount >= sale.gross_cents,
                         purchase.kind == "subscription", buyer.email if buyer else "an erased account",
                         _product_title(session, purchase))


def refund(session: Session, actor: Actor, purchase_id: int, amount_cents: int | None) -> int:
    """Refund all or part of a purchase's latest payment through the provider; returns the cents refunded.

    The ledger is reversed at once through the same path as Stripe's charge.refunded, keyed by
    the charge's cumulative refunded amount, so the webhook that follows changes nothing. A full
    refund revokes access, and ends a subscription now.
    """
    require(actor, Role.ADMIN)
    from adaptivefit.services.payments.webhook_events import apply_refund

    purchase, sale, amount, already = _refund_plan(session, purchase_id, amount_cents)
    cumulative = already + amount
    gw = gateway(session)
    try:
        result = gw.refund(payment_intent=sale.stripe_payment_intent_id, charge=sale.stripe_charge_id,
                           amount_cents=amount, idempotency_key=f"refund-{sale.stripe_charge_id}-{cumulative}",
                           reverse_transfer=sale.destination)
    except GatewayError as failed:
        raise ValidationFailed({"amount": str(failed)}) from None
    apply_refund(session, result.charge_id or sale.stripe_charge_id, cumulative,
                 payment_intent=sale.stripe_payment_intent_id)
    audit.record(session, "refund_issued", user_id=purchase.user_id, actor_id=actor.id, ip_address=actor.ip_address,
                 purchase_id=purchase.id, amount_cents=amount, currency=sale.currency, full=cumulative >= sale.gross_cents)
    if cumulative >= sale.gross_cents and purchase.kind == "subscription" and purchase.stripe_subscription_id:
        try:
            gw.cancel_now(purchase.stripe_subscription_id)
        except GatewayError as failed:
            raise ValidationFailed({"amount": str(failed)}) from None
    session.flush()
    return amount


def advance_test_clock(session: Session, actor: Actor | None, days: int) -> dict[str, int]:
    """Move the test provider's clock (CLI or an admin in test mode) and let it renew or end subscriptions."""
    if actor is not None:
        require(actor, Role.ADMIN)
    if not _test_mode():
        raise ValidationFailed({"days": "The test clock exists only while the test payment provider is active."})
    from adaptivefit.services.payments.simulator import SimulatedGateway

    counts = SimulatedGateway(session).advance_clock(int(days))
    audit.record(session, "test_clock_advanced", actor_id=actor.id if actor else None,
                 ip_address=actor.ip_address if actor else "", days=int(days), **counts)
    session.flush()
    return counts


def deliver_test_events() -> None:
    """After a transaction that queued test-provider events: send them to the webhook."""
    if _test_mode():
        from adaptivefit.services.payments.simulator import deliver_pending

        deliver_pending()


def money(cents: int, currency: str) -> str:
    symbol = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}.get(currency.lower())
    amount = f"{cents / 100:,.2f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"
