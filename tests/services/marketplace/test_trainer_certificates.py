"""Certificates: checked by their bytes, kept privately, removed only by their owner."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from adaptivefit.models import TrainerCertificate
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.files import private_files
from adaptivefit.services.files.uploads import upload_dir
from adaptivefit.services.marketplace import trainer_applications, trainer_certificates
from tests.services.marketplace.trainer_fixtures import (  # noqa: F401 - fixture
    PDF,
    applied,
    people,
    png,
    private,
)


def test_a_pdf_is_kept_as_it_is_in_the_private_folder(session, people):
    ann = people["Ann"]
    applied(session, ann)
    certificate = trainer_certificates.add_certificate(session, ann, "NSCA CSCS", PDF, "../../cert.pdf")
    assert certificate.content_type == "application/pdf"
    assert private_files.NAME.fullmatch(certificate.file_name) and certificate.file_name.endswith(".pdf")
    assert private_files.path_of(certificate.file_name).read_bytes() == PDF
    assert private() == [certificate.file_name]
    assert not any(upload_dir().iterdir())
    assert private_files.owner_of(session, certificate.file_name) == ann.id


def test_a_picture_is_redrawn_without_its_metadata(session, people):
    ann = people["Ann"]
    applied(session, ann)
    certificate = trainer_certificates.add_certificate(session, ann, "First aid", png(with_metadata=True), "scan.png")
    assert certificate.content_type == "image/webp" and certificate.file_name.endswith(".webp")
    stored = private_files.path_of(certificate.file_name).read_bytes()
    assert b"Secret Street" not in stored
    with Image.open(io.BytesIO(stored)) as picture:
        assert picture.format == "WEBP" and picture.size == (120, 80)


@pytest.mark.parametrize(("data", "message"), [
    (b"This is a text file pretending to be a PDF.\n", "Choose a PDF, JPEG, PNG or WebP file."),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Choose a PDF, JPEG, PNG or WebP file."),
    (PDF[:40], "could not be read"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "could not be read"),
    (b"", "Choose a file"),
    (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"%%EOF", "larger than 5 MB"),
])
def test_a_file_that_is_not_what_it_claims_is_refused_and_not_kept(session, people, data, message):
    ann = people["Ann"]
    applied(session, ann)
    with pytest.raises(ValidationFailed) as refused:
        trainer_certificates.add_certificate(session, ann, "Certificate", data, "cert.pdf")
    assert message in refused.value.errors["certificate"]
    assert private() == []
    assert session.exec(select(TrainerCertificate)).all() == []


def test_certificates_need_a_title_an_application_and_stop_at_five(session, people):
    ann = people["Ann"]
    with pytest.raises(ValidationFailed, match="application first"):
        trainer_certificates.add_certificate(session, ann, "CSCS", PDF)
    applied(session, ann)
    with pytest.raises(ValidationFailed) as refused:
        trainer_certificates.add_certificate(session, ann, "  ", PDF)
    assert "title" in refused.value.errors["certificate_title"]
    for number in range(5):
        trainer_certificates.add_certificate(session, ann, f"Course {number}", PDF)
    with pytest.raises(ValidationFailed, match="up to 5"):
        trainer_certificates.add_certificate(session, ann, "One more", PDF)
    assert len(private()) == 5


def test_only_the_owner_removes_a_certificate_and_its_file_goes(session, people):
    ann, bob = people["Ann"], people["Bob"]
    applied(session, ann)
    applied(session, bob)
    certificate = trainer_certificates.add_certificate(session, ann, "CSCS", PDF)
    for stranger, target in ((bob, certificate.id), (ann, 999_999), (ann, "x")):
        with pytest.raises(NotYours, match="That certificate was not found in your account."):
            trainer_certificates.remove_certificate(session, stranger, target)
    assert private() == [certificate.file_name]
    trainer_certificates.remove_certificate(session, ann, certificate.id)
    assert private() == [] and trainer_applications.my_application(session, ann).certificates == []
