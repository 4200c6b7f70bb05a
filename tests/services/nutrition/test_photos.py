import io
import zipfile
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import select

from adaptivefit.models import Food, FoodEntry, User
from adaptivefit.services.accounts import privacy
from adaptivefit.services.files import private_files
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.core.clock import local_now
from adaptivefit.services.nutrition import diary, photos
from adaptivefit.services.nutrition.custom_foods import create_custom_food
from adaptivefit.services.nutrition.recipes import create_recipe
from adaptivefit.services.files.uploads import upload_dir


def _photo(fmt="JPEG", size=(2000, 1500), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 60)).save(buffer, fmt, **options)
    return buffer.getvalue()


def _user(session, name="Ann") -> User:
    user = User(email=f"{name.lower()}@example.com", name=name)
    session.add(user)
    session.flush()
    return user


def _entry(session, user) -> FoodEntry:
    food = Food(name="Lentil soup", name_lower="lentil soup", kcal=90, protein_g=6, carbs_g=12, fat_g=2)
    session.add(food)
    session.flush()
    return diary.log_food(session, user, food_id=food.id, quantity=300, unit="g", meal_type="lunch")


def _private_files() -> list[str]:
    return sorted(p.name for p in private_files.private_dir().iterdir())


def test_a_photo_is_re_encoded_small_and_clean_and_kept_out_of_the_public_folder(session):
    ann = _user(session)
    entry = _entry(session, ann)
    exif = Image.Exif()
    exif[0x0110] = "Secret Phone"  # camera model
    exif[0x0112] = 6  # rotated: stored sideways
    name = photos.set_entry_photo(session, ann, entry.id, _photo(exif=exif.tobytes()))
    assert private_files.NAME.fullmatch(name) and name.endswith(".webp")
    assert entry.photo == name and _private_files() == [name]
    assert not list(upload_dir().iterdir())
    stored = Image.open(private_files.path_of(name))
    assert stored.format == "WEBP" and stored.size == (960, 1280)  # turned upright, within 1280 x 1280
    assert not stored.getexif() and "icc_profile" not in stored.info


def test_a_new_photo_replaces_the_old_file_and_removing_deletes_it(session):
    ann = _user(session)
    entry = _entry(session, ann)
    first = photos.set_entry_photo(session, ann, entry.id, _photo("PNG", (300, 200)))
    second = photos.set_entry_photo(session, ann, entry.id, _photo())
    assert first != second and _private_files() == [second]
    photos.remove_entry_photo(session, ann, entry.id)
    assert entry.photo is None and _private_files() == []


def test_deleting_the_entry_deletes_its_photo_and_copies_do_not_share_it(session):
    ann = _user(session)
    entry = _entry(session, ann)
    photos.set_entry_photo(session, ann, entry.id, _photo())
    day = local_now(ann, entry.eaten_at).date()
    diary.copy_day(session, ann, day, day + timedelta(days=1))
    copies = session.exec(select(FoodEntry).where(FoodEntry.id != entry.id)).all()
    assert [c.photo for c in copies] == [None]
    diary.delete_entry(session, ann, entry.id)
    assert _private_files() == []


@pytest.mark.parametrize("data, reason", [
    (b"", "Choose a picture"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "JPEG, PNG or WebP"),
    (b"GIF89a" + b"\0" * 100, "JPEG, PNG or WebP"),
    (_photo()[:2000], "could not be read"),
    (b"\xff\xd8\xff" + b"\0" * (photos.MAX_PHOTO_BYTES + 1), "larger than 10 MB"),
])
def test_the_avatar_rules_refuse_what_is_not_a_whole_picture(session, data, reason):
    ann = _user(session)
    entry = _entry(session, ann)
    with pytest.raises(ValidationFailed) as refused:
        photos.set_entry_photo(session, ann, entry.id, data)
    assert reason in refused.value.errors["photo"]
    assert entry.photo is None and _private_files() == []


def test_only_the_owner_may_put_or_take_a_photo_on_an_entry(session):
    ann, bob = _user(session), _user(session, "Bob")
    entry = _entry(session, ann)
    name = photos.set_entry_photo(session, ann, entry.id, _photo())
    for call in (lambda: photos.set_entry_photo(session, bob, entry.id, _photo()),
                 lambda: photos.remove_entry_photo(session, bob, entry.id),
                 lambda: diary.delete_entry(session, bob, entry.id)):
        with pytest.raises(NotYours):
            call()
    assert entry.photo == name and _private_files() == [name]


def test_the_day_view_names_the_photo_and_the_url_is_signed_for_the_member(session):
    ann = _user(session)
    entry = _entry(session, ann)
    name = photos.set_entry_photo(session, ann, entry.id, _photo())
    view = diary.day_view(session, ann, local_now(ann, entry.eaten_at).date())
    assert view.meals["lunch"][0].photo == name
    url = photos.photo_url(ann, name)
    assert url.startswith(f"/api/private/{name}?exp=")
    assert photos.photo_url(ann, None) == ""


def test_export_holds_the_photos_and_erasure_deletes_them(session):
    ann, bob = _user(session), _user(session, "Bob")
    ann_photo = photos.set_entry_photo(session, ann, _entry(session, ann).id, _photo())
    bob_photo = photos.set_entry_photo(session, bob, _entry(session, bob).id, _photo())
    session.commit()
    with zipfile.ZipFile(io.BytesIO(privacy.export_user_data(session, ann))) as archive:
        names = archive.namelist()
        assert f"photos/{ann_photo}" in names and f"photos/{bob_photo}" not in names
        assert archive.read(f"photos/{ann_photo}") == private_files.path_of(ann_photo).read_bytes()
        assert "photos/" in archive.read("README.txt").decode()
    privacy.erase_account(session, ann)
    session.commit()
    assert _private_files() == [bob_photo]


def test_erasure_works_when_recipes_hold_the_members_own_foods(session):
    ann = _user(session)
    mine = create_custom_food(session, ann, {"name": "Gran's stock", "kcal": 20, "protein_g": 2, "carbs_g": 1,
                                                   "fat_g": 1})
    soup = create_recipe(session, ann, "Soup", [(mine.id, 500)], 2)
    create_recipe(session, ann, "Soup and bread", [(soup.id, 250)], 1)
    session.commit()
    privacy.erase_account(session, ann)
    session.commit()
    assert session.exec(select(Food).where(Food.owner_id == ann.id)).all() == []
