import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest
from sqlmodel import Session, select

from adaptivefit import db
from adaptivefit.models import AuditEvent, RecoveryCode, User
from adaptivefit.services.accounts import mfa
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.email import read_outbox

# A step boundary (1_704_110_400 is a multiple of 30), so +/- 30 s is exactly one step.
T0 = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
STEP = timedelta(seconds=30)
CODE_RE = re.compile(r"[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}")


def _user(session, email="a@example.com", name="A"):
    user = User(email=email, name=name)
    session.add(user)
    session.flush()
    return user


def _code(secret, when):
    return pyotp.TOTP(secret).at(when)


def _enabled(session, email="a@example.com", at=T0 - timedelta(minutes=5)):
    """A user with 2FA on, enrolled a few minutes before T0; returns (user, secret, codes)."""
    user = _user(session, email=email)
    secret = mfa.begin_enrolment(session, user).secret
    codes = mfa.confirm_enrolment(session, user, _code(secret, at), now=at)
    return user, secret, codes


def _events(session, user, event):
    return session.exec(select(AuditEvent).where(AuditEvent.user_id == user.id, AuditEvent.event == event)).all()


def _subjects(email):
    return [message["Subject"] for message in read_outbox(email)]


def test_enrolment_stays_pending_until_a_correct_code(session):
    user = _user(session)
    enrolment = mfa.begin_enrolment(session, user)
    assert user.totp_secret == enrolment.secret and not user.totp_enabled
    # A pending secret signs nobody in, and there are no recovery codes yet.
    assert mfa.verify_totp(session, user, _code(enrolment.secret, T0), now=T0) is False
    assert mfa.remaining_recovery_codes(session, user) == 0

    right = _code(enrolment.secret, T0)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationFailed) as caught:
        mfa.confirm_enrolment(session, user, wrong, now=T0)
    assert caught.value.errors == {"code": mfa.WRONG_CODE}
    with pytest.raises(ValidationFailed):
        mfa.confirm_enrolment(session, user, "not a code", now=T0)
    session.refresh(user)
    assert user.totp_enabled is False and user.totp_secret == enrolment.secret
    assert _events(session, user, "totp_enabled") == []

    codes = mfa.confirm_enrolment(session, user, right, ip_address="203.0.113.9", now=T0)
    session.refresh(user)
    assert user.totp_enabled is True
    assert len(codes) == 10
    assert mfa.remaining_recovery_codes(session, user) == 10
    [event] = _events(session, user, "totp_enabled")
    assert event.ip_address == "203.0.113.9"
    assert "Two-factor authentication is on" in _subjects(user.email)


def test_a_code_from_an_older_pending_secret_does_not_confirm_a_restarted_enrolment(session):
    user = _user(session)
    first = mfa.begin_enrolment(session, user)
    second = mfa.begin_enrolment(session, user)
    assert first.secret != second.secret and user.totp_secret == second.secret
    with pytest.raises(ValidationFailed):
        mfa.confirm_enrolment(session, user, _code(first.secret, T0), now=T0)
    assert mfa.confirm_enrolment(session, user, _code(second.secret, T0), now=T0)


def test_enrolment_is_refused_when_already_on_or_never_started(session):
    user = _user(session)
    with pytest.raises(ValidationFailed) as caught:
        mfa.confirm_enrolment(session, user, "123456", now=T0)
    assert "code" in caught.value.errors
    user, secret, _codes = _enabled(session, email="b@example.com")
    with pytest.raises(ValidationFailed) as caught:
        mfa.begin_enrolment(session, user)
    assert "code" in caught.value.errors
    assert user.totp_secret == secret and user.totp_enabled


def test_enrolment_gives_an_svg_qr_and_an_otpauth_uri_with_issuer_and_email(session):
    user = _user(session)
    enrolment = mfa.begin_enrolment(session, user)
    assert re.fullmatch(r"[A-Z2-7]{32}", enrolment.secret)

    prefix = "data:image/svg+xml;base64,"
    assert enrolment.qr_data_uri.startswith(prefix)
    svg = base64.b64decode(enrolment.qr_data_uri[len(prefix):], validate=True).decode("utf-8")
    assert "<svg" in svg and "<path" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")

    uri = urlparse(enrolment.otpauth_uri)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/Adaptive Fit:a@example.com"
    query = parse_qs(uri.query)
    assert query["issuer"] == ["Adaptive Fit"]
    assert query["secret"] == [enrolment.secret]


def test_the_enrolment_code_cannot_then_sign_in(session):
    user = _user(session)
    secret = mfa.begin_enrolment(session, user).secret
    mfa.confirm_enrolment(session, user, _code(secret, T0), now=T0)
    assert mfa.verify_totp(session, user, _code(secret, T0), now=T0) is False
    assert mfa.verify_totp(session, user, _code(secret, T0 + STEP), now=T0 + STEP) is True


