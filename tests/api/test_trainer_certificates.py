"""Certificates over GET /api/private/{name}: the URL a moderator's page shows opens the document, inline,
with its own type; nothing else does."""

import io

import pytest
from PIL import Image
from starlette.testclient import TestClient

from adaptivefit.api import build_api
from adaptivefit.models import Role, User
from adaptivefit.services.files import private_files
from adaptivefit.services.marketplace import trainer_applications, trainer_certificates, trainer_review
from tests.services.marketplace.trainer_fixtures import FORM, PDF


@pytest.fixture
def client(database):
    return TestClient(build_api())


@pytest.fixture
def applicant(session):
    ann = User(email="ann@example.com", name="Ann")
    mo = User(email="mo@example.com", name="Mo", role=Role.MODERATOR)
    session.add_all([ann, mo])
    session.flush()
    trainer_applications.apply(session, ann, FORM)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    pdf = trainer_certificates.add_certificate(session, ann, "CSCS", PDF)
    picture = trainer_certificates.add_certificate(session, ann, "First aid", buffer.getvalue())
    session.commit()
    return ann, mo, pdf, picture


def _queue_urls(session, moderator) -> dict[str, str]:
    [row] = trainer_review.review_queue(session, moderator).rows
    return {c.title: c.url for c in row.certificates}


def test_the_moderators_link_opens_the_pdf_inline_and_unsniffed(client, session, applicant):
    _, mo, _, _ = applicant
    response = client.get(_queue_urls(session, mo)["CSCS"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"].startswith("private")
    assert response.content == PDF


def test_a_picture_certificate_is_served_as_the_redrawn_webp(client, session, applicant):
    _, mo, _, _ = applicant
    response = client.get(_queue_urls(session, mo)["First aid"])
    assert response.status_code == 200 and response.headers["content-type"] == "image/webp"
    assert "content-disposition" not in response.headers
    assert Image.open(io.BytesIO(response.content)).format == "WEBP"


def test_a_url_signed_for_anyone_but_the_owner_is_refused(client, applicant):
    _, mo, pdf, _ = applicant
    response = client.get(private_files.sign_url(pdf.file_name, mo.id))
    assert response.status_code == 403 and "signature" in response.json()["error"]


def test_a_removed_certificate_is_gone_for_good(client, session, applicant):
    ann, mo, pdf, _ = applicant
    url = _queue_urls(session, mo)["CSCS"]
    trainer_certificates.remove_certificate(session, ann, pdf.id)
    session.commit()
    response = client.get(url)
    assert response.status_code == 404 and response.json() == {"error": "No such file."}
    assert private_files.path_of(pdf.file_name).exists() is False


def test_other_suffixes_are_still_not_ours(client, applicant):
    assert client.get("/api/private/" + "a" * 32 + ".html?exp=1&sig=x").status_code == 404
    assert client.get("/api/private/" + "a" * 32 + ".PDF?exp=1&sig=x").status_code == 404
