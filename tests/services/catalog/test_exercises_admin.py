import pytest
from sqlmodel import select

from adaptivefit.models import Equipment, Exercise, ExerciseEquipment, Role, User, Workout, WorkoutSet
from adaptivefit.services.catalog import library
from adaptivefit.services.training import plan_exercises, plans
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.services.catalog.exercises_admin import delete_custom_exercise, save_exercise


def _user(session, name, role=Role.MEMBER):
    user = User(email=f"{name.lower()}@example.com", name=name, role=role)
    session.add(user)
    session.flush()
    return user


def _actor(user):
    return Actor(id=user.id, role=user.role, name=user.name, email=user.email)


@pytest.fixture
def people(session):
    library.install_library(session)
    return {
        "member": _user(session, "Maya"),
        "other": _user(session, "Omar"),
        "trainer": _user(session, "Theo", Role.TRAINER),
        "moderator": _user(session, "Mona", Role.MODERATOR),
        "admin": _user(session, "Ada", Role.ADMIN),
    }


def _form(**overrides):
    form = {
        "name": "Kettlebell Sumo Squat",
        "category": "legs",
        "primary_muscle": "quadriceps",
        "secondary_muscles": ["glutes", "adductors"],
        "equipment": ["Kettlebell"],
        "mechanics": "compound",
        "instructions": "Hold the bell low between wide feet and squat.",
    }
    form.update(overrides)
    return form


def _equipment_of(session, exercise):
    return sorted(
        session.exec(
            select(Equipment.name)
            .join(ExerciseEquipment, ExerciseEquipment.equipment_id == Equipment.id)
            .where(ExerciseEquipment.exercise_id == exercise.id)
        ).all()
    )


def _snapshot(session):
    session.expire_all()
    rows = session.exec(select(Exercise).order_by(Exercise.id)).all()
    links = session.exec(select(ExerciseEquipment.exercise_id, ExerciseEquipment.equipment_id)).all()
    return [(e.id, e.name, e.category, e.owner_id, tuple(e.secondary_muscles)) for e in rows], sorted(links)


def _private(session, owner, name="Towel Row"):
    return save_exercise(session, _actor(owner), _form(name=name, category="back", primary_muscle="upper back",
                                                       secondary_muscles=[], equipment=[]))


@pytest.mark.parametrize(
    ("role", "shared"),
    [("member", False), ("trainer", True), ("moderator", True), ("admin", True)],
)
def test_who_creates_shared_and_who_private_exercises(session, people, role, shared):
    actor = _actor(people[role])
    exercise = save_exercise(session, actor, _form())
    assert exercise.owner_id == (None if shared else actor.id)
    assert exercise.source == ("adaptivefit" if shared else "custom")
    assert exercise.secondary_muscles == ["glutes", "adductors"]
    assert _equipment_of(session, exercise) == ["Kettlebell"]
    # Only the owner (or everyone, for a shared one) finds it in the library.
    seen_by_other = library.search_exercises(session, user_id=people["other"].id, query="sumo squat").rows
    assert [r.name for r in seen_by_other] == (["Kettlebell Sumo Squat"] if shared else [])
    seen_by_owner = library.search_exercises(session, user_id=actor.id, query="sumo squat").rows
    assert [r.is_custom for r in seen_by_owner] == [not shared]


# (who edits, whose exercise) -> allowed
EDIT_CASES = [
    ("member", "shared", False),
    ("member", "own", True),
    ("member", "other", False),
    ("trainer", "shared", True),
    ("trainer", "own", True),
    ("trainer", "other", False),
    ("moderator", "shared", True),
    ("moderator", "other", False),
    ("admin", "shared", True),
    ("admin", "own", True),
    ("admin", "other", False),
]


