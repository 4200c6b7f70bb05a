"""HTTP routes under /api, as one Starlette app that Reflex mounts its own routes onto."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route

from adaptivefit.api.auth import json_error, me
from adaptivefit.api.health import health
from adaptivefit.api.middleware import RequestIdMiddleware


def build_api() -> Starlette:
    return Starlette(
        routes=[
            Route("/api/health", health, methods=["GET"]),
            Route("/api/me", me, methods=["GET"]),
        ],
        middleware=[Middleware(RequestIdMiddleware)],
        exception_handlers={HTTPException: json_error},
    )
