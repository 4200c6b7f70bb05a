"""Each member's equipment profiles, and which exercises they can do with one.

A profile is a place a member trains ("Home", "Gym") and what it has. An exercise is available
when every piece it needs is in the profile and not out of order; when one is not, the member
gets substitutes that train the same muscle with what is there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Equipment, EquipmentProfile, EquipmentProfileItem, Exercise, ExerciseEquipment, User
from adaptivefit.services.catalog.exercises_admin import text
from adaptivefit.services.catalog.library import visible_exercise, visible_to
from adaptivefit.services.core.access import NotYours, ValidationFailed, acting_id, owned

PROFILE_NAME_MAX = 60
NOTE_MAX = 200
MOBILITY = "mobility"


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


def _own_profile(session: Session, user, profile_id) -> EquipmentProfile:
    return owned(session, EquipmentProfile, profile_id, user, "That equipment profile")


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
    user_id = acting_id(user)
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
    user_id = acting_id(user)
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
        .where(EquipmentProfile.user_id == acting_id(user))
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
    exercise = visible_exercise(session, acting_id(user), exercise_id)
    if exercise is None:
        raise NotYours("That exercise is not in your library.")
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
            visible_to(acting_id(user)),
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
