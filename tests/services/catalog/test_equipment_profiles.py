import io
import re

import pytest
from PIL import Image, PngImagePlugin
from sqlmodel import select

from adaptivefit.models import Equipment, EquipmentProfile, EquipmentProfileItem, Exercise, Role, User
from adaptivefit.services.catalog import library
from adaptivefit.services.catalog import equipment_profiles as ep
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.services.files.avatars import MAX_AVATAR_BYTES
from adaptivefit.services.catalog.exercises_admin import save_exercise
from adaptivefit.services.files.uploads import upload_dir

RANDOM_NAME = re.compile(r"[0-9a-f]{32}\.webp")


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


def _ids(session, *names):
    rows = dict(session.exec(select(Equipment.name, Equipment.id).where(Equipment.name.in_(names))).all())
    assert len(rows) == len(names)
    return [rows[n] for n in names]


def _exercise(session, name):
    return session.exec(select(Exercise).where(Exercise.name == name)).one()


def _encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _picture(fmt="PNG", size=(1600, 900), color=(30, 120, 200), mode="RGB", **options):
    return _encode(Image.new(mode, size, color), fmt, **options)


def _files():
    folder = upload_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _form(**overrides):
    form = {"name": "Sandbag", "type": "free weight", "description": "A bag of sand with handles."}
    form.update(overrides)
    return form


# --- The equipment catalog ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"), [("member", False), ("trainer", True), ("moderator", True), ("admin", True)]
)
def test_only_trainers_and_admins_keep_the_catalog(session, people, role, allowed):
    actor = _actor(people[role])
    barbell = session.exec(select(Equipment).where(Equipment.name == "Barbell")).one()
    if allowed:
        created = ep.save_equipment(session, actor, _form())
        assert created.id and created.created_by == actor.id and created.image is None
        edited = ep.save_equipment(session, actor, _form(name="Olympic Barbell", type="free weight"),
                                   equipment_id=barbell.id)
        assert edited.id == barbell.id and edited.name == "Olympic Barbell"
    else:
        with pytest.raises(PermissionDenied):
            ep.save_equipment(session, actor, _form(), _picture())
        with pytest.raises(PermissionDenied):
            ep.save_equipment(session, actor, _form(name="Olympic Barbell"), equipment_id=barbell.id)
        session.expire_all()
        assert session.exec(select(Equipment).where(Equipment.name == "Sandbag")).first() is None
        assert session.get(Equipment, barbell.id).name == "Barbell"
        assert _files() == []


def test_signed_out_is_refused(session, people):
    with pytest.raises(PermissionDenied):
        ep.save_equipment(session, None, _form())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "2 to 80 characters"),
        ("name", "x", "2 to 80 characters"),
        ("name", "x" * 81, "2 to 80 characters"),
        ("name", "kettlebell", "already has"),
        ("type", "spaceship", "Choose a type"),
        ("type", None, "Choose a type"),
        ("description", "x" * 2001, "2000 characters or fewer"),
    ],
)
def test_equipment_fields_have_clear_messages(session, people, field, value, message):
    with pytest.raises(ValidationFailed) as refused:
        ep.save_equipment(session, _actor(people["trainer"]), _form(**{field: value}))
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]


def test_editing_an_item_may_keep_its_name_and_unknown_ids_are_refused(session, people):
    trainer = _actor(people["trainer"])
    kettlebell = _ids(session, "Kettlebell")[0]
    saved = ep.save_equipment(session, trainer, _form(name="Kettlebell", type="FREE WEIGHT"), equipment_id=kettlebell)
    assert saved.type == "free weight" and saved.description == "A bag of sand with handles."
    with pytest.raises(ValidationFailed):
        ep.save_equipment(session, trainer, _form(), equipment_id=999_999)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize(("size", "stored_size"), [((1600, 900), (800, 450)), ((600, 1200), (225, 450)),
                                                   ((2000, 500), (800, 200)), ((320, 200), (320, 200))])
def test_pictures_are_fitted_into_800_by_450_under_a_random_name(session, people, fmt, size, stored_size):
    item = ep.save_equipment(session, _actor(people["admin"]), _form(), _picture(fmt, size=size))
    assert RANDOM_NAME.fullmatch(item.image)
    assert _files() == [item.image]
    with Image.open(upload_dir() / item.image) as stored:
        assert stored.format == "WEBP" and stored.mode == "RGB"
        assert stored.size == stored_size


