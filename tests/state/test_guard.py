"""Every event handler is guarded on the server, and a caller without the role changes nothing.

Any connected browser can call any public method of any state with any arguments, so this
walks every handler of every state class instead of trusting the pages to hide buttons.
"""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import reflex as rx
from sqlmodel import select

import adaptivefit.pages  # noqa: F401 - defines every state class
from adaptivefit.models import AuditEvent, Role, User
from adaptivefit.services.accounts import auth


def _app_states() -> list[type[rx.State]]:
    found, todo = [], [rx.State]
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        if cls.__module__.startswith("adaptivefit.state"):
            found.append(cls)
    return found


def _handlers():
    for state in _app_states():
        for name, handler in state.event_handlers.items():
            if handler.fn.__module__.startswith("adaptivefit.state"):
                yield state, name, handler.fn


def test_the_app_has_states_to_check():
    names = {state.__name__ for state in _app_states()}
    assert {"AuthState", "ProfileState", "SecurityState", "AdminUsersState", "AuditLogState"} <= names


@pytest.mark.parametrize(("state", "name", "fn"), list(_handlers()), ids=lambda v: getattr(v, "__name__", str(v)))
def test_every_handler_is_guarded_or_deliberately_public(state, name, fn):
    assert getattr(fn, "public", False) or hasattr(fn, "required_roles"), f"{state.__name__}.{name} has no guard"


class _FakeState:
    """Just what the guard reads: the session token in AuthState and the client address."""

    def __init__(self, token: str):
        self._auth = SimpleNamespace(session_token=token)
        self.router = SimpleNamespace(session=SimpleNamespace(client_ip="203.0.113.5"))

    async def get_state(self, _cls):
        return self._auth


def _call(fn, token: str):
    params = list(inspect.signature(fn).parameters)[1:]
    args = [{"user_id": "1", "reason": "x", "code": "123456", "password": "p"} if p == "form" else "1" for p in params]

    async def run():
        if inspect.isasyncgenfunction(fn):
            return [item async for item in fn(_FakeState(token), *args)]
        return await fn(_FakeState(token), *args)

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def _snapshot(session):
    session.expire_all()
    users = [(u.id, u.role, u.is_suspended, u.email, u.name) for u in session.exec(select(User)).all()]
    return users, len(session.exec(select(AuditEvent)).all())


def _guarded(*, needing_roles: bool):
    for state, name, fn in _handlers():
        roles = getattr(fn, "required_roles", None)
        if roles is not None and (bool(roles) == needing_roles):
            yield pytest.param(fn, roles, id=f"{state.__name__}.{name}")


@pytest.mark.parametrize(("fn", "roles"), list(_guarded(needing_roles=True)))
def test_a_member_calling_a_staff_or_admin_handler_is_refused_and_nothing_changes(session, fn, roles):
    admin, _ = auth.register(session, email="admin@example.com", password="an admin passphrase", name="Admin")
    admin.role = Role.ADMIN
    member, token = auth.register(session, email="member@example.com", password="a member passphrase", name="Mem")
    session.commit()
    before = _snapshot(session)
    result = _call(fn, token)
    assert "permission" in str(result).lower()
    assert _snapshot(session) == before


@pytest.mark.parametrize(("fn", "roles"), [*_guarded(needing_roles=True), *_guarded(needing_roles=False)])
def test_an_anonymous_caller_is_sent_to_sign_in(session, fn, roles):
    result = _call(fn, "")
    assert "/login" in str(result)


@pytest.mark.parametrize(("fn", "roles"), list(_guarded(needing_roles=True)))
def test_a_revoked_session_is_refused(session, fn, roles):
    admin, token = auth.register(session, email="admin@example.com", password="an admin passphrase", name="Admin")
    admin.role = Role.ADMIN
    auth.end_session(session, token)
    session.commit()
    assert "/login" in str(_call(fn, token))


def test_an_expired_session_is_refused_by_a_handler(session):
    from datetime import timedelta

    from adaptivefit.models import AuthSession
    from adaptivefit.models.base import utcnow
    from adaptivefit.state.account import SecurityState

    _user, token = auth.register(session, email="m@example.com", password="a member passphrase", name="Mem")
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == auth.token_hash(token))).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    handler = SecurityState.event_handlers["revoke_other_sessions"].fn
    assert "/login" in str(_call(handler, token))
    session.expire_all()
    assert session.exec(select(AuthSession)).one().revoked_at is None
