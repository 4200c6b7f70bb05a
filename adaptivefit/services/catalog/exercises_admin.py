"""Writing the exercise library: trainers and admins keep the shared library, members their own.

A shared exercise has no owner and is seen by everyone; a member's custom exercise carries their
id and is seen by them alone. Whoever saves, the same field rules apply.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Equipment, Exercise, ExerciseEquipment, PlanExercise, Role, WorkoutSet
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed, require
from adaptivefit.services.catalog.library import slugify, visible_to

# Moderators rank above trainers (access.ROLE_ORDER), so they may tend the library too.
LIBRARY_EDITORS = (Role.TRAINER, Role.MODERATOR, Role.ADMIN)

CATEGORIES = ("chest", "back", "shoulders", "arms", "legs", "glutes", "core", "full body", "cardio", "mobility")
MUSCLES = (
    "abductors", "abs", "adductors", "biceps", "calves", "cardiovascular", "chest", "forearms",
    "front delts", "glutes", "hamstrings", "hip flexors", "lats", "lower back", "neck", "obliques",
    "quadriceps", "rear delts", "side delts", "traps", "triceps", "upper back", "upper chest",
)
MECHANICS = ("compound", "isolation")
NAME_MIN, NAME_MAX = 2, 120
INSTRUCTIONS_MAX = 4000
MAX_SECONDARY = 8
MAX_EQUIPMENT = 6

_NOT_YOURS = "You can only change your own custom exercises."
_SHARED_ONLY_STAFF = "Only trainers and admins can change the shared exercise library."


def text(value) -> str:
    """A form value as trimmed text (the browser may send anything, or nothing)."""
    if value is None:
        return ""
    return str(value).strip()


def as_list(value) -> list[str]:
    """A multi-choice form value: a list, or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple | set):
        items = list(value)
    else:
        items = [value]
    seen: list[str] = []
    for item in items:
        cleaned = text(item)
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return seen


def _editable(session: Session, actor: Actor, exercise_id) -> Exercise:
    exercise = session.get(Exercise, exercise_id) if isinstance(exercise_id, int) else None
    if exercise is None:
        raise PermissionDenied("That exercise was not found.")
    if exercise.owner_id is None:
        if actor.role not in LIBRARY_EDITORS:
            raise PermissionDenied(_SHARED_ONLY_STAFF)
    elif exercise.owner_id != actor.id:
        raise PermissionDenied(_NOT_YOURS)
    return exercise


def _name_taken(session: Session, actor: Actor, name: str, exclude_id: int | None) -> bool:
    query = select(Exercise.id).where(func.lower(Exercise.name) == name.lower(), visible_to(actor.id))
    if exclude_id is not None:
        query = query.where(Exercise.id != exclude_id)
    return session.exec(query.limit(1)).first() is not None


