from datetime import timedelta

from sqlmodel import select

from adaptivefit.models import AuthSession, User
from adaptivefit.models.base import utcnow
from adaptivefit.services import auth
from adaptivefit.services.passwords import hash_password


def _user(session, email="maya@example.com", password="lift heavy things", **extra):
    user = User(email=email, name="Maya", password_hash=hash_password(password, cost=4), **extra)
    session.add(user)
    session.flush()
    return user


def test_sign_in_with_the_right_password_only(session):
    _user(session)
    assert auth.authenticate(session, "  Maya@Example.com ", "lift heavy things") is not None
    assert auth.authenticate(session, "maya@example.com", "lift heavy thing") is None
    assert auth.authenticate(session, "nobody@example.com", "lift heavy things") is None


def test_suspended_user_cannot_sign_in_and_loses_sessions_at_once(session):
    user = _user(session)
    token = auth.start_session(session, user)
    assert auth.resolve_session(session, token).id == user.id
    user.is_suspended = True
    session.add(user)
    session.flush()
    assert auth.resolve_session(session, token) is None
    assert auth.authenticate(session, user.email, "lift heavy things") is None


def test_only_a_hash_of_the_token_is_stored(session):
    token = auth.start_session(session, _user(session))
    stored = session.exec(select(AuthSession)).one()
    assert len(token) >= 43 and token not in stored.token_hash
    assert stored.token_hash != token


def test_sign_out_revokes_on_the_server(session):
    token = auth.start_session(session, _user(session))
    auth.end_session(session, token)
    assert auth.resolve_session(session, token) is None


def test_sessions_expire_when_idle_and_absolutely(session):
    user = _user(session)
    start = utcnow()
    token = auth.start_session(session, user, now=start)
    assert auth.resolve_session(session, token, now=start + auth.IDLE_TIMEOUT - timedelta(minutes=1)) is not None
    session.flush()
    idle_token = auth.start_session(session, user, now=start)
    assert auth.resolve_session(session, idle_token, now=start + auth.IDLE_TIMEOUT + timedelta(seconds=1)) is None
    # Seen every day, it still ends at the absolute limit.
    day = start
    while day < start + auth.ABSOLUTE_TIMEOUT - timedelta(days=1):
        day += timedelta(days=1)
        assert auth.resolve_session(session, token, now=day) is not None
        session.flush()
    assert auth.resolve_session(session, token, now=start + auth.ABSOLUTE_TIMEOUT) is None


def test_unknown_or_absurd_tokens_resolve_to_nobody(session):
    assert auth.resolve_session(session, "") is None
    assert auth.resolve_session(session, "x" * 10_000) is None
    assert auth.resolve_session(session, "not-a-token") is None
