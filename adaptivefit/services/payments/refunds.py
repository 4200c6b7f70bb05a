"""Refunds, by an admin: all or part of a purchase's latest payment, previewed before any money moves.

The ledger is reversed at once through the same path as Stripe's charge.refunded (ledger.py), keyed
by the charge's cumulative refunded amount, so the webhook that follows changes nothing. A full
refund revokes access, and ends a subscription now.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from adaptivefit.models import LedgerEntry, Purchase, Role, User
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import Actor, ValidationFailed, require
from adaptivefit.services.core.money import format_money
from adaptivefit.services.payments import ledger
from adaptivefit.services.payments.billing import product_title
from adaptivefit.services.payments.gateway import gateway
from adaptivefit.services.payments.provider import GatewayError


def _latest_sale(session: Session, purchase_id: int) -> LedgerEntry | None:
    return session.exec(select(LedgerEntry).where(LedgerEntry.purchase_id == purchase_id, LedgerEntry.kind == "sale")
                        .order_by(col(LedgerEntry.occurred_at).desc(), col(LedgerEntry.id).desc())).first()


def refundable_cents(session: Session, purchase: Purchase) -> int:
    """What is left to refund of the purchase's latest payment."""
    sale = _latest_sale(session, purchase.id)
    if sale is None or not sale.stripe_charge_id:
        return 0
    return max(0, sale.gross_cents - ledger.refunded_so_far(session, sale.stripe_charge_id))


def parse_amount(raw: object, field: str = "amount") -> int | None:
    """An admin's refund amount in major units; empty means the whole remaining amount."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
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

    @property
    def question(self) -> str:
        """What the admin confirms, in words."""
        consequence = ("Their access ends" + (" and the subscription stops now." if self.subscription else ".")
                       if self.full else "They keep access.")
        return (f"Refund {format_money(self.amount_cents, self.currency)} to {self.buyer} "
                f"for {self.title}? {consequence}")


def _refund_plan(session: Session, purchase_id: int, amount_cents: int | None) -> tuple[Purchase, LedgerEntry, int, int]:
    """The purchase, its latest sale, the cents to refund and the cents refunded before; or why not."""
    purchase = session.get(Purchase, int(purchase_id))
    if purchase is None:
        raise ValidationFailed({"purchase": "No such purchase."})
    sale = _latest_sale(session, purchase.id)
    if sale is None or not sale.stripe_charge_id:
        raise ValidationFailed({"amount": "Nothing was paid for this purchase."})
    already = ledger.refunded_so_far(session, sale.stripe_charge_id)
    left = sale.gross_cents - already
    if left <= 0:
        raise ValidationFailed({"amount": "This payment has been refunded in full already."})
    amount = left if amount_cents is None else int(amount_cents)
    if amount <= 0:
        raise ValidationFailed({"amount": "Enter a positive amount."})
    if amount > left:
        raise ValidationFailed({"amount": f"At most {format_money(left, sale.currency)} is left to refund."})
    return purchase, sale, amount, already


def refund_preview(session: Session, actor: Actor, purchase_id: int, amount_cents: int | None) -> RefundPreview:
    """What a refund would do, for the admin to confirm; refuses as the refund itself would."""
    require(actor, Role.ADMIN)
    purchase, sale, amount, already = _refund_plan(session, purchase_id, amount_cents)
    buyer = session.get(User, purchase.user_id) if purchase.user_id else None
    return RefundPreview(purchase.id, amount, sale.currency, already + amount >= sale.gross_cents,
                         purchase.kind == "subscription", buyer.email if buyer else "an erased account",
                         product_title(session, purchase))


def refund(session: Session, actor: Actor, purchase_id: int, amount_cents: int | None) -> int:
    """Refund all or part of a purchase's latest payment through the provider; returns the cents refunded."""
    require(actor, Role.ADMIN)
    purchase, sale, amount, already = _refund_plan(session, purchase_id, amount_cents)
    cumulative = already + amount
    gw = gateway(session)
    try:
        result = gw.refund(payment_intent=sale.stripe_payment_intent_id, charge=sale.stripe_charge_id,
                           amount_cents=amount, idempotency_key=f"refund-{sale.stripe_charge_id}-{cumulative}",
                           reverse_transfer=sale.destination)
    except GatewayError as failed:
        raise ValidationFailed({"amount": str(failed)}) from None
    ledger.apply_refund(session, result.charge_id or sale.stripe_charge_id, cumulative,
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


def confirmed_refund(session: Session, actor: Actor, purchase_id: int, amount_cents: int | None) -> str:
    """An admin's confirmed refund; returns what the page says once it is done."""
    refunded = refund(session, actor, purchase_id, amount_cents)
    purchase = session.get(Purchase, int(purchase_id))
    return f"Refunded {format_money(refunded, purchase.currency)}."
