"""GET /api/health: is the app up, does its database answer, and which path writes the coach's words.

"healthy" when the database answers and the coach's language model is live; "degraded" when the
coach runs on its templates (it still answers every event) or the database does not answer. Only
the database makes it a 503: without it nothing works, while templates are a designed fallback.
"""

from __future__ import annotations

import asyncio
from importlib.metadata import version

from starlette.requests import Request
from starlette.responses import JSONResponse

from adaptivefit.db import database_answers


async def health(_request: Request) -> JSONResponse:
    # The check blocks on a socket or file; keep it off the event loop.
    database_ok = await asyncio.to_thread(database_answers)
    coach = model_status()
    body = {
        "status": "healthy" if database_ok and coach["model_available"] else "degraded",
        "database": database_ok,
        "version": version("adaptivefit"),
        **coach,
    }
    return JSONResponse(body, status_code=200 if database_ok else 503)


def model_status() -> dict:
    """Which path writes the coach's words: the language model, or the templates."""
    from adaptivefit.coach import lm

    status = lm.status()
    return {
        "model_available": bool(status.get("model_available")),
        "model_repo": status.get("model_repo"),
        "model_state": status.get("state"),
        "device": status.get("device", "cpu"),
        "dtype": status.get("dtype"),
        "fallback_enabled": True,
        "message_path": "model" if status.get("model_available") else "templates",
    }
