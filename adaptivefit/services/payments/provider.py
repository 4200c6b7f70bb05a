"""What both payment providers (Stripe and the built-in simulator) share: their errors, their answers,
the webhook secret, and the metadata every object of a purchase carries.

Kept apart from gateway.py so the simulator can use them without importing the module that picks it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from adaptivefit.config import Settings, get_settings
from adaptivefit.models import Checkout
from adaptivefit.services.core.app_settings import payments_test_mode

LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")
SIMULATOR_SECRET_LABEL = b"adaptivefit test payment provider webhook secret"


class GatewayError(Exception):
    """The payment provider refused or could not be reached; the message is safe to show."""


@dataclass(frozen=True)
class PaymentDetails:
    charge_id: str | None
    payment_intent_id: str | None
    amount_cents: int
    fee_cents: int


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    charge_id: str | None
    amount_cents: int
    status: str


def is_live_key(key: str | None) -> bool:
    return bool(key) and key.startswith(LIVE_KEY_PREFIXES)


def simulator_webhook_secret(settings: Settings | None = None) -> str:
    """The simulator's signing secret, derived from SECRET_KEY so it is never a constant in code."""
    key = (settings or get_settings()).secret_key.encode("utf-8")
    return "whsec_test_" + hmac.new(key, SIMULATOR_SECRET_LABEL, hashlib.sha256).hexdigest()[:40]


def webhook_secret(settings: Settings | None = None) -> str:
    """The secret webhooks must be signed with: Stripe's endpoint secret, or the simulator's."""
    settings = settings or get_settings()
    if payments_test_mode(settings):
        return simulator_webhook_secret(settings)
    if not settings.stripe_webhook_secret:
        raise ValueError("STRIPE_WEBHOOK_SECRET is not set, so Stripe's webhooks cannot be verified")
    return settings.stripe_webhook_secret


def _metadata_value(value: object) -> str:
    return "" if value is None else str(value)


def checkout_metadata(checkout: Checkout, buyer_email: str) -> dict[str, str]:
    """What every object of the purchase carries at Stripe, so any event can be traced back."""
    return {
        "checkout_id": checkout.public_id,
        "user_id": _metadata_value(checkout.user_id),
        "buyer_email": buyer_email,
        "product": checkout.product,
        "program_id": _metadata_value(checkout.program_id),
        "program_version": _metadata_value(checkout.program_version),
    }


def stripe_fee(balance_transaction: Any) -> int:
    """Stripe's own processing fee in a balance transaction (not an application fee)."""
    if not balance_transaction or isinstance(balance_transaction, str):
        return 0
    details = balance_transaction.get("fee_details") or []
    fees = [d for d in details if d.get("type") == "stripe_fee"]
    if fees:
        return sum(int(d.get("amount") or 0) for d in fees)
    return int(balance_transaction.get("fee") or 0)
