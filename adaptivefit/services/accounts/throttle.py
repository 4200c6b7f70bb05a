"""Throttling of failed sign-in attempts, per account and per client address.

After a few free failures each further one locks for twice as long as the last, capped at
15 minutes, so guessing is slow but no one (an attacker included) can lock an account for
good; a password reset by email always works and clears the account's lock. A quiet day
forgets the count.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlmodel import Session, select

from adaptivefit.models import LoginThrottle
from adaptivefit.models.base import utcnow

FREE_FAILURES = {"account": 5, "address": 20}
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=24)


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _keys(email: str, ip_address: str) -> list[tuple[str, str]]:
    keys = [("account", account_key(email))]
    if ip_address:
        keys.append(("address", ip_address[:45]))
    return keys


def _row(session: Session, scope: str, key: str) -> LoginThrottle | None:
    return session.exec(select(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)).first()


def locked_for(session: Session, *, email: str, ip_address: str, now: datetime | None = None) -> timedelta | None:
    """How much longer sign-in stays locked for this account or address, or None."""
    now = now or utcnow()
    longest = None
    for scope, key in _keys(email, ip_address):
        row = _row(session, scope, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            left = row.locked_until - now
            longest = left if longest is None or left > longest else longest
    return longest


def record_failure(session: Session, *, email: str, ip_address: str, now: datetime | None = None) -> timedelta | None:
    """Count a failure; returns the lock it caused, if any."""
    now = now or utcnow()
    caused = None
    for scope, key in _keys(email, ip_address):
        row = _row(session, scope, key)
        if row is None:
            row = LoginThrottle(scope=scope, key=key, failures=0, last_failure_at=now)
        elif now - row.last_failure_at > FORGET_AFTER:
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failure_at = now
        over = row.failures - FREE_FAILURES[scope]
        if over >= 0:
            lock = min(FIRST_LOCK * (2 ** min(over, 10)), MAX_LOCK)
            row.locked_until = now + lock
            caused = lock if caused is None or lock > caused else caused
        session.add(row)
    session.flush()
    return caused


def clear(session: Session, *, email: str) -> None:
    """Forget an account's failures (after a successful sign-in or password reset)."""
    row = _row(session, "account", account_key(email))
    if row is not None:
        session.delete(row)


def locked_message(left: timedelta) -> str:
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (f"Too many failed attempts. Sign-in is locked for {minutes} {unit}; try again then, "
            "or reset your password by email.")
