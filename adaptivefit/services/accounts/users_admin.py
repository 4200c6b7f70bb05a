"""Running the user base: find people, change roles, suspend and reinstate, read the audit log.

Moderators keep order among members and trainers; admins also manage staff and read the log.
Every function checks the acting role and the object scope itself, so a page, a state handler
and an API route can all call it directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from adaptivefit.models import AuditEvent, Role, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.accounts import api_tokens, auth
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import STAFF, Actor, PermissionDenied, ValidationFailed, require
from adaptivefit.services.core.paging import window
from adaptivefit.services.core.search import matches_any

PAGE_SIZE = 25
REASON_MAX = 500
QUERY_MAX = 254

# Staff accounts a moderator may not act on: only an admin suspends or reinstates them.
_ROLES = tuple(role.value for role in Role)
_ROLE_ERROR = {"role": "Choose one of: " + ", ".join(_ROLES) + "."}


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    role: str
    is_suspended: bool
    created_at: datetime
    totp_enabled: bool
    coach_ai: bool = False


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    event: str
    user_email: str
    actor_email: str
    ip_address: str
    details: dict[str, Any]


def _target(session: Session, user_id: int) -> User:
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise ValidationFailed({"user": "No such user."})
    return user


def _other_active_admins(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(User).where(
            User.role == Role.ADMIN, col(User.is_suspended).is_(False), User.id != user_id,
        )
    ).one()


def _refuse_losing_last_admin(session: Session, target: User) -> None:
    # Checked against the database, not the actor: two admins demoting each other at once
    # would otherwise leave none.
    if target.role == Role.ADMIN and _other_active_admins(session, target.id) == 0:
        raise PermissionDenied("This is the last admin; make someone else an admin first.")


def list_users(session: Session, actor: Actor, *, query: str = "", role: str = "",
               suspended: bool | None = None, page: int = 1) -> UserPage:
    """One page of users, newest first, matching a name/email substring, role and status."""
    require(actor, Role.MODERATOR, Role.ADMIN)
    if role and role not in _ROLES:
        raise ValidationFailed(dict(_ROLE_ERROR))
    conditions = []
    query = (query or "").strip()[:QUERY_MAX]
    if query:
        conditions.append(matches_any(query, User.name, User.email))
    if role:
        conditions.append(User.role == role)
    if suspended is not None:
        conditions.append(col(User.is_suspended).is_(bool(suspended)))
    total = session.exec(select(func.count()).select_from(User).where(*conditions)).one()
    shown = window(page, total, PAGE_SIZE)
    users = session.exec(
        select(User).where(*conditions)
        .order_by(col(User.created_at).desc(), col(User.id).desc())
        .offset(shown.offset).limit(shown.limit)
    ).all()
    rows = [
        UserRow(id=u.id, email=u.email, name=u.name, role=u.role, is_suspended=u.is_suspended,
                created_at=u.created_at, totp_enabled=u.totp_enabled, coach_ai=u.coach_ai)
        for u in users
    ]
    return UserPage(rows=rows, total=total, page=shown.page, pages=shown.pages)


def change_role(session: Session, actor: Actor, user_id: int, role: str) -> User:
    """Give a user another role and sign them out everywhere, so the new powers apply at once."""
    require(actor, Role.ADMIN)
    if role not in _ROLES:
        raise ValidationFailed(dict(_ROLE_ERROR))
    target = _target(session, user_id)
    if target.role == role:
        return target
    if target.id == actor.id:
        raise PermissionDenied("You cannot remove your own admin role.")
    _refuse_losing_last_admin(session, target)
    now = utcnow()
    previous = target.role
    target.role = str(role)
    target.updated_at = now
    session.add(target)
    revoked = auth.revoke_all_sessions(session, target.id, now=now)
    audit.record(session, "role_changed", user_id=target.id, actor_id=actor.id, ip_address=actor.ip_address,
                 **{"from": previous, "to": str(role), "sessions_revoked": revoked})
    session.flush()
    return target


def set_coach_ai(session: Session, actor: Actor, user_id: int, enabled: bool) -> User:
    """Give or take the coach's AI-written messages as an admin's grant (staff, partners); paying
    members get the same tier from a Pro subscription (services/billing.is_pro reads both)."""
    require(actor, Role.ADMIN)
    target = _target(session, user_id)
    if target.coach_ai == bool(enabled):
        return target
    target.coach_ai = bool(enabled)
    target.updated_at = utcnow()
    session.add(target)
    audit.record(session, "coach_ai_changed", user_id=target.id, actor_id=actor.id, ip_address=actor.ip_address,
                 enabled=bool(enabled))
    session.flush()
    return target


def _check_moderation_scope(actor: Actor, target: User) -> None:
    if target.id == actor.id:
        raise PermissionDenied("You cannot suspend or reinstate your own account.")
    if actor.role != Role.ADMIN and target.role in STAFF:
        raise PermissionDenied("Only an admin can suspend or reinstate moderators and admins.")


def suspend(session: Session, actor: Actor, user_id: int, reason: str) -> User:
    """Lock an account: every session and API token stops working on the next request."""
    require(actor, Role.MODERATOR, Role.ADMIN)
    target = _target(session, user_id)
    _check_moderation_scope(actor, target)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the account is suspended."})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": f"Keep the reason to {REASON_MAX} characters or fewer."})
    if target.is_suspended:
        raise ValidationFailed({"user": "This account is already suspended."})
    _refuse_losing_last_admin(session, target)
    now = utcnow()
    target.is_suspended = True
    target.updated_at = now
    session.add(target)
    sessions = auth.revoke_all_sessions(session, target.id, now=now)
    tokens = api_tokens.revoke_all_tokens(session, target.id, now=now)
    audit.record(session, "suspended", user_id=target.id, actor_id=actor.id, ip_address=actor.ip_address,
                 reason=reason, sessions_revoked=sessions, api_tokens_revoked=tokens)
    session.flush()
    return target


def reinstate(session: Session, actor: Actor, user_id: int) -> User:
    """Lift a suspension. Revoked sessions and tokens stay revoked; the user signs in afresh."""
    require(actor, Role.MODERATOR, Role.ADMIN)
    target = _target(session, user_id)
    _check_moderation_scope(actor, target)
    if not target.is_suspended:
        raise ValidationFailed({"user": "This account is not suspended."})
    target.is_suspended = False
    target.updated_at = utcnow()
    session.add(target)
    audit.record(session, "reinstated", user_id=target.id, actor_id=actor.id, ip_address=actor.ip_address)
    session.flush()
    return target


def _aware(name: str, value: datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise ValidationFailed({name: "Give a date and time with a time zone."})


def audit_log(session: Session, actor: Actor, *, event: str = "", user_query: str = "",
              since: datetime | None = None, until: datetime | None = None,
              page: int = 1) -> tuple[list[AuditRow], int]:
    """One page of security events, newest first, and how many match in all.

    `user_query` matches the email or name of the person the event is about or of who did it;
    the range is half-open: `since` <= created_at < `until`.
    """
    require(actor, Role.ADMIN)
    if event and event not in audit.EVENTS:
        raise ValidationFailed({"event": "No such event."})
    _aware("since", since)
    _aware("until", until)
    if since is not None and until is not None and since >= until:
        raise ValidationFailed({"until": "The end must come after the start."})
    subject = aliased(User)
    doer = aliased(User)
    conditions = []
    if event:
        conditions.append(AuditEvent.event == event)
    user_query = (user_query or "").strip()[:QUERY_MAX]
    if user_query:
        conditions.append(matches_any(user_query, subject.email, subject.name, doer.email, doer.name))
    if since is not None:
        conditions.append(col(AuditEvent.created_at) >= since)
    if until is not None:
        conditions.append(col(AuditEvent.created_at) < until)

    def joined(statement):
        return (statement.outerjoin(subject, col(AuditEvent.user_id) == subject.id)
                .outerjoin(doer, col(AuditEvent.actor_id) == doer.id).where(*conditions))

    total = session.exec(joined(select(func.count()).select_from(AuditEvent))).one()
    shown = window(page, total, PAGE_SIZE)
    found = session.exec(
        joined(select(AuditEvent, subject.email, doer.email))
        .order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
        .offset(shown.offset).limit(shown.limit)
    ).all()
    rows = [
        AuditRow(id=row.id, created_at=row.created_at, event=row.event, user_email=user_email or "",
                 actor_email=actor_email or "", ip_address=row.ip_address, details=dict(row.details or {}))
        for row, user_email, actor_email in found
    ]
    return rows, total
