"""The built-in test payment provider: Stripe's test mode, played locally, for machines without keys.

It keeps Stripe-shaped objects (checkout.session, payment_intent, charge, subscription, invoice,
account, refund) in `test_payment_objects`, takes cards on a local checkout page
(api/payments.py) with Stripe's test cards, and reports every outcome as a Stripe-shaped event,
signed the Stripe way with a local secret and POSTed to the app's own /api/stripe/webhook. So the
very code that handles Stripe's events grants access here too; nothing here grants access itself.

Events are queued in the same transaction as the objects they describe and delivered after the
commit (`deliver_pending`), so a failed delivery is retried rather than lost, as Stripe would.
A test clock (`advance_clock`) moves the provider's time to renew or end subscriptions.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from adaptivefit.config import Settings, get_settings
from adaptivefit.models import AppSetting, Checkout, TestPaymentObject
from adaptivefit.models.base import utcnow
from adaptivefit.services.marketplace import pricing
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.payments.gateway import (
    GatewayError,
    PaymentDetails,
    RefundResult,
    checkout_metadata,
    is_live_key,
    stripe_fee,
    test_webhook_secret,
)
from adaptivefit.services.payments.signatures import sign

log = logging.getLogger("adaptivefit.test_payments")

API_VERSION = "2025-03-31.basil"  # the shape emitted: periods on subscription items, invoice.parent
CLOCK_KEY = "test_clock_offset_s"
SESSION_TTL_S = 24 * 3600
DECLINED = {"4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
            "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds.")}


def clock_offset(session: Session) -> int:
    row = session.get(AppSetting, CLOCK_KEY)
    return int(row.value) if row is not None else 0


def clock_now(session: Session) -> int:
    """The test provider's time in unix seconds: real time moved by the test clock."""
    return int(time.time()) + clock_offset(session)


def clock_datetime(session: Session) -> datetime:
    return datetime.fromtimestamp(clock_now(session), UTC)


