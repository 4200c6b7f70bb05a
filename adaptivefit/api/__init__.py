"""HTTP routes under /api, as one Starlette app that Reflex mounts its own routes onto."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route

from adaptivefit.api.auth import json_error, me
from adaptivefit.api.coach import routes as coach_routes
from adaptivefit.api.health import health
from adaptivefit.api.middleware import RequestIdMiddleware
from adaptivefit.api.payments import routes as payment_routes
from adaptivefit.api.private_files import private_file


def build_api() -> Starlette:
    return Starlette(
        routes=[
            Route("/api/health", health, methods=["GET"]),
            Route("/api/me", me, methods=["GET"]),
            Route("/api/private/{name}", private_file, methods=["GET"]),
            *coach_routes("/api"),
            *payment_routes("/api"),
        ],
        middleware=[Middleware(RequestIdMiddleware)],
        exception_handlers={HTTPException: json_error},
    )
