"""The admin's payments page: purchases by buyer, and the webhook events."""

from __future__ import annotations

import pytest

from adaptivefit.services.core.access import PermissionDenied
from adaptivefit.services.payments import payments_admin
from tests.services.payments.billing_fixtures import actor_for, make_program
from tests.services.payments.billing_fixtures import interfaces  # noqa: F401 - fixture
from tests.services.payments.simulated_shop import provider, people, buy, fresh  # noqa: F401 - fixtures


def test_admin_lists_purchases_by_email_and_sees_events(provider, people):
    trainer, buyer, other, admin = people
    program = make_program(provider, trainer)
    provider.commit()
    buy(provider, buyer, program)
    buy(provider, other, program)
    with fresh() as s:
        page = payments_admin.admin_purchases(s, actor_for(admin), query="BUYER@")
        assert [r.buyer for r in page.rows] == ["buyer@example.com"] and page.rows[0].refundable_cents == 2999
        assert payments_admin.admin_purchases(s, actor_for(admin)).total == 2
        assert {e.type for e in payments_admin.recent_events(s, actor_for(admin))} == {"checkout.session.completed"}
        with pytest.raises(PermissionDenied):
            payments_admin.admin_purchases(s, actor_for(buyer))


def test_the_page_shows_amounts_as_money_the_events_and_the_simulators_clock(provider, people):
    trainer, buyer, _, admin = people
    program = make_program(provider, trainer, price_cents=123456, currency="eur")
    provider.commit()
    buy(provider, buyer, program)
    with fresh() as s:
        shown = payments_admin.admin_view(s, actor_for(admin), page="9")
    [row] = shown.rows
    assert (row["amount"], row["refundable"], row["refunded"]) == ("€1,234.56", "€1,234.56", "")
    assert (shown.page, shown.pages, shown.total) == (1, 1, 1)
    assert [e["type"] for e in shown.events] == ["checkout.session.completed"]
    assert shown.clock.endswith(" UTC")