def add_month(ts: int) -> int:
    """One calendar month later, as Stripe bills monthly (Jan 31 -> Feb 28)."""
    moment = datetime.fromtimestamp(ts, UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def simulated_fee(amount_cents: int) -> int:
    """Stripe's US card fee, 2.9% + 30 cents, rounded half-up and never above the amount."""
    return min(amount_cents, pricing.application_fee_cents(amount_cents, Decimal("2.9")) + 30)


def form_token(session_id: str, settings: Settings | None = None) -> str:
    """The checkout page's form token, tied to its session: a stand-in for Stripe's own page security."""
    key = (settings or get_settings()).secret_key.encode("utf-8")
    return hmac.new(key, b"test-pay:" + session_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


@dataclass(frozen=True)
class Card:
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    name: str


def parse_card(form: dict[str, str], now: datetime) -> Card:
    """Check the card fields as Stripe Checkout does, each error at its field."""
    errors: dict[str, str] = {}
    number = "".join(str(form.get("card_number", "")).split())
    if not number:
        errors["card_number"] = "Your card number is incomplete."
    elif not number.isdigit() or not 13 <= len(number) <= 19 or not _luhn_ok(number):
        errors["card_number"] = "Your card number is invalid."
    expiry = str(form.get("expiry", "")).replace(" ", "")
    month = year = 0
    month_text, sep, year_text = expiry.partition("/")
    if not sep or not month_text.isdigit() or not year_text.isdigit() or len(year_text) not in (2, 4):
        errors["expiry"] = "Your card's expiration date is incomplete."
    else:
        month, year = int(month_text), int(year_text) + (2000 if len(year_text) == 2 else 0)
        if not 1 <= month <= 12:
            errors["expiry"] = "Your card's expiration month is invalid."
        elif (year, month) < (now.year, now.month):
            errors["expiry"] = "Your card's expiration date is in the past."
    cvc = str(form.get("cvc", "")).strip()
    if not (cvc.isdigit() and len(cvc) in (3, 4)):
        errors["cvc"] = "Your card's security code is incomplete."
    name = str(form.get("name", "")).strip()[:100]
    if not name:
        errors["name"] = "Enter the name on the card."
    if errors:
        raise ValidationFailed(errors)
    return Card(number, month, year, cvc, name)


class SimulatedGateway:
    """The test provider behind the same operations as StripeGateway."""

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
            raise GatewayError(f"Refund amount must be between 0.01 and {left / 100:.2f}.")
        now = self.now()
        refund = self.put({
            "id": _new_id("re"), "object": "refund", "amount": amount_cents, "charge": found["id"],
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

    # -- the local checkout page and onboarding ------------------------------------------------

    def open_session(self, session_id: str) -> dict[str, Any] | None:
        found = self.get(session_id, "checkout.session")
        if found is not None and found["status"] == "open" and found["expires_at"] < self.now():
            found["status"] = "expired"
            self.put(found)
        return found

    def pay(self, session_id: str, form: dict[str, str]) -> dict[str, Any]:
        """Take the card for an open session; returns the completed session or raises ValidationFailed."""
        found = self.open_session(session_id)
        if found is None:
            raise ValidationFailed({"session": "This checkout does not exist."})
        if found["status"] != "open":
            raise ValidationFailed({"session": "This checkout is no longer open."})
        card = parse_card(form, datetime.fromtimestamp(self.now(), UTC))
        email = str(form.get("email") or found["customer_email"] or "").strip()[:254]
        if "@" not in email:
            raise ValidationFailed({"email": "Enter a valid email address."})
        if card.number in DECLINED:
            code, decline_code, message = DECLINED[card.number]
            intent = self._intent(found, status="requires_payment_method")
            intent["last_payment_error"] = {"type": "card_error", "code": code, "decline_code": decline_code,
                                            "message": message}
            self.put(intent)
            self.emit("payment_intent.payment_failed", intent)
            raise ValidationFailed({"card_number": message})
        found["customer_details"] = {"email": email, "name": card.name}
        if found["mode"] == "payment":
            intent = self._intent(found, status="succeeded")
            charge = self._charge(found, intent, card, metadata=found["metadata"])
            intent["latest_charge"] = charge["id"]
            self.put(intent)
            found["payment_intent"] = intent["id"]
            found.update(status="complete", payment_status="paid")
            self.put(found)
            self.emit("checkout.session.completed", found)
        else:
            sub = self._new_subscription(found, card)
            invoice = self._invoice(sub, found["amount_total"], sub["current_period_start"],
                                    sub["current_period_end"], "subscription_create", card)
            sub["latest_invoice"] = invoice["id"]
            self.put(sub)
            found["subscription"] = sub["id"]
            found.update(status="complete", payment_status="paid")
            self.put(found)
            # The order Stripe often uses; the handlers must cope with invoice.paid coming first.
            self.emit("customer.subscription.created", sub)
            self.emit("invoice.paid", invoice)
            self.emit("checkout.session.completed", found)
        return found

    def _intent(self, found: dict[str, Any], *, status: str, amount: int | None = None,
                metadata: dict[str, str] | None = None) -> dict[str, Any]:
        intent = {
            "id": _new_id("pi"), "object": "payment_intent", "amount": found["amount_total"] if amount is None else amount,
            "amount_received": 0, "currency": found["currency"], "status": status, "customer": found.get("customer"),
            "metadata": metadata if metadata is not None else found["metadata"], "latest_charge": None,
            "application_fee_amount": found.get("_application_fee_cents"), "created": self.now(), "livemode": False,
            "transfer_data": {"destination": found["_destination"]} if found.get("_destination") else None,
            "last_payment_error": None,
        }
        if status == "succeeded":
            intent["amount_received"] = intent["amount"]
        return self.put(intent)

    def _charge(self, found: dict[str, Any], intent: dict[str, Any], card: Card, *, metadata: dict[str, str],
                invoice: str | None = None, application_fee: int | None = None) -> dict[str, Any]:
        amount, now = intent["amount"], self.now()
        fee = simulated_fee(amount)
        charge_id = _new_id("ch")
        balance = {"id": _new_id("txn"), "object": "balance_transaction", "amount": amount, "currency": intent["currency"],
                   "fee": fee, "fee_details": [{"amount": fee, "currency": intent["currency"], "type": "stripe_fee",
                                                "description": "Stripe processing fees"}],
                   "net": amount - fee, "source": charge_id, "status": "available", "type": "charge", "created": now}
        return self.put({
            "id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount,
            "amount_refunded": 0, "refunded": False, "captured": True, "paid": True, "status": "succeeded",
            "currency": intent["currency"], "customer": intent.get("customer"), "payment_intent": intent["id"],
            "invoice": invoice, "metadata": metadata, "balance_transaction": balance,
            "application_fee_amount": application_fee if application_fee is not None else intent.get("application_fee_amount"),
            "transfer_data": intent.get("transfer_data"), "created": now, "livemode": False,
            "billing_details": {"email": found["customer_details"].get("email"), "name": card.name},
            "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": card.number[-4:],
                                                                "exp_month": card.exp_month, "exp_year": card.exp_year}},
            "refunds": {"object": "list", "data": [], "has_more": False, "total_count": 0},
        })

    def _new_subscription(self, found: dict[str, Any], card: Card) -> dict[str, Any]:
        now = self.now()
        end = add_month(now)
        sub_id = _new_id("sub")
        customer = found.get("customer") or _new_id("cus")
        found["customer"] = customer
        return self.put({
            "id": sub_id, "object": "subscription", "status": "active", "customer": customer,
            "cancel_at_period_end": False, "cancel_at": None, "canceled_at": None, "ended_at": None,
            "created": now, "start_date": now, "billing_cycle_anchor": now, "livemode": False,
            "metadata": found["metadata"], "latest_invoice": None,
            "application_fee_percent": (float(found["_application_fee_percent"])
                                        if found.get("_application_fee_percent") else None),
            "transfer_data": {"destination": found["_destination"]} if found.get("_destination") else None,
            "current_period_start": now, "current_period_end": end,
            "items": {"object": "list", "data": [{
                "id": _new_id("si"), "object": "subscription_item", "quantity": 1, "subscription": sub_id,
                "current_period_start": now, "current_period_end": end, "metadata": {},
                "price": {"id": _new_id("price"), "object": "price", "currency": found["currency"],
                          "unit_amount": found["amount_total"], "type": "recurring",
                          "recurring": {"interval": "month", "interval_count": 1},
                          "product": found["_product_name"]},
            }], "has_more": False, "total_count": 1},
            "_card": {"number": card.number[-4:], "name": card.name}, "_fail_renewals": False,
        })

    def _invoice(self, sub: dict[str, Any], amount: int, start: int, end: int, reason: str,
                 card: Card | None = None) -> dict[str, Any]:
        """A paid invoice for one period, with its payment intent and charge."""
        percent = sub.get("application_fee_percent")
        application_fee = (pricing.application_fee_cents(amount, Decimal(str(percent)).quantize(Decimal("0.01")))
                           if percent is not None else None)
        invoice_id = _new_id("in")
        shell = {"amount_total": amount, "currency": sub["items"]["data"][0]["price"]["currency"],
                 "customer": sub["customer"], "metadata": sub["metadata"],
                 "_application_fee_cents": application_fee,
                 "_destination": (sub.get("transfer_data") or {}).get("destination"),
                 "customer_details": {"email": sub["metadata"].get("buyer_email")}}
        intent = self._intent(shell, status="succeeded", metadata={})
        card = card or Card("424242424242" + sub["_card"]["number"], 12, 2099, "123", sub["_card"]["name"])
        charge = self._charge(shell, intent, card, metadata={}, invoice=invoice_id, application_fee=application_fee)
        intent["latest_charge"] = charge["id"]
        self.put(intent)
        details = {"subscription": sub["id"], "metadata": sub["metadata"]}
        return self.put({
            "id": invoice_id, "object": "invoice", "status": "paid", "paid": True, "amount_due": amount,
            "amount_paid": amount, "amount_remaining": 0, "currency": shell["currency"], "customer": sub["customer"],
            "billing_reason": reason, "created": self.now(), "livemode": False, "attempt_count": 1,
            "application_fee_amount": application_fee, "charge": charge["id"], "payment_intent": intent["id"],
            "subscription": sub["id"], "period_start": start, "period_end": end,
            "parent": {"type": "subscription_details", "quote_details": None, "subscription_details": details},
            "payments": {"object": "list", "data": [{"object": "invoice_payment", "status": "paid",
                                                     "payment": {"type": "payment_intent",
                                                                 "payment_intent": intent["id"]}}]},
            "lines": {"object": "list", "data": [{
                "id": _new_id("il"), "object": "line_item", "amount": amount, "currency": shell["currency"],
                "metadata": sub["metadata"], "period": {"start": start, "end": end}, "subscription": sub["id"],
            }], "has_more": False, "total_count": 1},
        })

    def complete_onboarding(self, account_id: str) -> str:
        account = self.get(account_id, "account")
        if account is None:
            raise ValidationFailed({"account": "No such account."})
        previous = {"charges_enabled": account["charges_enabled"], "payouts_enabled": account["payouts_enabled"]}
        account.update(charges_enabled=True, payouts_enabled=True, details_submitted=True,
                       capabilities={"card_payments": "active", "transfers": "active"})
        self.put(account)
        self.emit("account.updated", account, previous)
        return account.get("_return_url") or "/"

    # -- the test clock ------------------------------------------------------------------------

    def advance_clock(self, days: int) -> dict[str, int]:
        """Move the provider's time forward and do what Stripe would at each period end."""
        if not 0 < days <= 3660:
            raise ValidationFailed({"days": "Advance the clock by 1 to 3660 days."})
        row = self.session.get(AppSetting, CLOCK_KEY) or AppSetting(key=CLOCK_KEY, value="0")
        row.value, row.updated_at = str(int(row.value) + days * 86400), utcnow()
        self.session.add(row)
        self.session.flush()
        now = self.now()
        counts = {"renewed": 0, "ended": 0, "failed": 0}
        rows = self.session.exec(select(TestPaymentObject).where(TestPaymentObject.type == "subscription")
                                 .order_by(TestPaymentObject.created_at)).all()
        for row_ in rows:
            sub = dict(row_.data)
            while sub["status"] in ("active", "past_due") and sub["items"]["data"][0]["current_period_end"] <= now:
                item = sub["items"]["data"][0]
                end = item["current_period_end"]
                if sub["cancel_at_period_end"]:
                    sub.update(status="canceled", ended_at=end, canceled_at=sub.get("canceled_at") or end)
                    self.put(sub)
                    self.emit("customer.subscription.deleted", sub)
                    counts["ended"] += 1
                    break
                if sub.get("_fail_renewals"):
                    sub["status"] = "past_due"
                    self.put(sub)
                    failed = {"id": _new_id("in"), "object": "invoice", "status": "open", "paid": False,
                              "amount_due": item["price"]["unit_amount"], "amount_paid": 0,
                              "currency": item["price"]["currency"], "customer": sub["customer"],
                              "subscription": sub["id"], "billing_reason": "subscription_cycle",
                              "attempt_count": 1, "created": now, "livemode": False,
                              "parent": {"type": "subscription_details",
                                         "subscription_details": {"subscription": sub["id"],
                                                                  "metadata": sub["metadata"]}},
                              "lines": {"object": "list", "data": [], "has_more": False, "total_count": 0}}
                    self.put(failed)
                    self.emit("invoice.payment_failed", failed)
                    self.emit("customer.subscription.updated", sub, {"status": "active"})
                    counts["failed"] += 1
                    break
                new_end = add_month(end)
                previous = {"current_period_start": item["current_period_start"], "current_period_end": end}
                item.update(current_period_start=end, current_period_end=new_end)
                sub.update(current_period_start=end, current_period_end=new_end, status="active")
                invoice = self._invoice(sub, item["price"]["unit_amount"], end, new_end, "subscription_cycle")
                sub["latest_invoice"] = invoice["id"]
                self.put(sub)
                self.emit("invoice.paid", invoice)
                self.emit("customer.subscription.updated", sub, previous)
                counts["renewed"] += 1
        return counts


# -- delivery ----------------------------------------------------------------------------------


# Tests point delivery at the app in-process (a Starlette TestClient); None: HTTP to PUBLIC_URL.
client_factory = None


def pending_events(session: Session) -> list[dict[str, Any]]:
    rows = session.exec(select(TestPaymentObject).where(TestPaymentObject.type == "event")).all()
    waiting = [row for row in rows if not row.data.get("delivered")]
    # In the order they were emitted, as Stripe would mostly (but not always) send them.
    return [row.data["event"] for row in sorted(waiting, key=lambda r: r.data.get("seq", 0))]


def deliver_pending(client=None, settings: Settings | None = None) -> dict[str, int]:
    """POST every undelivered event to the webhook, signed like Stripe; call after the commit.

    Runs outside any transaction of the caller's (the webhook needs the database). Events the
    endpoint does not acknowledge stay pending and go out again at the next delivery.
    """
    import httpx

    from adaptivefit.db import session_scope

    settings = settings or get_settings()
    with session_scope() as session:
        events = pending_events(session)
    if not events:
        return {"delivered": 0, "failed": 0}
    url = f"{settings.public_url}/api/stripe/webhook"
    secret = test_webhook_secret(settings)
    own = client is None
    if client is None:
        client = client_factory() if client_factory is not None else httpx.Client(timeout=30)
    delivered, failed = [], 0
    try:
        for event in events:
            body = json.dumps(event, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body, secret, int(time.time()))}
            try:
                response = client.post(url, content=body, headers=headers)
            except Exception as exc:  # the app may be down: the event waits for the next delivery
                log.warning("Test provider could not deliver %s to %s: %s", event["id"], url, exc)
                failed += 1
                break
            if 200 <= response.status_code < 300:
                delivered.append(event["id"])
            else:
                log.warning("Webhook answered %s for %s: %s", response.status_code, event["id"], response.text[:200])
                failed += 1
                break  # keep the order: later events wait for this one, as a retry would
    finally:
        if own:
            client.close()
    if delivered:
        with session_scope() as session:
            for event_id in delivered:
                row = session.get(TestPaymentObject, event_id)
                if row is not None:
                    row.data = {**row.data, "delivered": True}
                    session.add(row)
    return {"delivered": len(delivered), "failed": failed}
