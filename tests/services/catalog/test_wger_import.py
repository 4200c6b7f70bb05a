"""The wger import, on wger's real export (read from ../shared/data, never copied into the repo)."""

import json
import re
from collections import Counter

import pytest
from sqlmodel import select

from adaptivefit.models import Equipment, Exercise, ExerciseEquipment
from adaptivefit.services.catalog import library, wger_import
from adaptivefit.services.core.access import ValidationFailed
from tests.conftest import SHARED_DATA, shared_data_missing

WGER = SHARED_DATA / "exercises" / "wger"
REFERENCE_FILES = ("categories.json", "equipment.json", "muscles.json", "licenses.json", "languages.json")

pytestmark = pytest.mark.skipif(
    shared_data_missing(WGER / "exercise-base-data.json"),
    reason=f"wger export not found at {WGER} (the shared test data sits beside the repository)",
)

MUSCLES = {
    "chest", "upper chest", "lats", "upper back", "traps", "lower back", "front delts", "side delts", "rear delts",
    "biceps", "triceps", "forearms", "quadriceps", "hamstrings", "glutes", "adductors", "abductors", "calves", "abs",
    "obliques", "hip flexors", "neck", "cardiovascular",
}
CATEGORIES = {"chest", "back", "shoulders", "arms", "legs", "glutes", "core", "full body", "cardio", "mobility"}


def _fixture(name):
    return json.loads((WGER / name).read_text(encoding="utf-8"))


def _english(base_pk):
    return next(
        t for t in _fixture("translations.json")
        if t["model"] == "exercises.translation" and t["fields"]["exercise"] == base_pk and t["fields"]["language"] == 2
    )


def _wger(session):
    return session.exec(select(Exercise).where(Exercise.source == "wger")).all()


def _equipment_of(session, exercise):
    return set(session.exec(
        select(Equipment.name).join(ExerciseEquipment, ExerciseEquipment.equipment_id == Equipment.id)
        .where(ExerciseEquipment.exercise_id == exercise.id)
    ).all())


@pytest.fixture
def imported(session):
    library.install_library(session)
    report = wger_import.import_wger(session, WGER)
    session.commit()
    return report


def test_every_english_exercise_is_added_with_its_licence(session, imported):
    assert imported.added == 872
    assert imported.updated == 0
    assert imported.skipped == []
    exercises = _wger(session)
    assert len(exercises) == 872
    assert len({e.external_id for e in exercises}) == 872
    # SOURCES.md: 719 CC-BY-SA 4, 133 CC-BY-SA 3, 20 CC0.
    assert Counter(e.license for e in exercises) == {"CC-BY-SA 4": 719, "CC-BY-SA 3": 133, "CC0": 20}
    for exercise in exercises:
        assert exercise.owner_id is None
        assert exercise.name.strip()
        assert exercise.category in CATEGORIES
        assert exercise.primary_muscle in MUSCLES
        assert set(exercise.secondary_muscles) <= MUSCLES
        assert exercise.primary_muscle not in exercise.secondary_muscles
    assert "872 added" in wger_import.summarise(imported)


def test_a_known_exercise_keeps_its_details(session, imported):
    exercise = session.exec(select(Exercise).where(Exercise.name == "Bench Press Narrow Grip")).one()
    base = next(b for b in _fixture("exercise-base-data.json") if b["pk"] == 76)
    assert exercise.external_id == base["fields"]["uuid"]
    assert exercise.category == "arms"  # wger's category 8, Arms
    assert exercise.primary_muscle == "triceps"  # Triceps brachii
    assert exercise.secondary_muscles == ["front delts", "chest"]  # Anterior deltoid, Pectoralis major
    assert _equipment_of(session, exercise) == {"Barbell", "Flat Bench"}  # Barbell, Bench
    assert exercise.license == "CC-BY-SA 3"
    assert exercise.license_author == "wger.de"
    assert exercise.instructions.startswith("Lay down on a bench, the bar is directly over your eyes")
    assert "<p>" not in exercise.instructions


