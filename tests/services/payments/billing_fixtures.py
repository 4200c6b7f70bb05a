"""Shared pieces for the payments tests: people, programs, and the programs/trainers interfaces.

The programs service (checkout_offer, install_version) and the trainers service
(trainer_for_user) belong to other parts of the marketplace; these tests stand them in with the
agreed signatures so that billing's own rules are what is tested here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from adaptivefit import db
from adaptivefit.models import Plan, Purchase, Role, Trainer, TrainingProgram, User
from adaptivefit.services.core.access import Actor, ValidationFailed


@dataclass
class Offer:
    program_id: int
    version: int
    title: str
    price_kind: str
    price_cents: int
    currency: str
    trainer: Trainer | None
    owner_id: int


def fake_checkout_offer(session: Session, buyer_id: int, program_id: int) -> Offer:
    program = session.get(TrainingProgram, int(program_id))
    if program is None or program.status != "published" or program.hidden:
        raise ValidationFailed({"program": "This program is not available."})
    if program.owner_id == buyer_id:
        raise ValidationFailed({"program": "This is your own program."})
    trainer = session.exec(select(Trainer).where(Trainer.user_id == program.owner_id)).first()
    return Offer(program.id, program.current_version, program.name, program.price_kind, program.price_cents,
                 program.currency, trainer, program.owner_id)


def fake_install_version(session: Session, user_id: int, program_id: int, version: int) -> Plan:
    program = session.get(TrainingProgram, program_id)
    for plan in session.exec(select(Plan).where(Plan.user_id == user_id, Plan.active)).all():
        plan.active = False
        session.add(plan)
    plan = Plan(user_id=user_id, name=f"{program.name} v{version}", active=True, program_id=program_id)
    session.add(plan)
    session.flush()
    return plan


def fake_trainer_for_user(session: Session, user_id: int) -> Trainer | None:
    return session.exec(select(Trainer).where(Trainer.user_id == user_id)).first()


@pytest.fixture
def interfaces(monkeypatch):
    """The programs and trainers services' agreed functions, stood in."""
    from adaptivefit.services.marketplace import programs, trainers

    for module, functions in ((programs, {"checkout_offer": fake_checkout_offer, "install_version": fake_install_version}),
                              (trainers, {"trainer_for_user": fake_trainer_for_user})):
        for attr, fn in functions.items():
            monkeypatch.setattr(module, attr, fn)


def make_user(session: Session, email: str, role: str = Role.MEMBER, name: str = "Test Person") -> User:
    user = User(email=email, name=name, role=role, password_hash="x")
    session.add(user)
    session.flush()
    return user


def actor_for(user: User) -> Actor:
    return Actor(id=user.id, role=user.role, name=user.name, email=user.email)


def make_program(session: Session, owner: User, *, price_kind: str = "one_time", price_cents: int = 2999,
                 currency: str = "usd", connected: bool = False, commission: str | None = None,
                 version: int = 1) -> TrainingProgram:
    trainer = session.exec(select(Trainer).where(Trainer.user_id == owner.id)).first()
    if trainer is None:
        trainer = Trainer(user_id=owner.id, status="approved",
                          commission_percent=Decimal(commission) if commission is not None else None)
        session.add(trainer)
    if connected:
        trainer.stripe_account_id, trainer.stripe_charges_enabled = "acct_test_connected1", True
    session.add(trainer)
    program = TrainingProgram(owner_id=owner.id, name=f"Strength {price_kind} {price_cents}", price_kind=price_kind,
                              price_cents=price_cents, currency=currency, status="published",
                              current_version=version)
    session.add(program)
    session.flush()
    return program


def webhook_client() -> TestClient:
    from adaptivefit.api import build_api

    return TestClient(build_api())


def purchases_of(user_id: int) -> list[Purchase]:
    with Session(db.get_engine()) as fresh:
        return list(fresh.exec(select(Purchase).where(Purchase.user_id == user_id)).all())


class FakeGateway:
    """Stands in for the payments gateway: records transfers, optionally failing."""

    def __init__(self, fail: bool = False):
        self.transfers: list[dict] = []
        self.fail = fail

    def create_transfer(self, amount_cents, currency, destination, *, idempotency_key):
        if self.fail:
            raise ConnectionError("Stripe did not answer")
        self.transfers.append({"amount": amount_cents, "currency": currency, "destination": destination,
                               "key": idempotency_key})
        return f"tr_{len(self.transfers)}"
