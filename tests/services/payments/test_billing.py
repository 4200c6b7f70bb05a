"""Buying through the built-in test provider, end to end into the webhook: access follows payment only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from adaptivefit import db
from adaptivefit.models import AuditEvent, Checkout, LedgerEntry, Plan, Purchase, Role, StripeEvent, TestPaymentObject, TrainingProgram
from adaptivefit.services.payments import billing, simulator
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.payments.gateway import StripeGateway, gateway
from adaptivefit.services.payments.simulator import SimulatedGateway, deliver_pending
from tests.services.payments.billing_fixtures import (  # noqa: F401 - fixture
    actor_for,
    interfaces,
    make_program,
    make_user,
    purchases_of,
    webhook_client,
)

GOOD = {"card_number": "4242 4242 4242 4242", "expiry": "12 / 34", "cvc": "123", "name": "Ada Buyer"}


@pytest.fixture
def provider(session, interfaces, monkeypatch, env):  # noqa: F811
    env(PUBLIC_URL="http://127.0.0.1:9")
    monkeypatch.setattr(simulator, "client_factory", webhook_client)
    return session


@pytest.fixture
def people(provider):
    session = provider
    trainer = make_user(session, "coach@example.com", Role.TRAINER, "Coach")
    buyer = make_user(session, "buyer@example.com")
    other = make_user(session, "other@example.com")
    admin = make_user(session, "admin@example.com", Role.ADMIN, "Admin")
    session.commit()
    return trainer, buyer, other, admin


def _pay(session_id: str, card: dict | None = None) -> None:
    with db.session_scope() as s:
        SimulatedGateway(s).pay(session_id, {**GOOD, **(card or {})})


def _checkout(session: Session, user, program) -> str:
    url = billing.start_program_checkout(session, user, program.id)
    session.commit()
    return url.rsplit("/", 1)[1]


def _buy(session: Session, user, program, card: dict | None = None) -> None:
    session_id = _checkout(session, user, program)
    _pay(session_id, card)
    assert deliver_pending()["failed"] == 0


def _fresh() -> Session:
    return Session(db.get_engine(), expire_on_commit=False)


def test_without_keys_the_test_provider_is_chosen_and_never_with_a_live_key(provider, env):
    assert billing.test_mode() and isinstance(gateway(provider), SimulatedGateway)
    env(STRIPE_SECRET_KEY="sk_live_abc")
    assert not billing.test_mode() and isinstance(gateway(provider), StripeGateway)
    with pytest.raises(RuntimeError, match="live Stripe key"):
        SimulatedGateway(provider)
    env(STRIPE_SECRET_KEY="rk_live_abc")
    with pytest.raises(RuntimeError, match="live Stripe key"):
        SimulatedGateway(provider)


def test_4242_pays_and_the_webhook_grants_access_with_a_ledger_sale(provider, people):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer, price_cents=2999, commission="20")
    provider.commit()
    session_id = _checkout(provider, buyer, program)
    assert billing.program_access(provider, buyer.id, program.id) is None  # starting grants nothing
    _pay(session_id)
    with _fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is None  # paying grants nothing until the webhook
    deliver_pending()
    with _fresh() as s:
        purchase = billing.program_access(s, buyer.id, program.id)
        assert purchase is not None and purchase.kind == "one_time" and purchase.amount_cents == 2999
        plan = s.get(Plan, purchase.plan_id)
        assert plan.user_id == buyer.id and plan.program_id == program.id and plan.active
        assert s.get(TrainingProgram, program.id).sales_count == 1
        sale = s.exec(select(LedgerEntry)).one()
        fee = 87 + 30  # 2.9% of 29.99 rounds to 87 cents, plus 30
        assert (sale.gross_cents, sale.fee_cents, sale.trainer_cents, sale.platform_cents) == (2999, fee, 2399, 600 - fee)
        assert s.exec(select(Checkout)).one().status == "completed"
        assert billing.checkout_status(s, buyer, s.exec(select(Checkout)).one().public_id) == "granted"
        assert billing.has_purchased(s, buyer.id, program.id)
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
    session_id = _checkout(provider, buyer, program)
    with pytest.raises(ValidationFailed) as refused:
        _pay(session_id, {"card_number": number})
    assert refused.value.errors == {"card_number": message}
    deliver_pending()
    with _fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is None
        assert purchases_of(buyer.id) == [] and s.exec(select(LedgerEntry)).all() == []
        assert s.exec(select(Checkout)).one().status == "open"
    _pay(session_id)  # the same checkout can still be paid with a good card
    deliver_pending()
    with _fresh() as s:
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
    session_id = _checkout(provider, buyer, program)
    with pytest.raises(ValidationFailed) as refused:
        _pay(session_id, {field: value})
    assert list(refused.value.errors) == [field] and message in refused.value.errors[field]
    with _fresh() as s:
        events = s.exec(select(TestPaymentObject).where(TestPaymentObject.type == "event")).all()
        assert events == []


def test_prices_come_from_the_database_and_owners_cannot_buy_twice(provider, people):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer, price_cents=4500, currency="eur")
    provider.commit()
    session_id = _checkout(provider, buyer, program)
    with _fresh() as s:
        found = SimulatedGateway(s).get(session_id, "checkout.session")
        assert (found["amount_total"], found["currency"]) == (4500, "eur")
    _pay(session_id)
    deliver_pending()
    with pytest.raises(ValidationFailed, match="already have"):
        billing.start_program_checkout(provider, buyer, program.id)


def test_free_programs_are_taken_at_once_and_paid_ones_cannot_be(provider, people):
    trainer, buyer, _, _ = people
    free = make_program(provider, trainer, price_kind="free", price_cents=0)
    paid = make_program(provider, trainer)
    purchase = billing.get_free(provider, buyer, free.id)
    assert purchase.kind == "free" and billing.program_access(provider, buyer.id, free.id) is not None
    assert provider.get(Plan, purchase.plan_id).program_id == free.id
    with pytest.raises(ValidationFailed, match="already have"):
        billing.get_free(provider, buyer, free.id)
    with pytest.raises(ValidationFailed, match="not free"):
        billing.get_free(provider, buyer, paid.id)
    with pytest.raises(ValidationFailed, match="is free"):
        billing.start_program_checkout(provider, buyer, free.id)


def _subscribe(provider, buyer, program) -> Purchase:
    _buy(provider, buyer, program)
    with _fresh() as s:
        return billing.program_access(s, buyer.id, program.id)


def test_subscription_renews_with_the_clock_then_ends_after_cancel_at_period_end(provider, people):
    trainer, buyer, _, admin = people
    program = make_program(provider, trainer, price_kind="subscription", price_cents=1500)
    provider.commit()
    purchase = _subscribe(provider, buyer, program)
    assert purchase.kind == "subscription" and purchase.status == "active" and purchase.stripe_subscription_id
    first_end = purchase.end_at
    assert timedelta(days=27) < first_end - billing.now(provider) < timedelta(days=32)
    with db.session_scope() as s:
        assert billing.advance_test_clock(s, actor_for(admin), 32)["renewed"] == 1
    deliver_pending()
    with _fresh() as s:
        renewed = billing.program_access(s, buyer.id, program.id)
        assert renewed is not None and renewed.end_at > first_end
        assert len(s.exec(select(LedgerEntry).where(LedgerEntry.kind == "sale")).all()) == 2
        assert s.exec(select(AuditEvent).where(AuditEvent.event == "test_clock_advanced")).first() is not None
    with db.session_scope() as s:
        from adaptivefit.models import User

        row = billing.cancel_subscription(s, s.get(User, buyer.id), purchase.id)
        assert row.cancel_at_period_end
    deliver_pending()
    with _fresh() as s:
        still = billing.program_access(s, buyer.id, program.id)
        assert still is not None and still.cancel_at_period_end  # access until the period ends
    with db.session_scope() as s:
        assert billing.advance_test_clock(s, None, 32)["ended"] == 1
    deliver_pending()
    with _fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is None
        ended = s.get(Purchase, purchase.id)
        assert ended.status == "canceled"
        # Two sales only: nothing was billed after the cancellation.
        assert len(s.exec(select(LedgerEntry).where(LedgerEntry.kind == "sale")).all()) == 2


def test_resume_keeps_the_subscription_renewing(provider, people):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer, price_kind="subscription", price_cents=1500)
    provider.commit()
    purchase = _subscribe(provider, buyer, program)
    from adaptivefit.models import User

    with db.session_scope() as s:
        billing.cancel_subscription(s, s.get(User, buyer.id), purchase.id)
    with db.session_scope() as s:
        assert not billing.resume_subscription(s, s.get(User, buyer.id), purchase.id).cancel_at_period_end
    deliver_pending()
    with db.session_scope() as s:
        assert billing.advance_test_clock(s, None, 32) == {"renewed": 1, "ended": 0, "failed": 0}
    deliver_pending()
    with _fresh() as s:
        assert s.get(Purchase, purchase.id).status == "active"


def test_others_cannot_cancel_my_subscription(provider, people):
    trainer, buyer, other, _ = people
    program = make_program(provider, trainer, price_kind="subscription", price_cents=1500)
    provider.commit()
    purchase = _subscribe(provider, buyer, program)
    with pytest.raises(ValidationFailed, match="No such purchase"):
        billing.cancel_subscription(provider, other, purchase.id)


def test_pro_subscription_makes_a_member_pro_and_the_platform_keeps_it_all(provider, people):
    _, buyer, other, _ = people
    assert not billing.is_pro(provider, buyer)
    url = billing.start_pro_checkout(provider, buyer)
    provider.commit()
    _pay(url.rsplit("/", 1)[1])
    deliver_pending()
    with _fresh() as s:
        from adaptivefit.models import User

        assert billing.is_pro(s, s.get(User, buyer.id)) and not billing.is_pro(s, s.get(User, other.id))
        sale = s.exec(select(LedgerEntry)).one()
        assert sale.trainer_id is None and sale.trainer_cents == 0 and sale.gross_cents == 999
        with pytest.raises(ValidationFailed, match="already have Pro"):
            billing.start_pro_checkout(s, s.get(User, buyer.id))
    other.coach_ai = True  # an admin's grant counts too
    assert billing.is_pro(provider, other)


def test_admin_partial_then_full_refund_reverses_the_ledger_and_revokes_access(provider, people):
    trainer, buyer, _, admin = people
    program = make_program(provider, trainer, price_cents=2999, commission="20")
    provider.commit()
    _buy(provider, buyer, program)
    purchase = purchases_of(buyer.id)[0]
    with pytest.raises(PermissionDenied):
        billing.refund(provider, actor_for(buyer), purchase.id, 100)
    with pytest.raises(ValidationFailed) as too_much:
        billing.refund(provider, actor_for(admin), purchase.id, 3000)
    assert "At most 29.99" in too_much.value.errors["amount"]
    with db.session_scope() as s:
        # What the admin is asked to confirm: nothing has moved yet.
        with pytest.raises(PermissionDenied):
            billing.refund_preview(s, actor_for(buyer), purchase.id, 1000)
        preview = billing.refund_preview(s, actor_for(admin), purchase.id, 1000)
        assert (preview.amount_cents, preview.currency, preview.full, preview.buyer) == (1000, "usd", False, buyer.email)
        assert billing.refund_preview(s, actor_for(admin), purchase.id, None).full
        assert not s.exec(select(LedgerEntry).where(LedgerEntry.kind == "refund")).all()
        assert billing.refund(s, actor_for(admin), purchase.id, 1000) == 1000
    assert deliver_pending()["failed"] == 0  # the charge.refunded that follows changes nothing
    with _fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is not None
        refunds = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "refund")).all()
        assert [(r.gross_cents, r.fee_cents, r.trainer_cents, r.platform_cents) for r in refunds] == [(-1000, 0, -800, -200)]
    with db.session_scope() as s:
        assert billing.refund(s, actor_for(admin), purchase.id, None) == 1999
    deliver_pending()
    with _fresh() as s:
        assert billing.program_access(s, buyer.id, program.id) is None
        done = s.get(Purchase, purchase.id)
        assert done.status == "refunded" and done.refunded_cents == 2999
        entries = s.exec(select(LedgerEntry)).all()
        assert sum(e.gross_cents for e in entries) == 0 and sum(e.trainer_cents for e in entries) == 0
        sale = next(e for e in entries if e.kind == "sale")
        assert sum(e.platform_cents for e in entries) == -sale.fee_cents  # the platform absorbs Stripe's fee
        assert len(s.exec(select(AuditEvent).where(AuditEvent.event == "refund_issued")).all()) == 2
        assert not billing.has_purchased(s, buyer.id, program.id)
    with pytest.raises(ValidationFailed, match="in full already"):
        billing.refund(provider, actor_for(admin), purchase.id, None)


def test_full_refund_of_a_subscription_cancels_it_now(provider, people):
    trainer, buyer, _, admin = people
    program = make_program(provider, trainer, price_kind="subscription", price_cents=1500)
    provider.commit()
    purchase = _subscribe(provider, buyer, program)
    with db.session_scope() as s:
        billing.refund(s, actor_for(admin), purchase.id, None)
    deliver_pending()
    with _fresh() as s:
        assert s.get(Purchase, purchase.id).status == "refunded"
        sub = SimulatedGateway(s).get(purchase.stripe_subscription_id, "subscription")
        assert sub["status"] == "canceled"
    with db.session_scope() as s:  # nothing renews afterwards
        assert billing.advance_test_clock(s, None, 40)["renewed"] == 0


def test_update_to_latest_version_installs_the_newest(provider, people):
    trainer, buyer, other, _ = people
    program = make_program(provider, trainer, price_kind="free", price_cents=0, version=1)
    purchase = billing.get_free(provider, buyer, program.id)
    with pytest.raises(ValidationFailed, match="newest"):
        billing.update_to_latest_version(provider, buyer, purchase.id)
    program.current_version = 2
    provider.add(program)
    updated = billing.update_to_latest_version(provider, buyer, purchase.id)
    assert updated.program_version == 2 and provider.get(Plan, updated.plan_id).name.endswith("v2")
    with pytest.raises(ValidationFailed, match="No such purchase"):
        billing.update_to_latest_version(provider, other, purchase.id)


def test_access_rules(provider, people):
    from datetime import datetime, UTC

    now = datetime.now(UTC)
    make = lambda **kw: Purchase(**{"kind": "subscription", "status": "active", **kw})  # noqa: E731
    assert billing.grants_access(make(), now)
    assert billing.grants_access(make(status="past_due"), now)
    assert billing.grants_access(make(cancel_at_period_end=True, end_at=now + timedelta(days=1)), now)
    assert not billing.grants_access(make(cancel_at_period_end=True, end_at=now - timedelta(seconds=1)), now)
    for status in ("canceled", "expired", "refunded"):
        assert not billing.grants_access(make(status=status), now)
    assert billing.grants_access(make(kind="one_time"), now) and not billing.grants_access(
        make(kind="one_time", status="past_due"), now)


def test_admin_lists_purchases_by_email_and_sees_events(provider, people):
    trainer, buyer, other, admin = people
    program = make_program(provider, trainer)
    provider.commit()
    _buy(provider, buyer, program)
    _buy(provider, other, program)
    with _fresh() as s:
        page = billing.admin_purchases(s, actor_for(admin), query="BUYER@")
        assert [r.buyer for r in page.rows] == ["buyer@example.com"] and page.rows[0].refundable_cents == 2999
        assert billing.admin_purchases(s, actor_for(admin)).total == 2
        assert {e.type for e in billing.recent_events(s, actor_for(admin))} == {"checkout.session.completed"}
        with pytest.raises(PermissionDenied):
            billing.admin_purchases(s, actor_for(buyer))


def test_connect_onboarding_enables_charges_through_account_updated(provider, people):
    trainer, buyer, _, _ = people
    program = make_program(provider, trainer)
    provider.commit()
    url = billing.connect_onboarding_url(provider, trainer)
    provider.commit()
    assert url.startswith("/api/test-pay/connect/acct_test_")
    with pytest.raises(PermissionDenied):
        billing.connect_onboarding_url(provider, buyer)
    with db.session_scope() as s:
        assert SimulatedGateway(s).complete_onboarding(url.rsplit("/", 1)[1]) == "/studio/earnings"
    deliver_pending()
    with _fresh() as s:
        from adaptivefit.models import Trainer

        row = s.exec(select(Trainer).where(Trainer.user_id == trainer.id)).one()
        assert row.stripe_charges_enabled and row.stripe_payouts_enabled
    # Now sales are destination charges with the commission as the application fee.
    with _fresh() as s:
        from adaptivefit.models import User

        url = billing.start_program_checkout(s, s.get(User, buyer.id), program.id)
        s.commit()
        checkout = s.exec(select(Checkout)).one()
        assert checkout.destination_account == row.stripe_account_id and checkout.application_fee_cents == 450
    _pay(url.rsplit("/", 1)[1])
    deliver_pending()
    with _fresh() as s:
        sale = s.exec(select(LedgerEntry)).one()
        assert sale.destination and sale.trainer_cents == 2999 - 450
        assert s.exec(select(StripeEvent).where(StripeEvent.type == "account.updated")).one()


def test_a_pro_subscription_gives_the_coach_its_ai_tier(provider, people):
    from adaptivefit.coach.service import ai_tier
    from adaptivefit.models import User

    _, buyer, _, _ = people
    assert not ai_tier(provider, buyer)
    url = billing.start_pro_checkout(provider, buyer)
    provider.commit()
    _pay(url.rsplit("/", 1)[1])
    deliver_pending()
    with _fresh() as s:
        assert ai_tier(s, s.get(User, buyer.id))
    with db.session_scope() as s:
        purchase = s.exec(select(Purchase)).one()
        billing.cancel_subscription(s, s.get(User, buyer.id), purchase.id)
    with db.session_scope() as s:
        billing.advance_test_clock(s, None, 32)
    deliver_pending()
    with _fresh() as s:
        assert not ai_tier(s, s.get(User, buyer.id))  # the tier ends with the paid period
