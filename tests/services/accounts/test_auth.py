from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select

from adaptivefit.models import AuditEvent, AuthSession, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.accounts import auth, mfa, throttle
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.email import read_outbox
from adaptivefit.services.accounts.passwords import verify_password

PASSWORD = "lift heavy things"


def _user(session, email="maya@example.com", **extra):
    user, _token = auth.register(session, email=email, password=PASSWORD, name="Maya", **extra)
    return user


def _events(session):
    return [e.event for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_register_normalises_email_hashes_password_and_signs_in(session):
    user, token = auth.register(session, email="  Maya@Example.COM ", password=PASSWORD, name=" Maya ")
    assert user.email == "maya@example.com" and user.name == "Maya" and user.role == "member"
    assert user.password_hash.startswith("$2b$12$") and PASSWORD not in user.password_hash
    assert auth.resolve_session(session, token).id == user.id
    assert "register" in _events(session)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"name": "x" * 1_000_000}, "name"),
        ({"name": "bad\x00name"}, "name"),
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"email": "a" * 1_000_000 + "@example.com"}, "email"),
    ],
)
def test_register_refuses_bad_input_per_field_and_writes_nothing(session, fields, field):
    values = {"email": "new@example.com", "password": PASSWORD, "name": "New", **fields}
    with pytest.raises(ValidationFailed) as caught:
        auth.register(session, **values)
    assert field in caught.value.errors
    assert session.exec(select(User)).all() == []


def test_taken_email_is_refused_at_registration(session):
    _user(session)
    with pytest.raises(ValidationFailed) as caught:
        auth.register(session, email="MAYA@example.com", password=PASSWORD, name="Other")
    assert "already exists" in caught.value.errors["email"]


def test_html_and_unicode_names_are_stored_as_text(session):
    user, _ = auth.register(session, email="h@example.com", password=PASSWORD, name="<script>alert(1)</script> Zoë 日本")
    assert user.name == "<script>alert(1)</script> Zoë 日本"


def test_sign_in_gives_the_same_answer_for_unknown_email_and_wrong_password(session):
    _user(session)
    unknown = auth.sign_in(session, "nobody@example.com", PASSWORD)
    wrong = auth.sign_in(session, "maya@example.com", "wrong password!")
    assert unknown.status == wrong.status == "failed" and unknown.message == wrong.message
    assert auth.sign_in(session, "MAYA@example.com", PASSWORD).status == "ok"
    assert _events(session).count("login_failed") == 2 and "login_ok" in _events(session)


def test_each_sign_in_gets_a_new_token_stored_only_as_a_hash(session):
    _user(session)
    first = auth.sign_in(session, "maya@example.com", PASSWORD).token
    second = auth.sign_in(session, "maya@example.com", PASSWORD).token
    assert first != second and len(first) >= 43
    hashes = {row.token_hash for row in session.exec(select(AuthSession)).all()}
    assert first not in hashes and auth.token_hash(first) in hashes


def test_suspended_user_cannot_sign_in_and_loses_sessions_at_once(session):
    user = _user(session)
    token = auth.sign_in(session, user.email, PASSWORD).token
    user.is_suspended = True
    session.add(user)
    session.flush()
    assert auth.resolve_session(session, token) is None
    assert auth.sign_in(session, user.email, PASSWORD).status == "failed"


def test_sign_out_revokes_on_the_server(session):
    _user(session)
    token = auth.sign_in(session, "maya@example.com", PASSWORD).token
    auth.end_session(session, token)
    assert auth.resolve_session(session, token) is None


def test_sessions_expire_when_idle_and_absolutely(session):
    user = _user(session)
    start = utcnow()
    token = auth.start_session(session, user, now=start)
    idle = auth.start_session(session, user, now=start)
    assert auth.resolve_session(session, idle, now=start + auth.IDLE_TIMEOUT + timedelta(seconds=1)) is None
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


def _enable_2fa(session, user, now):
    enrolment = mfa.begin_enrolment(session, user)
    codes = mfa.confirm_enrolment(session, user, pyotp.TOTP(enrolment.secret).at(now), now=now)
    return enrolment.secret, codes


def test_two_factor_sign_in_is_a_second_step_the_pending_session_cannot_skip(session):
    user = _user(session)
    now = utcnow()
    secret, _codes = _enable_2fa(session, user, now - timedelta(minutes=5))
    first = auth.sign_in(session, user.email, PASSWORD, now=now)
    assert first.status == "mfa_required"
    # Half signed in opens nothing.
    assert auth.resolve_session(session, first.token, now=now) is None
    assert auth.is_pending(session, first.token, now=now)
    assert auth.complete_second_factor(session, first.token, "000000", now=now).status == "failed"
    done = auth.complete_second_factor(session, first.token, pyotp.TOTP(secret).at(now), now=now)
    assert done.status == "ok" and done.token != first.token
    assert auth.resolve_session(session, done.token, now=now).id == user.id
    # The pending token is spent.
    assert auth.complete_second_factor(session, first.token, pyotp.TOTP(secret).at(now + timedelta(seconds=30)),
                                       now=now).status == "failed"


