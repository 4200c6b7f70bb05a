"""GET /api/health: is the app up, and does its database answer."""

from __future__ import annotations

import asyncio
from importlib.metadata import version

from starlette.requests import Request
from starlette.responses import JSONResponse

from adaptivefit.db import database_answers


async def health(_request: Request) -> JSONResponse:
    # The check blocks on a socket or file; keep it off the event loop.
    database_ok = await asyncio.to_thread(database_answers)
    body = {
        "status": "ok" if database_ok else "degraded",
        "database": database_ok,
        "version": version("adaptivefit"),
    }
    return JSONResponse(body, status_code=200 if database_ok else 503)
