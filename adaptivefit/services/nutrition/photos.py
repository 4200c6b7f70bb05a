"""A photo on a food entry: checked like a profile picture, kept private, shown by signed URL.

The checks are the avatars' (services/files/uploads.py: type by content, whole file read, pixel cap,
re-encoded without metadata). The byte limit is higher: a phone's camera writes 3 to 8 MB
pictures, and the member should not have to shrink a photo of their lunch first. The stored
picture fits inside 1280 x 1280, as WebP, in the private folder (services/files/private_files.py).
"""

from __future__ import annotations

import logging

from PIL import Image
from sqlmodel import Session

from adaptivefit.models import User
from adaptivefit.services.files import private_files
from adaptivefit.services.nutrition.diary import owned_entry
from adaptivefit.services.files.uploads import decode_picture, upright_rgb, without_metadata

log = logging.getLogger("adaptivefit.nutrition_photos")

MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_BOX = (1280, 1280)
PHOTO_SUFFIX = ".webp"


def _fit(image: Image.Image) -> Image.Image:
    image = upright_rgb(image)
    # Shrink to fit, never enlarge.
    image.thumbnail(PHOTO_BOX, Image.Resampling.LANCZOS)
    return without_metadata(image)


def process_photo(data: bytes) -> Image.Image:
    """Decode an uploaded photo and return it upright, within 1280 x 1280, without metadata."""
    return decode_picture(data, field="photo", max_bytes=MAX_PHOTO_BYTES, draft=PHOTO_BOX, finish=_fit, log=log)


def set_entry_photo(session: Session, user: User, entry_id: object, data: bytes) -> str:
    """Attach a photo to the member's own entry, replacing (and deleting) any earlier one; returns its name."""
    entry = owned_entry(session, user, entry_id)
    name = private_files.store(process_photo(data), suffix=PHOTO_SUFFIX)
    previous, entry.photo = entry.photo, name
    session.add(entry)
    try:
        session.flush()
    except Exception:
        private_files.delete(name)
        raise
    private_files.delete(previous)
    return name


def remove_entry_photo(session: Session, user: User, entry_id: object) -> None:
    """Take the photo off the member's own entry and delete the file."""
    entry = owned_entry(session, user, entry_id)
    previous, entry.photo = entry.photo, None
    session.add(entry)
    session.flush()
    private_files.delete(previous)


def photo_url(user: User, name: str | None) -> str:
    """A signed URL for one of the member's own photos ("" for none)."""
    return private_files.sign_url(name, user.id) if name else ""
