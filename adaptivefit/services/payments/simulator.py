"""The built-in payment simulator: Stripe's test mode, played locally, for machines without keys.

It keeps Stripe-shaped objects (checkout.session, payment_intent, charge, subscription, invoice,
account, refund) in `test_payment_objects`, takes cards on a local checkout page
(simulated_checkout.py, served by api/payments.py) with Stripe's test cards, and reports every
outcome as a Stripe-shaped event, signed the Stripe way with a local secret and POSTed to the app's
own /api/stripe/webhook (simulated_delivery.py). So the very code that handles Stripe's events grants
access here too; nothing in the simulator grants access itself.

Events are queued in the same transaction as the objects they describe and delivered after the
commit, so a failed delivery is retried rather than lost, as Stripe would. A clock
(simulated_clock.py) moves the simulator's time to renew or end subscriptions.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from sqlmodel import Session, select

from adaptivefit.config import Settings, get_settings
from adaptivefit.models import Checkout, TestPaymentObject
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.app_settings import simulated_clock_offset
from adaptivefit.services.core.money import format_money
from adaptivefit.services.payments.provider import (
    GatewayError,
    PaymentDetails,
    RefundResult,
    checkout_metadata,
    is_live_key,
    stripe_fee,
)
from adaptivefit.services.payments.simulated_objects import API_VERSION, new_id

SESSION_TTL_S = 24 * 3600


def clock_now(session: Session) -> int:
    """The simulator's time in unix seconds: real time moved by its clock."""
    return int(time.time()) + simulated_clock_offset(session)


