"""The webhook on real Stripe event payloads (../shared/data/stripe), re-signed with a test secret and
adapted to this app's ids and metadata, posted over HTTP to POST /api/stripe/webhook as Stripe would."""

from __future__ import annotations

import copy
import json
import time
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from adaptivefit import db
from adaptivefit.models import Checkout, LedgerEntry, Purchase, Role, StripeEvent, Trainer, TrainingProgram
from adaptivefit.services.payments import billing, gateway, provider
from adaptivefit.services.payments.provider import PaymentDetails
from adaptivefit.services.payments.signatures import sign
from tests.conftest import SHARED_DATA, shared_data_missing
from tests.services.payments.billing_fixtures import interfaces, make_program, make_user, webhook_client  # noqa: F401

SECRET = "whsec_test_events_0123456789abcdef"
STRIPE = SHARED_DATA / "stripe"
SUB = "sub_000000000000000000000000"
CHARGE = "ch_000000000000000000000000"
T0 = int(time.time()) // 1000 * 1000  # periods must lie ahead of the real clock


def real(name: str) -> dict:
    path = STRIPE / name
    if shared_data_missing(path):
        pytest.skip(f"shared test data missing: {path}")
    return json.loads(path.read_text())


class FakeGateway:
    """What Stripe's API would answer about a payment: its charge and Stripe's fee."""

    provider = "stripe"

    def __init__(self):
        self.fail = False

    def payment_details(self, *, payment_intent=None, charge=None):
        if self.fail:
            raise RuntimeError("Stripe is down")
        return PaymentDetails(charge or CHARGE if not payment_intent else f"ch_for_{payment_intent}",
                              payment_intent, 0, 90)


@pytest.fixture
def stripe_env(database, interfaces, env, monkeypatch):  # noqa: F811
    env(DATABASE_URL=database, STRIPE_SECRET_KEY="sk_test_events", STRIPE_WEBHOOK_SECRET=SECRET,
        PUBLIC_URL="http://127.0.0.1:9")
    fake = FakeGateway()
    monkeypatch.setattr(gateway, "gateway", lambda session=None, settings=None: fake)
    return fake


@pytest.fixture
def client(stripe_env):
    return webhook_client()


@pytest.fixture
def shop(stripe_env):
    with db.session_scope() as s:
        trainer = make_user(s, "coach@example.com", Role.TRAINER)
        buyer = make_user(s, "buyer@example.com")
        program = make_program(s, trainer, price_kind="subscription", price_cents=2000, commission="20")
        one_time = make_program(s, trainer, price_kind="one_time", price_cents=25000, commission="20")
        s.flush()
        checkouts = {}
        for key, prog, mode, amount in (("sub", program, "subscription", 2000), ("pay", one_time, "payment", 25000)):
            row = Checkout(public_id=f"co_{key}", idempotency_key=f"checkout-co_{key}", user_id=buyer.id,
                           product="program", program_id=prog.id, program_version=1, mode=mode, amount_cents=amount,
                           currency="usd", trainer_id=s.exec(select(Trainer)).first().id,
                           commission_percent=Decimal(20), provider="stripe", stripe_session_id=f"cs_{key}")
            s.add(row)
            checkouts[key] = row
        s.flush()
        return {"buyer": buyer.id, "program": program.id, "one_time": one_time.id}


def post(client, event: dict, *, secret: str = SECRET, at: int | None = None, body: bytes | None = None):
    payload = body if body is not None else json.dumps(event).encode()
    header = sign(payload, secret, at if at is not None else int(time.time()))
    return client.post("/api/stripe/webhook", content=payload, headers={"Stripe-Signature": header})


def event(name: str, event_id: str, created: int = T0, **obj_changes) -> dict:
    found = copy.deepcopy(real(name))
    found["id"], found["created"] = event_id, created
    found["data"]["object"].update(obj_changes)
    return found


def meta(key: str = "sub") -> dict:
    return {"checkout_id": f"co_{key}", "user_id": "1", "product": "program"}


