"""StripeGateway through the official `stripe` library against a fake Stripe on loopback.

The fake records every request (method, path, headers, form-encoded parameters) and answers with
Stripe-shaped objects taken from Stripe's own OpenAPI fixtures (../shared/data/stripe/openapi),
so the tests check exactly what would reach Stripe: amounts, currency, the application fee,
the destination, the metadata and the idempotency key.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
from sqlmodel import Session, select

from adaptivefit import db
from adaptivefit.models import Checkout, LedgerEntry, Purchase, Role, User
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.payments import billing, ledger, provider, refunds, subscriptions, webhook_events
from adaptivefit.services.payments import checkout as checkouts
from adaptivefit.services.payments.gateway import StripeGateway, checkout_params, gateway
from tests.conftest import SHARED_DATA, shared_data_missing
from tests.services.payments.billing_fixtures import actor_for, interfaces, make_program, make_user  # noqa: F401

KEY = "sk_test_fake_0123456789"
FIXTURES = SHARED_DATA / "stripe" / "openapi" / "extracted"


def fixture(resource: str) -> dict:
    path = FIXTURES / f"fixtures3.{resource}.json"
    if shared_data_missing(path):
        pytest.skip(f"shared test data missing: {path}")
    return json.loads(path.read_text())


class FakeStripe:
    def __init__(self):
        self.requests: list[dict] = []
        self.fail_next = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                path, _, query = self.path.partition("?")
                fake.requests.append({"method": self.command, "path": path, "headers": dict(self.headers),
                                      "params": dict(parse_qsl(body or query, keep_blank_values=True))})
                if fake.fail_next:
                    fake.fail_next -= 1
                    return self._send(500, {"error": {"type": "api_error", "message": "try again"}})
                status, answer = fake.answer(self.command, path, fake.requests[-1]["params"])
                self._send(status, answer)

            def _send(self, status, answer):
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if path == "/v1/checkout/sessions":
            found = fixture("checkout.session")
            found.update(id="cs_test_fake1", url="https://checkout.stripe.com/c/pay/cs_test_fake1",
                         mode=params.get("mode"), amount_total=int(params["line_items[0][price_data][unit_amount]"]))
            return 200, found
        if path.startswith("/v1/payment_intents/"):
            intent = fixture("payment_intent")
            charge = fixture("charge")
            balance = fixture("balance_transaction")
            balance.update(amount=2999, fee=717, fee_details=[
                {"amount": 117, "currency": "usd", "type": "stripe_fee", "description": "Stripe processing fees",
                 "application": None},
                {"amount": 600, "currency": "usd", "type": "application_fee", "description": "Application fee",
                 "application": "ca_x"}])
            charge.update(id="ch_fake1", amount=2999, balance_transaction=balance)
            intent.update(id=path.rsplit("/", 1)[1], amount=2999, latest_charge=charge)
            return 200, intent
        if path == "/v1/refunds":
            refund = fixture("refund")
            refund.update(id="re_fake1", amount=int(params["amount"]), charge="ch_fake1", status="succeeded")
            return 200, refund
        if path.startswith("/v1/subscriptions/"):
            sub = fixture("subscription")
            sub.update(id=path.rsplit("/", 1)[1], status="canceled" if method == "DELETE" else "active",
                       cancel_at_period_end=params.get("cancel_at_period_end") == "true")
            return 200, sub
        if path == "/v1/customers":
            customer = fixture("customer")
            customer.update(id="cus_fake1", email=params.get("email"))
            return 200, customer
        if path == "/v1/billing_portal/sessions":
            return 200, {"id": "bps_fake1", "object": "billing_portal.session", "customer": params["customer"],
                         "url": "https://billing.stripe.com/p/session/test_fake1", "return_url": params["return_url"]}
        if path == "/v1/accounts":
            account = fixture("account")
            account.update(id="acct_fake1", email=params.get("email"), type="express")
            return 200, account
        if path == "/v1/transfers":
            transfer = fixture("transfer")
            transfer.update(id="tr_fake1", amount=int(params["amount"]), currency=params["currency"],
                            destination=params["destination"])
            return 200, transfer
        if path == "/v1/account_links":
            return 200, {"object": "account_link", "created": 1, "expires_at": 2,
                         "url": "https://connect.stripe.com/setup/e/acct_fake1/x"}
        return 404, {"error": {"type": "invalid_request_error", "message": f"no route {method} {path}"}}

    def posts(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_stripe():
    server = FakeStripe()
    yield server
    server.close()


@pytest.fixture
def stripe_keys(database, env, fake_stripe, interfaces):  # noqa: F811
    env(DATABASE_URL=database, STRIPE_SECRET_KEY=KEY, STRIPE_WEBHOOK_SECRET="whsec_test_x",
        STRIPE_API_BASE=fake_stripe.url, PUBLIC_URL="https://fit.example")
    return fake_stripe


def _checkout(mode="payment", connected=True, **extra) -> Checkout:
    return Checkout(public_id="co_abc", idempotency_key="checkout-co_abc", user_id=7, product="program", program_id=3,
                    program_version=2, mode=mode, amount_cents=2999, currency="usd", trainer_id=1,
                    commission_percent=Decimal("20.00"), application_fee_cents=600 if connected else None,
                    destination_account="acct_trainer1" if connected else None, **extra)


METADATA = {"checkout_id": "co_abc", "user_id": "7", "buyer_email": "buyer@example.com", "product": "program",
            "program_id": "3", "program_version": "2"}


def test_payment_mode_checkout_sends_the_exact_parameters(stripe_keys):
    session_id, url = StripeGateway().create_checkout_session(
        _checkout(), "buyer@example.com", None, "https://fit.example/ok", "https://fit.example/no", product_name="Strong 5x5")
    assert (session_id, url) == ("cs_test_fake1", "https://checkout.stripe.com/c/pay/cs_test_fake1")
    (request,) = stripe_keys.posts("/v1/checkout/sessions")
    assert request["headers"]["Authorization"] == f"Bearer {KEY}"
    assert request["headers"]["Idempotency-Key"] == "checkout-co_abc"
    expected = {
        "mode": "payment",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "2999",
        "line_items[0][price_data][product_data][name]": "Strong 5x5",
        "line_items[0][quantity]": "1",
        "client_reference_id": "co_abc",
        "customer_email": "buyer@example.com",
        "success_url": "https://fit.example/ok",
        "cancel_url": "https://fit.example/no",
        "payment_intent_data[application_fee_amount]": "600",
        "payment_intent_data[transfer_data][destination]": "acct_trainer1",
        **{f"metadata[{k}]": v for k, v in METADATA.items()},
        **{f"payment_intent_data[metadata][{k}]": v for k, v in METADATA.items()},
    }
    assert request["params"] == expected


def test_subscription_mode_sends_a_monthly_price_and_the_commission_percent(stripe_keys):
    StripeGateway().create_checkout_session(_checkout("subscription"), "buyer@example.com", "cus_known",
                                            "https://fit.example/ok", "https://fit.example/no", product_name="Monthly")
    params = stripe_keys.posts("/v1/checkout/sessions")[0]["params"]
    assert params["mode"] == "subscription"
    assert params["line_items[0][price_data][recurring][interval]"] == "month"
    assert params["subscription_data[application_fee_percent]"] == "20"
    assert params["subscription_data[transfer_data][destination]"] == "acct_trainer1"
    assert params["subscription_data[metadata][checkout_id]"] == "co_abc"
    assert params["customer"] == "cus_known" and "customer_email" not in params
    assert not any(k.startswith("payment_intent_data") for k in params)


def test_an_unconnected_trainer_gets_no_destination_charge():
    params = checkout_params(_checkout(connected=False), product_name="x", buyer_email="buyer@example.com",
                             customer_id=None, success_url="s", cancel_url="c")
    assert params["payment_intent_data"] == {"metadata": METADATA}


def test_a_network_failure_is_retried_with_the_same_idempotency_key(stripe_keys):
    stripe_keys.fail_next = 1
    StripeGateway().create_checkout_session(_checkout(), "buyer@example.com", None, "https://fit.example/ok",
                                            "https://fit.example/no", product_name="Strong 5x5")
    keys = [r["headers"]["Idempotency-Key"] for r in stripe_keys.posts("/v1/checkout/sessions")]
    assert keys == ["checkout-co_abc", "checkout-co_abc"]


def test_payment_details_take_stripes_fee_not_the_application_fee(stripe_keys):
    details = StripeGateway().payment_details(payment_intent="pi_fake1")
    assert (details.charge_id, details.fee_cents, details.amount_cents) == ("ch_fake1", 117, 2999)
    (request,) = [r for r in stripe_keys.requests if r["path"] == "/v1/payment_intents/pi_fake1"]
    assert request["method"] == "GET" and request["params"] == {"expand[0]": "latest_charge.balance_transaction"}


def test_every_post_carries_an_idempotency_key(stripe_keys):
    gw = StripeGateway()
    gw.set_cancel_at_period_end("sub_1", True)
    gw.refund(payment_intent="pi_1", charge=None, amount_cents=500, idempotency_key="refund-ch_1-500",
              reverse_transfer=True)
    gw.create_customer("b@example.com", "B", 7)
    gw.portal_url("cus_1", "https://fit.example/purchases")
    gw.create_express_account("t@example.com", "connect-trainer-1")
    gw.account_link("acct_fake1", "https://fit.example/earnings", "https://fit.example/earnings")
    gw.cancel_now("sub_1")
    posts = [r for r in stripe_keys.requests if r["method"] == "POST"]
    assert len(posts) == 6 and all(r["headers"].get("Idempotency-Key") for r in posts)
    refund = stripe_keys.posts("/v1/refunds")[0]
    assert refund["headers"]["Idempotency-Key"] == "refund-ch_1-500"
    assert refund["params"] == {"amount": "500", "payment_intent": "pi_1", "reverse_transfer": "true",
                                "refund_application_fee": "true"}
    assert stripe_keys.posts("/v1/subscriptions/sub_1")[0]["params"] == {"cancel_at_period_end": "true"}
    assert stripe_keys.posts("/v1/customers")[0]["headers"]["Idempotency-Key"] == "customer-user-7"
    assert stripe_keys.posts("/v1/accounts")[0]["params"]["type"] == "express"
    assert [r["method"] for r in stripe_keys.requests if r["path"] == "/v1/subscriptions/sub_1"] == ["POST", "DELETE"]


def test_billing_starts_a_stripe_checkout_with_the_price_from_the_database(stripe_keys):
    with db.session_scope() as s:
        trainer = make_user(s, "coach@example.com", Role.TRAINER)
        buyer = make_user(s, "buyer@example.com")
        program = make_program(s, trainer, price_cents=4200, currency="eur", connected=True, commission="12.5")
        url = checkouts.start_program_checkout(s, buyer, program.id)
        buyer_id, program_id = buyer.id, program.id
    assert url == "https://checkout.stripe.com/c/pay/cs_test_fake1"
    assert isinstance(gateway(), StripeGateway) and not billing.test_mode()
    customer = stripe_keys.posts("/v1/customers")[0]
    assert customer["params"]["email"] == "buyer@example.com"
    request = stripe_keys.posts("/v1/checkout/sessions")[0]
    with Session(db.get_engine()) as s:
        checkout = s.exec(select(Checkout)).one()
        assert checkout.stripe_session_id == "cs_test_fake1" and checkout.provider == "stripe"
        assert s.get(User, buyer_id).stripe_customer_id == "cus_fake1"
    params = request["params"]
    assert params["line_items[0][price_data][unit_amount]"] == "4200"
    assert params["line_items[0][price_data][currency]"] == "eur"
    assert params["payment_intent_data[application_fee_amount]"] == "525"  # 12.5% of 42.00
    assert params["payment_intent_data[transfer_data][destination]"] == "acct_test_connected1"
    assert params["metadata[checkout_id]"] == checkout.public_id == params["client_reference_id"]
    assert params["metadata[program_id]"] == str(program_id) and params["customer"] == "cus_fake1"
    assert request["headers"]["Idempotency-Key"] == checkout.idempotency_key
    assert params["success_url"] == f"https://fit.example/checkout/complete?checkout={checkout.public_id}"
    # Starting a checkout grants nothing.
    with Session(db.get_engine()) as s:
        assert s.exec(select(Purchase)).all() == []


def test_an_admin_refund_goes_to_stripe_and_the_ledger_is_reversed_at_once(stripe_keys):
    with db.session_scope() as s:
        trainer = make_user(s, "coach@example.com", Role.TRAINER)
        buyer = make_user(s, "buyer@example.com")
        admin = make_user(s, "admin@example.com", Role.ADMIN)
        program = make_program(s, trainer, price_cents=2999, connected=True, commission="20")
        checkout = Checkout(public_id="co_r", idempotency_key="checkout-co_r", user_id=buyer.id, product="program",
                            program_id=program.id, program_version=1, mode="payment", amount_cents=2999,
                            currency="usd", commission_percent=Decimal(20), application_fee_cents=600,
                            destination_account="acct_test_connected1", provider="stripe")
        s.add(checkout)
        s.flush()
        webhook_events.apply(s, {"id": "evt_x", "type": "checkout.session.completed", "created": 1, "data": {"object": {
            "id": "cs_x", "object": "checkout.session", "mode": "payment", "payment_status": "paid",
            "amount_total": 2999, "currency": "usd", "payment_intent": "pi_fake1", "metadata": {"checkout_id": "co_r"}}}})
        purchase_id = s.exec(select(Purchase)).one().id
        admin_actor = actor_for(admin)
    with db.session_scope() as s:
        sale = s.exec(select(LedgerEntry)).one()
        assert (sale.fee_cents, sale.trainer_cents, sale.destination) == (117, 2399, True)
        assert refunds.refund(s, admin_actor, purchase_id, 1000) == 1000
    refund = stripe_keys.posts("/v1/refunds")[0]
    assert refund["params"] == {"amount": "1000", "payment_intent": "pi_fake1", "reverse_transfer": "true",
                                "refund_application_fee": "true"}
    assert refund["headers"]["Idempotency-Key"] == "refund-ch_fake1-1000"
    with db.session_scope() as s:
        (entry,) = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "refund")).all()
        assert (entry.gross_cents, entry.trainer_cents, entry.source_id) == (-1000, -800, "ch_fake1:refunded:1000")
        # Stripe's charge.refunded for the same cumulative amount then changes nothing.
        assert not ledger.apply_refund(s, "ch_fake1", 1000)


def test_the_portal_only_with_keys(stripe_keys, env):
    with db.session_scope() as s:
        buyer = make_user(s, "buyer@example.com")
        buyer.stripe_customer_id = "cus_fake1"
        assert subscriptions.portal_url(s, buyer) == "https://billing.stripe.com/p/session/test_fake1"
    assert stripe_keys.posts("/v1/billing_portal/sessions")[0]["params"] == {
        "customer": "cus_fake1", "return_url": "https://fit.example/purchases"}
    env(STRIPE_SECRET_KEY="")
    with db.session_scope() as s:
        buyer = s.exec(select(User)).one()
        with pytest.raises(ValidationFailed, match="Stripe keys"):
            subscriptions.portal_url(s, buyer)


def test_stripe_refusals_become_gateway_errors_with_a_message_fit_to_show(stripe_keys):
    gw = StripeGateway()
    with pytest.raises(provider.GatewayError, match="did not accept"):
        gw.payment_details(charge="ch_missing")
    assert stripe_keys.requests[-1]["path"] == "/v1/charges/ch_missing"


def test_the_payouts_job_sends_what_the_platform_owes_as_a_transfer(stripe_keys):
    from datetime import UTC, datetime

    from adaptivefit.services.payments import payouts
    from adaptivefit.models import Payout, Trainer

    with db.session_scope() as s:
        coach = make_user(s, "owed@example.com", Role.TRAINER)
        trainer = Trainer(user_id=coach.id, status="approved", stripe_account_id="acct_test_owed",
                          stripe_charges_enabled=True, stripe_payouts_enabled=True)
        s.add(trainer)
        s.flush()
        # A sale made before the trainer connected: the platform kept the trainer's share.
        s.add(LedgerEntry(kind="sale", source_id="pi_before_connect", trainer_id=trainer.id, gross_cents=2999,
                          fee_cents=117, platform_cents=333, trainer_cents=2549, currency="usd", destination=False,
                          occurred_at=datetime(2026, 10, 12, tzinfo=UTC)))
    with db.session_scope() as s:
        payouts.make_payouts(s, period_start=datetime(2026, 10, 1, tzinfo=UTC),
                             period_end=datetime(2026, 11, 1, tzinfo=UTC), gateway=gateway(s))
    (sent,) = stripe_keys.posts("/v1/transfers")
    assert sent["params"] == {"amount": "2549", "currency": "usd", "destination": "acct_test_owed"}
    with db.session_scope() as s:
        payout = s.exec(select(Payout)).one()
        assert sent["headers"]["Idempotency-Key"] == f"payout-{payout.id}"
        assert (payout.status, payout.amount_cents, payout.stripe_payout_id) == ("paid", 2549, "tr_fake1")
