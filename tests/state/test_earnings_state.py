"""/studio/earnings and /admin/revenue handlers: the right people, errors at the field, no Stripe ids."""

from __future__ import annotations

import asyncio
import types
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

import adaptivefit.pages  # noqa: F401 - defines every state class
from adaptivefit.models import Role, Trainer
from adaptivefit.services.accounts import auth
from adaptivefit.services.core import app_settings
from adaptivefit.state.earnings import EarningsState, RevenueState
from tests.jobs.ledger_rows import entry


class FakeState:
    """The vars and helpers the handlers touch, the session token and the client address."""

    def __init__(self, cls, token: str):
        self._auth = SimpleNamespace(session_token=token)
        self.router = SimpleNamespace(session=SimpleNamespace(client_ip="203.0.113.5"))
        for name, var in cls.get_fields().items():
            if not name.startswith("__"):
                default = var.default_factory() if var.default_factory else var.default
                setattr(self, name, default)
        for name in ("_show_currency", "_refresh", "_attempt"):
            if hasattr(cls, name):
                setattr(self, name, types.MethodType(getattr(cls, name), self))
        self._cls = cls

    async def get_state(self, _cls):
        return self._auth


def call(state: FakeState, name: str, *args):
    fn = state._cls.event_handlers[name].fn
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, fn(state, *args)).result()


@pytest.fixture
def people(session):
    tokens, ids = {}, {}
    for role in (Role.MEMBER, Role.TRAINER, Role.ADMIN):
        user, token = auth.register(session, email=f"{role}@example.com", password="a long passphrase here",
                                    name=role.capitalize())
        user.role = role
        tokens[role], ids[role] = token, user.id
    trainer = Trainer(user_id=ids[Role.TRAINER], status="approved", stripe_account_id="acct_secret123",
                      stripe_charges_enabled=False)
    session.add(trainer)
    session.flush()
    entry(session, trainer, 2900, datetime.now(UTC) - timedelta(minutes=5))
    session.commit()
    return SimpleNamespace(tokens=tokens, trainer_id=trainer.id)


def test_a_trainer_sees_their_earnings_and_never_their_account_id(people):
    state = FakeState(EarningsState, people.tokens[Role.TRAINER])
    call(state, "load")
    assert state.has_profile and state.connect == "incomplete"
    assert (state.lifetime, state.this_month, state.awaiting) == ("$24.65", "$24.65", "$24.65")
    assert state.commission == "15%" and state.currency == "usd"
    assert state.chart[-1]["net"] == 24.65 and len(state.chart) == 12
    public = {name: getattr(state, name) for name in EarningsState.get_fields() if not name.startswith("_")}
    assert "acct_secret123" not in repr(public)


def test_members_cannot_open_earnings_or_revenue(people):
    for cls in (EarningsState, RevenueState):
        state = FakeState(cls, people.tokens[Role.MEMBER])
        refusal = call(state, "load")
        assert "permission" in str(refusal) and state.pages == 1 and getattr(state, "chart") == []
    trainer = FakeState(RevenueState, people.tokens[Role.TRAINER])
    assert "permission" in str(call(trainer, "load")) and trainer.trainers == []


def test_an_admin_without_a_trainer_profile_is_told_so(people):
    state = FakeState(EarningsState, people.tokens[Role.ADMIN])
    call(state, "load")
    assert not state.has_profile


def test_the_admin_sets_the_commission_with_errors_at_the_field(people, session):
    state = FakeState(RevenueState, people.tokens[Role.ADMIN])
    call(state, "load")
    assert state.commission == "15.00" and state.totals[0] == {"label": "Sales", "value": "$29.00"}
    call(state, "save_commission", {"commission_percent": "150"})
    assert state.errors == {"commission_percent": "The commission must be from 0 to 100 percent."}
    call(state, "save_commission", {"commission_percent": "12.5"})
    assert state.errors == {} and state.commission_text == "12.5%"
    session.expire_all()
    assert str(app_settings.commission_percent(session)) == "12.50"


def test_the_admin_sets_the_pro_price_and_a_trainers_rate(people, session):
    state = FakeState(RevenueState, people.tokens[Role.ADMIN])
    call(state, "load")
    call(state, "save_pro_price", {"pro_price": "0.10", "pro_currency": "xxx"})
    assert set(state.errors) == {"pro_price", "pro_currency"}
    call(state, "save_pro_price", {"pro_price": "14.99", "pro_currency": "eur"})
    assert state.errors == {} and state.pro_text == "€14.99 a month"
    field = f"trainer-{people.trainer_id}"
    call(state, "save_override", {"trainer_id": str(people.trainer_id), "percent": "101"})
    assert list(state.errors) == [field]
    call(state, "save_override", {"trainer_id": str(people.trainer_id), "percent": "7.5"})
    assert state.errors == {}
    [row] = state.trainers
    assert (row["effective"], row["source"], row["override"]) == ("7.5%", "own rate", "7.50")
