"""Profile pictures: checked by content, re-drawn as a clean square, stored under a random name."""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image, ImageOps
from sqlmodel import Session

from adaptivefit.models import User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.files.uploads import (
    UNREADABLE,
    decode_picture,
    open_picture,
    save_image,
    sniff,
    upload_dir,
    upright_rgb,
    without_metadata,
)

log = logging.getLogger("adaptivefit.avatars")

MAX_AVATAR_BYTES = 5 * 1024 * 1024
AVATAR_SIZE = 256
AVATAR_SUFFIX = ".webp"

# The equipment pictures reuse these checks under these names.
_sniff = sniff
_UNREADABLE = UNREADABLE


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed({"avatar": reason})


def _open(data: bytes, expected: str) -> Image.Image:
    return open_picture(data, expected, _refuse)


def _square(image: Image.Image) -> Image.Image:
    fitted = ImageOps.fit(upright_rgb(image), (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS,
                          centering=(0.5, 0.5))
    return without_metadata(fitted)


def process_avatar(data: bytes) -> Image.Image:
    """Decode an uploaded picture and return a 256x256 RGB square without metadata."""
    return decode_picture(data, field="avatar", max_bytes=MAX_AVATAR_BYTES, draft=(AVATAR_SIZE * 2, AVATAR_SIZE * 2),
                          finish=_square, log=log)


def stored_path(name: str | None) -> Path | None:
    """Where a stored upload lives, or None when `name` is not a plain file name in the upload folder."""
    if not name:
        return None
    folder = upload_dir().resolve()
    path = (folder / name).resolve()
    if path.parent != folder:
        log.warning("ignoring %r: not a file in the upload folder", name)
        return None
    return path


def delete_upload(name: str | None) -> None:
    """Remove a stored file from the upload folder, and only from there."""
    path = stored_path(name)
    if path is not None:
        path.unlink(missing_ok=True)


def set_avatar(session: Session, user: User, data: bytes, *, ip_address: str = "") -> str:
    """Store a new profile picture for `user`, drop the old one, and return the stored file name."""
    image = process_avatar(data)
    name = save_image(image, suffix=AVATAR_SUFFIX)
    previous = user.avatar
    user.avatar = name
    user.updated_at = utcnow()
    session.add(user)
    audit.record(session, "avatar_changed", user_id=user.id, ip_address=ip_address)
    session.flush()
    if previous and previous != name:
        delete_upload(previous)
    return name


def remove_avatar(session: Session, user: User, *, ip_address: str = "") -> None:
    """Delete `user`'s profile picture, file and reference both."""
    previous = user.avatar
    if previous is None:
        return
    user.avatar = None
    user.updated_at = utcnow()
    session.add(user)
    audit.record(session, "avatar_changed", user_id=user.id, ip_address=ip_address, removed=True)
    session.flush()
    delete_upload(previous)
