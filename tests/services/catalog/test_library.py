import json
from importlib import resources

from adaptivefit.models import Exercise, User
from adaptivefit.services.catalog import library


def _shipped(name):
    return json.loads(resources.files("adaptivefit.data").joinpath(name).read_text())


def test_shipped_library_is_complete_and_consistent():
    exercises = _shipped("exercises.json")
    equipment = {item["name"] for item in _shipped("equipment.json")}
    assert len(exercises) >= 150
    assert len({e["name"].lower() for e in exercises}) == len(exercises)
    for exercise in exercises:
        assert exercise["primary_muscle"] and exercise["category"] and exercise["instructions"]
        assert set(exercise["equipment"]) <= equipment, exercise["name"]


def test_install_is_idempotent(session):
    first = library.install_library(session)
    session.commit()
    assert first[1] >= 150
    assert library.install_library(session) == (0, 0)


def test_search_by_name_muscle_category_and_equipment(session):
    library.install_library(session)
    names = [r.name for r in library.search_exercises(session, query="back squat", page_size=100).rows]
    assert "Barbell Back Squat" in names
    assert all("back squat" in n.lower() for n in names)

    hamstrings = library.search_exercises(session, muscle="hamstrings", page_size=100).rows
    assert hamstrings and all(r.primary_muscle == "hamstrings" for r in hamstrings)

    core = library.search_exercises(session, category="core", page_size=100).rows
    assert core and all(r.category == "core" for r in core)

    kettlebell = library.search_exercises(session, equipment="Kettlebell", page_size=100).rows
    assert kettlebell and all("Kettlebell" in r.equipment for r in kettlebell)

    both = library.search_exercises(session, equipment="Barbell", muscle="quadriceps", page_size=100).rows
    assert both and all("Barbell" in r.equipment and r.primary_muscle == "quadriceps" for r in both)


def test_wildcards_in_a_search_are_text(session):
    library.install_library(session)
    assert library.search_exercises(session, query="%").total == 0
    assert library.search_exercises(session, query="_").total == 0


def test_paging_covers_every_exercise_once(session):
    library.install_library(session)
    first = library.search_exercises(session, page=1, page_size=50)
    seen = []
    for page in range(1, first.pages + 1):
        seen += [r.id for r in library.search_exercises(session, page=page, page_size=50).rows]
    assert len(seen) == len(set(seen)) == first.total
    assert library.search_exercises(session, page=999, page_size=50).page == first.pages


def test_private_exercise_is_seen_only_by_its_owner(session):
    library.install_library(session)
    owner = User(email="o@example.com", name="O")
    other = User(email="x@example.com", name="X")
    session.add_all([owner, other])
    session.flush()
    session.add(Exercise(name="My Odd Lift", slug="my-odd-lift", category="arms", primary_muscle="biceps", owner_id=owner.id))
    session.flush()
    assert library.search_exercises(session, user_id=owner.id, query="odd lift").total == 1
    assert library.search_exercises(session, user_id=other.id, query="odd lift").total == 0
    assert library.search_exercises(session, query="odd lift").total == 0
    assert "biceps" not in library.exercise_filters(session).muscles or any(
        r.primary_muscle == "biceps" for r in library.search_exercises(session, muscle="biceps").rows
    )
