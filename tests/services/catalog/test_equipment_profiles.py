import pytest
from sqlmodel import select

from adaptivefit.models import Equipment, EquipmentProfile, EquipmentProfileItem, Exercise
from adaptivefit.services.catalog import equipment_profiles as ep
from adaptivefit.services.catalog.exercises_admin import save_exercise
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from tests.services.catalog.equipment_fixtures import people  # noqa: F401  (fixture)
from tests.services.catalog.equipment_fixtures import actor as _actor
from tests.services.catalog.equipment_fixtures import equipment_ids as _ids
from tests.services.catalog.equipment_fixtures import exercise as _exercise


# --- Profiles ----------------------------------------------------------------------------------


def test_first_profile_is_the_default(session, people):
    member = people["member"]
    home = ep.create_profile(session, member, " Home ", _ids(session, "Dumbbell", "Kettlebell"))
    gym = ep.create_profile(session, member, "Gym", _ids(session, "Barbell", "Squat Rack", "Dumbbell"))
    assert home.name == "Home" and home.is_default and not gym.is_default
    views = ep.list_profiles(session, member)
    assert [(v.name, v.is_default) for v in views] == [("Home", True), ("Gym", False)]
    assert [(i.name, i.type, i.temporarily_unavailable, i.note) for i in views[0].items] == [
        ("Dumbbell", "free weight", False, ""),
        ("Kettlebell", "free weight", False, ""),
    ]
    assert {i.name for i in views[1].items} == {"Barbell", "Squat Rack", "Dumbbell"}
    assert ep.list_profiles(session, people["other"]) == []


@pytest.mark.parametrize(
    ("name", "equipment", "field", "message"),
    [
        ("", [], "name", "1 to 60 characters"),
        ("   ", [], "name", "1 to 60 characters"),
        ("x" * 61, [], "name", "1 to 60 characters"),
        ("home", [], "name", "already have a profile"),
        ("Office", [999_999], "equipment", "not in the catalog"),
        ("Office", "1,2", "equipment", "Choose equipment"),
        ("Office", ["abc"], "equipment", "Choose equipment"),
    ],
)
def test_profile_validation(session, people, name, equipment, field, message):
    member = people["member"]
    ep.create_profile(session, member, "Home", [])
    with pytest.raises(ValidationFailed) as refused:
        ep.create_profile(session, member, name, equipment)
    assert refused.value.errors == {field: refused.value.errors[field]}
    assert message in refused.value.errors[field]
    assert len(ep.list_profiles(session, member)) == 1


def test_two_members_may_both_have_a_home(session, people):
    ep.create_profile(session, people["member"], "Home", [])
    other = ep.create_profile(session, people["other"], "Home", [])
    assert other.is_default


def _others_profile_calls(session, people):
    """Every profile function, aimed at a profile that belongs to someone else."""
    owner = people["other"]
    profile = ep.create_profile(session, owner, "Gym", _ids(session, "Barbell"))
    barbell = _ids(session, "Barbell")[0]
    return profile, [
        ("set_items", lambda u: ep.set_items(session, u, profile.id, [])),
        ("set_unavailable", lambda u: ep.set_unavailable(session, u, profile.id, barbell, True, "broken")),
        ("set_default", lambda u: ep.set_default(session, u, profile.id)),
        ("delete_profile", lambda u: ep.delete_profile(session, u, profile.id)),
        ("rename_profile", lambda u: ep.rename_profile(session, u, profile.id, "Mine now")),
        ("available_equipment", lambda u: ep.available_equipment(session, u, profile.id)),
        ("is_exercise_available", lambda u: ep.is_exercise_available(session, u, _exercise(session, "Push-Up").id,
                                                                     profile.id)),
        ("suggest_substitutes", lambda u: ep.suggest_substitutes(session, u, _exercise(session, "Push-Up").id,
                                                                 profile.id)),
    ]


@pytest.mark.parametrize("role", ["member", "trainer", "admin"])
def test_nobody_reaches_another_members_profile(session, people, role):
    profile, calls = _others_profile_calls(session, people)
    for name, call in calls:
        with pytest.raises(PermissionDenied):
            call(people[role])
    session.expire_all()
    stored = session.get(EquipmentProfile, profile.id)
    assert stored.name == "Gym" and stored.is_default
    item = session.exec(select(EquipmentProfileItem).where(EquipmentProfileItem.profile_id == profile.id)).one()
    assert not item.temporarily_unavailable


@pytest.mark.parametrize("profile_id", [999_999, "1", None, 1.0])
def test_unknown_profiles_are_refused(session, people, profile_id):
    with pytest.raises(PermissionDenied):
        ep.set_default(session, people["member"], profile_id)


