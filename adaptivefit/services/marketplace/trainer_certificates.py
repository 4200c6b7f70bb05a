"""An applicant's certification documents: checked by their bytes, stored privately under random names."""

from __future__ import annotations

import logging

from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.models import Trainer, TrainerCertificate
from adaptivefit.services.core.access import NotYours, ValidationFailed
from adaptivefit.services.core.inputs import as_id
from adaptivefit.services.files import private_files
from adaptivefit.services.files.avatars import MAX_AVATAR_BYTES
from adaptivefit.services.files.uploads import decode_picture, sniff, upright_rgb, without_metadata
from adaptivefit.services.marketplace.trainers import require_applicant, trainer_for_user

log = logging.getLogger("adaptivefit.trainers")

TITLE_MAX = 200
MAX_CERTIFICATES = 5
MAX_CERTIFICATE_BYTES = MAX_AVATAR_BYTES
# One byte past the limit: enough to refuse an oversized upload without reading all of it.
READ_BYTES = MAX_CERTIFICATE_BYTES + 1
# A title typed longer than this is cut before it is checked (the check then refuses it).
TITLE_CLIP = TITLE_MAX * 2
# Scans of certificates must stay legible: larger than a meal photo, still bounded.
CERTIFICATE_BOX = (2400, 2400)
WRONG_FILE = "Choose a PDF, JPEG, PNG or WebP file."


def _fit(image: Image.Image) -> Image.Image:
    image = upright_rgb(image)
    image.thumbnail(CERTIFICATE_BOX, Image.Resampling.LANCZOS)
    return without_metadata(image)


def _store_document(data: object) -> tuple[str, str]:
    """Check an uploaded document by its bytes and store it privately; returns (name, content type)."""

    def refuse(reason: str) -> ValidationFailed:
        return ValidationFailed({"certificate": reason})

    if not isinstance(data, bytes | bytearray | memoryview) or not data:
        raise refuse("Choose a file to upload.")
    data = bytes(data)
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise refuse(f"This file is larger than {MAX_CERTIFICATE_BYTES // (1024 * 1024)} MB; choose a smaller one.")
    if data.startswith(b"%PDF-"):
        # A complete PDF ends with its end-of-file marker (a little whitespace may follow).
        if b"%%EOF" not in data[-1024:]:
            raise refuse("This PDF could not be read; it may be damaged or incomplete. Try another one.")
        return private_files.store_bytes(data, suffix=".pdf"), "application/pdf"
    if sniff(data) is None:
        raise refuse(WRONG_FILE)
    image = decode_picture(data, field="certificate", max_bytes=MAX_CERTIFICATE_BYTES, draft=CERTIFICATE_BOX,
                           finish=_fit, log=log)
    return private_files.store(image, suffix=".webp"), "image/webp"


def _application(session: Session, user) -> Trainer:
    require_applicant(user)
    trainer = trainer_for_user(session, user.id)
    if trainer is None:
        raise ValidationFailed({"certificate": "Send your application first, then add your certificates."})
    return trainer


def _owned_certificate(session: Session, user, certificate_id: object) -> TrainerCertificate:
    """The certificate when it belongs to the user's own application: owned through its parent."""
    trainer = _application(session, user)
    key = as_id(certificate_id)
    certificate = session.get(TrainerCertificate, key) if key is not None else None
    if certificate is None or certificate.trainer_id != trainer.id:
        raise NotYours("That certificate was not found in your account.")
    return certificate


def add_certificate(session: Session, user, title: object, data: bytes, filename: str = "") -> TrainerCertificate:
    """Attach a certification document (PDF or picture) to the user's own application.

    `filename` is what the browser called the file: only logged. The bytes decide the type, and the
    stored name is random.
    """
    trainer = _application(session, user)
    title = " ".join(str(title or "")[: TITLE_MAX * 4].split())
    if not title:
        raise ValidationFailed({"certificate_title": "Give the certificate a title, like “NSCA CSCS”."})
    if len(title) > TITLE_MAX:
        raise ValidationFailed({"certificate_title": f"Keep the title to {TITLE_MAX} characters or fewer."})
    count = session.exec(select(func.count()).select_from(TrainerCertificate)
                         .where(TrainerCertificate.trainer_id == trainer.id)).one()
    if count >= MAX_CERTIFICATES:
        raise ValidationFailed({"certificate": f"You can add up to {MAX_CERTIFICATES} certificates; "
                                               "remove one first."})
    name, content_type = _store_document(data)
    certificate = TrainerCertificate(trainer_id=trainer.id, title=title, file_name=name, content_type=content_type)
    session.add(certificate)
    try:
        session.flush()
    except Exception:
        private_files.delete(name)
        raise
    log.info("certificate stored for trainer %s (uploaded as %r)", trainer.id, str(filename)[:100])
    return certificate


def remove_certificate(session: Session, user, certificate_id: object) -> None:
    """Delete one of the user's own certificates, record and file."""
    certificate = _owned_certificate(session, user, certificate_id)
    name = certificate.file_name
    session.delete(certificate)
    session.flush()
    private_files.delete(name)
