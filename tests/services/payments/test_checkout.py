"""Buying through the payment simulator, end to end into the webhook: access follows payment only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit.models import Checkout, LedgerEntry, Plan, TestPaymentObject, TrainingProgram
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.marketplace import entitlements
from adaptivefit.services.payments import billing
from adaptivefit.services.payments import checkout as checkouts
from adaptivefit.services.payments.simulated_delivery import deliver_pending
from adaptivefit.services.payments.simulator import SimulatedGateway
from tests.services.payments.billing_fixtures import make_program, purchases_of
from tests.services.payments.billing_fixtures import interfaces  # noqa: F401 - fixture
from tests.services.payments.simulated_shop import provider, people, pay, open_checkout, fresh  # noqa: F401 - fixtures


def test_4242_pays_and_the_webhook_grants_access_with_a_ledger_sale(provider, people):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer, price_cents=2999, commission="20")
    provider.commit()
    session_id = open_checkout(provider, buyer, program)
    assert billing.program_access(provider, buyer.id, program.id) is None  # starting grants nothing
    pay(session_id)
    with fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is None  # paying grants nothing until the webhook
    deliver_pending()
    with fresh() as s:
        purchase = billing.program_access(s, buyer.id, program.id)
        assert purchase is not None and purchase.kind == "one_time" and purchase.amount_cents == 2999
        plan = s.get(Plan, purchase.plan_id)
        assert plan.user_id == buyer.id and plan.program_id == program.id and plan.active
        assert s.get(TrainingProgram, program.id).sales_count == 1
        sale = s.exec(select(LedgerEntry)).one()
        fee = 87 + 30  # 2.9% of 29.99 rounds to 87 cents, plus 30
        assert (sale.gross_cents, sale.fee_cents, sale.trainer_cents, sale.platform_cents) == (2999, fee, 2399, 600 - fee)
        assert s.exec(select(Checkout)).one().status == "completed"
        assert checkouts.checkout_status(s, buyer, s.exec(select(Checkout)).one().public_id) == "granted"
        assert entitlements.has_purchased(s, buyer.id, program.id)
    # Delivering again sends nothing twice.
    assert deliver_pending() == {"delivered": 0, "failed": 0}

@pytest.mark.parametrize(("number", "message"), [
    ("4000 0000 0000 0002", "Your card was declined."),
    ("4000 0000 0000 9995", "Your card has insufficient funds."),
])
def test_declined_cards_grant_nothing(provider, people, number, message):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer)
    provider.commit()
    session_id = open_checkout(provider, buyer, program)
    with pytest.raises(ValidationFailed) as refused:
        pay(session_id, {"card_number": number})
    assert refused.value.errors == {"card_number": message}
    deliver_pending()
    with fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is None
        assert purchases_of(buyer.id) == [] and s.exec(select(LedgerEntry)).all() == []
        assert s.exec(select(Checkout)).one().status == "open"
    pay(session_id)  # the same checkout can still be paid with a good card
    deliver_pending()
    with fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is not None

@pytest.mark.parametrize(("field", "value", "message"), [
    ("card_number", "4242 4242 4242 4241", "invalid"),
    ("card_number", "", "incomplete"),
    ("expiry", "01 / 20", "in the past"),
    ("expiry", "13 / 40", "month is invalid"),
    ("expiry", "1240", "incomplete"),
    ("cvc", "12", "security code"),
    ("name", "", "name on the card"),
])
def test_bad_card_fields_are_refused_at_the_field(provider, people, field, value, message):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer)
    provider.commit()
    session_id = open_checkout(provider, buyer, program)
    with pytest.raises(ValidationFailed) as refused:
        pay(session_id, {field: value})
    assert list(refused.value.errors) == [field] and message in refused.value.errors[field]
    with fresh() as s:
        events = s.exec(select(TestPaymentObject).where(TestPaymentObject.type == "event")).all()
        assert events == []

def test_prices_come_from_the_database_and_owners_cannot_buy_twice(provider, people):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer, price_cents=4500, currency="eur")
    provider.commit()
    session_id = open_checkout(provider, buyer, program)
    with fresh() as s:
        found = SimulatedGateway(s).get(session_id, "checkout.session")
        assert (found["amount_total"], found["currency"]) == (4500, "eur")
    pay(session_id)
    deliver_pending()
    with pytest.raises(ValidationFailed, match="already have"):
        checkouts.start_program_checkout(provider, buyer, program.id)

def test_free_programs_are_taken_at_once_and_paid_ones_cannot_be(provider, people):
    trainer, buyer, _, _ = people
    free = make_program(provider, trainer, price_kind="free", price_cents=0)
    paid = make_program(provider, trainer)
    purchase = checkouts.get_free(provider, buyer, free.id)
    assert purchase.kind == "free" and billing.program_access(provider, buyer.id, free.id) is not None
    assert provider.get(Plan, purchase.plan_id).program_id == free.id
    with pytest.raises(ValidationFailed, match="already have"):
        checkouts.get_free(provider, buyer, free.id)
    with pytest.raises(ValidationFailed, match="not free"):
        checkouts.get_free(provider, buyer, paid.id)
    with pytest.raises(ValidationFailed, match="is free"):
        checkouts.start_program_checkout(provider, buyer, free.id)