def test_a_code_is_accepted_once_and_older_steps_never_again(session):
    user, secret, _codes = _enabled(session)
    code = _code(secret, T0)
    assert mfa.verify_totp(session, user, code, now=T0) is True
    assert user.totp_last_step == pyotp.TOTP(secret).timecode(T0)
    # Replayed in the same step, or later in its drift window.
    assert mfa.verify_totp(session, user, code, now=T0) is False
    assert mfa.verify_totp(session, user, code, now=T0 + STEP) is False
    # An older step, though still inside the drift window.
    assert mfa.verify_totp(session, user, _code(secret, T0 - STEP), now=T0) is False
    # The next step's code works once its time comes.
    assert mfa.verify_totp(session, user, _code(secret, T0 + STEP), now=T0 + STEP) is True
    session.refresh(user)
    assert user.totp_last_step == pyotp.TOTP(secret).timecode(T0 + STEP)


def test_one_step_of_clock_drift_is_accepted_and_two_are_not(session):
    user, secret, _codes = _enabled(session)
    assert mfa.verify_totp(session, user, _code(secret, T0 - 2 * STEP), now=T0) is False
    assert mfa.verify_totp(session, user, _code(secret, T0 + 2 * STEP), now=T0) is False
    assert user.totp_last_step < pyotp.TOTP(secret).timecode(T0 - 2 * STEP)
    assert mfa.verify_totp(session, user, _code(secret, T0 - STEP), now=T0) is True
    # A phone running fast: its code is one step ahead.
    assert mfa.verify_totp(session, user, _code(secret, T0 + STEP), now=T0) is True
    # The accepted step ahead now bars the current one.
    assert mfa.verify_totp(session, user, _code(secret, T0), now=T0) is False


def test_codes_are_read_with_spaces_and_odd_input_is_refused_quietly(session):
    user, secret, _codes = _enabled(session)
    code = _code(secret, T0)
    for odd in ["", "12345", "1234567", "12a456", "１２３４５６", "x" * 10_000, code + "0", None]:
        assert mfa.verify_totp(session, user, odd, now=T0) is False
    assert mfa.verify_totp(session, user, f" {code[:3]} {code[3:]} ", now=T0) is True


def test_a_user_without_2fa_never_passes(session):
    user = _user(session)
    assert mfa.verify_totp(session, user, "123456", now=T0) is False
    assert mfa.use_recovery_code(session, user, "abcde-fghjk") is False
    assert mfa.verify_second_factor(session, user, "123456", now=T0) is False


def test_a_code_claimed_by_another_request_is_refused_even_with_a_stale_user(session):
    user, secret, _codes = _enabled(session)
    session.commit()
    code = _code(secret, T0)
    with Session(db.get_engine(), expire_on_commit=False) as other:
        stale = other.get(User, user.id)
        assert stale.totp_last_step < pyotp.TOTP(secret).timecode(T0)
        assert mfa.verify_totp(session, user, code, now=T0) is True
        session.commit()
        assert mfa.verify_totp(other, stale, code, now=T0) is False


def test_recovery_codes_are_ten_unique_friendly_codes(session):
    _user_, _secret, codes = _enabled(session)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(CODE_RE.fullmatch(code) for code in codes)
    # Ten symbols from 32 carry at least 50 bits; none of i, l, o, u is used.
    assert len(set(mfa.RECOVERY_ALPHABET)) ** 10 >= 2**50
    assert not set("ilou") & set(mfa.RECOVERY_ALPHABET)


def test_recovery_codes_are_stored_only_as_sha256(session, database):
    user, _secret, codes = _enabled(session)
    rows = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert sorted(row.code_hash for row in rows) == sorted(
        hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes)
    session.commit()
    raw = Path(database.removeprefix("sqlite:///")).read_bytes()
    for wal in Path(database.removeprefix("sqlite:///")).parent.glob("*.db-wal"):
        raw += wal.read_bytes()
    for code in codes:
        assert code.encode() not in raw
        assert code.replace("-", "").encode() not in raw


def test_a_recovery_code_works_once(session):
    user, _secret, codes = _enabled(session)
    assert mfa.use_recovery_code(session, user, codes[0], ip_address="198.51.100.4") is True
    assert mfa.use_recovery_code(session, user, codes[0]) is False
    assert mfa.remaining_recovery_codes(session, user) == 9
    used = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                   RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 1
    [event] = _events(session, user, "recovery_code_used")
    assert event.ip_address == "198.51.100.4" and event.details == {"remaining": 9}
    assert _subjects(user.email).count("A recovery code was used") == 1


