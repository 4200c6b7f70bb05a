"""Profile pictures: checked by content, re-drawn as a clean square, stored under a random name."""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

from PIL import Image, ImageOps
from sqlmodel import Session

from adaptivefit.models import User
from adaptivefit.models.base import utcnow
from adaptivefit.services import audit
from adaptivefit.services.access import ValidationFailed
from adaptivefit.services.uploads import save_image, upload_dir

log = logging.getLogger("adaptivefit.avatars")

MAX_AVATAR_BYTES = 5 * 1024 * 1024
AVATAR_SIZE = 256
# Far above any camera a member owns, far below what would exhaust the server's memory.
MAX_AVATAR_PIXELS = 40_000_000
AVATAR_SUFFIX = ".webp"

_FORMATS = ("JPEG", "PNG", "WEBP")
_WRONG_TYPE = "Choose a JPEG, PNG or WebP picture."
_UNREADABLE = "This picture could not be read; it may be damaged or incomplete. Try another one."


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed({"avatar": reason})


def _sniff(data: bytes) -> str | None:
    """The format the bytes themselves declare, whatever the file was called."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _open(data: bytes, expected: str) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=[expected])
    if image.format != expected:
        raise _refuse(_WRONG_TYPE)
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_AVATAR_PIXELS:
        raise _refuse(f"This picture is too large ({width} x {height} pixels); use one under 40 megapixels.")
    return image


def _square(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    fitted = ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    # A fresh image carries no EXIF, XMP, ICC profile or text chunk from the upload.
    return Image.frombytes("RGB", fitted.size, fitted.tobytes())


def process_avatar(data: bytes) -> Image.Image:
    """Decode an uploaded picture and return a 256x256 RGB square without metadata."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _refuse("Choose a picture to upload.")
    data = bytes(data)
    if not data:
        raise _refuse("Choose a picture to upload.")
    if len(data) > MAX_AVATAR_BYTES:
        raise _refuse("This picture is larger than 5 MB; choose a smaller one.")
    expected = _sniff(data)
    if expected is None:
        raise _refuse(_WRONG_TYPE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # verify() checks the whole file (chunk checksums and all) but leaves the image unusable.
            _open(data, expected).verify()
            image = _open(data, expected)
            if expected == "JPEG":
                # Decode JPEGs at a reduced scale: enough for 256 px, a fraction of the memory.
                image.draft("RGB", (AVATAR_SIZE * 2, AVATAR_SIZE * 2))
            image.load()
            return _square(image)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("This picture has too many pixels; use one under 40 megapixels.") from None
    except Exception as exc:  # Pillow raises many kinds for a damaged file; each means the same to the member.
        log.info("avatar refused: %s: %s", type(exc).__name__, exc)
        raise _refuse(_UNREADABLE) from None


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
