"""API authentication: a personal token in `Authorization: Bearer`, and GET /api/me.

Refusals are HTTPExceptions that `json_error` renders as `{"error": reason}`, so a client
always learns why: 401 for a missing or unusable token, 403 for a role that may not do this.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from adaptivefit.db import session_scope
from adaptivefit.services.core.access import Actor, PermissionDenied, require
from adaptivefit.services.accounts.api_tokens import resolve_token

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="adaptivefit"'}
_INVALID = {"WWW-Authenticate": 'Bearer realm="adaptivefit", error="invalid_token"'}


def _resolve(raw: str) -> Actor | None:
    # Its own transaction, so the last-used time is committed whatever the route does next.
    with session_scope() as session:
        return resolve_token(session, raw)


async def api_actor(request: Request, *roles: str) -> Actor:
    """The caller behind the request's bearer token, with one of `roles` when any are named."""
    scheme, _, raw = request.headers.get("authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise HTTPException(401, "Send an API token as 'Authorization: Bearer <token>'.", headers=_CHALLENGE)
    # Hashing and the database lookup block; keep them off the event loop.
    actor = await asyncio.to_thread(_resolve, raw)
    if actor is None:
        raise HTTPException(401, "The API token is not valid, has been revoked, or its account is suspended.",
                            headers=_INVALID)
    try:
        require(actor, *roles)
    except PermissionDenied as exc:
        raise HTTPException(403, str(exc)) from None
    return replace(actor, ip_address=request.client.host if request.client else "")


async def json_error(_request: Request, exc: HTTPException) -> JSONResponse:
    """Render an HTTPException as a JSON reason, keeping its headers (WWW-Authenticate, Allow)."""
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def me(request: Request) -> JSONResponse:
    actor = await api_actor(request)
    return JSONResponse({"id": actor.id, "name": actor.name, "email": actor.email, "role": actor.role})
