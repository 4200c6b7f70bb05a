import re
from datetime import timedelta

import pyotp
import pytest

from adaptivefit.models.base import utcnow
from adaptivefit.services.accounts import auth, mfa, password_reset
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.email import read_outbox

PASSWORD = "lift heavy things"


def _token_from_outbox(email):
    body = read_outbox(email)[-1].get_body().get_content()
    return re.search(r"reset-password\?token=([A-Za-z0-9_\-]+)", body).group(1)


def test_reset_through_the_outbox_is_single_use_and_signs_out_everywhere(session):
    user, token = auth.register(session, email="maya@example.com", password=PASSWORD, name="Maya")
    message = password_reset.request_reset(session, "Maya@example.com")
    assert message == password_reset.REQUESTED_MESSAGE
    link_token = _token_from_outbox("maya@example.com")
    password_reset.reset_password(session, link_token, "a whole new password")
    assert auth.resolve_session(session, token) is None
    assert auth.sign_in(session, user.email, "a whole new password").status == "ok"
    with pytest.raises(ValidationFailed) as caught:
        password_reset.reset_password(session, link_token, "yet another password")
    assert "token" in caught.value.errors


def test_unknown_email_gets_the_same_answer_and_no_mail(session):
    assert password_reset.request_reset(session, "nobody@example.com") == password_reset.REQUESTED_MESSAGE
    assert read_outbox() == []


def test_reset_link_expires_within_an_hour(session):
    auth.register(session, email="maya@example.com", password=PASSWORD, name="Maya")
    now = utcnow()
    password_reset.request_reset(session, "maya@example.com", now=now)
    link_token = _token_from_outbox("maya@example.com")
    with pytest.raises(ValidationFailed):
        password_reset.reset_password(session, link_token, "a whole new password", now=now + timedelta(hours=1))


def test_reset_does_not_bypass_two_factor(session):
    user, _ = auth.register(session, email="maya@example.com", password=PASSWORD, name="Maya")
    enrolment = mfa.begin_enrolment(session, user)
    now = utcnow()
    mfa.confirm_enrolment(session, user, pyotp.TOTP(enrolment.secret).at(now - timedelta(minutes=2)),
                          now=now - timedelta(minutes=2))
    password_reset.request_reset(session, "maya@example.com")
    link_token = _token_from_outbox("maya@example.com")
    assert password_reset.reset_needs_code(session, link_token) is True
    with pytest.raises(ValidationFailed) as caught:
        password_reset.reset_password(session, link_token, "a whole new password", code="")
    assert "code" in caught.value.errors
    password_reset.reset_password(session, link_token, "a whole new password", code=pyotp.TOTP(enrolment.secret).now())
    assert auth.sign_in(session, user.email, "a whole new password").status == "mfa_required"


def test_requests_are_limited_per_hour(session):
    auth.register(session, email="maya@example.com", password=PASSWORD, name="Maya")
    for _ in range(5):
        password_reset.request_reset(session, "maya@example.com")
    assert len(read_outbox("maya@example.com")) == password_reset.MAX_REQUESTS_PER_HOUR
