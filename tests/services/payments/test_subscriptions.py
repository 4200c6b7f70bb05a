"""A member's subscriptions after the sale: resume, cancel (only their own), update to a newer version."""

from __future__ import annotations

import pytest

from adaptivefit import db
from adaptivefit.models import Plan, Purchase
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.payments import simulated_clock, subscriptions
from adaptivefit.services.payments import checkout as checkouts
from adaptivefit.services.payments.simulated_delivery import deliver_pending
from tests.services.payments.billing_fixtures import make_program
from tests.services.payments.billing_fixtures import interfaces  # noqa: F401 - fixture
from tests.services.payments.simulated_shop import provider, people, fresh, subscribe  # noqa: F401 - fixtures


def test_resume_keeps_the_subscription_renewing(provider, people):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer, price_kind="subscription", price_cents=1500)
    provider.commit()
    purchase = subscribe(provider, buyer, program)
    from adaptivefit.models import User

    with db.session_scope() as s:
        subscriptions.cancel_subscription(s, s.get(User, buyer.id), purchase.id)
    with db.session_scope() as s:
        assert not subscriptions.resume_subscription(s, s.get(User, buyer.id), purchase.id).cancel_at_period_end
    deliver_pending()
    with db.session_scope() as s:
        assert simulated_clock.advance_test_clock(s, None, 32) == {"renewed": 1, "ended": 0, "failed": 0}
    deliver_pending()
    with fresh() as s:
        assert s.get(Purchase, purchase.id).status == "active"

def test_others_cannot_cancel_my_subscription(provider, people):
    trainer, buyer, other, _ = people
    program = make_program(provider, trainer, price_kind="subscription", price_cents=1500)
    provider.commit()
    purchase = subscribe(provider, buyer, program)
    with pytest.raises(NotYours, match="not found in your account"):
        subscriptions.cancel_subscription(provider, other, purchase.id)

def test_update_to_latest_version_installs_the_newest(provider, people):
    trainer, buyer, other, _ = people
    program = make_program(provider, trainer, price_kind="free", price_cents=0, version=1)
    purchase = checkouts.get_free(provider, buyer, program.id)
    with pytest.raises(ValidationFailed, match="newest"):
        subscriptions.update_to_latest_version(provider, buyer, purchase.id)
    program.current_version = 2
    provider.add(program)
    updated = subscriptions.update_to_latest_version(provider, buyer, purchase.id)
    assert updated.program_version == 2 and provider.get(Plan, updated.plan_id).name.endswith("v2")
    with pytest.raises(NotYours, match="not found in your account"):
        subscriptions.update_to_latest_version(provider, other, purchase.id)
