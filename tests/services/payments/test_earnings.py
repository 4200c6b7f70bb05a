"""Trainers' monthly earnings, the platform's revenue, and the money text the pages show."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adaptivefit.models import Role, User
from adaptivefit.services.payments import earnings
from adaptivefit.services.payments.payouts import make_payouts
from adaptivefit.services.core.access import Actor, PermissionDenied
from tests.jobs.ledger_rows import at, entry, make_trainer

NOW = datetime(2026, 4, 10, 12, tzinfo=UTC)


def _actor(session, role):
    user = User(email=f"{role}-actor@example.com", name=role.capitalize(), role=role)
    session.add(user)
    session.flush()
    return Actor(id=user.id, role=role, name=user.name, email=user.email)


def test_a_trainers_months_sum_sales_and_net_refunds_in_utc_buckets(session):
    trainer = make_trainer(session, "Theo")
    entry(session, trainer, 2900, datetime(2026, 3, 31, 23, 59, tzinfo=UTC))  # March, by UTC
    entry(session, trainer, 2900, datetime(2026, 4, 1, 0, 0, tzinfo=UTC))  # April
    entry(session, trainer, -1000, at(2026, 4, 5))
    entry(session, trainer, 1000, at(2025, 1, 5))  # older than the window
    months = earnings.trainer_monthly(session, trainer.id, 3, now=NOW)
    assert [(m.label, m.currency) for m in months] == [("Feb 2026", "usd"), ("Mar 2026", "usd"), ("Apr 2026", "usd")]
    feb, march, april = months
    assert (feb.gross_cents, feb.net_cents) == (0, 0)
    assert (march.gross_cents, march.refund_cents, march.net_cents) == (2900, 0, 2465)
    assert (april.gross_cents, april.refund_cents, april.net_cents) == (2900, -1000, 2465 - 850)
    for month in months:  # what the trainer sold is split exactly between them and the platform
        assert month.gross_cents + month.refund_cents == month.commission_cents + month.net_cents
    assert april.fee_cents == 87 - 30 and april.commission_cents == 435 - 150


def test_a_trainer_sees_only_their_own_sales_per_currency(session):
    theo, other = make_trainer(session, "Theo"), make_trainer(session, "Olga")
    entry(session, theo, 2000, at(2026, 4, 2))
    entry(session, theo, 1000, at(2026, 4, 2), currency="eur")
    entry(session, other, 50000, at(2026, 4, 2))
    entry(session, None, 999, at(2026, 4, 2))  # a Pro subscription
    months = earnings.trainer_monthly(session, theo.id, 1, now=NOW)
    assert [(m.currency, m.gross_cents, m.net_cents) for m in months] == [("eur", 1000, 850), ("usd", 2000, 1700)]
    assert earnings.trainer_monthly(session, make_trainer(session, "New").id, now=NOW) == []


def test_the_summary_shows_lifetime_this_month_and_what_is_still_owed(session):
    theo = make_trainer(session, "Theo")
    entry(session, theo, 2000, at(2026, 2, 2))
    entry(session, theo, 2000, at(2026, 3, 2))
    entry(session, theo, 4000, at(2026, 4, 2), destination=True)  # paid by Stripe already
    entry(session, theo, 1000, at(2026, 4, 3))
    make_payouts(session, period_start=datetime(2026, 2, 1, tzinfo=UTC), period_end=datetime(2026, 3, 1, tzinfo=UTC))
    [usd] = earnings.trainer_summary(session, theo.id, now=NOW)
    assert usd.lifetime_net_cents == 1700 + 1700 + 3400 + 850
    assert usd.month_net_cents == 3400 + 850
    assert usd.awaiting_cents == 1700 + 1700 + 850  # February's pending payout and what is not paid out yet


def test_payouts_are_listed_newest_first_and_paged(session):
    theo, other = make_trainer(session, "Theo"), make_trainer(session, "Olga")
    for month in range(1, 5):
        entry(session, theo, 2000, at(2026, month, 2))
        make_payouts(session, period_start=datetime(2026, month, 1, tzinfo=UTC),
                     period_end=datetime(2026, month + 1, 1, tzinfo=UTC))
    entry(session, other, 2000, at(2026, 4, 20))
    rows, page, pages = earnings.payouts_for(session, theo.id, 1, per_page=3)
    assert [r.period_start.month for r in rows] == [4, 3, 2] and (page, pages) == (1, 2)
    rows, page, _ = earnings.payouts_for(session, theo.id, 9, per_page=3)
    assert [r.period_start.month for r in rows] == [1] and page == 2
    assert all(r.trainer_id == theo.id for r in rows)


def test_platform_revenue_splits_program_commission_from_pro(session):
    admin = _actor(session, Role.ADMIN)
    theo = make_trainer(session, "Theo")
    entry(session, theo, 2000, at(2026, 4, 2))  # commission 300, fee 60
    entry(session, theo, -2000, at(2026, 4, 3))
    entry(session, theo, 1000, at(2026, 4, 4), currency="eur")
    entry(session, None, 999, at(2026, 4, 5))  # Pro: fee 30
    entry(session, None, 999, at(2026, 3, 5))
    months = earnings.revenue(session, admin, 2, now=NOW)
    assert [(m.label, m.currency) for m in months] == [("Mar 2026", "eur"), ("Apr 2026", "eur"),
                                                       ("Mar 2026", "usd"), ("Apr 2026", "usd")]
    march, april = months[2], months[3]
    assert (march.pro_cents, march.program_cents) == (969, 0)
    assert (april.gross_cents, april.refund_cents) == (2999, -2000)
    assert (april.program_cents, april.pro_cents, april.platform_cents) == (0, 969, 969)
    assert april.gross_cents + april.refund_cents == april.fee_cents + april.platform_cents + april.trainer_cents
    assert (months[1].program_cents, months[1].trainer_cents) == (150 - 30, 850)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.TRAINER, Role.MODERATOR])
def test_only_admins_see_platform_revenue_and_commissions(session, role):
    someone = _actor(session, role)
    with pytest.raises(PermissionDenied):
        earnings.revenue(session, someone)
    with pytest.raises(PermissionDenied):
        earnings.trainer_commissions(session, someone)


def test_trainer_commissions_show_the_override_or_the_default(session):
    admin = _actor(session, Role.ADMIN)
    bea, abe = make_trainer(session, "Bea"), make_trainer(session, "abe")
    bea.commission_percent = Decimal("7.50")
    session.add(bea)
    session.flush()
    rows, page, pages = earnings.trainer_commissions(session, admin)
    assert [(r.name, r.override, r.effective) for r in rows] == [
        ("abe", None, Decimal("15.00")), ("Bea", Decimal("7.50"), Decimal("7.50"))]
    assert (page, pages) == (1, 1) and rows[0].trainer_id == abe.id
