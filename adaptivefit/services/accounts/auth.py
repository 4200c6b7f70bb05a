"""Registration, signing in and out, and server-side sessions.

A session token is 256 random bits held by the browser; the database keeps only its SHA-256,
with an idle and an absolute expiry. Every event resolves the token here, so revoking a
session or suspending a user takes effect at once. A password accepted for an account with
two-factor authentication gives only a short "pending" session that opens nothing but the
second step; passing it replaces that session with a new one (tokens rotate at every change
of privilege).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlmodel import Session, select

from adaptivefit.models import AuthSession, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.accounts import mfa, throttle
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import Actor, ValidationFailed
from adaptivefit.services.core.email import send_email
from adaptivefit.services.accounts.passwords import hash_password, password_problem, verify_password

IDLE_TIMEOUT = timedelta(days=7)
ABSOLUTE_TIMEOUT = timedelta(days=30)
PENDING_TIMEOUT = timedelta(minutes=10)
# Refreshing last-seen on every event would write on every click; once a minute is enough.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")



@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Compared against when the email is unknown, so a wrong email costs as long as a wrong password."""
    return hash_password("not-a-real-password")


@dataclass(frozen=True)
class SignInResult:
    status: str  # ok | mfa_required | failed | throttled
    token: str = ""
    message: str = ""


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def email_problem(email: str) -> str | None:
    if len(email) > 254 or not _EMAIL.match(email):
        return "Enter an email address like name@example.com."
    return None


def name_problem(name: str) -> str | None:
    if not name:
        return "Enter your name."
    if len(name) > 100:
        return "Use at most 100 characters."
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return "Remove the control characters from your name."
    return None


def _new_session(session: Session, user: User, *, user_agent: str, ip_address: str, now: datetime,
                 pending: bool = False) -> str:
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(
        user_id=user.id, token_hash=token_hash(token), user_agent=user_agent[:300], ip_address=ip_address[:45],
        created_at=now, last_seen_at=now, mfa_pending=pending,
        expires_at=now + (PENDING_TIMEOUT if pending else ABSOLUTE_TIMEOUT),
    ))
    session.flush()
    return token


def start_session(session: Session, user: User, *, user_agent: str = "", ip_address: str = "",
                  now: datetime | None = None) -> str:
    """A full session for a user who has passed every factor; returns its token."""
    return _new_session(session, user, user_agent=user_agent, ip_address=ip_address, now=now or utcnow())


def register(session: Session, *, email: str, password: str, name: str, ip_address: str = "",
             user_agent: str = "") -> tuple[User, str]:
    """Create a member account and sign it in. Raises ValidationFailed with a reason per field."""
    email, name = normalise_email(email[:1000]), name.strip()[:1000]
    errors = {}
    if problem := name_problem(name):
        errors["name"] = problem
    if problem := email_problem(email):
        errors["email"] = problem
    elif session.exec(select(User.id).where(User.email == email)).first() is not None:
        errors["email"] = "An account with this email already exists. Sign in, or reset your password."
    if problem := password_problem(password[:1000], email=email, name=name):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, name=name, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    audit.record(session, "register", user_id=user.id, ip_address=ip_address)
    return user, start_session(session, user, user_agent=user_agent, ip_address=ip_address)


def sign_in(session: Session, email: str, password: str, *, ip_address: str = "", user_agent: str = "",
            now: datetime | None = None) -> SignInResult:
    """Check a password, honouring the throttle; the caller commits whatever the outcome."""
    now = now or utcnow()
    email = normalise_email(email[:1000])
    locked = throttle.locked_for(session, email=email, ip_address=ip_address, now=now)
    if locked:
        audit.record(session, "login_throttled", ip_address=ip_address, email_hash=throttle.account_key(email))
        return SignInResult("throttled", message=throttle.locked_message(locked))
    user = session.exec(select(User).where(User.email == email)).first()
    ok = verify_password(password, user.password_hash if user is not None and user.password_hash else _dummy_hash())
    if user is None or not ok or user.is_suspended:
        locked = throttle.record_failure(session, email=email, ip_address=ip_address, now=now)
        audit.record(session, "login_failed", user_id=user.id if user else None, ip_address=ip_address)
        if locked:
            return SignInResult("throttled", message=throttle.locked_message(locked))
        # One message for an unknown email and a wrong password, so accounts cannot be found this way.
        return SignInResult("failed", message="That email and password do not match an account.")
    if user.totp_enabled:
        token = _new_session(session, user, user_agent=user_agent, ip_address=ip_address, now=now, pending=True)
        return SignInResult("mfa_required", token=token)
    throttle.clear(session, email=email)
    audit.record(session, "login_ok", user_id=user.id, ip_address=ip_address)
    return SignInResult("ok", token=start_session(session, user, user_agent=user_agent, ip_address=ip_address, now=now))


