"""Importing wger's exercise database (its JSON export) into the shared exercise library.

wger publishes exercises as Django fixtures: `exercise-base-data.json` holds the language-neutral
base (category, muscles, equipment, licence, a UUID) and `translations.json` holds each
language's name and HTML description. The reference tables (categories, equipment, muscles,
licences, languages) sit beside them. Plain lists of flat records (wger's REST shape, with `id`
instead of `pk`) are read too.

The import adds and flushes; the caller commits. A re-import finds rows by wger's UUID
(`Exercise.external_id`), so it updates instead of duplicating.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from adaptivefit.models import Equipment, Exercise, ExerciseEquipment
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.catalog.library import load_shipped, slugify
from adaptivefit.services.catalog.wger_names import (
    CATEGORY_DEFAULT_MUSCLE,
    CATEGORY_MAP,
    DEFAULT_CATEGORY,
    EQUIPMENT_MAP,
    MUSCLE_MAP,
)

SOURCE = "wger"

BASE_FILE = "exercise-base-data.json"
TRANSLATIONS_FILE = "translations.json"

_NAME_MAX = 120
_INSTRUCTIONS_MAX = 4000
_AUTHOR_MAX = 500


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (record id, reason)
    unchanged: int = 0


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment, one line per block element."""

    BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text from wger's HTML description: tags and entities gone, whitespace normalised."""
    parser = _TextExtractor()
    parser.feed(fragment or "")
    parser.close()
    lines = (re.sub(r"\s+", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _read_records(path: Path) -> list[dict[str, Any]]:
    """Records of a fixture (`{model, pk, fields}`) or a plain list, flattened to dicts with `id`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValidationFailed({"directory": f"{path.name} is missing from the wger export."}) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed({"directory": f"{path.name} is not valid JSON: {exc}"}) from exc
    if isinstance(raw, dict):
        raw = raw.get("results", [])
    if not isinstance(raw, list):
        raise ValidationFailed({"directory": f"{path.name} does not hold a list of records."})
    records = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("fields"), dict):
            records.append({"model": item.get("model", ""), "id": item.get("pk"), **item["fields"]})
        else:
            records.append({"model": item.get("model", ""), **item})
    return records


def _of_model(records: list[dict[str, Any]], model: str, required: str) -> list[dict[str, Any]]:
    """The records of one model: by the fixture's model name, or by a telling field in a plain list."""
    return [r for r in records if r["model"] == model or (not r["model"] and required in r)]


def _by_id(records: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {r.get("id"): r for r in records}


@dataclass
class _Reference:
    categories: dict[Any, str]
    muscles: dict[Any, str | None]
    equipment: dict[Any, str | None]
    licenses: dict[Any, str]
    language_id: Any
    language_name: str


def _load_reference(directory: Path, language: str) -> _Reference:
    categories = {
        r["id"]: CATEGORY_MAP.get(str(r.get("name", "")).strip().lower(), DEFAULT_CATEGORY)
        for r in _of_model(_read_records(directory / "categories.json"), "exercises.exercisecategory", "name")
    }
    muscles: dict[Any, str | None] = {}
    for r in _of_model(_read_records(directory / "muscles.json"), "exercises.muscle", "name"):
        names = (str(r.get("name", "")).strip().lower(), str(r.get("name_en") or "").strip().lower())
        muscles[r["id"]] = next((MUSCLE_MAP[n] for n in names if n in MUSCLE_MAP), None)
    equipment = {
        r["id"]: EQUIPMENT_MAP.get(str(r.get("name", "")).strip().lower())
        for r in _of_model(_read_records(directory / "equipment.json"), "exercises.equipment", "name")
    }
    licenses = {
        r["id"]: str(r.get("short_name") or r.get("full_name") or "").strip()
        for r in _of_model(_read_records(directory / "licenses.json"), "core.license", "short_name")
    }
    languages = _of_model(_read_records(directory / "languages.json"), "core.language", "short_name")
    match = next((r for r in languages if r.get("short_name") == language), None)
    if match is None:
        raise ValidationFailed({"language": f"The wger export has no language {language!r}."})
    name = match.get("full_name_en") or match.get("full_name") or language
    return _Reference(categories, muscles, equipment, licenses, match["id"], name)


def _muscles(base: dict[str, Any], ref: _Reference) -> list[str]:
    """Our muscles for a wger exercise, its primary ones first."""
    primary = [ref.muscles.get(m) for m in base.get("muscles") or []]
    secondary = [ref.muscles.get(m) for m in base.get("muscles_secondary") or []]
    return list(dict.fromkeys(m for m in primary + secondary if m))


def _equipment_ids(session: Session, names: list[str], cache: dict[str, Equipment]) -> list[int]:
    """Ids of our equipment rows for these names, adding a shipped item the database lacks."""
    ids = []
    for name in names:
        row = cache.get(name)
        if row is None:
            shipped = next(item for item in load_shipped("equipment.json") if item["name"] == name)
            row = Equipment(name=name, type=shipped["type"], description=shipped["description"])
            session.add(row)
            session.flush()
            cache[name] = row
        ids.append(row.id)
    return ids


def _unique_slug(name: str, external_id: str, taken: set[str]) -> str:
    base = slugify(name)[:120] or f"exercise-{external_id[:8]}"
    slug = base
    if slug in taken:
        slug = f"{base}-wger"
        number = 2
        while slug in taken:
            slug = f"{base}-wger-{number}"
            number += 1
    taken.add(slug)
    return slug


def _wanted_translations(translations: list[dict[str, Any]], language_id: Any) -> dict[Any, dict[str, Any]]:
    """The translation in the chosen language of each exercise, by its base id."""
    wanted: dict[Any, dict[str, Any]] = {}
    for t in translations:
        if t.get("language") != language_id:
            continue
        base_id = t.get("exercise", t.get("exercise_base"))
        # Keep the first translation with a name if wger ever holds two for one language.
        if base_id not in wanted or not str(wanted[base_id].get("name") or "").strip():
            wanted[base_id] = t
    return wanted


@dataclass
class _Library:
    """What the database already holds of wger's exercises, kept current as the import goes."""

    existing: dict[str, Exercise]
    links: dict[int, set[int]]
    taken_slugs: set[str]
    equipment: dict[str, Equipment]

    @classmethod
    def load(cls, session: Session) -> _Library:
        existing = {
            e.external_id: e
            for e in session.exec(
                select(Exercise).where(Exercise.source == SOURCE, Exercise.external_id.is_not(None))
            ).all()
        }
        links: dict[int, set[int]] = {}
        for link in session.exec(
            select(ExerciseEquipment)
            .join(Exercise, Exercise.id == ExerciseEquipment.exercise_id)
            .where(Exercise.source == SOURCE)
        ):
            links.setdefault(link.exercise_id, set()).add(link.equipment_id)
        return cls(existing, links, set(session.exec(select(Exercise.slug)).all()),
                   {e.name: e for e in session.exec(select(Equipment)).all()})


def _values(base: dict[str, Any], translation: dict[str, Any], ref: _Reference, name: str) -> dict[str, Any]:
    """Our columns for a wger exercise and its translation (the category known to be mapped)."""
    category = ref.categories[base["category"]]
    muscles = _muscles(base, ref)
    author = str(translation.get("license_author") or base.get("license_author") or "").strip()[:_AUTHOR_MAX]
    return {
        "name": name,
        "category": category,
        "primary_muscle": muscles[0] if muscles else CATEGORY_DEFAULT_MUSCLE[category],
        "secondary_muscles": muscles[1:],
        "instructions": html_to_text(str(translation.get("description") or ""))[:_INSTRUCTIONS_MAX],
        "license": ref.licenses.get(translation.get("license", base.get("license")))
        or ref.licenses.get(base.get("license")),
        "license_author": author or None,
    }


def _skip_reason(base: dict[str, Any], translation: dict[str, Any] | None, ref: _Reference) -> str | None:
    if not str(base.get("uuid") or "").strip():
        return "no UUID to track it by"
    if translation is None:
        return f"no {ref.language_name} translation"
    if not _name(translation):
        return f"the {ref.language_name} translation has no name"
    if base.get("category") not in ref.categories:
        return f"unknown category {base.get('category')}"
    return None


def _name(translation: dict[str, Any]) -> str:
    return re.sub(r"\s+", " ", str(translation.get("name") or "")).strip()[:_NAME_MAX]


def _add(session: Session, lib: _Library, external_id: str, values: dict[str, Any], equipment_ids: set[int],
         mechanics: str) -> None:
    exercise = Exercise(slug=_unique_slug(values["name"], external_id, lib.taken_slugs), source=SOURCE,
                        external_id=external_id, mechanics=mechanics, **values)
    session.add(exercise)
    session.flush()
    for equipment_id in equipment_ids:
        session.add(ExerciseEquipment(exercise_id=exercise.id, equipment_id=equipment_id))
    lib.existing[external_id] = exercise
    lib.links[exercise.id] = equipment_ids


def _update(session: Session, lib: _Library, exercise: Exercise, values: dict[str, Any], equipment_ids: set[int]) -> bool:
    """Bring a known exercise up to date; whether anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(exercise, key) != value:
            setattr(exercise, key, value)
            changed = True
    current = lib.links.get(exercise.id, set())
    if current != equipment_ids:
        for link in session.exec(select(ExerciseEquipment).where(ExerciseEquipment.exercise_id == exercise.id)):
            if link.equipment_id not in equipment_ids:
                session.delete(link)
        for equipment_id in equipment_ids - current:
            session.add(ExerciseEquipment(exercise_id=exercise.id, equipment_id=equipment_id))
        lib.links[exercise.id] = equipment_ids
        changed = True
    if changed:
        session.add(exercise)
    return changed


def import_wger(session: Session, directory: Path, *, language: str = "en") -> ImportReport:
    """Add or update the shared library from a wger export folder; see the module's docstring."""
    directory = Path(directory)
    ref = _load_reference(directory, language)
    bases = _of_model(_read_records(directory / BASE_FILE), "exercises.exercise", "uuid")
    translations = _of_model(_read_records(directory / TRANSLATIONS_FILE), "exercises.translation", "language")
    wanted = _wanted_translations(translations, ref.language_id)

    report = ImportReport()
    known_bases = {b.get("id") for b in bases}
    for base_id, t in wanted.items():
        if base_id not in known_bases:
            report.skipped.append((f"translation {t.get('id')}", f"its exercise {base_id} is not in {BASE_FILE}"))

    lib = _Library.load(session)
    for base in bases:
        external_id = str(base.get("uuid") or "").strip()
        translation = wanted.get(base.get("id"))
        reason = _skip_reason(base, translation, ref)
        if reason is not None:
            report.skipped.append((external_id or f"exercise {base.get('id')}", reason))
            continue
        values = _values(base, translation, ref, _name(translation))
        mapped = (ref.equipment.get(e) for e in base.get("equipment") or [])
        equipment_ids = set(_equipment_ids(session, list(dict.fromkeys(n for n in mapped if n)), lib.equipment))
        exercise = lib.existing.get(external_id)
        if exercise is None:
            # wger has no mechanics field; one worked muscle is the best sign of an isolation move.
            isolation = len(_muscles(base, ref)) == 1 and values["category"] not in ("cardio", "mobility")
            _add(session, lib, external_id, values, equipment_ids, "isolation" if isolation else "compound")
            report.added += 1
        elif _update(session, lib, exercise, values, equipment_ids):
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    return report


def summarise(report: ImportReport) -> str:
    """One line for a person: what was added, updated and skipped, and why."""
    text = (
        f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.skipped)} skipped"
    )
    if report.skipped:
        reasons = Counter(reason for _, reason in report.skipped)
        text += " (" + "; ".join(f"{count} {reason}" for reason, count in reasons.most_common()) + ")"
    return text + "."
