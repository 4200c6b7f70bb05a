"""The exercise library and the equipment catalog: reading them, and loading the shipped data.

Reads take the acting user's id so a member's private exercises are seen only by that member.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import func, or_
from sqlmodel import Session, select

from adaptivefit.models import Equipment, Exercise, ExerciseEquipment
from adaptivefit.services.core.inputs import as_id
from adaptivefit.services.core.paging import window

PAGE_SIZE = 24


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def load_shipped(name: str) -> list[dict]:
    """A JSON list shipped in adaptivefit/data (written for this project)."""
    return json.loads(resources.files("adaptivefit.data").joinpath(name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ExerciseRow:
    id: int
    name: str
    category: str
    primary_muscle: str
    secondary_muscles: tuple[str, ...]
    equipment: tuple[str, ...]
    instructions: str
    is_custom: bool
    attribution: str = ""


@dataclass(frozen=True)
class ExercisePage:
    rows: list[ExerciseRow]
    total: int
    page: int
    pages: int


def visible_to(user_id: int | None):
    """Shared exercises and `user_id`'s own (only the shared ones when nobody is signed in)."""
    if user_id is None:
        return Exercise.owner_id.is_(None)
    return or_(Exercise.owner_id.is_(None), Exercise.owner_id == user_id)


def visible_exercise(session: Session, user_id: int | None, exercise_id: object) -> Exercise | None:
    """The exercise with this id when the user may see it (shared, or their own), else None."""
    key = as_id(exercise_id)
    exercise = session.get(Exercise, key) if key is not None else None
    if exercise is None or exercise.owner_id not in (None, user_id):
        return None
    return exercise


def search_exercises(
    session: Session,
    *,
    user_id: int | None = None,
    query: str = "",
    muscle: str = "",
    category: str = "",
    equipment: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    exercise_ids: list[int] | None = None,
) -> ExercisePage:
    """Exercises matching every given filter, sorted by name, one page at a time."""
    conditions = [visible_to(user_id)]
    query = query.strip()[:100]
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(func.lower(Exercise.name).like(f"%{escaped}%", escape="\\"))
    if exercise_ids is not None:
        conditions.append(Exercise.id.in_(exercise_ids))
    if muscle:
        conditions.append(Exercise.primary_muscle == muscle)
    if category:
        conditions.append(Exercise.category == category)
    if equipment:
        needs = (
            select(ExerciseEquipment.exercise_id)
            .join(Equipment, Equipment.id == ExerciseEquipment.equipment_id)
            .where(Equipment.name == equipment)
        )
        conditions.append(Exercise.id.in_(needs))
    total = session.exec(select(func.count()).select_from(Exercise).where(*conditions)).one()
    shown = window(page, total, page_size)
    exercises = session.exec(
        select(Exercise).where(*conditions).order_by(Exercise.name).offset(shown.offset).limit(shown.limit)
    ).all()
    needed = _equipment_names(session, [e.id for e in exercises])
    rows = [
        ExerciseRow(
            id=e.id,
            name=e.name,
            category=e.category,
            primary_muscle=e.primary_muscle,
            secondary_muscles=tuple(e.secondary_muscles),
            equipment=tuple(needed.get(e.id, ())),
            instructions=e.instructions,
            is_custom=e.owner_id is not None,
            attribution=_attribution(e),
        )
        for e in exercises
    ]
    return ExercisePage(rows=rows, total=total, page=shown.page, pages=shown.pages)


def _attribution(exercise: Exercise) -> str:
    """Credit for an imported record, as its licence asks ("wger · CC-BY-SA 4 · by …")."""
    if exercise.source in ("adaptivefit", "custom", "import") or not exercise.source:
        return ""
    parts = [exercise.source]
    if exercise.license:
        parts.append(exercise.license)
    if exercise.license_author:
        parts.append(f"by {exercise.license_author}")
    return " · ".join(parts)


def exercise_name(session: Session, user_id: int | None, exercise_id: int) -> str | None:
    """The name of an exercise this user may see (shared, or their own), else None."""
    return session.exec(select(Exercise.name).where(Exercise.id == exercise_id, visible_to(user_id))).first()


def _equipment_names(session: Session, exercise_ids: list[int]) -> dict[int, list[str]]:
    if not exercise_ids:
        return {}
    pairs = session.exec(
        select(ExerciseEquipment.exercise_id, Equipment.name)
        .join(Equipment, Equipment.id == ExerciseEquipment.equipment_id)
        .where(ExerciseEquipment.exercise_id.in_(exercise_ids))
        .order_by(Equipment.name)
    ).all()
    names: dict[int, list[str]] = {}
    for exercise_id, name in pairs:
        names.setdefault(exercise_id, []).append(name)
    return names


@dataclass(frozen=True)
class Filters:
    muscles: list[str]
    categories: list[str]
    equipment: list[str]


def exercise_filters(session: Session) -> Filters:
    """The values the library's filters offer: only those some shared exercise has."""
    shared = Exercise.owner_id.is_(None)
    muscles = session.exec(select(Exercise.primary_muscle).where(shared).distinct().order_by(Exercise.primary_muscle)).all()
    categories = session.exec(select(Exercise.category).where(shared).distinct().order_by(Exercise.category)).all()
    equipment = session.exec(
        select(Equipment.name).where(Equipment.id.in_(select(ExerciseEquipment.equipment_id))).order_by(Equipment.name)
    ).all()
    return Filters(muscles=list(muscles), categories=list(categories), equipment=list(equipment))


def list_equipment(session: Session) -> list[Equipment]:
    return list(session.exec(select(Equipment).order_by(Equipment.type, Equipment.name)).all())


def install_library(session: Session) -> tuple[int, int]:
    """Load the shipped equipment and exercise library; existing rows are left as they are.

    Returns how many equipment items and exercises were added.
    """
    existing_equipment = {e.name: e for e in session.exec(select(Equipment)).all()}
    added_equipment = 0
    for item in load_shipped("equipment.json"):
        if item["name"] not in existing_equipment:
            row = Equipment(name=item["name"], type=item["type"], description=item["description"])
            session.add(row)
            existing_equipment[row.name] = row
            added_equipment += 1
    session.flush()
    existing_slugs = set(session.exec(select(Exercise.slug)).all())
    added_exercises = 0
    for item in load_shipped("exercises.json"):
        slug = slugify(item["name"])
        if slug in existing_slugs:
            continue
        exercise = Exercise(
            name=item["name"],
            slug=slug,
            category=item["category"],
            primary_muscle=item["primary_muscle"],
            secondary_muscles=list(item.get("secondary_muscles", [])),
            mechanics=item.get("mechanics", "compound"),
            instructions=item.get("instructions", ""),
        )
        session.add(exercise)
        session.flush()
        for name in item.get("equipment", []):
            session.add(ExerciseEquipment(exercise_id=exercise.id, equipment_id=existing_equipment[name].id))
        existing_slugs.add(slug)
        added_exercises += 1
    session.flush()
    return added_equipment, added_exercises
