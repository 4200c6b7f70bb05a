"""The equipment catalog, kept by trainers and admins: names, types, descriptions and pictures."""

from __future__ import annotations

import logging

from PIL import Image, ImageOps
from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Equipment
from adaptivefit.services.catalog.exercises_admin import LIBRARY_EDITORS, text
from adaptivefit.services.core.access import Actor, ValidationFailed, require
from adaptivefit.services.files import avatars
from adaptivefit.services.files.uploads import save_image

log = logging.getLogger("adaptivefit.equipment")

EQUIPMENT_TYPES = ("free weight", "machine", "cable", "bodyweight", "cardio", "accessory")
EQUIPMENT_NAME_MIN, EQUIPMENT_NAME_MAX = 2, 80
DESCRIPTION_MAX = 2000
IMAGE_BOX = (800, 450)
IMAGE_SUFFIX = ".webp"


def process_equipment_image(data: bytes) -> Image.Image:
    """Check an upload exactly as a profile picture is checked, then fit it inside 800x450.

    The avatar pipeline does the refusing (size, type by content, whole file, pixel cap); only
    the final shape differs, so the picture is decoded once more for that.
    """
    try:
        avatars.process_avatar(data)
    except ValidationFailed as refused:
        raise ValidationFailed({"image": next(iter(refused.errors.values()))}) from None
    data = bytes(data)
    try:
        image = avatars._open(data, avatars._sniff(data))
        if image.format == "JPEG":
            image.draft("RGB", (IMAGE_BOX[0] * 2, IMAGE_BOX[1] * 2))
        image.load()
        image = ImageOps.exif_transpose(image)
    except Exception as exc:  # already read once; a failure now still means "unreadable" to the user
        log.info("equipment image refused: %s: %s", type(exc).__name__, exc)
        raise ValidationFailed({"image": avatars._UNREADABLE}) from None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    # Shrink to fit, never enlarge: a small photo stays sharp rather than blown up.
    image.thumbnail(IMAGE_BOX, Image.Resampling.LANCZOS)
    # A fresh image carries none of the upload's metadata.
    return Image.frombytes("RGB", image.size, image.tobytes())


def save_equipment(
    session: Session, actor: Actor, form: dict, image: bytes | None = None, *, equipment_id: int | None = None
) -> Equipment:
    """Create or edit a catalog item; `image`, when given, replaces its picture."""
    require(actor, *LIBRARY_EDITORS)
    equipment = None
    if equipment_id is not None:
        equipment = session.get(Equipment, equipment_id) if isinstance(equipment_id, int) else None
        if equipment is None:
            raise ValidationFailed({"equipment": "That equipment was not found."})
    form = form if isinstance(form, dict) else {}
    errors: dict[str, str] = {}
    name = " ".join(text(form.get("name")).split())
    if not EQUIPMENT_NAME_MIN <= len(name) <= EQUIPMENT_NAME_MAX:
        errors["name"] = f"Enter a name of {EQUIPMENT_NAME_MIN} to {EQUIPMENT_NAME_MAX} characters."
    else:
        clash = select(Equipment.id).where(func.lower(Equipment.name) == name.lower())
        if equipment is not None:
            clash = clash.where(Equipment.id != equipment.id)
        if session.exec(clash).first() is not None:
            errors["name"] = f"The catalog already has “{name}”."
    kind = text(form.get("type")).lower()
    if kind not in EQUIPMENT_TYPES:
        errors["type"] = "Choose a type: " + ", ".join(EQUIPMENT_TYPES) + "."
    description = str(form.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description to {DESCRIPTION_MAX} characters or fewer."
    picture = None
    if image is not None:
        try:
            picture = process_equipment_image(image)
        except ValidationFailed as refused:
            errors.update(refused.errors)
    if errors:
        raise ValidationFailed(errors)

    if equipment is None:
        equipment = Equipment(name=name, type=kind, description=description, created_by=actor.id)
    else:
        equipment.name, equipment.type, equipment.description = name, kind, description
    previous = equipment.image
    stored = save_image(picture, suffix=IMAGE_SUFFIX) if picture is not None else None
    if stored:
        equipment.image = stored
    session.add(equipment)
    try:
        session.flush()
    except Exception:
        avatars.delete_upload(stored)
        raise
    if stored and previous:
        avatars.delete_upload(previous)
    return equipment
