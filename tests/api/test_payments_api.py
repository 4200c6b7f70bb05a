"""The test provider's checkout and onboarding pages, and the webhook, over HTTP (Starlette TestClient)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from adaptivefit import db
from adaptivefit.models import Checkout, Role, StripeEvent, Trainer
from adaptivefit.models import User
from adaptivefit.services.payments import billing, connect, simulated_delivery
from adaptivefit.services.payments import checkout as checkouts
from tests.services.payments.billing_fixtures import interfaces, make_program, make_user, webhook_client  # noqa: F401

CARD = {"email": "buyer@example.com", "card_number": "4242 4242 4242 4242", "expiry": "12 / 34", "cvc": "123",
        "name": "Ada Buyer"}


@pytest.fixture
def app(database, interfaces, env, monkeypatch):  # noqa: F811
    env(DATABASE_URL=database, PUBLIC_URL="http://127.0.0.1:9")
    monkeypatch.setattr(simulated_delivery, "client_factory", webhook_client)
    return webhook_client()


@pytest.fixture
def checkout_url(app):
    def start(price_kind="one_time"):
        with db.session_scope() as s:
            trainer = s.exec(select(Trainer)).first()
            owner = make_user(s, f"coach{price_kind}@example.com", Role.TRAINER) if trainer is None else None
            buyer = make_user(s, f"buyer-{price_kind}@example.com")
            program = make_program(s, owner or s.get(User, trainer.user_id), price_kind=price_kind,
                                   price_cents=1999)
            url = checkouts.start_program_checkout(s, buyer, program.id)
            return url, buyer.id, program.id

    return start


def _token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)


def _access(user_id: int, program_id: int) -> bool:
    with Session(db.get_engine()) as s:
        return billing.program_access(s, user_id, program_id) is not None


def test_the_checkout_page_looks_like_stripe_checkout_in_test_mode(app, checkout_url):
    url, _, _ = checkout_url()
    page = app.get(url)
    assert page.status_code == 200 and "TEST MODE" in page.text and "$19.99" in page.text
    for field, label in (("email", "Email"), ("card_number", "Card number"), ("expiry", "Expiry (MM / YY)"),
                         ("cvc", "CVC"), ("name", "Name on card")):
        assert f'<label for="{field}">{label}</label>' in page.text and f'id="{field}"' in page.text
    assert ">Pay</button>" in page.text and 'href="/checkout/canceled?checkout=co_' in page.text


def test_4242_redirects_to_the_success_url_after_the_webhook_granted_access(app, checkout_url):
    url, buyer, program = checkout_url()
    page = app.get(url)
    response = app.post(url, data={**CARD, "token": _token(page.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/checkout/complete?checkout=co_")
    assert _access(buyer, program)
    with Session(db.get_engine()) as s:
        assert s.exec(select(StripeEvent.type)).all() == ["checkout.session.completed"]
    again = app.get(url)
    assert "This checkout is complete." in again.text


def test_a_subscription_page_says_subscribe_and_delivers_the_subscription_events(app, checkout_url):
    url, buyer, program = checkout_url("subscription")
    page = app.get(url)
    assert ">Subscribe</button>" in page.text and "per month" in page.text
    app.post(url, data={**CARD, "token": _token(page.text)}, follow_redirects=False)
    assert _access(buyer, program)
    with Session(db.get_engine()) as s:
        assert set(s.exec(select(StripeEvent.type)).all()) == {
            "customer.subscription.created", "invoice.paid", "checkout.session.completed"}


@pytest.mark.parametrize(("number", "message"), [("4000 0000 0000 0002", "Your card was declined."),
                                                  ("4000 0000 0000 9995", "Your card has insufficient funds.")])
def test_a_declined_card_shows_the_message_at_the_field_and_grants_nothing(app, checkout_url, number, message):
    url, buyer, program = checkout_url()
    page = app.get(url)
    response = app.post(url, data={**CARD, "card_number": number, "token": _token(page.text)}, follow_redirects=False)
    assert response.status_code == 200 and message in response.text
    assert 'id="card_number-error" role="alert"' in response.text and 'aria-invalid="true"' in response.text
    assert not _access(buyer, program)
    with Session(db.get_engine()) as s:
        assert s.exec(select(Checkout)).one().status == "open"


def test_a_forged_form_token_is_refused(app, checkout_url):
    url, buyer, program = checkout_url()
    response = app.post(url, data={**CARD, "token": "0" * 64}, follow_redirects=False)
    assert response.status_code == 400 and not _access(buyer, program)


def test_the_test_pages_do_not_exist_with_stripe_keys(app, checkout_url, env):
    url, _, _ = checkout_url()
    env(STRIPE_SECRET_KEY="sk_test_real")
    assert app.get(url).status_code == 404
    assert app.get("/api/test-pay/connect/acct_test_x").status_code == 404


def test_connect_onboarding_page_enables_payouts_and_returns(app):
    with db.session_scope() as s:
        owner = make_user(s, "coach@example.com", Role.TRAINER)
        make_program(s, owner)
        url = connect.connect_onboarding_url(s, owner)
    page = app.get(url)
    assert "Complete test onboarding" in page.text and "TEST MODE" in page.text
    response = app.post(url, data={"token": _token(page.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/studio/earnings"
    with Session(db.get_engine()) as s:
        trainer = s.exec(select(Trainer)).one()
        assert trainer.stripe_charges_enabled and trainer.stripe_payouts_enabled


def test_unknown_sessions_are_404(app):
    assert app.get("/api/test-pay/checkout/cs_test_nope").status_code == 404