def checkout_completed(key="sub", event_id="evt_cs", created=T0) -> dict:
    if key == "sub":
        return event("stripe-ruby-mock/checkout.session.completed.json", event_id, created, mode="subscription",
                     subscription=SUB, payment_intent=None, metadata=meta(), client_reference_id="co_sub",
                     amount_total=2000)
    return event("stripe-ruby-mock/checkout.session.completed.payment_mode.json", event_id, created,
                 metadata=meta("pay"), client_reference_id="co_pay")


def invoice_paid(event_id="evt_inv", created=T0, period_end=T0 + 30 * 86400, invoice_id="in_1") -> dict:
    found = event("stripe-ruby-mock/invoice.paid.json", event_id, created, id=invoice_id, subscription=SUB,
                  billing_reason="subscription_create")
    line = found["data"]["object"]["lines"]["data"][0]
    line["period"] = {"start": created, "end": period_end}
    line["metadata"] = meta()
    return found


def sub_event(kind: str, event_id: str, created: int, **changes) -> dict:
    return event(f"stripe-ruby-mock/customer.subscription.{kind}.json", event_id, created, metadata=meta(), **changes)


def purchase(shop_, program_key="program") -> Purchase | None:
    with Session(db.get_engine()) as s:
        return s.exec(select(Purchase).where(Purchase.program_id == shop_[program_key])).first()


def access(shop_, program_key="program") -> bool:
    with Session(db.get_engine()) as s:
        return billing.program_access(s, shop_["buyer"], shop_[program_key]) is not None


def ledger() -> list[LedgerEntry]:
    with Session(db.get_engine()) as s:
        return list(s.exec(select(LedgerEntry).order_by(LedgerEntry.id)).all())


def test_payment_mode_checkout_completed_grants_access_and_books_the_sale(client, shop):
    response = post(client, checkout_completed("pay"))
    assert response.status_code == 200 and response.json()["result"] == "processed"
    assert access(shop, "one_time")
    bought = purchase(shop, "one_time")
    assert bought.kind == "one_time" and bought.stripe_payment_intent_id == "pi_00000000000000"
    (sale,) = ledger()
    assert (sale.gross_cents, sale.fee_cents, sale.platform_cents, sale.trainer_cents) == (25000, 90, 5000 - 90, 20000)
    assert sale.source_id == "pi_00000000000000" and not sale.destination
    with Session(db.get_engine()) as s:
        assert s.get(TrainingProgram, shop["one_time"]).sales_count == 1
        assert s.exec(select(Checkout).where(Checkout.public_id == "co_pay")).one().status == "completed"


def test_a_duplicate_delivery_changes_nothing(client, shop):
    first = checkout_completed("pay")
    assert post(client, first).json()["result"] == "processed"
    assert post(client, first).json()["result"] == "duplicate"
    assert len(ledger()) == 1
    with Session(db.get_engine()) as s:
        assert len(s.exec(select(Purchase)).all()) == 1
        assert s.get(TrainingProgram, shop["one_time"]).sales_count == 1


def test_subscription_checkout_then_invoice_paid(client, shop):
    assert post(client, checkout_completed()).status_code == 200
    assert access(shop)  # the session completed and paid: active
    assert post(client, invoice_paid()).status_code == 200
    bought = purchase(shop)
    assert bought.kind == "subscription" and bought.stripe_subscription_id == SUB and bought.status == "active"
    assert int(bought.end_at.timestamp()) == T0 + 30 * 86400
    (sale,) = ledger()
    assert sale.source_id == "in_1" and sale.gross_cents == 2000 and sale.trainer_cents == 1600


def test_invoice_paid_before_checkout_completed_creates_the_purchase_from_metadata(client, shop):
    assert post(client, invoice_paid()).status_code == 200
    assert access(shop)
    assert post(client, checkout_completed()).status_code == 200
    with Session(db.get_engine()) as s:
        assert len(s.exec(select(Purchase)).all()) == 1
        assert s.get(TrainingProgram, shop["program"]).sales_count == 1


def test_invoice_paid_uses_stripes_application_fee_when_present(client, shop):
    paid = invoice_paid()
    paid["data"]["object"]["application_fee_amount"] = 333
    post(client, paid)
    (sale,) = ledger()
    assert (sale.platform_cents + sale.fee_cents, sale.trainer_cents, sale.destination) == (333, 2000 - 333, True)


