"""Personal API tokens: created and shown once, kept only as a SHA-256, revocable at any time.

A token carries its owner's role as it is when used, not as it was when created, and stops
working the moment the owner is suspended.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from adaptivefit.models import ApiToken, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.services.accounts.auth import token_hash

TOKEN_PREFIX = "afp_"
NAME_MAX = 80
MAX_ACTIVE_TOKENS = 20
# The shown prefix: "afp_" and four characters of the secret, enough to tell tokens apart.
SHOWN_PREFIX_LENGTH = 8
# Refreshing last-used on every request would write on every call; once a minute is enough.
LAST_USED_GRANULARITY = timedelta(minutes=1)
# token_urlsafe(32) gives 43 characters; anything far longer is not one of ours.
_RAW_MAX = 128


def _active(user_id: int):
    return select(ApiToken).where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))


def create_token(session: Session, user: User, name: str, *, ip_address: str = "") -> tuple[ApiToken, str]:
    """Make a token for `user`; the raw token is returned here once and never stored."""
    if user.is_suspended:
        raise PermissionDenied("A suspended account cannot create API tokens.")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": "Give the token a name, so you can tell it apart later."})
    if len(name) > NAME_MAX:
        raise ValidationFailed({"name": f"Keep the name to {NAME_MAX} characters or fewer."})
    active = session.exec(
        select(func.count()).select_from(ApiToken)
        .where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
    ).one()
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationFailed({"name": f"You already have {MAX_ACTIVE_TOKENS} tokens; revoke one first."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=raw[:SHOWN_PREFIX_LENGTH], token_hash=token_hash(raw))
    session.add(token)
    session.flush()
    audit.record(session, "api_token_created", user_id=user.id, ip_address=ip_address,
                 token_id=token.id, name=name, prefix=token.prefix)
    session.flush()
    return token, raw


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return list(session.exec(
        _active(user.id).order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    ).all())


def revoke_token(session: Session, user: User, token_id: int, *, ip_address: str = "") -> None:
    """Revoke one of the user's own tokens; someone else's id is treated as unknown."""
    token = session.exec(_active(user.id).where(ApiToken.id == token_id)).first()
    if token is None:
        raise ValidationFailed({"token": "No such token."})
    token.revoked_at = utcnow()
    session.add(token)
    audit.record(session, "api_token_revoked", user_id=user.id, ip_address=ip_address,
                 token_id=token.id, name=token.name, prefix=token.prefix)
    session.flush()


def revoke_all_tokens(session: Session, user_id: int, *, now: datetime | None = None) -> int:
    """Revoke every token a user still has (on suspension); returns how many."""
    now = now or utcnow()
    tokens = session.exec(_active(user_id)).all()
    for token in tokens:
        token.revoked_at = now
        session.add(token)
    return len(tokens)


def resolve_token(session: Session, raw: str, *, now: datetime | None = None) -> Actor | None:
    """Who a raw token acts for, or None when it is unknown, revoked or its owner is suspended."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > _RAW_MAX:
        return None
    digest = token_hash(raw)
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or user.is_suspended:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        token.last_used_at = now
        session.add(token)
    return Actor(id=user.id, role=user.role, name=user.name, email=user.email)
