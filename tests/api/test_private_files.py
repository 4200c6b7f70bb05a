"""GET /api/private/{name}: the signed URL is the credential; it works for its owner's file, until it expires."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from starlette.testclient import TestClient

from adaptivefit.api import build_api
from adaptivefit.models import FoodEntry, User
from adaptivefit.services.files import private_files
from adaptivefit.services.nutrition import photos as nutrition_photos


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 90, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def client(database):
    return TestClient(build_api())


@pytest.fixture
def photos(session):
    """Ann and Bob, each with a photo on an entry of their own."""
    people = {}
    for name in ("Ann", "Bob"):
        user = User(email=f"{name.lower()}@example.com", name=name)
        session.add(user)
        session.flush()
        entry = FoodEntry(user_id=user.id, name="Soup", calories=100, protein_g=5, carbs_g=10, fat_g=3, quantity=1,
                          unit="g", meal_type="lunch")
        session.add(entry)
        session.flush()
        people[name] = (user, entry, nutrition_photos.set_entry_photo(session, user, entry.id, _jpeg()))
    session.commit()
    return people


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_signed_url_serves_the_picture_privately_and_without_sniffing(client, photos):
    ann, _, name = photos["Ann"]
    response = client.get(private_files.sign_url(name, ann.id))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["x-content-type-options"] == "nosniff"
    cache = response.headers["cache-control"]
    assert cache.startswith("private, max-age=") and 3600 <= int(cache.split("=")[1]) <= 3600 + 900
    assert Image.open(io.BytesIO(response.content)).format == "WEBP"


def test_a_url_signed_for_someone_else_is_refused(client, photos):
    ann, _, ann_photo = photos["Ann"]
    bob, _, bob_photo = photos["Bob"]
    # Bob's signature on Ann's file, and Ann's signature carried over to Bob's file: both 403.
    for url in (private_files.sign_url(ann_photo, bob.id),
                private_files.URL_PREFIX + bob_photo + "?" + urlsplit(private_files.sign_url(ann_photo, ann.id)).query):
        response = client.get(url)
        assert response.status_code == 403
        assert "signature" in response.json()["error"]


@pytest.mark.parametrize("query", ["", "exp=&sig=", "exp=soon&sig=00", "sig=abc"])
def test_a_url_without_a_usable_expiry_is_refused_with_a_reason(client, photos, query):
    ann, _, name = photos["Ann"]
    response = client.get(f"{private_files.URL_PREFIX}{name}?{query}")
    assert response.status_code == 403
    assert response.json()["error"]


def test_an_expired_or_altered_url_is_refused(client, photos):
    ann, _, name = photos["Ann"]
    old = private_files.sign_url(name, ann.id, now=1_000_000)
    response = client.get(old)
    assert response.status_code == 403 and "expired" in response.json()["error"]
    fresh = _query(private_files.sign_url(name, ann.id))
    response = client.get(f"{private_files.URL_PREFIX}{name}?exp={int(fresh['exp']) + 900}&sig={fresh['sig']}")
    assert response.status_code == 403 and "signature" in response.json()["error"]


def test_unknown_removed_and_foreign_names_are_404(client, session, photos):
    ann, entry, name = photos["Ann"]
    url = private_files.sign_url(name, ann.id)
    assert client.get(url.replace(name, "f" * 32 + ".webp")).status_code == 404
    assert client.get("/api/private/..%2F..%2Fadaptivefit.db?exp=1&sig=x").status_code == 404
    assert client.get("/api/private/" + "a" * 32 + ".svg?exp=1&sig=x").status_code == 404
    nutrition_photos.remove_entry_photo(session, ann, entry.id)
    session.commit()
    # The URL was valid a moment ago; the record no longer holds the file, and the file is gone.
    response = client.get(url)
    assert response.status_code == 404 and response.json() == {"error": "No such file."}


def test_a_photo_stored_in_the_public_upload_folder_would_not_be_served(client, session, photos):
    ann, entry, name = photos["Ann"]
    private_files.path_of(name).unlink()
    assert client.get(private_files.sign_url(name, ann.id)).status_code == 404