def _session_row(session: Session, token: str) -> AuthSession | None:
    if not token or len(token) > 128:
        return None
    return session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).first()


def _alive(row: AuthSession | None, now: datetime) -> bool:
    return (row is not None and row.revoked_at is None and row.expires_at > now
            and row.last_seen_at + IDLE_TIMEOUT > now)


def complete_second_factor(session: Session, pending_token: str, code: str, *, ip_address: str = "",
                           user_agent: str = "", now: datetime | None = None) -> SignInResult:
    """The second step of signing in: a TOTP or recovery code for a pending session."""
    now = now or utcnow()
    row = _session_row(session, pending_token)
    if not _alive(row, now) or not row.mfa_pending:
        return SignInResult("failed", message="Your sign-in has expired. Enter your email and password again.")
    user = session.get(User, row.user_id)
    if user is None or user.is_suspended:
        return SignInResult("failed", message="Your sign-in has expired. Enter your email and password again.")
    locked = throttle.locked_for(session, email=user.email, ip_address=ip_address, now=now)
    if locked:
        return SignInResult("throttled", message=throttle.locked_message(locked))
    if not mfa.verify_second_factor(session, user, code[:100], ip_address=ip_address, now=now):
        locked = throttle.record_failure(session, email=user.email, ip_address=ip_address, now=now)
        audit.record(session, "totp_failed", user_id=user.id, ip_address=ip_address)
        if locked:
            row.revoked_at = now
            session.add(row)
            return SignInResult("throttled", message=throttle.locked_message(locked))
        return SignInResult("failed", message="That code is not right. Try the newest code from your app.")
    row.revoked_at = now
    session.add(row)
    throttle.clear(session, email=user.email)
    audit.record(session, "login_ok", user_id=user.id, ip_address=ip_address, second_factor=True)
    return SignInResult("ok", token=start_session(session, user, user_agent=user_agent, ip_address=ip_address, now=now))


def resolve_session(session: Session, token: str, *, now: datetime | None = None) -> Actor | None:
    """Who is behind a token, or None: unknown, revoked, expired, pending or suspended."""
    now = now or utcnow()
    row = _session_row(session, token)
    if not _alive(row, now) or row.mfa_pending:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.is_suspended:
        return None
    if now - row.last_seen_at >= LAST_SEEN_GRANULARITY:
        row.last_seen_at = now
        session.add(row)
    return Actor(id=user.id, role=user.role, name=user.name, email=user.email)


def is_pending(session: Session, token: str, *, now: datetime | None = None) -> bool:
    row = _session_row(session, token)
    return _alive(row, now or utcnow()) and row.mfa_pending


def end_session(session: Session, token: str, *, ip_address: str = "", now: datetime | None = None) -> None:
    row = _session_row(session, token)
    if row is not None and row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.add(row)
        if not row.mfa_pending:
            audit.record(session, "logout", user_id=row.user_id, ip_address=ip_address)


def revoke_all_sessions(session: Session, user_id: int, *, except_token: str | None = None,
                        now: datetime | None = None) -> int:
    now = now or utcnow()
    keep = token_hash(except_token) if except_token else None
    rows = session.exec(select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))).all()
    count = 0
    for row in rows:
        if row.token_hash != keep:
            row.revoked_at = now
            session.add(row)
            count += 1
    return count


