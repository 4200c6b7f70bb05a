"""The Stripe-shaped objects the simulator makes when money moves: payment intents, charges with their
balance transactions, subscriptions and invoices, shaped as Stripe's API version `API_VERSION` sends them.

Each builder takes the simulator (`gw`, a SimulatedGateway) for its storage and its clock.
"""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from adaptivefit.services.marketplace import pricing

API_VERSION = "2025-03-31.basil"  # the shape emitted: periods on subscription items, invoice.parent


@dataclass(frozen=True)
class Card:
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    name: str


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def add_month(ts: int) -> int:
    """One calendar month later, as Stripe bills monthly (Jan 31 -> Feb 28)."""
    moment = datetime.fromtimestamp(ts, UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def simulated_fee(amount_cents: int) -> int:
    """Stripe's US card fee, 2.9% + 30 cents, rounded half-up and never above the amount."""
    return min(amount_cents, pricing.application_fee_cents(amount_cents, Decimal("2.9")) + 30)


def intent(gw, found: dict[str, Any], *, status: str, amount: int | None = None,
           metadata: dict[str, str] | None = None) -> dict[str, Any]:
    made = {
        "id": new_id("pi"), "object": "payment_intent", "amount": found["amount_total"] if amount is None else amount,
        "amount_received": 0, "currency": found["currency"], "status": status, "customer": found.get("customer"),
        "metadata": metadata if metadata is not None else found["metadata"], "latest_charge": None,
        "application_fee_amount": found.get("_application_fee_cents"), "created": gw.now(), "livemode": False,
        "transfer_data": {"destination": found["_destination"]} if found.get("_destination") else None,
        "last_payment_error": None,
    }
    if status == "succeeded":
        made["amount_received"] = made["amount"]
    return gw.put(made)


def charge(gw, found: dict[str, Any], paid_intent: dict[str, Any], card: Card, *, metadata: dict[str, str],
           invoice: str | None = None, application_fee: int | None = None) -> dict[str, Any]:
    amount, now = paid_intent["amount"], gw.now()
    fee = simulated_fee(amount)
    charge_id = new_id("ch")
    currency = paid_intent["currency"]
    balance = {"id": new_id("txn"), "object": "balance_transaction", "amount": amount, "currency": currency,
               "fee": fee, "fee_details": [{"amount": fee, "currency": currency, "type": "stripe_fee",
                                            "description": "Stripe processing fees"}],
               "net": amount - fee, "source": charge_id, "status": "available", "type": "charge", "created": now}
    return gw.put({
        "id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount,
        "amount_refunded": 0, "refunded": False, "captured": True, "paid": True, "status": "succeeded",
        "currency": currency, "customer": paid_intent.get("customer"), "payment_intent": paid_intent["id"],
        "invoice": invoice, "metadata": metadata, "balance_transaction": balance,
        "application_fee_amount": (application_fee if application_fee is not None
                                   else paid_intent.get("application_fee_amount")),
        "transfer_data": paid_intent.get("transfer_data"), "created": now, "livemode": False,
        "billing_details": {"email": found["customer_details"].get("email"), "name": card.name},
        "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": card.number[-4:],
                                                            "exp_month": card.exp_month, "exp_year": card.exp_year}},
        "refunds": {"object": "list", "data": [], "has_more": False, "total_count": 0},
    })


