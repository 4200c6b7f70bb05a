"""Where uploaded and generated files live: the upload folder, under random names."""

from __future__ import annotations

import secrets
from pathlib import Path

from PIL import Image

from adaptivefit.config import get_settings


def upload_dir() -> Path:
    path = get_settings().upload_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_image(image: Image.Image, *, suffix: str = ".png") -> str:
    """Store a picture under a fresh random name and return that name (never a user's path)."""
    name = secrets.token_hex(16) + suffix
    image.save(upload_dir() / name, optimize=True)
    return name
