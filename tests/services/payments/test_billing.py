"""The Pro tier: a Pro subscription makes a member Pro, and the coach gets that tier."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit import db
from adaptivefit.models import LedgerEntry, Purchase
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.payments import billing, simulated_clock, subscriptions
from adaptivefit.services.payments import checkout as checkouts
from adaptivefit.services.payments.simulated_delivery import deliver_pending
from tests.services.payments.billing_fixtures import interfaces  # noqa: F401 - fixture
from tests.services.payments.simulated_shop import provider, people, pay, fresh  # noqa: F401 - fixtures


def test_pro_subscription_makes_a_member_pro_and_the_platform_keeps_it_all(provider, people):
    _, buyer, other, _ = people
    assert not billing.is_pro(provider, buyer)
    url = checkouts.start_pro_checkout(provider, buyer)
    provider.commit()
    pay(url.rsplit("/", 1)[1])
    deliver_pending()
    with fresh() as s:
        from adaptivefit.models import User

        assert billing.is_pro(s, s.get(User, buyer.id)) and not billing.is_pro(s, s.get(User, other.id))
        sale = s.exec(select(LedgerEntry)).one()
        assert sale.trainer_id is None and sale.trainer_cents == 0 and sale.gross_cents == 999
        with pytest.raises(ValidationFailed, match="already have Pro"):
            checkouts.start_pro_checkout(s, s.get(User, buyer.id))
    other.coach_ai = True  # an admin's grant counts too
    assert billing.is_pro(provider, other)

def test_a_pro_subscription_gives_the_coach_its_ai_tier(provider, people):
    ai_tier = billing.is_pro  # what the app and the API hand the coach as its tier
    from adaptivefit.models import User

    _, buyer, _, _ = people
    assert not ai_tier(provider, buyer)
    url = checkouts.start_pro_checkout(provider, buyer)
    provider.commit()
    pay(url.rsplit("/", 1)[1])
    deliver_pending()
    with fresh() as s:
        assert ai_tier(s, s.get(User, buyer.id))
    with db.session_scope() as s:
        purchase = s.exec(select(Purchase)).one()
        subscriptions.cancel_subscription(s, s.get(User, buyer.id), purchase.id)
    with db.session_scope() as s:
        simulated_clock.advance_test_clock(s, None, 32)
    deliver_pending()
    with fresh() as s:
        assert not ai_tier(s, s.get(User, buyer.id))  # the tier ends with the paid period
