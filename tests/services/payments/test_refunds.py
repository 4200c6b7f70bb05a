"""An admin's refunds: previewed, reversed in the ledger, and a full one ends access."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit import db
from adaptivefit.models import AuditEvent, LedgerEntry, Purchase
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.marketplace import entitlements
from adaptivefit.services.payments import billing, refunds, simulated_clock
from adaptivefit.services.payments.simulated_delivery import deliver_pending
from adaptivefit.services.payments.simulator import SimulatedGateway
from tests.services.payments.billing_fixtures import actor_for, make_program, purchases_of
from tests.services.payments.billing_fixtures import interfaces  # noqa: F401 - fixture
from tests.services.payments.simulated_shop import provider, people, buy, fresh, subscribe  # noqa: F401 - fixtures


def test_admin_partial_then_full_refund_reverses_the_ledger_and_revokes_access(provider, people):
    trainer, buyer, _, admin = people
    program = make_program(provider, trainer, price_cents=2999, commission="20")
    provider.commit()
    buy(provider, buyer, program)
    purchase = purchases_of(buyer.id)[0]
    with pytest.raises(PermissionDenied):
        refunds.refund(provider, actor_for(buyer), purchase.id, 100)
    with pytest.raises(ValidationFailed) as too_much:
        refunds.refund(provider, actor_for(admin), purchase.id, 3000)
    assert "At most $29.99 is left" in too_much.value.errors["amount"]
    with db.session_scope() as s:
        # What the admin is asked to confirm: nothing has moved yet.
        with pytest.raises(PermissionDenied):
            refunds.refund_preview(s, actor_for(buyer), purchase.id, 1000)
        preview = refunds.refund_preview(s, actor_for(admin), purchase.id, 1000)
        assert (preview.amount_cents, preview.currency, preview.full, preview.buyer) == (1000, "usd", False, buyer.email)
        assert refunds.refund_preview(s, actor_for(admin), purchase.id, None).full
        assert not s.exec(select(LedgerEntry).where(LedgerEntry.kind == "refund")).all()
        assert refunds.refund(s, actor_for(admin), purchase.id, 1000) == 1000
    assert deliver_pending()["failed"] == 0  # the charge.refunded that follows changes nothing
    with fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is not None
        reversals = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "refund")).all()
        assert [(r.gross_cents, r.fee_cents, r.trainer_cents, r.platform_cents) for r in reversals] == [(-1000, 0, -800, -200)]
    with db.session_scope() as s:
        assert refunds.refund(s, actor_for(admin), purchase.id, None) == 1999
    deliver_pending()
    with fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is None
        done = s.get(Purchase, purchase.id)
        assert done.status == "refunded" and done.refunded_cents == 2999
        entries = s.exec(select(LedgerEntry)).all()
        assert sum(e.gross_cents for e in entries) == 0 and sum(e.trainer_cents for e in entries) == 0
        sale = next(e for e in entries if e.kind == "sale")
        assert sum(e.platform_cents for e in entries) == -sale.fee_cents  # the platform absorbs Stripe's fee
        assert len(s.exec(select(AuditEvent).where(AuditEvent.event == "refund_issued")).all()) == 2
        assert not entitlements.has_purchased(s, buyer.id, program.id)
    with pytest.raises(ValidationFailed, match="in full already"):
        refunds.refund(provider, actor_for(admin), purchase.id, None)

def test_full_refund_of_a_subscription_cancels_it_now(provider, people):
    trainer, buyer, _, admin = people
    program = make_program(provider, trainer, price_kind="subscription", price_cents=1500)
    provider.commit()
    purchase = subscribe(provider, buyer, program)
    with db.session_scope() as s:
        refunds.refund(s, actor_for(admin), purchase.id, None)
    deliver_pending()
    with fresh() as s:
        assert s.get(Purchase, purchase.id).status == "refunded"
        sub = SimulatedGateway(s).get(purchase.stripe_subscription_id, "subscription")
        assert sub["status"] == "canceled"
    with db.session_scope() as s:  # nothing renews afterwards
        assert simulated_clock.advance_test_clock(s, None, 40)["renewed"] == 0
