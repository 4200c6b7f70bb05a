"""The equipment catalog (kept by trainers and admins) and each member's equipment profiles.

A profile is a place a member trains ("Home", "Gym") and what it has. An exercise is available
when every piece it needs is in the profile and not out of order; when one is not, the member
gets substitutes that train the same muscle with what is there.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from PIL import Image, ImageOps
from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Equipment, EquipmentProfile, EquipmentProfileItem, Exercise, ExerciseEquipment, User
from adaptivefit.services.files import avatars
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed, require
from adaptivefit.services.catalog.exercises_admin import LIBRARY_EDITORS, text, visible_to
from adaptivefit.services.files.uploads import save_image

log = logging.getLogger("adaptivefit.equipment")

EQUIPMENT_TYPES = ("free weight", "machine", "cable", "bodyweight", "cardio", "accessory")
EQUIPMENT_NAME_MIN, EQUIPMENT_NAME_MAX = 2, 80
DESCRIPTION_MAX = 2000
IMAGE_BOX = (800, 450)
IMAGE_SUFFIX = ".webp"
PROFILE_NAME_MAX = 60
NOTE_MAX = 200
MOBILITY = "mobility"

_NO_PROFILE = "That equipment profile was not found in your account."


# --- The catalog -------------------------------------------------------------------------------


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


# --- Profiles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    equipment_id: int
    name: str
    type: str
    temporarily_unavailable: bool
    note: str


@dataclass(frozen=True)
class ProfileView:
    id: int
    name: str
    is_default: bool
    items: list[ItemView]


def _user_id(user: User | Actor | None) -> int:
    if user is None or getattr(user, "id", None) is None:
        raise PermissionDenied("Sign in to do this.")
    return user.id


def _own_profile(session: Session, user, profile_id) -> EquipmentProfile:
    profile = session.get(EquipmentProfile, profile_id) if isinstance(profile_id, int) else None
    if profile is None or profile.user_id != _user_id(user):
        raise PermissionDenied(_NO_PROFILE)
    return profile


def _profile_name(session: Session, user_id: int, name, exclude_id: int | None = None) -> str:
    name = " ".join(text(name).split())
    if not 1 <= len(name) <= PROFILE_NAME_MAX:
        raise ValidationFailed(
            {"name": f"Enter a name of 1 to {PROFILE_NAME_MAX} characters, like “Home” or “Gym”."}
        )
    clash = select(EquipmentProfile.id).where(
        EquipmentProfile.user_id == user_id, func.lower(EquipmentProfile.name) == name.lower()
    )
    if exclude_id is not None:
        clash = clash.where(EquipmentProfile.id != exclude_id)
    if session.exec(clash).first() is not None:
        raise ValidationFailed({"name": f"You already have a profile called “{name}”."})
    return name


def _equipment_ids(session: Session, equipment_ids) -> list[int]:
    if not isinstance(equipment_ids, list | tuple | set):
        raise ValidationFailed({"equipment": "Choose equipment from the catalog."})
    try:
        wanted = list(dict.fromkeys(int(i) for i in equipment_ids if not isinstance(i, bool)))
    except (TypeError, ValueError):
        raise ValidationFailed({"equipment": "Choose equipment from the catalog."}) from None
    if wanted:
        found = set(session.exec(select(Equipment.id).where(Equipment.id.in_(wanted))).all())
        if len(found) != len(wanted):
            raise ValidationFailed({"equipment": "Some of the chosen equipment is not in the catalog."})
    return wanted


def create_profile(session: Session, user: User, name: str, equipment_ids: list[int]) -> EquipmentProfile:
    """A new place to train; the member's first profile becomes their default."""
    user_id = _user_id(user)
    name = _profile_name(session, user_id, name)
    ids = _equipment_ids(session, equipment_ids)
    has_any = session.exec(select(EquipmentProfile.id).where(EquipmentProfile.user_id == user_id)).first() is not None
    profile = EquipmentProfile(user_id=user_id, name=name, is_default=not has_any)
    session.add(profile)
    session.flush()
    for equipment_id in ids:
        session.add(EquipmentProfileItem(profile_id=profile.id, equipment_id=equipment_id))
    session.flush()
    return profile


def rename_profile(session: Session, user: User, profile_id: int, name: str) -> None:
    profile = _own_profile(session, user, profile_id)
    profile.name = _profile_name(session, profile.user_id, name, exclude_id=profile.id)
    session.add(profile)
    session.flush()


