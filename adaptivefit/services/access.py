"""Roles and the one check every service, handler and route uses to refuse what a role may not do."""

from __future__ import annotations

from dataclasses import dataclass

from adaptivefit.models import Role

# Each role includes the powers of those before it, except where a check names roles exactly.
ROLE_ORDER = (Role.MEMBER, Role.TRAINER, Role.MODERATOR, Role.ADMIN)
# Who moderates: reviews applications, hides programs and knowledge, suspends members.
STAFF = (Role.MODERATOR, Role.ADMIN)


class PermissionDenied(Exception):
    """The acting user may not do this. The message is safe to show."""


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