def new_subscription(gw, found: dict[str, Any], card: Card) -> dict[str, Any]:
    now = gw.now()
    end = add_month(now)
    sub_id = new_id("sub")
    customer = found.get("customer") or new_id("cus")
    found["customer"] = customer
    return gw.put({
        "id": sub_id, "object": "subscription", "status": "active", "customer": customer,
        "cancel_at_period_end": False, "cancel_at": None, "canceled_at": None, "ended_at": None,
        "created": now, "start_date": now, "billing_cycle_anchor": now, "livemode": False,
        "metadata": found["metadata"], "latest_invoice": None,
        "application_fee_percent": (float(found["_application_fee_percent"])
                                    if found.get("_application_fee_percent") else None),
        "transfer_data": {"destination": found["_destination"]} if found.get("_destination") else None,
        "current_period_start": now, "current_period_end": end,
        "items": {"object": "list", "data": [{
            "id": new_id("si"), "object": "subscription_item", "quantity": 1, "subscription": sub_id,
            "current_period_start": now, "current_period_end": end, "metadata": {},
            "price": {"id": new_id("price"), "object": "price", "currency": found["currency"],
                      "unit_amount": found["amount_total"], "type": "recurring",
                      "recurring": {"interval": "month", "interval_count": 1},
                      "product": found["_product_name"]},
        }], "has_more": False, "total_count": 1},
        "_card": {"number": card.number[-4:], "name": card.name}, "_fail_renewals": False,
    })


def _subscription_parent(sub: dict[str, Any]) -> dict[str, Any]:
    return {"type": "subscription_details", "quote_details": None,
            "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]}}


def invoice(gw, sub: dict[str, Any], amount: int, start: int, end: int, reason: str,
            card: Card | None = None) -> dict[str, Any]:
    """A paid invoice for one period, with its payment intent and charge."""
    percent = sub.get("application_fee_percent")
    application_fee = (pricing.application_fee_cents(amount, Decimal(str(percent)).quantize(Decimal("0.01")))
                       if percent is not None else None)
    invoice_id = new_id("in")
    shell = {"amount_total": amount, "currency": sub["items"]["data"][0]["price"]["currency"],
             "customer": sub["customer"], "metadata": sub["metadata"],
             "_application_fee_cents": application_fee,
             "_destination": (sub.get("transfer_data") or {}).get("destination"),
             "customer_details": {"email": sub["metadata"].get("buyer_email")}}
    paid = intent(gw, shell, status="succeeded", metadata={})
    card = card or Card("424242424242" + sub["_card"]["number"], 12, 2099, "123", sub["_card"]["name"])
    taken = charge(gw, shell, paid, card, metadata={}, invoice=invoice_id, application_fee=application_fee)
    paid["latest_charge"] = taken["id"]
    gw.put(paid)
    return gw.put({
        "id": invoice_id, "object": "invoice", "status": "paid", "paid": True, "amount_due": amount,
        "amount_paid": amount, "amount_remaining": 0, "currency": shell["currency"], "customer": sub["customer"],
        "billing_reason": reason, "created": gw.now(), "livemode": False, "attempt_count": 1,
        "application_fee_amount": application_fee, "charge": taken["id"], "payment_intent": paid["id"],
        "subscription": sub["id"], "period_start": start, "period_end": end,
        "parent": _subscription_parent(sub),
        "payments": {"object": "list", "data": [{"object": "invoice_payment", "status": "paid",
                                                 "payment": {"type": "payment_intent",
                                                             "payment_intent": paid["id"]}}]},
        "lines": {"object": "list", "data": [{
            "id": new_id("il"), "object": "line_item", "amount": amount, "currency": shell["currency"],
            "metadata": sub["metadata"], "period": {"start": start, "end": end}, "subscription": sub["id"],
        }], "has_more": False, "total_count": 1},
    })


def failed_invoice(gw, sub: dict[str, Any]) -> dict[str, Any]:
    """An open renewal invoice whose payment failed (the subscription goes past_due)."""
    price = sub["items"]["data"][0]["price"]
    return gw.put({
        "id": new_id("in"), "object": "invoice", "status": "open", "paid": False,
        "amount_due": price["unit_amount"], "amount_paid": 0, "currency": price["currency"],
        "customer": sub["customer"], "subscription": sub["id"], "billing_reason": "subscription_cycle",
        "attempt_count": 1, "created": gw.now(), "livemode": False,
        "parent": {"type": "subscription_details",
                   "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]}},
        "lines": {"object": "list", "data": [], "has_more": False, "total_count": 0},
    })