def test_a_new_picture_replaces_the_old_file_and_none_keeps_it(session, people):
    trainer = _actor(people["trainer"])
    item = ep.save_equipment(session, trainer, _form(), _picture())
    first = item.image
    ep.save_equipment(session, trainer, _form(description="Now with handles."), equipment_id=item.id)
    assert item.image == first and _files() == [first]
    ep.save_equipment(session, trainer, _form(), _picture("JPEG"), equipment_id=item.id)
    assert item.image != first and _files() == [item.image]


def test_metadata_is_stripped_and_orientation_applied(session, people):
    image = Image.new("RGB", (400, 200), (255, 0, 0))
    image.paste((0, 0, 255), (200, 0, 400, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise: red ends on top
    exif[0x010F] = "SecretCam"
    photo = _encode(image, "JPEG", exif=exif.tobytes(), quality=95)
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 1 Secret Lane")
    png = _encode(Image.new("RGBA", (300, 300), (0, 0, 0, 0)), "PNG", pnginfo=info)
    trainer = _actor(people["trainer"])
    upright = ep.save_equipment(session, trainer, _form(), photo)
    clear = ep.save_equipment(session, trainer, _form(name="Clear Thing"), png)
    for name in (upright.image, clear.image):
        raw = (upload_dir() / name).read_bytes()
        assert b"SecretCam" not in raw and b"Secret Lane" not in raw and b"Exif" not in raw
    with Image.open(upload_dir() / upright.image) as stored:
        assert stored.size == (200, 400)  # turned upright, and already small enough to keep its size
        top, bottom = stored.convert("RGB").getpixel((100, 20)), stored.convert("RGB").getpixel((100, 380))
    assert top[0] > 200 and top[2] < 60 and bottom[2] > 200
    with Image.open(upload_dir() / clear.image) as stored:
        assert stored.convert("RGB").getpixel((150, 150)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "JPEG, PNG or WebP"),
        (b"plain text pretending to be a picture" * 10, "JPEG, PNG or WebP"),
        (_picture("GIF", size=(100, 100)), "JPEG, PNG or WebP"),
        (_picture("BMP", size=(100, 100)), "JPEG, PNG or WebP"),
        (b"", "Choose a picture"),
        (b"\x89PNG\r\n\x1a\n", "could not be read"),
        (_picture("PNG")[:200], "could not be read"),
        (b"\xff\xd8\xff" + _picture("PNG", size=(50, 50)), "could not be read"),
        ("not bytes", "Choose a picture"),
    ],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(session, people, data, message):
    trainer = _actor(people["trainer"])
    barbell = session.exec(select(Equipment).where(Equipment.name == "Barbell")).one()
    with pytest.raises(ValidationFailed) as refused:
        ep.save_equipment(session, trainer, _form(name="Barbell", type="free weight"), data, equipment_id=barbell.id)
    assert list(refused.value.errors) == ["image"]
    assert message in refused.value.errors["image"]
    assert barbell.image is None and _files() == []


def test_image_and_field_errors_are_reported_together(session, people):
    with pytest.raises(ValidationFailed) as refused:
        ep.save_equipment(session, _actor(people["trainer"]), _form(type="x"), b"<svg/>")
    assert set(refused.value.errors) == {"type", "image"}
    assert _files() == []


def test_the_size_limit_is_five_megabytes(session, people):
    picture = _picture("PNG", size=(200, 100))
    exactly = picture + b"\0" * (MAX_AVATAR_BYTES - len(picture))
    trainer = _actor(people["trainer"])
    assert ep.save_equipment(session, trainer, _form(), exactly).image
    with pytest.raises(ValidationFailed) as refused:
        ep.save_equipment(session, trainer, _form(name="Other"), exactly + b"\0")
    assert "larger than 5 MB" in refused.value.errors["image"]


def test_a_picture_over_the_pixel_cap_is_refused(session, people):
    data = _encode(Image.new("1", (7_000, 6_000), 1), "PNG")
    with pytest.raises(ValidationFailed) as refused:
        ep.save_equipment(session, _actor(people["trainer"]), _form(), data)
    assert "megapixels" in refused.value.errors["image"]


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