@pytest.mark.parametrize(("role", "whose", "allowed"), EDIT_CASES)
def test_edit_rights_by_role_and_ownership(session, people, role, whose, allowed):
    editor = people[role]
    if whose == "shared":
        target = session.exec(select(Exercise).where(Exercise.name == "Goblet Squat")).one()
    else:
        owner = editor if whose == "own" else people["other"]
        target = Exercise(name="Towel Row", slug=f"towel-row-{owner.id}", category="back",
                          primary_muscle="upper back", owner_id=owner.id)
        session.add(target)
        session.flush()
    owner_before = target.owner_id
    form = _form(name=f"{target.name} Edited", category=target.category, primary_muscle=target.primary_muscle,
                 equipment=["Dumbbell"])
    if allowed:
        saved = save_exercise(session, _actor(editor), form, exercise_id=target.id)
        assert saved.id == target.id and saved.name.endswith("Edited")
        assert saved.owner_id == owner_before  # editing never moves an exercise between shared and private
        assert _equipment_of(session, saved) == ["Dumbbell"]
    else:
        before = _snapshot(session)
        with pytest.raises(PermissionDenied):
            save_exercise(session, _actor(editor), form, exercise_id=target.id)
        assert _snapshot(session) == before


@pytest.mark.parametrize("exercise_id", [999_999, "1", -1, 2.0])
def test_editing_an_unknown_exercise_is_refused(session, people, exercise_id):
    with pytest.raises(PermissionDenied):
        save_exercise(session, _actor(people["admin"]), _form(), exercise_id=exercise_id)


def test_nobody_signed_in_is_refused(session, people):
    with pytest.raises(PermissionDenied):
        save_exercise(session, None, _form())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "2 to 120 characters"),
        ("name", "A", "2 to 120 characters"),
        ("name", "x" * 121, "2 to 120 characters"),
        ("name", "goblet squat", "already exists"),
        ("name", "  GOBLET   SQUAT ", "already exists"),
        ("category", "arms-ish", "Choose a category"),
        ("category", "", "Choose a category"),
        ("primary_muscle", "spleen", "main muscle"),
        ("primary_muscle", None, "main muscle"),
        ("secondary_muscles", ["glutes", "pinky"], "Unknown muscle: pinky"),
        ("secondary_muscles", "glutes, elbows", "Unknown muscle: elbows"),
        ("equipment", ["Kettlebell", "Hover Board"], "Unknown equipment: Hover Board"),
        ("equipment", ["Barbell", "Dumbbell", "Kettlebell", "EZ Bar", "Trap Bar", "Weight Plate", "Flat Bench"],
         "at most 6"),
        ("mechanics", "hybrid", "compound (several joints) or isolation"),
        ("instructions", "x" * 4001, "4000 characters or fewer"),
    ],
)
@pytest.mark.parametrize("role", ["member", "trainer"])
def test_each_field_has_its_own_message(session, people, role, field, value, message):
    before = _snapshot(session)
    with pytest.raises(ValidationFailed) as refused:
        save_exercise(session, _actor(people[role]), _form(**{field: value}))
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]
    assert _snapshot(session) == before


def test_all_bad_fields_are_reported_together(session, people):
    with pytest.raises(ValidationFailed) as refused:
        save_exercise(session, _actor(people["member"]), {"name": "", "category": "x", "mechanics": "y"})
    assert set(refused.value.errors) == {"name", "category", "primary_muscle", "mechanics"}


@pytest.mark.parametrize("form", ["not a form", None, ["name"]])
def test_a_form_that_is_not_a_dict_is_refused(session, people, form):
    with pytest.raises(ValidationFailed):
        save_exercise(session, _actor(people["member"]), form)


def test_values_are_normalised(session, people):
    exercise = save_exercise(
        session,
        _actor(people["member"]),
        _form(name="  Kettlebell   Sumo  Squat ", category="LEGS", primary_muscle="Quadriceps",
              secondary_muscles="glutes, quadriceps, glutes", equipment="Kettlebell", mechanics=""),
    )
    assert exercise.name == "Kettlebell Sumo Squat"
    assert exercise.category == "legs" and exercise.primary_muscle == "quadriceps"
    assert exercise.secondary_muscles == ["glutes"]  # the primary muscle is not repeated as a secondary
    assert exercise.mechanics == "compound"