def rotate_session(session: Session, user: User, token: str, *, now: datetime | None = None) -> str:
    """Replace the current session's token with a fresh one (after a change of privilege or factor)."""
    now = now or utcnow()
    row = _session_row(session, token)
    user_agent, ip_address = (row.user_agent, row.ip_address) if row else ("", "")
    if row is not None:
        row.revoked_at = now
        session.add(row)
    return _new_session(session, user, user_agent=user_agent, ip_address=ip_address, now=now)


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    ip_address: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def describe_device(user_agent: str) -> str:
    """A short human name for a browser's user agent ("Chrome on Android")."""
    ua = user_agent or ""
    browser = next((name for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                           ("Chromium/", "Chromium"), ("Safari/", "Safari")) if key in ua), "Browser")
    system = next((name for key, name in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                          ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux")) if key in ua), "")
    return f"{browser} on {system}" if system else browser


def list_sessions(session: Session, user_id: int, current_token: str, *, now: datetime | None = None) -> list[SessionRow]:
    now = now or utcnow()
    current = token_hash(current_token) if current_token else ""
    rows = session.exec(
        select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None),
                                  AuthSession.mfa_pending.is_(False)).order_by(AuthSession.last_seen_at.desc())
    ).all()
    return [SessionRow(id=r.id, device=describe_device(r.user_agent), ip_address=r.ip_address,
                       created_at=r.created_at, last_seen_at=r.last_seen_at, current=r.token_hash == current)
            for r in rows if _alive(r, now)]


def revoke_session(session: Session, user_id: int, session_id: int, *, ip_address: str = "") -> None:
    """Sign out one of the user's own sessions (another user's id changes nothing)."""
    row = session.get(AuthSession, session_id)
    if row is None or row.user_id != user_id:
        raise ValidationFailed({"session": "No such session."})
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        audit.record(session, "session_revoked", user_id=user_id, ip_address=ip_address)


def confirm_identity(session: Session, user: User, password: str, code: str = "", *, ip_address: str = "") -> None:
    """The re-check before a sensitive change: the current password, and a code when 2FA is on."""
    if not verify_password(password[:1000], user.password_hash):
        raise ValidationFailed({"password": "Your current password is not right."})
    if user.totp_enabled and not mfa.verify_second_factor(session, user, code[:100], ip_address=ip_address):
        raise ValidationFailed({"code": "Enter a current code from your authenticator app, or a recovery code."})


def _notify(user: User, subject: str, what: str) -> None:
    send_email(user.email, subject, f"Hello {user.name},\n\n{what}\n\nIf this was not you, reset your password "
               "now and contact support.\n\nAdaptive Fit")


def change_password(session: Session, user: User, *, current: str, new: str, code: str = "", token: str,
                    ip_address: str = "") -> str:
    """Change the password; other sessions end and this one gets a new token, which is returned."""
    confirm_identity(session, user, current, code, ip_address=ip_address)
    if problem := password_problem(new, email=user.email, name=user.name):
        raise ValidationFailed({"new_password": problem})
    user.password_hash = hash_password(new)
    user.updated_at = utcnow()
    session.add(user)
    revoke_all_sessions(session, user.id, except_token=token)
    audit.record(session, "password_changed", user_id=user.id, ip_address=ip_address)
    _notify(user, "Your Adaptive Fit password was changed", "The password of your account was just changed.")
    return rotate_session(session, user, token)


def change_email(session: Session, user: User, *, new_email: str, password: str, code: str = "",
                 ip_address: str = "") -> None:
    confirm_identity(session, user, password, code, ip_address=ip_address)
    email = normalise_email(new_email[:1000])
    if problem := email_problem(email):
        raise ValidationFailed({"new_email": problem})
    if session.exec(select(User.id).where(User.email == email, User.id != user.id)).first() is not None:
        raise ValidationFailed({"new_email": "This email cannot be used for your account."})
    old = user.email
    user.email, user.updated_at = email, utcnow()
    session.add(user)
    audit.record(session, "email_changed", user_id=user.id, ip_address=ip_address)
    # The old address hears of it too, so a hijacked account is noticed.
    for address in (old, email):
        send_email(address, "Your Adaptive Fit email was changed",
                   f"Hello {user.name},\n\nThe email of your account was changed from {old} to {email}.\n\n"
                   "If this was not you, reset your password now and contact support.\n\nAdaptive Fit")
