"""The payment simulator stands in for Stripe only without keys, and its clock renews and ends subscriptions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from adaptivefit import db
from adaptivefit.models import AuditEvent, LedgerEntry, Purchase
from adaptivefit.services.payments import billing, simulated_clock, subscriptions
from adaptivefit.services.payments.gateway import StripeGateway, gateway
from adaptivefit.services.payments.simulated_delivery import deliver_pending
from adaptivefit.services.payments.simulator import SimulatedGateway
from tests.services.payments.billing_fixtures import actor_for, make_program
from tests.services.payments.billing_fixtures import interfaces  # noqa: F401 - fixture
from tests.services.payments.simulated_shop import provider, people, fresh, subscribe  # noqa: F401 - fixtures


def test_without_keys_the_test_provider_is_chosen_and_never_with_a_live_key(provider, env):
    assert billing.test_mode() and isinstance(gateway(provider), SimulatedGateway)
    env(STRIPE_SECRET_KEY="sk_live_abc")
    assert not billing.test_mode() and isinstance(gateway(provider), StripeGateway)
    with pytest.raises(RuntimeError, match="live Stripe key"):
        SimulatedGateway(provider)
    env(STRIPE_SECRET_KEY="rk_live_abc")
    with pytest.raises(RuntimeError, match="live Stripe key"):
        SimulatedGateway(provider)

def test_subscription_renews_with_the_clock_then_ends_after_cancel_at_period_end(provider, people):
    trainer, buyer, _, admin = people
    program = make_program(provider, trainer, price_kind="subscription", price_cents=1500)
    provider.commit()
    purchase = subscribe(provider, buyer, program)
    assert purchase.kind == "subscription" and purchase.status == "active" and purchase.stripe_subscription_id
    first_end = purchase.end_at
    assert timedelta(days=27) < first_end - billing.now(provider) < timedelta(days=32)
    with db.session_scope() as s:
        assert simulated_clock.advance_test_clock(s, actor_for(admin), 32)["renewed"] == 1
    deliver_pending()
    with fresh() as s:
        renewed = billing.program_access(s, buyer.id, program.id)
        assert renewed is not None and renewed.end_at > first_end
        assert len(s.exec(select(LedgerEntry).where(LedgerEntry.kind == "sale")).all()) == 2
        assert s.exec(select(AuditEvent).where(AuditEvent.event == "test_clock_advanced")).first() is not None
    with db.session_scope() as s:
        from adaptivefit.models import User

        row = subscriptions.cancel_subscription(s, s.get(User, buyer.id), purchase.id)
        assert row.cancel_at_period_end
    deliver_pending()
    with fresh() as s:
        still = billing.program_access(s, buyer.id, program.id)
        assert still is not None and still.cancel_at_period_end  # access until the period ends
    with db.session_scope() as s:
        assert simulated_clock.advance_test_clock(s, None, 32)["ended"] == 1
    deliver_pending()
    with fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is None
        ended = s.get(Purchase, purchase.id)
        assert ended.status == "canceled"
        # Two sales only: nothing was billed after the cancellation.
        assert len(s.exec(select(LedgerEntry).where(LedgerEntry.kind == "sale")).all()) == 2
