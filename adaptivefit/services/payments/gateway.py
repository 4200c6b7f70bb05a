"""Who takes the money: Stripe through its official library, or the built-in simulator.

`gateway(session)` picks Stripe when STRIPE_SECRET_KEY is set and the simulator (payments/simulator.py)
otherwise; the simulator refuses to exist while a live key is set, so it can never stand in for real
payments. Both answer the same operations (their shared errors and answers are in provider.py), and
both report what happened the same way: signed webhook events to POST /api/stripe/webhook.

Every POST to Stripe carries an idempotency key, so a retry (the library retries network
errors twice) never charges, refunds or creates twice.
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal
from typing import Any

import stripe
from sqlmodel import Session

from adaptivefit.config import Settings, get_settings
from adaptivefit.models import Checkout
from adaptivefit.services.core.app_settings import payments_test_mode
from adaptivefit.services.payments.provider import (
    GatewayError,
    PaymentDetails,
    RefundResult,
    checkout_metadata,
    stripe_fee,
)

log = logging.getLogger("adaptivefit.payments.gateway")


def percent_text(percent: Decimal) -> str:
    """A percent as Stripe's decimal parameter takes it: 15, 12.5, 33.33."""
    text = format(Decimal(percent).quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def checkout_params(checkout: Checkout, *, product_name: str, buyer_email: str, customer_id: str | None,
                    success_url: str, cancel_url: str) -> dict[str, Any]:
    """The Checkout Session to create, with the price from the Checkout row (read from the database)."""
    metadata = checkout_metadata(checkout, buyer_email)
    price_data: dict[str, Any] = {
        "currency": checkout.currency,
        "unit_amount": checkout.amount_cents,
        "product_data": {"name": product_name},
    }
    if checkout.mode == "subscription":
        price_data["recurring"] = {"interval": "month"}
    params: dict[str, Any] = {
        "mode": checkout.mode,
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "client_reference_id": checkout.public_id,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
    }
    if customer_id:
        params["customer"] = customer_id
    else:
        params["customer_email"] = buyer_email
    connected = checkout.destination_account is not None
    if checkout.mode == "payment":
        data: dict[str, Any] = {"metadata": dict(metadata)}
        if connected:
            data["application_fee_amount"] = checkout.application_fee_cents or 0
            data["transfer_data"] = {"destination": checkout.destination_account}
        params["payment_intent_data"] = data
    else:
        data = {"metadata": dict(metadata)}
        if connected:
            data["application_fee_percent"] = percent_text(checkout.commission_percent or Decimal(0))
            data["transfer_data"] = {"destination": checkout.destination_account}
        params["subscription_data"] = data
    return params


def _key(prefix: str, *parts: object) -> str:
    """An idempotency key for one attempt at an operation the caller does not key itself."""
    return "-".join([prefix, *(str(p) for p in parts), secrets.token_hex(8)])


class StripeGateway:
    provider = "stripe"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.client = stripe.StripeClient(
            self.settings.stripe_secret_key,
            base_addresses={"api": self.settings.stripe_api_base},
            max_network_retries=2,
        )

    def _call(self, fn, *args, **kwargs) -> dict[str, Any]:
        """Call the library; Stripe's answer as plain dicts, its refusal as a GatewayError."""
        try:
            result = fn(*args, **kwargs)
            return result.to_dict() if isinstance(result, stripe.StripeObject) else result
        except stripe.CardError as exc:
            raise GatewayError(exc.user_message or "The card was declined.") from exc
        except stripe.StripeError as exc:
            # Stripe's own wording may name ids and settings: logged for us, a plain sentence for people.
            log.warning("Stripe refused %s: %s", getattr(fn, "__qualname__", fn), exc)
            raise GatewayError("The payment provider did not accept the request; try again later.") from exc

    def create_checkout_session(self, checkout: Checkout, buyer_email: str, customer_id: str | None,
                                success_url: str, cancel_url: str, *, product_name: str) -> tuple[str, str]:
        params = checkout_params(checkout, product_name=product_name, buyer_email=buyer_email,
                                 customer_id=customer_id, success_url=success_url, cancel_url=cancel_url)
        created = self._call(self.client.v1.checkout.sessions.create, params,
                             {"idempotency_key": checkout.idempotency_key})
        return created["id"], created["url"]

    def payment_details(self, *, payment_intent: str | None = None, charge: str | None = None) -> PaymentDetails:
        if payment_intent:
            intent = self._call(self.client.v1.payment_intents.retrieve, payment_intent,
                                {"expand": ["latest_charge.balance_transaction"]})
            latest = intent.get("latest_charge")
            if latest is None or isinstance(latest, str):
                return PaymentDetails(latest, intent["id"], int(intent.get("amount_received") or intent.get("amount") or 0), 0)
            return PaymentDetails(latest["id"], intent["id"], int(latest.get("amount") or 0),
                                  stripe_fee(latest.get("balance_transaction")))
        if charge:
            found = self._call(self.client.v1.charges.retrieve, charge, {"expand": ["balance_transaction"]})
            return PaymentDetails(found["id"], found.get("payment_intent"), int(found.get("amount") or 0),
                                  stripe_fee(found.get("balance_transaction")))
        return PaymentDetails(None, None, 0, 0)

    def set_cancel_at_period_end(self, subscription_id: str, cancel: bool) -> None:
        self._call(self.client.v1.subscriptions.update, subscription_id, {"cancel_at_period_end": bool(cancel)},
                   {"idempotency_key": _key("sub-cancel-at-period-end", subscription_id, int(cancel))})

    def cancel_now(self, subscription_id: str) -> None:
        # DELETE is idempotent at Stripe; the library sends no key for it.
        self._call(self.client.v1.subscriptions.cancel, subscription_id)

    def refund(self, *, payment_intent: str | None, charge: str | None, amount_cents: int, idempotency_key: str,
               reverse_transfer: bool = False) -> RefundResult:
        params: dict[str, Any] = {"amount": amount_cents}
        if payment_intent:
            params["payment_intent"] = payment_intent
        else:
            params["charge"] = charge
        if reverse_transfer:
            # Destination charges: take back the trainer's transfer and the commission in proportion.
            params["reverse_transfer"] = True
            params["refund_application_fee"] = True
        refund = self._call(self.client.v1.refunds.create, params, {"idempotency_key": idempotency_key})
        return RefundResult(refund["id"], refund.get("charge"), int(refund.get("amount") or 0), refund.get("status") or "")

    def create_customer(self, email: str, name: str, user_id: int) -> str:
        customer = self._call(self.client.v1.customers.create,
                              {"email": email, "name": name, "metadata": {"user_id": str(user_id)}},
                              {"idempotency_key": f"customer-user-{user_id}"})
        return customer["id"]

    def portal_url(self, customer_id: str, return_url: str) -> str:
        portal = self._call(self.client.v1.billing_portal.sessions.create,
                            {"customer": customer_id, "return_url": return_url},
                            {"idempotency_key": _key("portal", customer_id)})
        return portal["url"]

    def create_express_account(self, email: str, idempotency_key: str) -> str:
        account = self._call(self.client.v1.accounts.create,
                             {"type": "express", "email": email,
                              "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}}},
                             {"idempotency_key": idempotency_key})
        return account["id"]

    def create_transfer(self, amount_cents: int, currency: str, destination: str, *, idempotency_key: str) -> str:
        """Send a trainer what the platform holds for them (sales made before they connected)."""
        transfer = self._call(self.client.v1.transfers.create,
                              {"amount": amount_cents, "currency": currency, "destination": destination},
                              {"idempotency_key": idempotency_key})
        return transfer["id"]

    def account_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        link = self._call(self.client.v1.account_links.create,
                          {"account": account_id, "refresh_url": refresh_url, "return_url": return_url,
                           "type": "account_onboarding"},
                          {"idempotency_key": _key("account-link", account_id)})
        return link["url"]


def gateway(session: Session | None = None, settings: Settings | None = None):
    """Stripe when a secret key is configured, else the built-in test provider (which needs `session`)."""
    settings = settings or get_settings()
    if not payments_test_mode(settings):
        return StripeGateway(settings)
    from adaptivefit.services.payments.simulator import SimulatedGateway

    if session is None:
        raise ValueError("the test payment provider keeps its records in the database: pass a session")
    return SimulatedGateway(session, settings)
