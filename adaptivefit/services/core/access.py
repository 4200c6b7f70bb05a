"""Roles and the one check every service, handler and route uses to refuse what a role may not do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from adaptivefit.models import Role
from adaptivefit.services.core.inputs import as_id

# Each role includes the powers of those before it, except where a check names roles exactly.
ROLE_ORDER = (Role.MEMBER, Role.TRAINER, Role.MODERATOR, Role.ADMIN)
# Who moderates: reviews applications, hides programs and knowledge, suspends members.
STAFF = (Role.MODERATOR, Role.ADMIN)


class PermissionDenied(Exception):
    """The acting user may not do this. The message is safe to show."""


class NotYours(PermissionDenied):
    """The object does not exist or belongs to someone else: the two read the same, so ids leak nothing."""


class ValidationFailed(Exception):
    """Input was refused; `errors` maps each field to the reason shown next to it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Actor:
    """Who is acting, as resolved on the server from a session or API token."""

    id: int
    role: str
    name: str = ""
    email: str = ""
    ip_address: str = ""


def has_role(role: str, *allowed: str) -> bool:
    return role in allowed


def require(actor: Actor | None, *allowed: str) -> Actor:
    """Return the actor when their role is among `allowed` (any role when none is named)."""
    if actor is None:
        raise PermissionDenied("Sign in to do this.")
    if allowed and actor.role not in allowed:
        raise PermissionDenied("Your account does not have permission to do this.")
    return actor


def acting_id(user) -> int:
    """The id of the acting user or actor; refuses when no one is signed in."""
    if user is None or getattr(user, "id", None) is None:
        raise PermissionDenied("Sign in to do this.")
    return user.id


def owned(session: Session, model, object_id: object, user, what: str, *, owner_field: str = "user_id"):
    """The row of `model` with this id when the acting user owns it; NotYours otherwise.

    `what` names the thing for the message ("That plan was not found in your account."). Missing
    and foreign rows are refused alike, so probing ids tells nothing.
    """
    owner = acting_id(user)
    key = as_id(object_id)
    row = session.get(model, key) if key is not None else None
    if row is None or getattr(row, owner_field) != owner:
        raise NotYours(f"{what} was not found in your account.")
    return row
