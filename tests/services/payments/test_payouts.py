"""The monthly payouts: what each trainer is paid per period, how, and never twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from adaptivefit.models import Payout
from adaptivefit.services.payments.payouts import make_payouts, previous_month
from tests.jobs.ledger_rows import at, entry, make_trainer
from tests.services.payments.billing_fixtures import FakeGateway

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
APRIL = (datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
MAY = (datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))


def run(session, period, **kwargs):
    return make_payouts(session, period_start=period[0], period_end=period[1], **kwargs)


def payouts_of(session, trainer):
    session.expire_all()
    return session.exec(select(Payout).where(Payout.trainer_id == trainer.id).order_by(Payout.period_start,
                                                                                      Payout.currency)).all()


def test_the_default_period_is_last_calendar_month_in_utc():
    assert previous_month(datetime(2026, 4, 1, 0, 30, tzinfo=UTC)) == MARCH
    assert previous_month(datetime(2026, 1, 20, tzinfo=UTC)) == (datetime(2025, 12, 1, tzinfo=UTC),
                                                                datetime(2026, 1, 1, tzinfo=UTC))


def test_an_unconnected_trainers_earnings_are_owed_and_pending(session):
    trainer = make_trainer(session, "Theo")
    sale = entry(session, trainer, 2900, at(2026, 3, 3))
    refund = entry(session, trainer, -1000, at(2026, 3, 20))
    summary = run(session, MARCH, gateway=FakeGateway())
    [payout] = payouts_of(session, trainer)
    assert payout.amount_cents == sale.trainer_cents + refund.trainer_cents == 2465 - 850
    assert (payout.status, payout.entries_count, payout.currency) == ("pending", 2, "usd")
    assert (payout.period_start, payout.period_end) == MARCH
    session.refresh(sale)
    session.refresh(refund)
    assert sale.payout_id == refund.payout_id == payout.id
    assert (summary.created, summary.pending, summary.entries) == (1, 1, 2)


def test_destination_charges_were_paid_by_stripe_and_are_only_recorded(session):
    trainer = make_trainer(session, "Dee", account="acct_dee", enabled=True)
    entry(session, trainer, 5000, at(2026, 3, 1, 0), destination=True)
    entry(session, trainer, 1000, at(2026, 3, 31, 23), destination=True)
    gateway = FakeGateway()
    run(session, MARCH, gateway=gateway)
    [payout] = payouts_of(session, trainer)
    assert (payout.status, payout.amount_cents, payout.stripe_payout_id) == ("transferred", 4250 + 850, None)
    assert gateway.transfers == []


def test_a_connected_trainer_is_sent_what_the_platform_holds_by_transfer(session):
    trainer = make_trainer(session, "Mia", account="acct_mia", enabled=True)
    entry(session, trainer, 4000, at(2026, 3, 5), destination=True)  # Stripe moved 3400 itself
    entry(session, trainer, 2000, at(2026, 3, 6))  # bought before she connected: the platform holds 1700
    gateway = FakeGateway()
    summary = run(session, MARCH, gateway=gateway)
    [payout] = payouts_of(session, trainer)
    assert (payout.status, payout.amount_cents, payout.stripe_payout_id) == ("paid", 5100, "tr_1")
    assert gateway.transfers == [{"amount": 1700, "currency": "usd", "destination": "acct_mia",
                                  "key": f"payout-{payout.id}"}]
    assert summary.paid == 1


def test_without_a_gateway_or_with_onboarding_unfinished_the_payout_waits(session):
    unfinished = make_trainer(session, "Una", account="acct_una", enabled=False)
    entry(session, unfinished, 2000, at(2026, 3, 5))
    gateway = FakeGateway()
    run(session, MARCH, gateway=gateway)
    assert [p.status for p in payouts_of(session, unfinished)] == ["pending"]
    assert gateway.transfers == []

    connected = make_trainer(session, "Cal", account="acct_cal", enabled=True)
    entry(session, connected, 2000, at(2026, 4, 5))
    run(session, APRIL)  # no gateway: nothing can be sent
    assert [p.status for p in payouts_of(session, connected)] == ["pending"]


def test_a_pending_payout_is_paid_by_a_later_run_once_the_trainer_connects(session):
    trainer = make_trainer(session, "Pat")
    entry(session, trainer, 2000, at(2026, 3, 5))
    run(session, MARCH, gateway=FakeGateway())
    trainer.stripe_account_id, trainer.stripe_charges_enabled = "acct_pat", True
    session.add(trainer)
    session.commit()
    gateway = FakeGateway()
    summary = run(session, APRIL, gateway=gateway)
    [march] = payouts_of(session, trainer)
    assert (march.status, march.stripe_payout_id) == ("paid", "tr_1")
    assert gateway.transfers[0]["amount"] == 1700 and gateway.transfers[0]["key"] == f"payout-{march.id}"
    assert (summary.created, summary.paid) == (0, 1)


def test_a_failed_transfer_leaves_the_payout_pending_and_is_counted(session):
    trainer = make_trainer(session, "Fay", account="acct_fay", enabled=True)
    entry(session, trainer, 2000, at(2026, 3, 5))
    summary = run(session, MARCH, gateway=FakeGateway(fail=True))
    assert [p.status for p in payouts_of(session, trainer)] == ["pending"]
    assert summary.errors == 1
    gateway = FakeGateway()
    run(session, MARCH, gateway=gateway)  # the retry uses the same idempotency key
    [payout] = payouts_of(session, trainer)
    assert payout.status == "paid" and gateway.transfers[0]["key"] == f"payout-{payout.id}"


def test_a_negative_month_is_carried_into_the_next(session):
    trainer = make_trainer(session, "Cara")
    entry(session, trainer, 3000, at(2026, 2, 10))
    run(session, (datetime(2026, 2, 1, tzinfo=UTC), MARCH[0]))
    entry(session, trainer, -3000, at(2026, 3, 2))  # February's sale refunded in March
    entry(session, trainer, 1000, at(2026, 3, 3))
    run(session, MARCH)
    entry(session, trainer, 2000, at(2026, 4, 3))
    run(session, APRIL)
    feb, march, april = payouts_of(session, trainer)
    assert (feb.status, feb.amount_cents) == ("pending", 2550)
    assert (march.status, march.amount_cents) == ("carried", -2550 + 850)
    assert (april.status, april.amount_cents) == ("paid", 1700 - 1700)  # the deficit absorbed April exactly
    entry(session, trainer, 2000, at(2026, 5, 3))
    run(session, MAY)
    assert payouts_of(session, trainer)[-1].amount_cents == 1700  # and is not taken twice


def test_a_deficit_is_paid_back_before_anything_is_sent(session):
    trainer = make_trainer(session, "Dan", account="acct_dan", enabled=True)
    entry(session, trainer, -2000, at(2026, 3, 2))
    run(session, MARCH)
    entry(session, trainer, 3000, at(2026, 4, 2))
    gateway = FakeGateway()
    run(session, APRIL, gateway=gateway)
    march, april = payouts_of(session, trainer)
    assert (march.status, march.amount_cents) == ("carried", -1700)
    assert (april.status, april.amount_cents) == ("paid", 2550 - 1700)
    assert [t["amount"] for t in gateway.transfers] == [850]


def test_re_running_a_period_creates_nothing_new(session):
    trainer = make_trainer(session, "Rae")
    entry(session, trainer, 2000, at(2026, 3, 5))
    run(session, MARCH)
    again = run(session, MARCH)
    assert len(payouts_of(session, trainer)) == 1
    assert (again.created, again.entries) == (0, 0)
    late = entry(session, trainer, 1000, at(2026, 3, 30))  # a webhook Stripe retried after the run
    third = run(session, MARCH)
    assert (third.created, third.already_made) == (0, 1)
    session.refresh(late)
    assert late.payout_id is None  # left for April's payout
    run(session, APRIL)
    assert [p.entries_count for p in payouts_of(session, trainer)] == [1, 1]


def test_one_payout_per_currency(session):
    trainer = make_trainer(session, "Eva")
    entry(session, trainer, 2000, at(2026, 3, 5))
    entry(session, trainer, 1000, at(2026, 3, 6), currency="eur")
    entry(session, trainer, 1000, at(2026, 3, 7), currency="eur")
    run(session, MARCH)
    eur, usd = payouts_of(session, trainer)
    assert (eur.currency, eur.amount_cents, eur.entries_count) == ("eur", 1700, 2)
    assert (usd.currency, usd.amount_cents, usd.entries_count) == ("usd", 1700, 1)


def test_entries_after_the_period_and_the_platforms_own_sales_are_untouched(session):
    trainer = make_trainer(session, "Ivo")
    other = make_trainer(session, "Ola")
    inside = entry(session, trainer, 2000, at(2026, 3, 31, 23))
    after = entry(session, trainer, 2000, datetime(2026, 4, 1, tzinfo=UTC))
    pro = entry(session, None, 999, at(2026, 3, 5))
    entry(session, other, 500, at(2026, 3, 5))
    run(session, MARCH)
    for row in (inside, after, pro):
        session.refresh(row)
    assert inside.payout_id is not None
    assert after.payout_id is None and pro.payout_id is None
    assert [p.amount_cents for p in payouts_of(session, other)] == [425]
    assert session.exec(select(Payout).where(Payout.trainer_id == trainer.id)).one().entries_count == 1


def test_a_period_must_be_timezone_aware_and_forward():
    with pytest.raises(ValueError):
        make_payouts(None, period_start=MARCH[1], period_end=MARCH[0])
    with pytest.raises(ValueError):
        make_payouts(None, period_start=datetime(2026, 3, 1), period_end=datetime(2026, 4, 1))
