"""Password reset by email: single-use, hashed tokens that expire within an hour.

A reset does not bypass two-factor authentication: an account with 2FA must also give a
current code or a recovery code. A reset signs the account out everywhere.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlmodel import Session, func, select

from adaptivefit.config import get_settings
from adaptivefit.models import PasswordResetToken, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.accounts import mfa, throttle
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.accounts.auth import email_problem, normalise_email, revoke_all_sessions, token_hash
from adaptivefit.services.core.email import send_email
from adaptivefit.services.accounts.passwords import hash_password, password_problem

TOKEN_LIFETIME = timedelta(hours=1)
MAX_REQUESTS_PER_HOUR = 3
REQUESTED_MESSAGE = ("If an account uses that email, a link to reset its password is on its way. "
                     "The link works once, for one hour.")


def request_reset(session: Session, email: str, *, ip_address: str = "", now: datetime | None = None) -> str:
    """Send a reset link when the account exists; the answer is the same either way."""
    now = now or utcnow()
    email = normalise_email(email[:1000])
    if email_problem(email):
        raise ValidationFailed({"email": "Enter an email address like name@example.com."})
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or user.is_suspended:
        return REQUESTED_MESSAGE
    recent = session.exec(
        select(func.count()).select_from(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.created_at > now - timedelta(hours=1))
    ).one()
    if recent >= MAX_REQUESTS_PER_HOUR:
        return REQUESTED_MESSAGE
    token = secrets.token_urlsafe(32)
    session.add(PasswordResetToken(user_id=user.id, token_hash=token_hash(token), created_at=now,
                                   expires_at=now + TOKEN_LIFETIME))
    audit.record(session, "password_reset_requested", user_id=user.id, ip_address=ip_address)
    link = f"{get_settings().public_url}/reset-password?{urlencode({'token': token})}"
    send_email(user.email, "Reset your Adaptive Fit password",
               f"Hello {user.name},\n\nSomeone asked to reset the password of your Adaptive Fit account. "
               f"To choose a new password, open this link within one hour:\n\n{link}\n\n"
               "If you did not ask for this, ignore this message; your password stays as it is.\n\nAdaptive Fit")
    return REQUESTED_MESSAGE


def _valid_token(session: Session, token: str, now: datetime) -> PasswordResetToken | None:
    if not token or len(token) > 128:
        return None
    row = session.exec(select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def reset_needs_code(session: Session, token: str, *, now: datetime | None = None) -> bool | None:
    """Whether this link's account needs a 2FA code; None when the link is not valid."""
    row = _valid_token(session, token, now or utcnow())
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return bool(user and user.totp_enabled)


def reset_password(session: Session, token: str, new_password: str, code: str = "", *, ip_address: str = "",
                   now: datetime | None = None) -> None:
    now = now or utcnow()
    row = _valid_token(session, token, now)
    if row is None:
        raise ValidationFailed({"token": "This reset link is not valid any more. Ask for a new one."})
    user = session.get(User, row.user_id)
    if user is None or user.is_suspended:
        raise ValidationFailed({"token": "This reset link is not valid any more. Ask for a new one."})
    if problem := password_problem(new_password, email=user.email, name=user.name):
        raise ValidationFailed({"password": problem})
    if user.totp_enabled and not mfa.verify_second_factor(session, user, code[:100], ip_address=ip_address, now=now):
        raise ValidationFailed({"code": "Enter a current code from your authenticator app, or a recovery code."})
    user.password_hash = hash_password(new_password)
    user.updated_at = now
    session.add(user)
    row.used_at = now
    session.add(row)
    revoke_all_sessions(session, user.id, now=now)
    throttle.clear(session, email=user.email)
    audit.record(session, "password_reset", user_id=user.id, ip_address=ip_address)
    send_email(user.email, "Your Adaptive Fit password was reset",
               f"Hello {user.name},\n\nThe password of your account was reset and every device was signed out.\n\n"
               "If this was not you, contact support now.\n\nAdaptive Fit")
