"""Signing in and out: password check and server-side sessions.

A session token is 256 random bits held by the browser; the database keeps only its SHA-256,
with an idle and an absolute expiry. Every request resolves the token here, so revoking a
session or suspending a user takes effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from adaptivefit.models import AuthSession, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.passwords import hash_password, verify_password

IDLE_TIMEOUT = timedelta(days=7)
ABSOLUTE_TIMEOUT = timedelta(days=30)
# Refreshing last-seen on every event would write on every click; once a minute is enough.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)

# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password", cost=12)


@dataclass(frozen=True)
class SignedInUser:
    id: int
    name: str
    email: str
    role: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None. Takes as long either way."""
    user = session.exec(select(User).where(User.email == normalise_email(email)[:254])).first()
    if user is None or user.password_hash is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, user.password_hash) or user.is_suspended:
        return None
    return user


def start_session(session: Session, user: User, *, user_agent: str = "", ip_address: str = "",
                  now: datetime | None = None) -> str:
    """Create a session for a signed-in user and return its token (shown to no one else)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(user_id=user.id, token_hash=_token_hash(token), user_agent=user_agent[:300],
                            ip_address=ip_address[:45], created_at=now, last_seen_at=now,
                            expires_at=now + ABSOLUTE_TIMEOUT))
    session.flush()
    return token


def resolve_session(session: Session, token: str, *, now: datetime | None = None) -> SignedInUser | None:
    """The user behind a token, or None when it is unknown, revoked, expired or suspended."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _token_hash(token))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now or row.last_seen_at + IDLE_TIMEOUT <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.is_suspended:
        return None
    if now - row.last_seen_at >= LAST_SEEN_GRANULARITY:
        row.last_seen_at = now
        session.add(row)
    return SignedInUser(id=user.id, name=user.name, email=user.email, role=user.role)


def end_session(session: Session, token: str, *, now: datetime | None = None) -> None:
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _token_hash(token))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.add(row)