def test_recovery_codes_are_read_in_any_case_with_spaces_dashes_and_lookalikes(session):
    user, _secret, codes = _enabled(session)
    assert mfa.use_recovery_code(session, user, f"  {codes[0].upper()}  ") is True
    assert mfa.use_recovery_code(session, user, " ".join(codes[1].replace("-", ""))) is True
    assert mfa.use_recovery_code(session, user, codes[2].replace("-", "--")) is True
    # o for 0 and l or I for 1, the way people copy codes by hand.
    lookalike = max(codes[3:], key=lambda code: code.count("0") + code.count("1"))
    assert mfa.use_recovery_code(session, user, lookalike.replace("0", "O").replace("1", "l")) is True
    assert mfa.remaining_recovery_codes(session, user) == 6
    for odd in ["", "abcde", codes[4] + "x", "x" * 10_000, None]:
        assert mfa.use_recovery_code(session, user, odd) is False
    assert mfa.remaining_recovery_codes(session, user) == 6


def test_one_users_recovery_code_does_not_open_another_account(session):
    _alice, _secret, alice_codes = _enabled(session, email="alice@example.com")
    bob, _secret, _codes = _enabled(session, email="bob@example.com")
    assert mfa.use_recovery_code(session, bob, alice_codes[0]) is False
    assert mfa.verify_second_factor(session, bob, alice_codes[0], now=T0) is False


def test_second_factor_takes_a_totp_code_or_a_recovery_code(session):
    user, secret, codes = _enabled(session)
    assert mfa.verify_second_factor(session, user, _code(secret, T0), now=T0) is True
    assert mfa.verify_second_factor(session, user, _code(secret, T0), now=T0) is False
    assert mfa.verify_second_factor(session, user, codes[5], ip_address="192.0.2.1", now=T0) is True
    assert mfa.verify_second_factor(session, user, codes[5], now=T0) is False
    assert mfa.verify_second_factor(session, user, "nonsense", now=T0) is False
    assert mfa.remaining_recovery_codes(session, user) == 9


def test_regenerating_recovery_codes_invalidates_the_old_ones(session):
    user, _secret, old = _enabled(session)
    mfa.use_recovery_code(session, user, old[0])
    new = mfa.regenerate_recovery_codes(session, user, ip_address="192.0.2.7")
    assert len(new) == 10 and not set(new) & set(old)
    assert mfa.remaining_recovery_codes(session, user) == 10
    assert len(session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()) == 10
    assert all(mfa.use_recovery_code(session, user, code) is False for code in old[1:])
    assert mfa.use_recovery_code(session, user, new[0]) is True
    [event] = _events(session, user, "recovery_codes_regenerated")
    assert event.ip_address == "192.0.2.7"
    assert "New recovery codes were made" in _subjects(user.email)


def test_regenerating_needs_2fa_on(session):
    user = _user(session)
    with pytest.raises(ValidationFailed):
        mfa.regenerate_recovery_codes(session, user)
    assert mfa.remaining_recovery_codes(session, user) == 0


def test_disable_clears_secret_step_and_codes(session):
    user, secret, codes = _enabled(session)
    other, _other_secret, _other_codes = _enabled(session, email="other@example.com")
    assert mfa.verify_totp(session, user, _code(secret, T0), now=T0)
    mfa.disable(session, user, ip_address="192.0.2.8")
    session.refresh(user)
    assert (user.totp_enabled, user.totp_secret, user.totp_last_step) == (False, None, None)
    assert session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    assert mfa.remaining_recovery_codes(session, other) == 10
    assert mfa.verify_totp(session, user, _code(secret, T0 + STEP), now=T0 + STEP) is False
    assert mfa.use_recovery_code(session, user, codes[0]) is False
    [event] = _events(session, user, "totp_disabled")
    assert event.ip_address == "192.0.2.8"
    assert "Two-factor authentication is off" in _subjects(user.email)
    # And it can be set up afresh, with a new secret.
    assert mfa.begin_enrolment(session, user).secret != secret


def test_every_notice_goes_to_the_account_owner_only(session):
    user, _secret, codes = _enabled(session)
    mfa.use_recovery_code(session, user, codes[0])
    mfa.regenerate_recovery_codes(session, user)
    mfa.disable(session, user)
    # The outbox orders by the second a message was written, so compare without order.
    assert sorted(_subjects(user.email)) == sorted([
        "Two-factor authentication is on",
        "A recovery code was used",
        "New recovery codes were made",
        "Two-factor authentication is off",
    ])
    assert len(read_outbox()) == 4
    bodies = "".join(message.get_body().get_content() for message in read_outbox())
    assert not any(code in bodies for code in codes)
