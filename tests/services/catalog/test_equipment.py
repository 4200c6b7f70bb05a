import pytest
from PIL import Image, PngImagePlugin
from sqlmodel import select

from adaptivefit.models import Equipment
from adaptivefit.services.catalog import equipment
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.files.avatars import MAX_AVATAR_BYTES
from adaptivefit.services.files.uploads import upload_dir
from tests.services.catalog.equipment_fixtures import RANDOM_NAME, people  # noqa: F401  (fixture)
from tests.services.catalog.equipment_fixtures import actor as _actor
from tests.services.catalog.equipment_fixtures import encode as _encode
from tests.services.catalog.equipment_fixtures import equipment_ids as _ids
from tests.services.catalog.equipment_fixtures import files as _files
from tests.services.catalog.equipment_fixtures import form as _form
from tests.services.catalog.equipment_fixtures import picture as _picture


# --- The equipment catalog ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"), [("member", False), ("trainer", True), ("moderator", True), ("admin", True)]
)
def test_only_trainers_and_admins_keep_the_catalog(session, people, role, allowed):
    actor = _actor(people[role])
    barbell = session.exec(select(Equipment).where(Equipment.name == "Barbell")).one()
    if allowed:
        created = equipment.save_equipment(session, actor, _form())
        assert created.id and created.created_by == actor.id and created.image is None
        edited = equipment.save_equipment(session, actor, _form(name="Olympic Barbell", type="free weight"),
                                   equipment_id=barbell.id)
        assert edited.id == barbell.id and edited.name == "Olympic Barbell"
    else:
        with pytest.raises(PermissionDenied):
            equipment.save_equipment(session, actor, _form(), _picture())
        with pytest.raises(PermissionDenied):
            equipment.save_equipment(session, actor, _form(name="Olympic Barbell"), equipment_id=barbell.id)
        session.expire_all()
        assert session.exec(select(Equipment).where(Equipment.name == "Sandbag")).first() is None
        assert session.get(Equipment, barbell.id).name == "Barbell"
        assert _files() == []


def test_signed_out_is_refused(session, people):
    with pytest.raises(PermissionDenied):
        equipment.save_equipment(session, None, _form())


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
        equipment.save_equipment(session, _actor(people["trainer"]), _form(**{field: value}))
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]


def test_editing_an_item_may_keep_its_name_and_unknown_ids_are_refused(session, people):
    trainer = _actor(people["trainer"])
    kettlebell = _ids(session, "Kettlebell")[0]
    saved = equipment.save_equipment(session, trainer, _form(name="Kettlebell", type="FREE WEIGHT"), equipment_id=kettlebell)
    assert saved.type == "free weight" and saved.description == "A bag of sand with handles."
    with pytest.raises(ValidationFailed):
        equipment.save_equipment(session, trainer, _form(), equipment_id=999_999)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize(("size", "stored_size"), [((1600, 900), (800, 450)), ((600, 1200), (225, 450)),
                                                   ((2000, 500), (800, 200)), ((320, 200), (320, 200))])
def test_pictures_are_fitted_into_800_by_450_under_a_random_name(session, people, fmt, size, stored_size):
    item = equipment.save_equipment(session, _actor(people["admin"]), _form(), _picture(fmt, size=size))
    assert RANDOM_NAME.fullmatch(item.image)
    assert _files() == [item.image]
    with Image.open(upload_dir() / item.image) as stored:
        assert stored.format == "WEBP" and stored.mode == "RGB"
        assert stored.size == stored_size


def test_a_new_picture_replaces_the_old_file_and_none_keeps_it(session, people):
    trainer = _actor(people["trainer"])
    item = equipment.save_equipment(session, trainer, _form(), _picture())
    first = item.image
    equipment.save_equipment(session, trainer, _form(description="Now with handles."), equipment_id=item.id)
    assert item.image == first and _files() == [first]
    equipment.save_equipment(session, trainer, _form(), _picture("JPEG"), equipment_id=item.id)
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
    upright = equipment.save_equipment(session, trainer, _form(), photo)
    clear = equipment.save_equipment(session, trainer, _form(name="Clear Thing"), png)
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
        equipment.save_equipment(session, trainer, _form(name="Barbell", type="free weight"), data, equipment_id=barbell.id)
    assert list(refused.value.errors) == ["image"]
    assert message in refused.value.errors["image"]
    assert barbell.image is None and _files() == []


def test_image_and_field_errors_are_reported_together(session, people):
    with pytest.raises(ValidationFailed) as refused:
        equipment.save_equipment(session, _actor(people["trainer"]), _form(type="x"), b"<svg/>")
    assert set(refused.value.errors) == {"type", "image"}
    assert _files() == []


def test_the_size_limit_is_five_megabytes(session, people):
    picture = _picture("PNG", size=(200, 100))
    exactly = picture + b"\0" * (MAX_AVATAR_BYTES - len(picture))
    trainer = _actor(people["trainer"])
    assert equipment.save_equipment(session, trainer, _form(), exactly).image
    with pytest.raises(ValidationFailed) as refused:
        equipment.save_equipment(session, trainer, _form(name="Other"), exactly + b"\0")
    assert "larger than 5 MB" in refused.value.errors["image"]


def test_a_picture_over_the_pixel_cap_is_refused(session, people):
    data = _encode(Image.new("1", (7_000, 6_000), 1), "PNG")
    with pytest.raises(ValidationFailed) as refused:
        equipment.save_equipment(session, _actor(people["trainer"]), _form(), data)
    assert "megapixels" in refused.value.errors["image"]