def list_profiles(session: Session, user: User) -> list[ProfileView]:
    """The member's profiles, default first, each with its equipment."""
    user_id = _user_id(user)
    profiles = session.exec(
        select(EquipmentProfile)
        .where(EquipmentProfile.user_id == user_id)
        .order_by(EquipmentProfile.is_default.desc(), func.lower(EquipmentProfile.name))
    ).all()
    rows = session.exec(
        select(EquipmentProfileItem, Equipment)
        .join(Equipment, Equipment.id == EquipmentProfileItem.equipment_id)
        .where(EquipmentProfileItem.profile_id.in_([p.id for p in profiles]))
        .order_by(Equipment.type, Equipment.name)
    ).all()
    items: dict[int, list[ItemView]] = {}
    for item, equipment in rows:
        items.setdefault(item.profile_id, []).append(
            ItemView(equipment.id, equipment.name, equipment.type, item.temporarily_unavailable, item.note)
        )
    return [ProfileView(p.id, p.name, p.is_default, items.get(p.id, [])) for p in profiles]


def set_items(session: Session, user: User, profile_id: int, equipment_ids: list[int]) -> None:
    """Replace what the profile holds; items kept keep their out-of-order mark and note."""
    profile = _own_profile(session, user, profile_id)
    wanted = set(_equipment_ids(session, equipment_ids))
    current = session.exec(select(EquipmentProfileItem).where(EquipmentProfileItem.profile_id == profile.id)).all()
    for item in current:
        if item.equipment_id not in wanted:
            session.delete(item)
    for equipment_id in wanted - {item.equipment_id for item in current}:
        session.add(EquipmentProfileItem(profile_id=profile.id, equipment_id=equipment_id))
    session.flush()


def set_unavailable(
    session: Session, user: User, profile_id: int, equipment_id: int, unavailable: bool, note: str = ""
) -> None:
    """Mark a profile's item out of order (with an optional note), or back in service."""
    profile = _own_profile(session, user, profile_id)
    item = (
        session.get(EquipmentProfileItem, (profile.id, equipment_id)) if isinstance(equipment_id, int) else None
    )
    if item is None:
        raise ValidationFailed({"equipment": "That equipment is not in this profile."})
    note = text(note)
    if len(note) > NOTE_MAX:
        raise ValidationFailed({"note": f"Keep the note to {NOTE_MAX} characters or fewer."})
    item.temporarily_unavailable = bool(unavailable)
    # A note explains why something is out of order; back in service, it no longer applies.
    item.note = note if item.temporarily_unavailable else ""
    session.add(item)
    session.flush()


def set_default(session: Session, user: User, profile_id: int) -> None:
    profile = _own_profile(session, user, profile_id)
    for other in session.exec(select(EquipmentProfile).where(EquipmentProfile.user_id == profile.user_id)).all():
        other.is_default = other.id == profile.id
        session.add(other)
    session.flush()


def delete_profile(session: Session, user: User, profile_id: int) -> None:
    """Delete a profile; when it was the default, the oldest remaining one takes over."""
    profile = _own_profile(session, user, profile_id)
    was_default = profile.is_default
    for item in session.exec(select(EquipmentProfileItem).where(EquipmentProfileItem.profile_id == profile.id)).all():
        session.delete(item)
    session.flush()
    session.delete(profile)
    session.flush()
    if was_default:
        successor = session.exec(
            select(EquipmentProfile)
            .where(EquipmentProfile.user_id == profile.user_id)
            .order_by(EquipmentProfile.created_at, EquipmentProfile.id)
        ).first()
        if successor is not None:
            successor.is_default = True
            session.add(successor)
            session.flush()


# --- Availability and substitutes --------------------------------------------------------------


def _profile_for(session: Session, user, profile_id) -> EquipmentProfile | None:
    if profile_id is not None:
        return _own_profile(session, user, profile_id)
    return session.exec(
        select(EquipmentProfile)
        .where(EquipmentProfile.user_id == _user_id(user))
        .order_by(EquipmentProfile.is_default.desc(), EquipmentProfile.created_at, EquipmentProfile.id)
    ).first()


