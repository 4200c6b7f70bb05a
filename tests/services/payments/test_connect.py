"""Stripe Connect for trainers: onboarding through account.updated, and the status the earnings page names."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit import db
from adaptivefit.models import Checkout, LedgerEntry, StripeEvent
from adaptivefit.services.core.access import PermissionDenied
from adaptivefit.services.payments import connect, simulated_checkout
from adaptivefit.services.payments import checkout as checkouts
from adaptivefit.services.payments.simulated_delivery import deliver_pending
from adaptivefit.services.payments.simulator import SimulatedGateway
from tests.services.payments.billing_fixtures import make_program
from tests.services.payments.billing_fixtures import interfaces  # noqa: F401 - fixture
from tests.jobs.ledger_rows import make_trainer
from tests.services.payments.simulated_shop import provider, people, pay, fresh  # noqa: F401 - fixtures


@pytest.mark.parametrize(("status", "charges", "payouts", "shown"), [
    (None, False, False, "none"), ("acct_1", False, False, "incomplete"), ("acct_1", True, False, "incomplete"),
    ("acct_1", True, True, "enabled")])
def test_connect_status(session, status, charges, payouts, shown):
    trainer = make_trainer(session, "Con", account=status, enabled=False)
    trainer.stripe_charges_enabled, trainer.stripe_payouts_enabled = charges, payouts
    assert connect.connect_status(trainer) == shown
    assert connect.connect_status(None) == "none"


def test_connect_onboarding_enables_charges_through_account_updated(provider, people):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer)
    provider.commit()
    url = connect.connect_onboarding_url(provider, trainer)
    provider.commit()
    assert url.startswith("/api/test-pay/connect/acct_test_")
    with pytest.raises(PermissionDenied):
        connect.connect_onboarding_url(provider, buyer)
    with db.session_scope() as s:
        assert simulated_checkout.complete_onboarding(SimulatedGateway(s), url.rsplit("/", 1)[1]) == "/studio/earnings"
    deliver_pending()
    with fresh() as s:
        from adaptivefit.models import Trainer

        row = s.exec(select(Trainer).where(Trainer.user_id == trainer.id)).one()
        assert row.stripe_charges_enabled and row.stripe_payouts_enabled
    # Now sales are destination charges with the commission as the application fee.
    with fresh() as s:
        from adaptivefit.models import User

        url = checkouts.start_program_checkout(s, s.get(User, buyer.id), program.id)
        s.commit()
        checkout = s.exec(select(Checkout)).one()
        assert checkout.destination_account == row.stripe_account_id and checkout.application_fee_cents == 450
    pay(url.rsplit("/", 1)[1])
    deliver_pending()
    with fresh() as s:
        sale = s.exec(select(LedgerEntry)).one()
        assert sale.destination and sale.trainer_cents == 2999 - 450
        assert s.exec(select(StripeEvent).where(StripeEvent.type == "account.updated")).one()