def test_mapped_categories_and_equipment(session, imported):
    by_uuid = {e.external_id: e for e in _wger(session)}
    categories = {c["pk"]: c["fields"]["name"] for c in _fixture("categories.json")}
    expected = {"Abs": "core", "Arms": "arms", "Back": "back", "Calves": "legs", "Cardio": "cardio",
                "Chest": "chest", "Legs": "legs", "Shoulders": "shoulders"}
    for base in _fixture("exercise-base-data.json"):
        exercise = by_uuid[base["fields"]["uuid"]]
        assert exercise.category == expected[categories[base["fields"]["category"]]]
    # A kettlebell-only exercise (wger pk 9) needs exactly our Kettlebell; bodyweight and mat need nothing.
    kettlebell = by_uuid["1b020b3a-3732-4c7e-92fd-a0cec90ed69b"]
    assert _equipment_of(session, kettlebell) == {"Kettlebell"}
    bodyweight = [b for b in _fixture("exercise-base-data.json") if set(b["fields"]["equipment"]) <= {4, 7}]
    assert bodyweight
    assert all(_equipment_of(session, by_uuid[b["fields"]["uuid"]]) == set() for b in bodyweight)
    ez_bar = [b for b in _fixture("exercise-base-data.json") if b["fields"]["equipment"] == [2]]
    assert ez_bar and all(_equipment_of(session, by_uuid[b["fields"]["uuid"]]) == {"EZ Bar"} for b in ez_bar)


def test_html_is_stripped_to_plain_text(session, imported):
    for exercise in _wger(session):
        assert not re.search(r"</?[a-zA-Z][^>]*>", exercise.instructions), exercise.name
        assert "&nbsp;" not in exercise.instructions and "&amp;" not in exercise.instructions
        assert "  " not in exercise.instructions
    # One whose description is a list: each item becomes its own line, the markup gone.
    translations = [t for t in _fixture("translations.json")
                    if t["model"] == "exercises.translation" and t["fields"]["language"] == 2]
    listed = next(t for t in translations if "<li>" in t["fields"]["description"])
    exercise = session.exec(select(Exercise).where(
        Exercise.external_id == next(b["fields"]["uuid"] for b in _fixture("exercise-base-data.json")
                                     if b["pk"] == listed["fields"]["exercise"]))).one()
    assert "<li>" not in exercise.instructions
    assert exercise.instructions.count("\n") >= listed["fields"]["description"].count("<li>") - 1
    assert wger_import.html_to_text("<p>Grip&nbsp;the bar &amp; pull</p><ul><li>Slow</li><li> Up </li></ul>") == (
        "Grip the bar & pull\nSlow\nUp"
    )


def test_the_translations_author_is_kept(session, imported):
    # The one English translation whose author differs from its base's.
    bases = {b["pk"]: b for b in _fixture("exercise-base-data.json")}
    translation = next(
        t for t in _fixture("translations.json")
        if t["model"] == "exercises.translation" and t["fields"]["language"] == 2
        and t["fields"]["license_author"] != bases[t["fields"]["exercise"]]["fields"]["license_author"]
    )
    uuid = bases[translation["fields"]["exercise"]]["fields"]["uuid"]
    exercise = session.exec(select(Exercise).where(Exercise.external_id == uuid)).one()
    assert exercise.license_author == translation["fields"]["license_author"]


def test_a_name_clash_gets_a_distinct_slug(session, imported):
    planks = session.exec(select(Exercise).where(Exercise.name == "Plank")).all()
    shipped = [p for p in planks if p.source != "wger"]
    from_wger = [p for p in planks if p.source == "wger"]
    assert len(shipped) == 1 and shipped[0].slug == "plank"
    assert from_wger and all(p.slug.startswith("plank-wger") for p in from_wger)
    slugs = session.exec(select(Exercise.slug)).all()
    assert len(slugs) == len(set(slugs))