def test_payment_failed_keeps_access_while_stripe_retries_then_unpaid_ends_it(client, shop):
    post(client, checkout_completed())
    failed = event("stripe-ruby-mock/invoice.payment_failed.json", "evt_fail", T0 + 10, subscription=SUB)
    assert post(client, failed).status_code == 200
    assert purchase(shop).status == "past_due" and access(shop)
    post(client, sub_event("updated", "evt_unpaid", T0 + 20, status="unpaid"))
    assert purchase(shop).status == "expired" and not access(shop)


def test_subscription_updated_reads_the_period_end_from_items_in_newer_api_versions(client, shop):
    post(client, checkout_completed())
    newer = sub_event("updated", "evt_upd", T0 + 5, cancel_at_period_end=True)
    obj = newer["data"]["object"]
    del obj["current_period_end"]
    obj["items"]["data"][0]["current_period_end"] = T0 + 40 * 86400
    post(client, newer)
    bought = purchase(shop)
    assert bought.cancel_at_period_end and int(bought.end_at.timestamp()) == T0 + 40 * 86400
    assert access(shop)  # until the period ends


def test_an_older_subscription_update_arriving_late_is_ignored(client, shop):
    post(client, checkout_completed())
    post(client, sub_event("updated", "evt_new", T0 + 100, cancel_at_period_end=True))
    post(client, sub_event("updated", "evt_old", T0 + 50, cancel_at_period_end=False))
    bought = purchase(shop)
    assert bought.cancel_at_period_end and int(bought.stripe_synced_at.timestamp()) == T0 + 100


def test_subscription_deleted_before_invoice_paid_ends_canceled_with_the_money_booked(client, shop):
    post(client, checkout_completed())
    post(client, sub_event("deleted", "evt_del", T0 + 100))
    post(client, invoice_paid("evt_late_invoice", T0 + 50, period_end=T0 + 90 * 86400))
    post(client, sub_event("updated", "evt_late_update", T0 + 60, status="active"))
    bought = purchase(shop)
    assert bought.status == "canceled" and not access(shop)
    assert [e.source_id for e in ledger()] == ["in_1"]


@pytest.mark.parametrize("order", [("cs", "inv", "del"), ("del", "inv", "cs"), ("inv", "del", "cs"), ("del", "cs", "inv")])
def test_any_order_gives_the_same_final_state(client, shop, order):
    events = {"cs": checkout_completed(created=T0), "inv": invoice_paid(created=T0 + 1),
              "del": sub_event("deleted", "evt_del", T0 + 200)}
    for name in order:
        assert post(client, events[name]).status_code == 200
    for name in order:  # and every one delivered twice
        assert post(client, events[name]).json()["result"] == "duplicate"
    bought = purchase(shop)
    assert bought.status == "canceled" and bought.stripe_subscription_id == SUB
    assert [e.gross_cents for e in ledger()] == [2000]
    with Session(db.get_engine()) as s:
        assert len(s.exec(select(Purchase)).all()) == 1


def test_charge_refunded_partial_then_full_books_the_difference_once(client, shop):
    post(client, checkout_completed("pay"))
    sale = ledger()[0]
    partial = event("stripe-ruby-mock/charge.refunded.json", "evt_ref1", T0 + 5, id=sale.stripe_charge_id, amount=25000,
                    amount_refunded=10000, refunded=False, payment_intent="pi_00000000000000")
    assert post(client, partial).status_code == 200
    assert access(shop, "one_time")
    full = copy.deepcopy(partial)
    full["id"], full["data"]["object"]["amount_refunded"] = "evt_ref2", 25000
    post(client, full)
    again = copy.deepcopy(full)
    again["id"] = "evt_ref2_resent_by_a_retry_with_a_new_id"
    post(client, again)
    entries = ledger()
    refunds = [e for e in entries if e.kind == "refund"]
    assert [r.gross_cents for r in refunds] == [-10000, -15000]
    assert [r.source_id for r in refunds] == [f"{sale.stripe_charge_id}:refunded:10000",
                                              f"{sale.stripe_charge_id}:refunded:25000"]
    assert sum(e.gross_cents for e in entries) == 0 and sum(e.trainer_cents for e in entries) == 0
    assert all(r.fee_cents == 0 for r in refunds)
    bought = purchase(shop, "one_time")
    assert bought.status == "refunded" and bought.refunded_cents == 25000 and not access(shop, "one_time")


