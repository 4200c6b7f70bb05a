"""The payment simulator's shop for the payments tests: people, a buyer's card, and buying end to end
through the simulator's checkout page and its webhook events."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from adaptivefit import db
from adaptivefit.models import Purchase, Role
from adaptivefit.services.payments import billing, simulated_checkout, simulated_delivery
from adaptivefit.services.payments import checkout as checkouts
from adaptivefit.services.payments.simulated_delivery import deliver_pending
from adaptivefit.services.payments.simulator import SimulatedGateway
from tests.services.payments.billing_fixtures import make_user, webhook_client


GOOD = {"card_number": "4242 4242 4242 4242", "expiry": "12 / 34", "cvc": "123", "name": "Ada Buyer"}

@pytest.fixture
def provider(session, interfaces, monkeypatch, env):  # noqa: F811
    env(PUBLIC_URL="http://127.0.0.1:9")
    monkeypatch.setattr(simulated_delivery, "client_factory", webhook_client)
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

def pay(session_id: str, card: dict | None = None) -> None:
    with db.session_scope() as s:
        simulated_checkout.pay(SimulatedGateway(s), session_id, {**GOOD, **(card or {})})

def open_checkout(session: Session, user, program) -> str:
    url = checkouts.start_program_checkout(session, user, program.id)
    session.commit()
    return url.rsplit("/", 1)[1]

def buy(session: Session, user, program, card: dict | None = None) -> None:
    session_id = open_checkout(session, user, program)
    pay(session_id, card)
    assert deliver_pending()["failed"] == 0

def fresh() -> Session:
    return Session(db.get_engine(), expire_on_commit=False)

def subscribe(provider, buyer, program) -> Purchase:
    buy(provider, buyer, program)
    with fresh() as s:
        return billing.program_access(s, buyer.id, program.id)
