"""Which purchase rows give a member a program now, and who may review it (payments and the program page ask here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adaptivefit.models import Purchase, TrainingProgram, User
from adaptivefit.services.marketplace import entitlements
from adaptivefit.services.payments import billing

NOW = datetime(2026, 4, 10, 12, tzinfo=UTC)


def _purchase(**fields) -> Purchase:
    return Purchase(**{"kind": "subscription", "status": "active", "product": "program", **fields})


def test_access_rules():
    assert entitlements.grants_access(_purchase(), NOW)
    assert entitlements.grants_access(_purchase(status="past_due"), NOW)
    assert entitlements.grants_access(_purchase(cancel_at_period_end=True, end_at=NOW + timedelta(days=1)), NOW)
    assert not entitlements.grants_access(_purchase(cancel_at_period_end=True, end_at=NOW - timedelta(seconds=1)), NOW)
    for status in ("canceled", "expired", "refunded"):
        assert not entitlements.grants_access(_purchase(status=status), NOW)
    assert entitlements.grants_access(_purchase(kind="one_time"), NOW) and not entitlements.grants_access(
        _purchase(kind="one_time", status="past_due"), NOW)


def test_bought_programs_give_access_until_refunded_and_billing_reads_the_same_rule(session):
    owner = User(email="owner@example.com", name="Owner", password_hash="x")
    buyer = User(email="buyer@example.com", name="Buyer", password_hash="x")
    session.add_all([owner, buyer])
    session.flush()
    program = TrainingProgram(owner_id=owner.id, name="Strength", price_kind="one_time", price_cents=2999,
                              currency="usd", status="published", current_version=1)
    session.add(program)
    session.flush()
    assert entitlements.program_access(session, buyer.id, program.id) is None
    assert not entitlements.has_purchased(session, buyer.id, program.id)
    bought = _purchase(user_id=buyer.id, program_id=program.id, kind="one_time", amount_cents=2999, currency="usd",
                       plan_id=None)
    session.add(bought)
    session.flush()
    assert entitlements.program_access(session, buyer.id, program.id) is bought
    assert billing.program_access(session, buyer.id, program.id) is bought
    assert entitlements.has_purchased(session, buyer.id, program.id)
    bought.status = "refunded"
    session.add(bought)
    session.flush()
    assert entitlements.program_access(session, buyer.id, program.id) is None
    assert not entitlements.has_purchased(session, buyer.id, program.id)