def available_equipment(session: Session, user: User, profile_id: int | None = None) -> set[int] | None:
    """Equipment usable now in that profile (the default when None); None when the member has no
    profile at all, which means: do not filter."""
    profile = _profile_for(session, user, profile_id)
    if profile is None:
        return None
    return set(
        session.exec(
            select(EquipmentProfileItem.equipment_id).where(
                EquipmentProfileItem.profile_id == profile.id,
                EquipmentProfileItem.temporarily_unavailable.is_(False),
            )
        ).all()
    )


def needed_equipment(session: Session, exercise_ids) -> dict[int, set[int]]:
    """What each exercise needs (an exercise needing nothing is absent or empty)."""
    needs: dict[int, set[int]] = {}
    ids = list(exercise_ids)
    if ids:
        for exercise_id, equipment_id in session.exec(
            select(ExerciseEquipment.exercise_id, ExerciseEquipment.equipment_id).where(
                ExerciseEquipment.exercise_id.in_(ids)
            )
        ).all():
            needs.setdefault(exercise_id, set()).add(equipment_id)
    return needs


def _visible_exercise(session: Session, user, exercise_id) -> Exercise:
    exercise = session.get(Exercise, exercise_id) if isinstance(exercise_id, int) else None
    if exercise is None or exercise.owner_id not in (None, _user_id(user)):
        raise PermissionDenied("That exercise is not in your library.")
    return exercise


def is_exercise_available(session: Session, user: User, exercise_id: int, profile_id: int | None = None) -> bool:
    """Whether every piece the exercise needs is usable now (an exercise needing nothing always is)."""
    exercise = _visible_exercise(session, user, exercise_id)
    available = available_equipment(session, user, profile_id)
    return available is None or needed_equipment(session, [exercise.id]).get(exercise.id, set()) <= available


@dataclass(frozen=True)
class Substitute:
    exercise_id: int
    name: str
    equipment: list[str]
    reason: str


# Words naming the implement, not the movement: "Barbell Back Squat" and "Goblet Squat" share "squat".
_IMPLEMENT_WORDS = frozenset(
    "barbell dumbbell kettlebell cable machine smith ez bar trap band banded ring rings plate weighted "
    "landmine medicine ball bodyweight".split()
)


def _movement_words(name: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", name.lower())) - _IMPLEMENT_WORDS


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def suggest_substitutes(
    session: Session, user: User, exercise_id: int, profile_id: int | None = None, *, limit: int = 3
) -> list[Substitute]:
    """Exercises for the same primary muscle that can be done with what the profile has now.

    A stretch never stands in for a lift, nor a lift for a stretch. Ranked: same category, same
    mechanics, loaded when the original is loaded (a barbell squat is better replaced by a goblet
    squat than by an air squat), the most similar movement by name, then the fewest pieces of
    equipment.
    """
    original = _visible_exercise(session, user, exercise_id)
    available = available_equipment(session, user, profile_id)
    candidates = session.exec(
        select(Exercise).where(
            Exercise.primary_muscle == original.primary_muscle,
            Exercise.id != original.id,
            visible_to(_user_id(user)),
        )
    ).all()
    needs = needed_equipment(session, [original.id, *(c.id for c in candidates)])
    original_loaded = bool(needs.get(original.id))
    original_words = _movement_words(original.name)

    def rank(candidate: Exercise):
        need = needs.get(candidate.id, set())
        return (
            candidate.category != original.category,
            candidate.mechanics != original.mechanics,
            bool(need) != original_loaded,
            -_similarity(_movement_words(candidate.name), original_words),
            len(need),
            candidate.name.lower(),
        )

    mobility = original.category == MOBILITY
    usable = [
        c
        for c in candidates
        if (c.category == MOBILITY) == mobility and (available is None or needs.get(c.id, set()) <= available)
    ]
    chosen = sorted(usable, key=rank)[: max(0, limit)]
    names = dict(session.exec(select(Equipment.id, Equipment.name)).all()) if chosen else {}
    result = []
    for candidate in chosen:
        equipment = sorted(names[i] for i in needs.get(candidate.id, set()))
        reason = f"Same main target ({original.primary_muscle})"
        if candidate.mechanics == original.mechanics:
            article = "an" if candidate.mechanics[0] in "aeiou" else "a"
            reason += f", {article} {candidate.mechanics} movement like {original.name}"
        if equipment:
            owned = ", which you have" if available is not None else ""
            reason += f"; uses {_join(equipment)}{owned}."
        else:
            reason += "; needs no equipment."
        result.append(Substitute(candidate.id, candidate.name, equipment, reason))
    return result


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
