"""Private files (meal photos, trainer certificates): kept outside the public upload folder, served by signed URLs.

The browser keeps its session token in local storage, where an `<img>` cannot reach it, so a
private picture is fetched by a short-lived URL instead:

    /api/private/<name>?exp=<unix seconds>&sig=<hex HMAC-SHA256(SECRET_KEY, "<name>|<exp>|<owner id>")>

The signature binds the file to its owner: a URL stops working when it expires, when the file
changes hands (it never does) or when the record that holds it is deleted. Expiry times are
rounded up to a quarter hour so that a page redrawn a minute later asks for the same URL and
the browser's cache answers.

A column that holds private file names is listed once in OWNED_FILES with the column of its
owner (and how to reach the owner's table, when it is another); the route, the export and
erasure all read that list.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
import time
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlmodel import Session

from adaptivefit.config import get_settings
from adaptivefit.models import FoodEntry, Trainer, TrainerCertificate
from adaptivefit.services.files.uploads import save_image

log = logging.getLogger("adaptivefit.private_files")

URL_PREFIX = "/api/private/"
URL_LIFETIME_S = 3600
_ROUND_S = 900
# Names are always ours: 32 random hex digits and a picture (or, for certificates, PDF) suffix.
NAME = re.compile(r"[0-9a-f]{32}\.(webp|jpg|png|pdf)")
CONTENT_TYPES = {".webp": "image/webp", ".jpg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}

# (column holding the name, column holding the owner's user id, join condition when those differ)
OWNED_FILES = (
    (FoodEntry.photo, FoodEntry.user_id, None),
    (TrainerCertificate.file_name, Trainer.user_id, TrainerCertificate.trainer_id == Trainer.id),
)


def private_dir() -> Path:
    path = get_settings().private_dir
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def store(image: Image.Image, *, suffix: str = ".webp") -> str:
    """Save a picture in the private folder under a fresh random name, and return the name."""
    return save_image(image, suffix=suffix, folder=private_dir())


def store_bytes(data: bytes, *, suffix: str) -> str:
    """Save a file as it is (a checked PDF) in the private folder under a fresh random name."""
    name = secrets.token_hex(16) + suffix
    if not NAME.fullmatch(name):
        raise ValueError(f"not a private file suffix: {suffix!r}")
    path = private_dir() / name
    with path.open("xb") as stream:
        stream.write(data)
    return name


def path_of(name: str | None) -> Path | None:
    """Where a private file lives, or None for anything that is not one of our names."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return None
    return private_dir() / name


def delete(name: str | None) -> None:
    """Remove a private file; anything but one of our names is ignored."""
    path = path_of(name)
    if path is not None:
        path.unlink(missing_ok=True)
    elif name:
        log.warning("ignoring %r: not a private file name", name)


def _signature(name: str, exp: int, user_id: int) -> str:
    message = f"{name}|{exp}|{user_id}".encode()
    return hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).hexdigest()


def sign_url(name: str, user_id: int, *, now: float | None = None, lifetime_s: int = URL_LIFETIME_S) -> str:
    """A URL that shows `name` to whoever holds it, until at least `lifetime_s` from now."""
    now = time.time() if now is None else now
    exp = math.ceil((now + lifetime_s) / _ROUND_S) * _ROUND_S
    return f"{URL_PREFIX}{name}?exp={exp}&sig={_signature(name, exp, user_id)}"


def verify(name: str, exp: object, sig: object, user_id: int, *, now: float | None = None) -> str | None:
    """None when the URL's signature holds for this owner and has not expired, else the reason."""
    if not isinstance(exp, str) or not exp.isdigit() or len(exp) > 12:
        return "The link has no valid expiry time."
    if int(exp) < (time.time() if now is None else now):
        return "The link has expired; reload the page for a new one."
    expected = _signature(name, int(exp), user_id)
    if not isinstance(sig, str) or not hmac.compare_digest(sig.encode(), expected.encode()):
        return "The link's signature is not valid."
    return None


def _from(statement, column, owner, on):
    statement = statement.select_from(column.class_)
    return statement if on is None else statement.join(owner.class_, on)


def owner_of(session: Session, name: str) -> int | None:
    """The id of the user whose record holds this private file, or None."""
    for column, owner, on in OWNED_FILES:
        statement = _from(select(owner), column, owner, on).where(column == name).limit(1)
        found = session.execute(statement).scalar_one_or_none()
        if found is not None:
            return found
    return None


def names_owned_by(session: Session, user_id: int) -> list[str]:
    """Every private file the member's records hold."""
    names: list[str] = []
    for column, owner, on in OWNED_FILES:
        statement = _from(select(column), column, owner, on).where(owner == user_id, column.is_not(None))
        names += session.execute(statement).scalars().all()
    return names