def test_recovery_code_signs_in_once(session):
    user = _user(session)
    now = utcnow()
    _secret, codes = _enable_2fa(session, user, now - timedelta(minutes=5))
    pending = auth.sign_in(session, user.email, PASSWORD, now=now).token
    assert auth.complete_second_factor(session, pending, codes[0], now=now).status == "ok"
    again = auth.sign_in(session, user.email, PASSWORD, now=now).token
    assert auth.complete_second_factor(session, again, codes[0], now=now).status == "failed"


def test_failed_passwords_lock_with_growing_delay_that_ends(session):
    user = _user(session)
    now = utcnow()
    results = [auth.sign_in(session, user.email, "wrong password!", ip_address="10.0.0.9", now=now)
               for _ in range(throttle.FREE_FAILURES["account"])]
    assert results[-1].status == "throttled" and "locked for 1 minute" in results[-1].message
    # Locked: even the right password waits, with the same clear message.
    assert auth.sign_in(session, user.email, PASSWORD, now=now).status == "throttled"
    later = now + timedelta(minutes=1, seconds=1)
    assert auth.sign_in(session, user.email, "wrong again!!", now=later).message.startswith("Too many")
    second_lock = throttle.locked_for(session, email=user.email, ip_address="", now=later)
    assert timedelta(minutes=1) < second_lock <= timedelta(minutes=2)
    # Never longer than the cap, however many failures.
    t = later
    for _ in range(30):
        t += throttle.MAX_LOCK + timedelta(seconds=1)
        auth.sign_in(session, user.email, "wrong again!!", now=t)
    assert throttle.locked_for(session, email=user.email, ip_address="", now=t) <= throttle.MAX_LOCK
    assert auth.sign_in(session, user.email, PASSWORD, now=t + throttle.MAX_LOCK + timedelta(seconds=1)).status == "ok"


def test_one_address_guessing_many_accounts_is_throttled(session):
    now = utcnow()
    for i in range(throttle.FREE_FAILURES["address"]):
        auth.sign_in(session, f"victim{i}@example.com", "guess guess", ip_address="203.0.113.7", now=now)
    _user(session, email="real@example.com")
    assert auth.sign_in(session, "real@example.com", PASSWORD, ip_address="203.0.113.7", now=now).status == "throttled"
    assert auth.sign_in(session, "real@example.com", PASSWORD, ip_address="198.51.100.1", now=now).status == "ok"


def test_change_password_needs_the_current_one_and_rotates_sessions(session):
    user = _user(session)
    token = auth.sign_in(session, user.email, PASSWORD).token
    other = auth.sign_in(session, user.email, PASSWORD).token
    with pytest.raises(ValidationFailed) as caught:
        auth.change_password(session, user, current="wrong", new="a brand new secret", token=token)
    assert "password" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        auth.change_password(session, user, current=PASSWORD, new="password", token=token)
    assert "new_password" in caught.value.errors
    new_token = auth.change_password(session, user, current=PASSWORD, new="a brand new secret", token=token)
    assert verify_password("a brand new secret", user.password_hash)
    assert auth.resolve_session(session, other) is None and auth.resolve_session(session, token) is None
    assert auth.resolve_session(session, new_token).id == user.id
    assert any("password was changed" in m["Subject"] for m in read_outbox(user.email))


def test_change_email_needs_password_and_code_when_2fa_is_on(session):
    user = _user(session)
    now = utcnow()
    secret, _ = _enable_2fa(session, user, now - timedelta(minutes=5))
    with pytest.raises(ValidationFailed) as caught:
        auth.change_email(session, user, new_email="new@example.com", password=PASSWORD, code="")
    assert "code" in caught.value.errors and user.email == "maya@example.com"
    auth.change_email(session, user, new_email="New@Example.com", password=PASSWORD, code=pyotp.TOTP(secret).now())
    assert user.email == "new@example.com"
    assert read_outbox("maya@example.com") and read_outbox("new@example.com")


def test_sessions_page_lists_and_revokes_only_my_sessions(session):
    me = _user(session)
    other = _user(session, email="other@example.com")
    mine = auth.start_session(session, me, user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile")
    auth.start_session(session, me, user_agent="Mozilla/5.0 (Windows NT 10.0) Firefox/121.0")
    theirs = auth.start_session(session, other)
    rows = auth.list_sessions(session, me.id, mine)
    assert {r.device for r in rows} >= {"Chrome on Android", "Firefox on Windows"}
    assert [r.current for r in rows].count(True) == 1
    their_row = session.exec(select(AuthSession).where(AuthSession.token_hash == auth.token_hash(theirs))).one()
    with pytest.raises(ValidationFailed):
        auth.revoke_session(session, me.id, their_row.id)
    assert auth.resolve_session(session, theirs) is not None
    auth.revoke_all_sessions(session, me.id, except_token=mine)
    assert [r.current for r in auth.list_sessions(session, me.id, mine)] == [True]