def test_names_are_unique_per_viewer_not_across_members(session, people):
    first = _private(session, people["member"], "My Curl")
    second = _private(session, people["other"], "my curl")
    assert first.slug != second.slug
    with pytest.raises(ValidationFailed) as refused:
        _private(session, people["member"], "MY CURL")
    assert "already exists" in refused.value.errors["name"]
    # Keeping one's own name while editing other fields is fine.
    edited = save_exercise(session, _actor(people["member"]), _form(name="My Curl", category="arms",
                                                                     primary_muscle="biceps"), exercise_id=first.id)
    assert edited.category == "arms"
    # A shared name is taken for a member too.
    with pytest.raises(ValidationFailed):
        _private(session, people["member"], "Push-Up")


def test_renaming_keeps_the_slug_so_the_library_import_stays_idempotent(session, people):
    goblet = session.exec(select(Exercise).where(Exercise.name == "Goblet Squat")).one()
    slug = goblet.slug
    save_exercise(session, _actor(people["trainer"]), _form(name="Goblet Squat (KB or DB)"), exercise_id=goblet.id)
    assert goblet.slug == slug
    assert library.install_library(session) == (0, 0)


def test_equipment_is_replaced_not_added(session, people):
    exercise = save_exercise(session, _actor(people["trainer"]), _form(equipment=["Kettlebell", "Plyo Box"]))
    assert _equipment_of(session, exercise) == ["Kettlebell", "Plyo Box"]
    save_exercise(session, _actor(people["trainer"]), _form(equipment=["Dumbbell", "Plyo Box"]), exercise_id=exercise.id)
    assert _equipment_of(session, exercise) == ["Dumbbell", "Plyo Box"]
    save_exercise(session, _actor(people["trainer"]), _form(equipment=[]), exercise_id=exercise.id)
    assert _equipment_of(session, exercise) == []


# --- Deleting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "whose", "allowed"),
    [
        ("member", "own", True),
        ("member", "other", False),
        ("member", "shared", False),
        ("trainer", "other", False),
        ("trainer", "shared", False),
        ("admin", "other", False),
        ("admin", "shared", False),
    ],
)
def test_delete_rights(session, people, role, whose, allowed):
    actor = people[role]
    if whose == "shared":
        target = session.exec(select(Exercise).where(Exercise.name == "Goblet Squat")).one()
    else:
        target = _private(session, actor if whose == "own" else people["other"])
    target_id = target.id
    if allowed:
        delete_custom_exercise(session, _actor(actor), target_id)
        session.expire_all()
        assert session.get(Exercise, target_id) is None
    else:
        before = _snapshot(session)
        with pytest.raises(PermissionDenied):
            delete_custom_exercise(session, _actor(actor), target_id)
        assert _snapshot(session) == before


def test_an_exercise_with_logged_sets_is_kept(session, people):
    member = people["member"]
    exercise = _private(session, member)
    workout = Workout(user_id=member.id, name="Home")
    session.add(workout)
    session.flush()
    session.add(WorkoutSet(workout_id=workout.id, user_id=member.id, exercise_id=exercise.id, client_id="a1",
                           set_number=1, reps=10))
    session.flush()
    with pytest.raises(ValidationFailed) as refused:
        delete_custom_exercise(session, _actor(member), exercise.id)
    assert "logged sets" in refused.value.errors["exercise"]
    assert session.get(Exercise, exercise.id) is not None


def test_an_exercise_in_a_plan_must_leave_the_plan_first(session, people):
    member = people["member"]
    exercise = _private(session, member)
    plan = plans.create_plan(session, member, "Home")
    day = plans.add_day(session, member, plan.id, name="Pull")
    plan_exercises.add_plan_exercise(session, member, day.id, {"exercise_id": str(exercise.id), "sets": "3", "reps": "10"})
    with pytest.raises(ValidationFailed) as refused:
        delete_custom_exercise(session, _actor(member), exercise.id)
    assert "plan" in refused.value.errors["exercise"]


def test_deleting_an_unknown_exercise_is_refused(session, people):
    with pytest.raises(PermissionDenied):
        delete_custom_exercise(session, _actor(people["member"]), 999_999)