def test_reimport_updates_and_adds_no_duplicates(session, imported):
    exercise = session.exec(select(Exercise).where(Exercise.name == "Bench Press Narrow Grip")).one()
    slug = exercise.slug
    exercise.name = "Renamed by hand"
    exercise.instructions = "stale"
    session.add(exercise)
    for link in session.exec(select(ExerciseEquipment).where(ExerciseEquipment.exercise_id == exercise.id)):
        session.delete(link)
    session.commit()
    total = len(session.exec(select(Exercise)).all())

    report = wger_import.import_wger(session, WGER)
    session.commit()
    assert (report.added, report.updated, report.unchanged, report.skipped) == (0, 1, 871, [])
    assert len(session.exec(select(Exercise)).all()) == total
    session.refresh(exercise)
    assert exercise.name == "Bench Press Narrow Grip"
    assert exercise.slug == slug
    assert exercise.instructions.startswith("Lay down on a bench")
    assert _equipment_of(session, exercise) == {"Barbell", "Flat Bench"}
    assert "1 updated" in wger_import.summarise(report)


def _export_folder(tmp_path, bases, translations, *, plain=False):
    """A wger-shaped folder in the test's temporary directory: the real reference files plus the given records."""
    for name in REFERENCE_FILES:
        (tmp_path / name).symlink_to(WGER / name)
    if plain:
        bases = [{"id": b["pk"], **b["fields"]} for b in bases]
        translations = [{"id": t["pk"], **t["fields"]} for t in translations]
    (tmp_path / "exercise-base-data.json").write_text(json.dumps(bases))
    (tmp_path / "translations.json").write_text(json.dumps(translations))
    return tmp_path


def test_records_that_cannot_be_imported_are_reported(session, tmp_path):
    bases = _fixture("exercise-base-data.json")[:4]
    wanted = {b["pk"] for b in bases}
    translations = [t for t in _fixture("translations.json")
                    if t["model"] == "exercises.translation" and t["fields"]["exercise"] in wanted]
    ok, no_english, no_name, odd_category = bases
    translations = [t for t in translations if not (t["fields"]["exercise"] == no_english["pk"] and t["fields"]["language"] == 2)]
    for t in translations:
        if t["fields"]["exercise"] == no_name["pk"] and t["fields"]["language"] == 2:
            t["fields"]["name"] = "   "
    odd_category["fields"]["category"] = 999
    orphan = json.loads(json.dumps(_english(ok["pk"])))
    orphan["pk"], orphan["fields"]["exercise"] = 999999, 424242
    translations.append(orphan)

    report = wger_import.import_wger(session, _export_folder(tmp_path, bases, translations))
    assert report.added == 1
    reasons = dict(report.skipped)
    assert reasons[no_english["fields"]["uuid"]] == "no English translation"
    assert reasons[no_name["fields"]["uuid"]] == "the English translation has no name"
    assert reasons[odd_category["fields"]["uuid"]] == "unknown category 999"
    assert "is not in exercise-base-data.json" in reasons["translation 999999"]
    assert len(report.skipped) == 4
    summary = wger_import.summarise(report)
    assert "1 added" in summary and "4 skipped" in summary and "1 no English translation" in summary
    assert {e.external_id for e in _wger(session)} == {ok["fields"]["uuid"]}


def test_plain_lists_are_read_as_well_as_fixtures(session, tmp_path):
    bases = _fixture("exercise-base-data.json")[:10]
    wanted = {b["pk"] for b in bases}
    translations = [t for t in _fixture("translations.json")
                    if t["model"] == "exercises.translation" and t["fields"]["exercise"] in wanted]
    report = wger_import.import_wger(session, _export_folder(tmp_path, bases, translations, plain=True))
    assert report.added == 10 and report.skipped == []
    name = _english(bases[0]["pk"])["fields"]["name"]
    assert session.exec(select(Exercise).where(Exercise.external_id == bases[0]["fields"]["uuid"])).one().name == name


def test_a_missing_file_or_language_is_refused(session, tmp_path):
    with pytest.raises(ValidationFailed):
        wger_import.import_wger(session, tmp_path)
    with pytest.raises(ValidationFailed):
        wger_import.import_wger(session, WGER, language="xx")