class SimulatedGateway:
    """The simulator behind the same operations as StripeGateway."""

    __test__ = False
    provider = "test"

    def __init__(self, session: Session, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        if is_live_key(self.settings.stripe_secret_key):
            raise RuntimeError("the test payment provider cannot run while a live Stripe key is set")
        self.session = session

    # -- storage -------------------------------------------------------------------------------

    def get(self, object_id: str | None, kind: str | None = None) -> dict[str, Any] | None:
        if not object_id:
            return None
        row = self.session.get(TestPaymentObject, object_id)
        if row is None or (kind is not None and row.type != kind):
            return None
        return dict(row.data)

    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        row = self.session.get(TestPaymentObject, obj["id"])
        if row is None:
            row = TestPaymentObject(id=obj["id"], type=obj["object"], data=obj)
        else:
            row.data, row.updated_at = obj, utcnow()
        self.session.add(row)
        self.session.flush()
        return obj

    def now(self) -> int:
        return clock_now(self.session)

    def emit(self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None) -> str:
        """Queue an event, Stripe-shaped, for delivery once this transaction commits."""
        event_id = "evt_test_" + secrets.token_hex(12)
        data: dict[str, Any] = {"object": {k: v for k, v in obj.items() if not k.startswith("_")}}
        if previous:
            data["previous_attributes"] = previous
        event = {
            "id": event_id, "object": "event", "api_version": API_VERSION, "created": self.now(),
            "data": data, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": event_type,
        }
        self.session.add(TestPaymentObject(id=event_id, type="event",
                                           data={"event": event, "delivered": False, "seq": time.time_ns()}))
        self.session.flush()
        return event_id

    # -- the gateway's operations --------------------------------------------------------------

    def create_checkout_session(self, checkout: Checkout, buyer_email: str, customer_id: str | None,
                                success_url: str, cancel_url: str, *, product_name: str) -> tuple[str, str]:
        existing = self.session.exec(select(TestPaymentObject).where(
            TestPaymentObject.type == "checkout.session")).all()
        for row in existing:  # the idempotency key: the same attempt gets the same session
            if row.data.get("_idempotency_key") == checkout.idempotency_key:
                return row.id, row.data["url"]
        session_id = "cs_test_" + secrets.token_hex(16)
        now = self.now()
        metadata = checkout_metadata(checkout, buyer_email)
        url = f"/api/test-pay/checkout/{session_id}"
        self.put({
            "id": session_id, "object": "checkout.session", "mode": checkout.mode,
            "amount_subtotal": checkout.amount_cents, "amount_total": checkout.amount_cents,
            "currency": checkout.currency, "customer": customer_id, "customer_email": buyer_email,
            "customer_details": {"email": buyer_email}, "client_reference_id": checkout.public_id,
            "metadata": metadata, "payment_intent": None, "subscription": None, "payment_status": "unpaid",
            "status": "open", "success_url": success_url, "cancel_url": cancel_url, "url": url,
            "livemode": False, "created": now, "expires_at": now + SESSION_TTL_S,
            "_idempotency_key": checkout.idempotency_key, "_product_name": product_name,
            "_application_fee_cents": checkout.application_fee_cents if checkout.destination_account else None,
            "_application_fee_percent": (str(checkout.commission_percent)
                                         if checkout.destination_account and checkout.commission_percent is not None
                                         else None),
            "_destination": checkout.destination_account,
        })
        return session_id, url

    def payment_details(self, *, payment_intent: str | None = None, charge: str | None = None) -> PaymentDetails:
        if payment_intent and not charge:
            intent = self.get(payment_intent, "payment_intent")
            charge = intent.get("latest_charge") if intent else None
        found = self.get(charge, "charge")
        if found is None:
            return PaymentDetails(charge, payment_intent, 0, 0)
        return PaymentDetails(found["id"], found.get("payment_intent"), int(found["amount"]),
                              stripe_fee(found.get("balance_transaction")))

    def _subscription(self, subscription_id: str) -> dict[str, Any]:
        sub = self.get(subscription_id, "subscription")
        if sub is None:
            raise GatewayError("No such subscription at the test payment provider.")
        return sub

    def set_cancel_at_period_end(self, subscription_id: str, cancel: bool) -> None:
        sub = self._subscription(subscription_id)
        if sub["status"] == "canceled":
            raise GatewayError("This subscription has already ended.")
        previous = {"cancel_at_period_end": sub["cancel_at_period_end"]}
        sub["cancel_at_period_end"] = bool(cancel)
        sub["canceled_at"] = self.now() if cancel else None
        sub["cancel_at"] = sub["items"]["data"][0]["current_period_end"] if cancel else None
        self.put(sub)
        self.emit("customer.subscription.updated", sub, previous)

    def cancel_now(self, subscription_id: str) -> None:
        sub = self._subscription(subscription_id)
        if sub["status"] == "canceled":
            return
        now = self.now()
        sub.update(status="canceled", canceled_at=now, ended_at=now)
        self.put(sub)
        self.emit("customer.subscription.deleted", sub)

    def refund(self, *, payment_intent: str | None, charge: str | None, amount_cents: int, idempotency_key: str,
               reverse_transfer: bool = False) -> RefundResult:
        for row in self.session.exec(select(TestPaymentObject).where(TestPaymentObject.type == "refund")).all():
            if row.data.get("_idempotency_key") == idempotency_key:
                return RefundResult(row.id, row.data["charge"], row.data["amount"], row.data["status"])
        if payment_intent and not charge:
            intent = self.get(payment_intent, "payment_intent")
            charge = intent.get("latest_charge") if intent else None
        found = self.get(charge, "charge")
        if found is None:
            raise GatewayError("No such charge at the test payment provider.")
        left = found["amount"] - found["amount_refunded"]
        if not 0 < amount_cents <= left:
            raise GatewayError(f"Refund amount must be between {format_money(1, found['currency'])} and "
                               f"{format_money(left, found['currency'])}.")
        now = self.now()
        refund = self.put({
            "id": new_id("re"), "object": "refund", "amount": amount_cents, "charge": found["id"],
            "payment_intent": found.get("payment_intent"), "currency": found["currency"], "created": now,
            "status": "succeeded", "metadata": {}, "_idempotency_key": idempotency_key,
        })
        previous = {"amount_refunded": found["amount_refunded"], "refunded": found["refunded"]}
        found["amount_refunded"] += amount_cents
        found["refunded"] = found["amount_refunded"] >= found["amount"]
        found["refunds"]["data"].insert(0, {k: v for k, v in refund.items() if not k.startswith("_")})
        found["refunds"]["total_count"] += 1
        self.put(found)
        self.emit("charge.refunded", found, previous)
        return RefundResult(refund["id"], found["id"], amount_cents, "succeeded")

    def create_customer(self, email: str, name: str, user_id: int) -> str:
        raise GatewayError("The test payment provider keeps no customers.")

    def portal_url(self, customer_id: str, return_url: str) -> str:
        raise GatewayError("Stripe's customer portal needs Stripe keys; the test provider has none.")

    def create_express_account(self, email: str, idempotency_key: str) -> str:
        for row in self.session.exec(select(TestPaymentObject).where(TestPaymentObject.type == "account")).all():
            if row.data.get("_idempotency_key") == idempotency_key:
                return row.id
        account = self.put({
            "id": "acct_test_" + secrets.token_hex(8), "object": "account", "type": "express", "email": email,
            "charges_enabled": False, "payouts_enabled": False, "details_submitted": False,
            "capabilities": {"card_payments": "inactive", "transfers": "inactive"}, "country": "US",
            "created": self.now(), "metadata": {}, "_idempotency_key": idempotency_key,
        })
        return account["id"]

    def account_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        account = self.get(account_id, "account")
        if account is None:
            raise GatewayError("No such account at the test payment provider.")
        account["_return_url"], account["_refresh_url"] = return_url, refresh_url
        self.put(account)
        return f"/api/test-pay/connect/{account_id}"