def test_signed_out_cannot_use_profiles(session, people):
    with pytest.raises(PermissionDenied):
        ep.create_profile(session, None, "Home", [])
    with pytest.raises(PermissionDenied):
        ep.available_equipment(session, None)


def test_set_items_keeps_marks_on_items_that_stay(session, people):
    member = people["member"]
    dumbbell, kettlebell, bench = _ids(session, "Dumbbell", "Kettlebell", "Flat Bench")
    home = ep.create_profile(session, member, "Home", [dumbbell, kettlebell])
    ep.set_unavailable(session, member, home.id, kettlebell, True, "Lent to a friend")
    ep.set_items(session, member, home.id, [kettlebell, bench, bench])
    items = {i.name: i for i in ep.list_profiles(session, member)[0].items}
    assert set(items) == {"Kettlebell", "Flat Bench"}
    assert items["Kettlebell"].temporarily_unavailable and items["Kettlebell"].note == "Lent to a friend"
    with pytest.raises(ValidationFailed):
        ep.set_items(session, member, home.id, [999_999])


def test_marking_items_out_of_order(session, people):
    member = people["member"]
    dumbbell, barbell = _ids(session, "Dumbbell", "Barbell")
    gym = ep.create_profile(session, member, "Gym", [dumbbell])
    ep.set_unavailable(session, member, gym.id, dumbbell, True, "  Rack being repaired ")
    item = ep.list_profiles(session, member)[0].items[0]
    assert item.temporarily_unavailable and item.note == "Rack being repaired"
    ep.set_unavailable(session, member, gym.id, dumbbell, False, "ignored")
    item = ep.list_profiles(session, member)[0].items[0]
    assert not item.temporarily_unavailable and item.note == ""
    with pytest.raises(ValidationFailed) as refused:
        ep.set_unavailable(session, member, gym.id, barbell, True)
    assert "not in this profile" in refused.value.errors["equipment"]
    with pytest.raises(ValidationFailed) as refused:
        ep.set_unavailable(session, member, gym.id, dumbbell, True, "x" * 201)
    assert "200 characters" in refused.value.errors["note"]


def test_default_moves_and_survives_deletion(session, people):
    member = people["member"]
    home = ep.create_profile(session, member, "Home", [])
    gym = ep.create_profile(session, member, "Gym", [])
    travel = ep.create_profile(session, member, "Travel", [])
    ep.set_default(session, member, gym.id)
    assert [(v.name, v.is_default) for v in ep.list_profiles(session, member)][0] == ("Gym", True)
    assert sum(v.is_default for v in ep.list_profiles(session, member)) == 1
    ep.delete_profile(session, member, gym.id)
    views = ep.list_profiles(session, member)
    assert [(v.id, v.is_default) for v in views] == [(home.id, True), (travel.id, False)]
    ep.delete_profile(session, member, travel.id)
    assert [v.is_default for v in ep.list_profiles(session, member)] == [True]


def test_rename_profile(session, people):
    member = people["member"]
    home = ep.create_profile(session, member, "Home", [])
    ep.create_profile(session, member, "Gym", [])
    ep.rename_profile(session, member, home.id, "Garage")
    assert home.name == "Garage"
    with pytest.raises(ValidationFailed):
        ep.rename_profile(session, member, home.id, "GYM")


# --- Availability and substitutes --------------------------------------------------------------


def test_without_a_profile_everything_is_available(session, people):
    member = people["member"]
    assert ep.available_equipment(session, member) is None
    assert ep.is_exercise_available(session, member, _exercise(session, "Barbell Back Squat").id)
    assert ep.is_exercise_available(session, member, _exercise(session, "Leg Press").id)
    names = [s.name for s in ep.suggest_substitutes(session, member, _exercise(session, "Barbell Back Squat").id)]
    assert len(names) == 3 and "Barbell Back Squat" not in names


def test_availability_follows_the_default_or_named_profile(session, people):
    member = people["member"]
    dumbbell, kettlebell, barbell, rack = _ids(session, "Dumbbell", "Kettlebell", "Barbell", "Squat Rack")
    home = ep.create_profile(session, member, "Home", [dumbbell, kettlebell])
    gym = ep.create_profile(session, member, "Gym", [barbell, rack, dumbbell])
    squat = _exercise(session, "Barbell Back Squat").id
    assert ep.available_equipment(session, member) == {dumbbell, kettlebell}
    assert ep.available_equipment(session, member, gym.id) == {barbell, rack, dumbbell}
    assert not ep.is_exercise_available(session, member, squat)
    assert ep.is_exercise_available(session, member, squat, gym.id)
    assert ep.is_exercise_available(session, member, _exercise(session, "Goblet Squat").id, home.id)
    # Bodyweight exercises need nothing, so they are always available, even in an empty profile.
    empty = ep.create_profile(session, member, "Park", [])
    assert ep.available_equipment(session, member, empty.id) == set()
    assert ep.is_exercise_available(session, member, _exercise(session, "Push-Up").id, empty.id)
    # Out of order is as good as absent.
    ep.set_unavailable(session, member, gym.id, rack, True, "Bolts loose")
    assert ep.available_equipment(session, member, gym.id) == {barbell, dumbbell}
    assert not ep.is_exercise_available(session, member, squat, gym.id)


