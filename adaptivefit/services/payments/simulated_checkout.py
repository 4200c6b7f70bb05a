"""The simulator's stand-ins for Stripe's hosted pages: the checkout page that takes a test card, and
Connect onboarding. api/payments.py renders them; these are their rules.

Each function takes the simulator (`gw`, a SimulatedGateway) for its storage, clock and events.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from adaptivefit.config import Settings, get_settings
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.payments import simulated_objects as objects
from adaptivefit.services.payments.simulated_objects import Card

DECLINED = {"4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
            "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds.")}


def form_token(session_id: str, settings: Settings | None = None) -> str:
    """The checkout page's form token, tied to its session: a stand-in for Stripe's own page security."""
    key = (settings or get_settings()).secret_key.encode("utf-8")
    return hmac.new(key, b"test-pay:" + session_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


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


def open_session(gw, session_id: str) -> dict[str, Any] | None:
    """The checkout session the page shows (expired once its time is up), or None."""
    found = gw.get(session_id, "checkout.session")
    if found is not None and found["status"] == "open" and found["expires_at"] < gw.now():
        found["status"] = "expired"
        gw.put(found)
    return found


def _decline(gw, found: dict[str, Any], number: str) -> ValidationFailed:
    code, decline_code, message = DECLINED[number]
    failed = objects.intent(gw, found, status="requires_payment_method")
    failed["last_payment_error"] = {"type": "card_error", "code": code, "decline_code": decline_code,
                                    "message": message}
    gw.put(failed)
    gw.emit("payment_intent.payment_failed", failed)
    return ValidationFailed({"card_number": message})


def _complete(gw, found: dict[str, Any], card: Card) -> None:
    """Take the payment, or start the subscription with its first paid invoice, and emit the events."""
    if found["mode"] == "payment":
        paid = objects.intent(gw, found, status="succeeded")
        taken = objects.charge(gw, found, paid, card, metadata=found["metadata"])
        paid["latest_charge"] = taken["id"]
        gw.put(paid)
        found["payment_intent"] = paid["id"]
        found.update(status="complete", payment_status="paid")
        gw.put(found)
        gw.emit("checkout.session.completed", found)
        return
    sub = objects.new_subscription(gw, found, card)
    first = objects.invoice(gw, sub, found["amount_total"], sub["current_period_start"], sub["current_period_end"],
                            "subscription_create", card)
    sub["latest_invoice"] = first["id"]
    gw.put(sub)
    found["subscription"] = sub["id"]
    found.update(status="complete", payment_status="paid")
    gw.put(found)
    # The order Stripe often uses; the handlers must cope with invoice.paid coming first.
    gw.emit("customer.subscription.created", sub)
    gw.emit("invoice.paid", first)
    gw.emit("checkout.session.completed", found)


def pay(gw, session_id: str, form: dict[str, str]) -> dict[str, Any]:
    """Take the card for an open session; returns the completed session or raises ValidationFailed."""
    found = open_session(gw, session_id)
    if found is None:
        raise ValidationFailed({"session": "This checkout does not exist."})
    if found["status"] != "open":
        raise ValidationFailed({"session": "This checkout is no longer open."})
    card = parse_card(form, datetime.fromtimestamp(gw.now(), UTC))
    email = str(form.get("email") or found["customer_email"] or "").strip()[:254]
    if "@" not in email:
        raise ValidationFailed({"email": "Enter a valid email address."})
    if card.number in DECLINED:
        raise _decline(gw, found, card.number)
    found["customer_details"] = {"email": email, "name": card.name}
    _complete(gw, found, card)
    return found


def complete_onboarding(gw, account_id: str) -> str:
    """Finish a trainer's test Connect onboarding; returns where to send them back."""
    account = gw.get(account_id, "account")
    if account is None:
        raise ValidationFailed({"account": "No such account."})
    previous = {"charges_enabled": account["charges_enabled"], "payouts_enabled": account["payouts_enabled"]}
    account.update(charges_enabled=True, payouts_enabled=True, details_submitted=True,
                   capabilities={"card_payments": "active", "transfers": "active"})
    gw.put(account)
    gw.emit("account.updated", account, previous)
    return account.get("_return_url") or "/"
