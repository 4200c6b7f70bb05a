"""GET /api/private/{name}?exp=&sig=: a private picture or certificate, for whoever holds a valid signed URL.

The URL is the credential (see services/private_files.py): its signature names the file's
owner, so it works only while that member's record holds the file, and only until it expires.
"""

from __future__ import annotations

import asyncio
import time

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse

from adaptivefit.db import session_scope
from adaptivefit.services.files import private_files

_NOT_FOUND = "No such file."


def _owner(name: str) -> int | None:
    with session_scope() as session:
        return private_files.owner_of(session, name)


async def private_file(request: Request) -> FileResponse:
    name = request.path_params["name"]
    if not private_files.NAME.fullmatch(name):
        raise HTTPException(404, _NOT_FOUND)
    owner = await asyncio.to_thread(_owner, name)
    if owner is None:
        raise HTTPException(404, _NOT_FOUND)
    exp, sig = request.query_params.get("exp"), request.query_params.get("sig")
    reason = private_files.verify(name, exp, sig, owner)
    if reason is not None:
        raise HTTPException(403, reason)
    path = private_files.path_of(name)
    if path is None or not path.is_file():
        raise HTTPException(404, _NOT_FOUND)
    # The browser may keep it until the link expires, and never in a shared cache.
    max_age = max(0, int(exp) - int(time.time()))
    headers = {"Cache-Control": f"private, max-age={max_age}", "X-Content-Type-Options": "nosniff"}
    if path.suffix == ".pdf":
        # Shown in the browser's PDF viewer, not saved under our random name.
        headers["Content-Disposition"] = 'inline; filename="certificate.pdf"'
    return FileResponse(path, media_type=private_files.CONTENT_TYPES[path.suffix], headers=headers)
