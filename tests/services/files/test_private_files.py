import hashlib
import hmac
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from adaptivefit.config import ConfigError, get_settings, load_settings
from adaptivefit.models import FoodEntry, User
from adaptivefit.services.files import private_files
from adaptivefit.services.files.uploads import upload_dir

NAME = "0123456789abcdef0123456789abcdef.webp"


def _parts(url: str) -> tuple[str, str, str]:
    split = urlsplit(url)
    query = parse_qs(split.query)
    return split.path.removeprefix(private_files.URL_PREFIX), query["exp"][0], query["sig"][0]


def test_a_signed_url_is_the_name_an_expiry_and_an_hmac_binding_the_owner(database):
    now = 1_800_000_100
    name, exp, sig = _parts(private_files.sign_url(NAME, 7, now=now))
    assert name == NAME
    # At least an hour, rounded up to a quarter hour so a redrawn page asks for the same URL.
    assert now + 3600 <= int(exp) < now + 3600 + 900 and int(exp) % 900 == 0
    expected = hmac.new(get_settings().secret_key.encode(), f"{NAME}|{exp}|7".encode(), hashlib.sha256).hexdigest()
    assert sig == expected
    assert private_files.sign_url(NAME, 7, now=now + 60) == private_files.sign_url(NAME, 7, now=now)
    assert private_files.verify(NAME, exp, sig, 7, now=now) is None


def test_verify_refuses_another_owner_another_file_a_changed_expiry_and_an_expired_link(database):
    now = time.time()
    _, exp, sig = _parts(private_files.sign_url(NAME, 7, now=now))
    assert "signature" in private_files.verify(NAME, exp, sig, 8, now=now)
    assert "signature" in private_files.verify("f" * 32 + ".webp", exp, sig, 7, now=now)
    assert "signature" in private_files.verify(NAME, str(int(exp) + 900), sig, 7, now=now)
    assert "signature" in private_files.verify(NAME, exp, sig.upper(), 7, now=now)
    assert "expired" in private_files.verify(NAME, exp, sig, 7, now=int(exp) + 1)
    for bad_exp in (None, "", "soon", "-5", "1e9", "9" * 40):
        assert "expiry" in private_files.verify(NAME, bad_exp, sig, 7, now=now)
    for bad_sig in (None, "", "x", sig[:-1], "é" * 64):
        assert private_files.verify(NAME, exp, bad_sig, 7, now=now) is not None


def test_private_files_live_outside_the_public_upload_folder_under_random_names(database):
    first = private_files.store(Image.new("RGB", (10, 10), (1, 2, 3)))
    second = private_files.store(Image.new("RGB", (10, 10), (1, 2, 3)))
    assert private_files.NAME.fullmatch(first) and first != second
    folder = private_files.private_dir()
    assert (folder / first).is_file() and not (upload_dir() / first).exists()
    assert upload_dir().resolve() not in folder.resolve().parents
    private_files.delete(first)
    assert not (folder / first).exists()


@pytest.mark.parametrize("name", ["../secret.webp", "/etc/passwd", "a.webp", NAME + "/x", NAME.upper(), "", None,
                                  "0123456789abcdef0123456789abcdef.svg"])
def test_only_our_own_names_resolve_to_a_path(database, name):
    assert private_files.path_of(name) is None
    private_files.delete(name)  # ignored, never raises


def test_the_private_folder_defaults_under_the_home_and_may_not_be_inside_the_upload_folder(env, tmp_path):
    assert load_settings().private_dir == tmp_path / "var" / "private"
    env(PRIVATE_DIR=str(tmp_path / "elsewhere"))
    assert load_settings().private_dir == tmp_path / "elsewhere"
    env(UPLOAD_DIR=str(tmp_path / "public"), PRIVATE_DIR=str(tmp_path / "public" / "private"))
    with pytest.raises(ConfigError, match="PRIVATE_DIR"):
        load_settings()
    env(PRIVATE_DIR=str(tmp_path / "public"))
    with pytest.raises(ConfigError, match="PRIVATE_DIR"):
        load_settings()


def test_the_owner_of_a_file_is_found_from_the_record_that_holds_it(session):
    ann, bob = User(email="ann@example.com", name="Ann"), User(email="bob@example.com", name="Bob")
    session.add_all([ann, bob])
    session.flush()
    session.add(FoodEntry(user_id=ann.id, name="Soup", calories=1, protein_g=0, carbs_g=0, fat_g=0, quantity=1,
                          unit="g", meal_type="lunch", photo=NAME))
    session.add(FoodEntry(user_id=bob.id, name="Bread", calories=1, protein_g=0, carbs_g=0, fat_g=0, quantity=1,
                          unit="g", meal_type="lunch"))
    session.flush()
    assert private_files.owner_of(session, NAME) == ann.id
    assert private_files.owner_of(session, "f" * 32 + ".webp") is None
    assert private_files.names_owned_by(session, ann.id) == [NAME]
    assert private_files.names_owned_by(session, bob.id) == []