def test_barbell_squat_at_home_becomes_a_goblet_squat(session, people):
    member = people["member"]
    home_ids = _ids(session, "Dumbbell", "Kettlebell", "Flat Bench")
    ep.create_profile(session, member, "Home", home_ids)
    squat = _exercise(session, "Barbell Back Squat")
    subs = ep.suggest_substitutes(session, member, squat.id)
    assert subs[0].name == "Goblet Squat"
    assert subs[0].equipment == ["Dumbbell", "Kettlebell"]
    assert "quadriceps" in subs[0].reason and "which you have" in subs[0].reason
    assert len(subs) == 3
    names = {e.id: e.name for e in session.exec(select(Equipment)).all()}
    for sub in subs:
        exercise = session.get(Exercise, sub.exercise_id)
        assert exercise.primary_muscle == "quadriceps" and exercise.id != squat.id
        assert set(sub.equipment) <= {names[i] for i in home_ids}
    # Loaded options come before bodyweight ones for a loaded lift.
    assert all(sub.equipment for sub in subs)


def test_out_of_order_equipment_is_not_suggested(session, people):
    member = people["member"]
    dumbbell, kettlebell = _ids(session, "Dumbbell", "Kettlebell")
    home = ep.create_profile(session, member, "Home", [dumbbell, kettlebell])
    ep.set_unavailable(session, member, home.id, kettlebell, True)
    subs = ep.suggest_substitutes(session, member, _exercise(session, "Barbell Back Squat").id, limit=10)
    assert subs and "Goblet Squat" not in [s.name for s in subs]
    assert all("Kettlebell" not in s.equipment for s in subs)


def test_substitutes_prefer_same_category_and_mechanics_then_fewer_equipment(session, people):
    member = people["member"]
    ep.create_profile(session, member, "Park", [])
    subs = ep.suggest_substitutes(session, member, _exercise(session, "Leg Extension").id, limit=5)
    # Leg extension: legs, quadriceps, isolation. Only bodyweight work is possible in the park.
    first = session.get(Exercise, subs[0].exercise_id)
    assert (first.category, first.mechanics) == ("legs", "isolation")
    assert subs[0].name in ("Sissy Squat", "Wall Sit") and "needs no equipment" in subs[0].reason
    assert all(s.equipment == [] for s in subs)
    assert len(subs) == 5
    assert ep.suggest_substitutes(session, member, _exercise(session, "Leg Extension").id, limit=0) == []


def test_only_shared_and_own_exercises_are_suggested(session, people):
    member, other = people["member"], people["other"]
    ep.create_profile(session, member, "Park", [])
    form = {"category": "legs", "primary_muscle": "quadriceps", "mechanics": "compound", "equipment": []}
    own = save_exercise(session, _actor(member), {**form, "name": "Back Squat Hold"})
    theirs = save_exercise(session, _actor(other), {**form, "name": "Back Squat Pulse"})
    subs = ep.suggest_substitutes(session, member, _exercise(session, "Barbell Back Squat").id, limit=50)
    ids = {s.exercise_id for s in subs}
    assert own.id in ids and theirs.id not in ids
    # Another member's private exercise cannot even be asked about.
    with pytest.raises(PermissionDenied):
        ep.suggest_substitutes(session, member, theirs.id)
    with pytest.raises(PermissionDenied):
        ep.is_exercise_available(session, member, theirs.id)


def test_a_stretch_never_stands_in_for_a_lift(session, people):
    member = people["member"]
    ep.create_profile(session, member, "Home", _ids(session, "Dumbbell", "Kettlebell", "Flat Bench"))
    # Every upper-back row needs a barbell, rings, a rack, a machine or an adjustable bench: nothing fits,
    # and saying so beats offering a thoracic stretch.
    assert ep.suggest_substitutes(session, member, _exercise(session, "Seated Cable Row").id, limit=10) == []
    stretches = ep.suggest_substitutes(session, member, _exercise(session, "Thoracic Extension on Foam Roller").id)
    assert stretches and all(session.get(Exercise, s.exercise_id).category == "mobility" for s in stretches)
    assert "an isolation movement" in stretches[0].reason
