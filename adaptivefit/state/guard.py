"""The one server-side guard for every protected event handler and page load.

Every public method of an rx.State is callable by any browser with any arguments, so each
protected handler is wrapped in `require_role(...)`: it resolves the session token on the
server (never trusting a role or id sent by the browser), refuses with a message when the
caller may not act, and otherwise runs the handler with the caller available as `actor()`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from contextvars import ContextVar

import reflex as rx

from adaptivefit.db import session_scope
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.state.auth import AuthState
from adaptivefit.state.session import SIGN_IN_MESSAGE, public, resolve_actor

__all__ = ["SIGN_IN_MESSAGE", "actor", "attempt", "in_session", "public", "refusal_text", "require_role",
           "resolve_actor", "with_user"]

_current_actor: ContextVar[Actor | None] = ContextVar("current_actor", default=None)

FORBIDDEN_MESSAGE = "Your account does not have permission to do this."


async def _check(state: rx.State, roles: tuple[str, ...]):
    auth_state = await state.get_state(AuthState)
    ip_address = state.router.session.client_ip or ""
    actor = await asyncio.to_thread(resolve_actor, auth_state.session_token, ip_address) if auth_state.session_token else None
    if actor is None:
        return None, [rx.toast.error(SIGN_IN_MESSAGE), rx.redirect("/login")]
    if roles and actor.role not in roles:
        return None, rx.toast.error(FORBIDDEN_MESSAGE)
    return actor, None


def require_role(*roles: str):
    """Guard an event handler: the caller must be signed in, and hold one of `roles` if given.

    A refusal the domain raises while the handler runs (someone else's object, a role the object
    needs) becomes a toast with its message rather than an error in the browser."""

    def decorator(handler):
        if inspect.isasyncgenfunction(handler):

            @functools.wraps(handler)
            async def guarded_generator(self, *args, **kwargs):
                actor_, refusal = await _check(self, roles)
                if refusal is not None:
                    yield refusal
                    return
                token = _current_actor.set(actor_)
                try:
                    async for item in handler(self, *args, **kwargs):
                        yield item
                except PermissionDenied as refused:
                    yield rx.toast.error(str(refused))
                finally:
                    _current_actor.reset(token)

            guarded = guarded_generator
        else:

            @functools.wraps(handler)
            async def guarded_function(self, *args, **kwargs):
                actor_, refusal = await _check(self, roles)
                if refusal is not None:
                    return refusal
                token = _current_actor.set(actor_)
                try:
                    result = handler(self, *args, **kwargs)
                    return await result if inspect.isawaitable(result) else result
                except PermissionDenied as refused:
                    return rx.toast.error(str(refused))
                finally:
                    _current_actor.reset(token)

            guarded = guarded_function
        guarded.required_roles = roles
        return guarded

    return decorator


def actor() -> Actor:
    """The caller of the guarded handler that is running now."""
    current = _current_actor.get()
    if current is None:
        raise RuntimeError("actor() called outside a handler guarded by require_role")
    return current


def with_user(fn, user_id: int, *args, **kwargs):
    """Run a service function on the acting user's own row, in one transaction (call in a thread)."""
    from adaptivefit.models import User
    from adaptivefit.services.core.access import ValidationFailed

    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise ValidationFailed({"account": "This account no longer exists."})
        return fn(session, user, *args, **kwargs)


def in_session(fn, *args, **kwargs):
    """Run a service function in one transaction of its own (call in a thread)."""
    with session_scope() as session:
        return fn(session, *args, **kwargs)


def refusal_text(refused: PermissionDenied | ValidationFailed) -> str:
    """What a person reads when the domain refused: its message, or the first field's reason."""
    if isinstance(refused, ValidationFailed):
        return next(iter(refused.errors.values()), "That did not work.")
    return str(refused)


async def attempt(fn, *args) -> str:
    """Run a staff action `fn(session, acting user, *args)` in a thread: "" when done, else why it was refused."""
    try:
        await asyncio.to_thread(in_session, fn, actor(), *args)
    except (PermissionDenied, ValidationFailed) as refused:
        return refusal_text(refused)
    return ""