def test_charge_refunded_for_a_charge_of_someone_else_is_ignored(client, shop):
    other = event("stripe-ruby-mock/charge.refunded.json", "evt_foreign", T0)
    assert post(client, other).json()["result"] == "processed"
    assert ledger() == []


def test_account_updated_enables_a_trainers_destination_charges(client, shop):
    found = real("dj-stripe/event_account_updated_express.json")
    with db.session_scope() as s:
        trainer = s.exec(select(Trainer)).first()
        trainer.stripe_account_id = found["data"]["object"]["id"]
        s.add(trainer)
    found["created"] = int(time.time())
    assert post(client, found).status_code == 200
    with Session(db.get_engine()) as s:
        trainer = s.exec(select(Trainer)).first()
        assert trainer.stripe_charges_enabled and trainer.stripe_payouts_enabled


def test_unknown_event_types_are_acknowledged_recorded_and_ignored(client, shop):
    found = real("stripe-ruby-mock/customer.created.json")
    response = post(client, found)
    assert response.status_code == 200 and response.json()["result"] == "ignored"
    with Session(db.get_engine()) as s:
        assert s.get(StripeEvent, found["id"]).type == "customer.created"


def test_a_bad_signature_is_400_and_changes_nothing(client, shop):
    response = post(client, checkout_completed("pay"), secret="whsec_test_forged_000000")
    assert response.status_code == 400 and "no signature matches" in response.json()["error"]
    response = client.post("/api/stripe/webhook", content=json.dumps(checkout_completed("pay")).encode())
    assert response.status_code == 400 and "missing" in response.json()["error"]
    assert not access(shop, "one_time")
    with Session(db.get_engine()) as s:
        assert s.exec(select(StripeEvent)).all() == []


def test_a_stale_timestamp_is_400_and_changes_nothing(client, shop):
    response = post(client, checkout_completed("pay"), at=int(time.time()) - 301)
    assert response.status_code == 400 and "tolerance" in response.json()["error"]
    assert not access(shop, "one_time") and ledger() == []


def test_bad_json_is_400(client, shop):
    response = post(client, {}, body=b"{not json")
    assert response.status_code == 400 and "not JSON" in response.json()["error"]


def test_a_failure_is_500_rolls_back_and_the_retry_succeeds(client, shop, stripe_env):
    stripe_env.fail = True
    response = post(client, checkout_completed("pay"))
    assert response.status_code == 500
    assert not access(shop, "one_time") and ledger() == []
    with Session(db.get_engine()) as s:
        assert s.exec(select(StripeEvent)).all() == []  # not recorded: the retry is processed
    stripe_env.fail = False
    assert post(client, checkout_completed("pay")).json()["result"] == "processed"
    assert access(shop, "one_time") and len(ledger()) == 1


def test_a_refund_before_its_sale_is_booked_is_retried_later(client, shop):
    early = event("stripe-ruby-mock/charge.refunded.json", "evt_early", T0, id="ch_for_pi_00000000000000",
                  amount=25000, amount_refunded=25000, payment_intent="pi_00000000000000", metadata=meta("pay"))
    assert post(client, early).status_code == 500
    post(client, checkout_completed("pay"))
    assert post(client, early).status_code == 200
    assert purchase(shop, "one_time").status == "refunded"


def test_without_stripe_keys_the_webhook_takes_the_test_providers_secret(database, interfaces, env):  # noqa: F811
    env(DATABASE_URL=database)
    client_ = webhook_client()
    found = real("stripe-ruby-mock/customer.created.json")
    assert post(client_, found).status_code == 400  # not the Stripe secret
    assert post(client_, found, secret=provider.simulator_webhook_secret()).status_code == 200


def test_with_stripe_keys_but_no_webhook_secret_the_endpoint_answers_500_so_stripe_retries(database, env):
    env(DATABASE_URL=database, STRIPE_SECRET_KEY="sk_test_x")
    response = post(webhook_client(), real("stripe-ruby-mock/customer.created.json"))
    assert response.status_code == 500 and "not configured" in response.json()["error"]
