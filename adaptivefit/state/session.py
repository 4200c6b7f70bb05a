"""Who a session token belongs to, resolved on the server, and the mark for deliberately open handlers.

Kept apart from the guard so that AuthState (which holds the token) and the guard (which reads it)
do not import each other.
"""

from __future__ import annotations

from adaptivefit.db import session_scope
from adaptivefit.services.accounts import auth
from adaptivefit.services.core.access import Actor

SIGN_IN_MESSAGE = "Sign in to continue."


def resolve_actor(token: str, ip_address: str = "") -> Actor | None:
    with session_scope() as session:
        actor = auth.resolve_session(session, token)
    if actor is None:
        return None
    return Actor(id=actor.id, role=actor.role, name=actor.name, email=actor.email, ip_address=ip_address)


def public(handler):
    """Mark a handler that anyone may call (signing in, browsing the library) as deliberately open."""
    handler.public = True
    return handler