def _unique_slug(session: Session, name: str, owner_id: int | None) -> str:
    base = (slugify(name) or "exercise")[:110]
    if owner_id is not None:
        # Two members may each have a "My Curl"; the slug must still be unique across the table.
        base = f"{base}-u{owner_id}"
    slug, counter = base, 2
    while session.exec(select(Exercise.id).where(Exercise.slug == slug)).first() is not None:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _validate(session: Session, actor: Actor, form: dict, exclude_id: int | None) -> tuple[dict, list[Equipment]]:
    errors: dict[str, str] = {}
    name = " ".join(text(form.get("name")).split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        errors["name"] = f"Enter a name of {NAME_MIN} to {NAME_MAX} characters."
    elif _name_taken(session, actor, name, exclude_id):
        errors["name"] = f"An exercise called “{name}” already exists; choose another name."

    category = text(form.get("category")).lower()
    if category not in CATEGORIES:
        errors["category"] = "Choose a category: " + ", ".join(CATEGORIES) + "."

    primary = text(form.get("primary_muscle")).lower()
    if primary not in MUSCLES:
        errors["primary_muscle"] = "Choose the main muscle this exercise trains from the list."

    secondary = [m.lower() for m in as_list(form.get("secondary_muscles"))]
    unknown = [m for m in secondary if m not in MUSCLES]
    secondary = [m for m in dict.fromkeys(secondary) if m != primary]
    if unknown:
        errors["secondary_muscles"] = "Unknown muscle: " + ", ".join(unknown) + ". Choose from the list."
    elif len(secondary) > MAX_SECONDARY:
        errors["secondary_muscles"] = f"Choose at most {MAX_SECONDARY} other muscles."

    equipment_names = as_list(form.get("equipment"))
    equipment: list[Equipment] = []
    if len(equipment_names) > MAX_EQUIPMENT:
        errors["equipment"] = f"Choose at most {MAX_EQUIPMENT} pieces of equipment."
    elif equipment_names:
        found = {e.name: e for e in session.exec(select(Equipment).where(Equipment.name.in_(equipment_names))).all()}
        missing = [n for n in equipment_names if n not in found]
        if missing:
            errors["equipment"] = "Unknown equipment: " + ", ".join(missing) + ". Choose from the catalog."
        equipment = [found[n] for n in equipment_names if n in found]

    mechanics = text(form.get("mechanics")).lower() or "compound"
    if mechanics not in MECHANICS:
        errors["mechanics"] = "Choose compound (several joints) or isolation (one joint)."

    instructions = str(form.get("instructions") or "").strip()
    if len(instructions) > INSTRUCTIONS_MAX:
        errors["instructions"] = f"Keep the instructions to {INSTRUCTIONS_MAX} characters or fewer."

    if errors:
        raise ValidationFailed(errors)
    fields = {
        "name": name,
        "category": category,
        "primary_muscle": primary,
        "secondary_muscles": secondary,
        "mechanics": mechanics,
        "instructions": instructions,
    }
    return fields, equipment


def save_exercise(session: Session, actor: Actor, form: dict, *, exercise_id: int | None = None) -> Exercise:
    """Create (no `exercise_id`) or edit an exercise.

    Trainers, moderators and admins create shared exercises; anyone else creates a private one.
    A private exercise is only ever changed by its owner, a shared one only by library editors.
    """
    require(actor)
    if not isinstance(form, dict):
        raise ValidationFailed({"name": "Fill in the exercise form."})
    exercise = _editable(session, actor, exercise_id) if exercise_id is not None else None
    fields, equipment = _validate(session, actor, form, exercise.id if exercise else None)
    if exercise is None:
        owner_id = None if actor.role in LIBRARY_EDITORS else actor.id
        # The slug is fixed at creation: the shipped library's import finds its rows by slug.
        exercise = Exercise(
            slug=_unique_slug(session, fields["name"], owner_id),
            owner_id=owner_id,
            source="adaptivefit" if owner_id is None else "custom",
            **fields,
        )
    else:
        for key, value in fields.items():
            setattr(exercise, key, value)
    session.add(exercise)
    session.flush()

    wanted = {e.id for e in equipment}
    current = session.exec(select(ExerciseEquipment).where(ExerciseEquipment.exercise_id == exercise.id)).all()
    for link in current:
        if link.equipment_id not in wanted:
            session.delete(link)
    for equipment_id in wanted - {link.equipment_id for link in current}:
        session.add(ExerciseEquipment(exercise_id=exercise.id, equipment_id=equipment_id))
    session.flush()
    return exercise


def delete_custom_exercise(session: Session, actor: Actor, exercise_id: int) -> None:
    """Delete one of the actor's own custom exercises, as long as no set was logged with it."""
    require(actor)
    exercise = session.get(Exercise, exercise_id) if isinstance(exercise_id, int) else None
    if exercise is None:
        raise PermissionDenied("That exercise was not found.")
    if exercise.owner_id is None:
        raise PermissionDenied("Exercises in the shared library cannot be deleted, only custom ones.")
    if exercise.owner_id != actor.id:
        raise PermissionDenied(_NOT_YOURS)
    if session.exec(select(WorkoutSet.id).where(WorkoutSet.exercise_id == exercise.id).limit(1)).first() is not None:
        raise ValidationFailed({"exercise": "You have logged sets of this exercise, so it stays to keep your history."})
    planned = session.exec(select(PlanExercise.id).where(PlanExercise.exercise_id == exercise.id).limit(1)).first()
    if planned is not None:
        raise ValidationFailed({"exercise": "This exercise is in one of your plans; remove it from the plan first."})
    for link in session.exec(select(ExerciseEquipment).where(ExerciseEquipment.exercise_id == exercise.id)).all():
        session.delete(link)
    session.flush()
    session.delete(exercise)
    session.flush()
