"""Uploaded pictures: the checks every one passes, and where the public ones are stored.

A picture is taken only when its bytes (not its name or declared type) say JPEG, PNG or WebP,
it is within the byte and pixel limits, and Pillow reads the whole file. What is kept is never
the upload itself but a fresh re-encoding without its metadata, under a random name.
"""

from __future__ import annotations

import io
import logging
import secrets
import warnings
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageOps

from adaptivefit.config import get_settings
from adaptivefit.services.core.access import ValidationFailed

# Far above any camera a member owns, far below what would exhaust the server's memory.
MAX_PICTURE_PIXELS = 40_000_000
WRONG_TYPE = "Choose a JPEG, PNG or WebP picture."
UNREADABLE = "This picture could not be read; it may be damaged or incomplete. Try another one."


def upload_dir() -> Path:
    path = get_settings().upload_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_image(image: Image.Image, *, suffix: str = ".png", folder: Path | None = None) -> str:
    """Store a picture under a fresh random name and return that name (never a user's path).

    The public upload folder unless `folder` says otherwise.
    """
    name = secrets.token_hex(16) + suffix
    image.save((folder or upload_dir()) / name, optimize=True)
    return name


def sniff(data: bytes) -> str | None:
    """The format the bytes themselves declare, whatever the file was called."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def open_picture(data: bytes, expected: str, refuse: Callable[[str], ValidationFailed]) -> Image.Image:
    """Open (not yet decode) a picture as the format its bytes declared, within the pixel limit."""
    image = Image.open(io.BytesIO(data), formats=[expected])
    if image.format != expected:
        raise refuse(WRONG_TYPE)
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PICTURE_PIXELS:
        raise refuse(f"This picture is too large ({width} x {height} pixels); use one under 40 megapixels.")
    return image


def upright_rgb(image: Image.Image) -> Image.Image:
    """The picture turned as its EXIF orientation says, transparency laid on white."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
        return image
    return image.convert("RGB")


def without_metadata(image: Image.Image) -> Image.Image:
    """A fresh RGB image of the same pixels: no EXIF, XMP, ICC profile or text chunk survives."""
    return Image.frombytes("RGB", image.size, image.tobytes())


def decode_picture(
    data: object,
    *,
    field: str,
    max_bytes: int,
    draft: tuple[int, int],
    finish: Callable[[Image.Image], Image.Image],
    log: logging.Logger,
) -> Image.Image:
    """Check an uploaded picture and return `finish(decoded)`; refusals are ValidationFailed on `field`.

    `draft` is the smallest size the caller needs: JPEGs are decoded at a reduced scale down to
    it, a fraction of the memory. Whatever goes wrong in Pillow, `finish` included, is one
    "could not be read" to the member.
    """

    def refuse(reason: str) -> ValidationFailed:
        return ValidationFailed({field: reason})

    if not isinstance(data, bytes | bytearray | memoryview):
        raise refuse("Choose a picture to upload.")
    data = bytes(data)
    if not data:
        raise refuse("Choose a picture to upload.")
    if len(data) > max_bytes:
        raise refuse(f"This picture is larger than {max_bytes // (1024 * 1024)} MB; choose a smaller one.")
    expected = sniff(data)
    if expected is None:
        raise refuse(WRONG_TYPE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # verify() checks the whole file (chunk checksums and all) but leaves the image unusable.
            open_picture(data, expected, refuse).verify()
            image = open_picture(data, expected, refuse)
            if expected == "JPEG":
                image.draft("RGB", draft)
            image.load()
            return finish(image)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse("This picture has too many pixels; use one under 40 megapixels.") from None
    except Exception as exc:  # Pillow raises many kinds for a damaged file; each means the same to the member.
        log.info("%s refused: %s: %s", field, type(exc).__name__, exc)
        raise refuse(UNREADABLE) from None
