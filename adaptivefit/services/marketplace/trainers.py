"""Trainers: a member's application, their certificates, the moderators' review, the public profile.

A member applies with a headline, a bio and specialties, and uploads certification documents
(PDF or a picture). The documents are private: kept in the private folder under random names and
shown to the applicant and to staff by signed URLs (services/private_files.py). A moderator or
admin approves (the profile gets the verified badge, the member the trainer role) or rejects with
a reason the applicant reads, and may apply again. Nobody reviews their own application.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, col, select

from adaptivefit.models import Role, Trainer, TrainerCertificate, TrainingProgram, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import app_settings, audit
from adaptivefit.services.files import private_files
from adaptivefit.services.core.access import STAFF, PermissionDenied, ValidationFailed, require
from adaptivefit.services.files.avatars import MAX_AVATAR_BYTES
from adaptivefit.services.files.uploads import decode_picture, sniff, upright_rgb, without_metadata

log = logging.getLogger("adaptivefit.trainers")

STATUSES = ("pending", "approved", "rejected")
PAGE_SIZE = 10
PROGRAMS_SHOWN = 60

HEADLINE_MAX = 120
BIO_MIN, BIO_MAX = 50, 4000
SPECIALTIES_MAX, SPECIALTY_MAX = 8, 40
REASON_MAX = 1000
TITLE_MAX = 200
MAX_CERTIFICATES = 5
MAX_CERTIFICATE_BYTES = MAX_AVATAR_BYTES
# Scans of certificates must stay legible: larger than a meal photo, still bounded.
CERTIFICATE_BOX = (2400, 2400)
WRONG_FILE = "Choose a PDF, JPEG, PNG or WebP file."
STAFF_CANNOT_APPLY = "Staff accounts don't apply to become trainers."


@dataclass(frozen=True)
class CertificateView:
    id: int
    title: str
    content_type: str
    url: str
    uploaded_at: datetime

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


@dataclass(frozen=True)
class Application:
    """A member's own application, as the apply page shows it."""

    trainer_id: int
    status: str
    headline: str
    bio: str
    specialties: list[str]
    rejection_reason: str
    applied_at: datetime | None
    reviewed_at: datetime | None
    certificates: list[CertificateView]


@dataclass(frozen=True)
class QueueRow:
    trainer_id: int
    user_id: int
    name: str
    email: str
    status: str
    headline: str
    bio: str
    specialties: list[str]
    applied_at: datetime | None
    reviewed_at: datetime | None
    reviewer: str
    rejection_reason: str
    commission_percent: Decimal | None
    certificates: list[CertificateView]


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


@dataclass(frozen=True)
class ProgramCard:
    id: int
    title: str
    price_kind: str
    price_cents: int
    currency: str
    rating_avg: float
    rating_count: int
    level: str
    duration_weeks: int


@dataclass(frozen=True)
class PublicProfile:
    trainer_id: int
    name: str
    avatar: str
    headline: str
    bio: str
    specialties: list[str]
    verified: bool
    member_since: datetime
    programs: list[ProgramCard]
    rating_avg: float
    rating_count: int


# --- the agreed interface ------------------------------------------------------------------


def trainer_for_user(session: Session, user_id: int) -> Trainer | None:
    """The user's trainer row (any status), or None."""
    if not isinstance(user_id, int):
        return None
    return session.exec(select(Trainer).where(Trainer.user_id == user_id)).first()


def is_approved_trainer(session: Session, user_id: int) -> bool:
    trainer = trainer_for_user(session, user_id)
    return trainer is not None and trainer.status == "approved"


# --- applying ------------------------------------------------------------------------------


def _text(form: dict, name: str, limit: int) -> str:
    # Clip far above the limit so the length check (not the clip) decides, without holding megabytes.
    return str(form.get(name, "") or "")[: limit * 4].replace("\r\n", "\n").strip()


def parse_specialties(raw: object) -> list[str]:
    """A comma list as distinct, trimmed names in the order given; ValidationFailed at "specialties"."""
    items: list[str] = []
    seen: set[str] = set()
    for part in str(raw or "")[:2000].split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            items.append(name)
    if not items:
        raise ValidationFailed({"specialties": "Name at least one specialty, like strength or mobility."})
    if len(items) > SPECIALTIES_MAX:
        raise ValidationFailed({"specialties": f"Choose up to {SPECIALTIES_MAX} specialties."})
    if any(len(item) > SPECIALTY_MAX for item in items):
        raise ValidationFailed({"specialties": f"Keep each specialty to {SPECIALTY_MAX} characters or fewer."})
    return items


def _parse_profile(form: dict) -> tuple[str, str, list[str]]:
    errors: dict[str, str] = {}
    headline = _text(form, "headline", HEADLINE_MAX)
    if not headline:
        errors["headline"] = "Write a headline, like “Strength coach for busy parents”."
    elif len(headline) > HEADLINE_MAX:
        errors["headline"] = f"Keep the headline to {HEADLINE_MAX} characters or fewer."
    bio = _text(form, "bio", BIO_MAX)
    if not bio:
        errors["bio"] = "Tell members about your experience and how you coach."
    elif len(bio) < BIO_MIN:
        errors["bio"] = f"Write at least {BIO_MIN} characters about your experience and how you coach."
    elif len(bio) > BIO_MAX:
        errors["bio"] = f"Keep the bio to {BIO_MAX:,} characters or fewer."
    specialties: list[str] = []
    try:
        specialties = parse_specialties(form.get("specialties", ""))
    except ValidationFailed as failed:
        errors.update(failed.errors)
    if errors:
        raise ValidationFailed(errors)
    return headline, bio, specialties


def _applicant(user) -> None:
    require(user)
    if user.role in STAFF:
        raise PermissionDenied(STAFF_CANNOT_APPLY)


def apply(session: Session, user, form: dict, *, ip_address: str = "") -> Trainer:
    """Send (or correct) an application; after a rejection, apply again. Approved trainers use update_profile."""
    _applicant(user)
    headline, bio, specialties = _parse_profile(form)
    trainer = trainer_for_user(session, user.id)
    if trainer is not None and trainer.status == "approved":
        raise PermissionDenied("You are already a verified trainer; edit your profile instead.")
    now = utcnow()
    if trainer is None:
        trainer = Trainer(user_id=user.id)
    # Correcting a pending application keeps its place in the queue; a new or renewed one joins the end.
    if trainer.status != "pending" or trainer.applied_at is None:
        trainer.applied_at = now
    trainer.status = "pending"
    trainer.rejection_reason = ""
    trainer.headline, trainer.bio, trainer.specialties = headline, bio, specialties
    trainer.updated_at = now
    session.add(trainer)
    session.flush()
    audit.record(session, "trainer_applied", user_id=user.id,
                 ip_address=ip_address or getattr(user, "ip_address", ""), trainer_id=trainer.id)
    session.flush()
    return trainer


def update_profile(session: Session, user, form: dict) -> Trainer:
    """An approved trainer edits the headline, bio and specialties members see."""
    require(user)
    trainer = trainer_for_user(session, user.id)
    if trainer is None or trainer.status != "approved":
        raise PermissionDenied("Only approved trainers have a public profile to edit.")
    trainer.headline, trainer.bio, trainer.specialties = _parse_profile(form)
    trainer.updated_at = utcnow()
    session.add(trainer)
    session.flush()
    return trainer


def _certificates(session: Session, trainer: Trainer) -> list[CertificateView]:
    rows = session.exec(
        select(TrainerCertificate).where(TrainerCertificate.trainer_id == trainer.id)
        .order_by(col(TrainerCertificate.uploaded_at), col(TrainerCertificate.id))
    ).all()
    if trainer.user_id is None:
        return []
    # Signed for the owner: the route checks the signature against the record that holds the file.
    return [CertificateView(id=c.id, title=c.title, content_type=c.content_type,
                            url=private_files.sign_url(c.file_name, trainer.user_id), uploaded_at=c.uploaded_at)
            for c in rows]


def my_application(session: Session, user) -> Application | None:
    require(user)
    trainer = trainer_for_user(session, user.id)
    if trainer is None:
        return None
    return Application(trainer_id=trainer.id, status=trainer.status, headline=trainer.headline, bio=trainer.bio,
                       specialties=list(trainer.specialties or []), rejection_reason=trainer.rejection_reason,
                       applied_at=trainer.applied_at, reviewed_at=trainer.reviewed_at,
                       certificates=_certificates(session, trainer))


# --- certificates --------------------------------------------------------------------------


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


def _own_trainer(session: Session, user) -> Trainer:
    _applicant(user)
    trainer = trainer_for_user(session, user.id)
    if trainer is None:
        raise ValidationFailed({"certificate": "Send your application first, then add your certificates."})
    return trainer


def add_certificate(session: Session, user, title: object, data: bytes, filename: str = "") -> TrainerCertificate:
    """Attach a certification document (PDF or picture) to the user's own application.

    `filename` is what the browser called the file: only logged. The bytes decide the type, and the
    stored name is random.
    """
    trainer = _own_trainer(session, user)
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
    trainer = _own_trainer(session, user)
    certificate = session.get(TrainerCertificate, certificate_id) if isinstance(certificate_id, int) else None
    if certificate is None or certificate.trainer_id != trainer.id:
        raise ValidationFailed({"certificate": "No such certificate."})
    name = certificate.file_name
    session.delete(certificate)
    session.flush()
    private_files.delete(name)


# --- review --------------------------------------------------------------------------------


def _reviewable(session: Session, moderator, trainer_id: object) -> Trainer:
    require(moderator, *STAFF)
    trainer = session.get(Trainer, trainer_id) if isinstance(trainer_id, int) else None
    if trainer is None or trainer.user_id is None or trainer.applied_at is None:
        raise ValidationFailed({"application": "No such application."})
    if trainer.user_id == moderator.id:
        raise PermissionDenied("You cannot review your own application; another moderator will.")
    return trainer


def review_queue(session: Session, moderator, status: str = "pending", page: int = 1) -> QueuePage:
    """One page of applications with this status, oldest first, with their certificates' signed URLs."""
    require(moderator, *STAFF)
    if status not in STATUSES:
        raise ValidationFailed({"status": "Choose pending, approved or rejected."})
    applied = (col(Trainer.applied_at).is_not(None), col(Trainer.user_id).is_not(None))
    counts = dict(session.exec(select(Trainer.status, func.count()).where(*applied).group_by(Trainer.status)).all())
    total = counts.get(status, 0)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    try:
        page = min(max(1, int(page)), pages)
    except (TypeError, ValueError):
        page = 1
    found = session.exec(
        select(Trainer, User).join(User, User.id == Trainer.user_id).where(*applied, Trainer.status == status)
        .order_by(col(Trainer.applied_at), col(Trainer.id))
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    reviewer_ids = {t.reviewed_by for t, _ in found if t.reviewed_by is not None}
    reviewers = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(reviewer_ids))).all()) \
        if reviewer_ids else {}
    rows = [
        QueueRow(trainer_id=t.id, user_id=u.id, name=u.name, email=u.email, status=t.status, headline=t.headline,
                 bio=t.bio, specialties=list(t.specialties or []), applied_at=t.applied_at,
                 reviewed_at=t.reviewed_at, reviewer=reviewers.get(t.reviewed_by, ""),
                 rejection_reason=t.rejection_reason, commission_percent=t.commission_percent,
                 certificates=_certificates(session, t))
        for t, u in found
    ]
    return QueuePage(rows=rows, total=total, page=page, pages=pages,
                     counts={s: counts.get(s, 0) for s in STATUSES})


def approve(session: Session, moderator, trainer_id: object) -> Trainer:
    """Verify the trainer and give a member the trainer role (staff keep theirs; sessions stay valid)."""
    trainer = _reviewable(session, moderator, trainer_id)
    if trainer.status == "approved":
        raise ValidationFailed({"application": "This trainer is already approved."})
    now = utcnow()
    trainer.status = "approved"
    trainer.certification_verified = True
    trainer.rejection_reason = ""
    trainer.reviewed_by, trainer.reviewed_at, trainer.updated_at = moderator.id, now, now
    session.add(trainer)
    user = session.get(User, trainer.user_id)
    previous_role = user.role
    if user.role == Role.MEMBER:
        # New powers apply on the next request: every guard reads the role from the database.
        user.role = str(Role.TRAINER)
        user.updated_at = now
        session.add(user)
    audit.record(session, "trainer_approved", user_id=user.id, actor_id=moderator.id,
                 ip_address=getattr(moderator, "ip_address", ""), trainer_id=trainer.id,
                 **{"from": previous_role, "to": user.role})
    session.flush()
    return trainer


def reject(session: Session, moderator, trainer_id: object, reason: object) -> Trainer:
    """Turn an application down with a reason the applicant reads; they may apply again."""
    trainer = _reviewable(session, moderator, trainer_id)
    reason = str(reason or "")[: REASON_MAX * 4].strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why, so the applicant knows what to change."})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": f"Keep the reason to {REASON_MAX:,} characters or fewer."})
    if trainer.status != "pending":
        raise ValidationFailed({"application": f"Only pending applications can be rejected; this one is "
                                               f"{trainer.status}."})
    now = utcnow()
    trainer.status = "rejected"
    trainer.certification_verified = False
    trainer.rejection_reason = reason
    trainer.reviewed_by, trainer.reviewed_at, trainer.updated_at = moderator.id, now, now
    session.add(trainer)
    audit.record(session, "trainer_rejected", user_id=trainer.user_id, actor_id=moderator.id,
                 ip_address=getattr(moderator, "ip_address", ""), trainer_id=trainer.id, reason=reason)
    session.flush()
    return trainer


def set_commission_override(session: Session, admin, trainer_id: object, raw: object) -> Trainer:
    """An admin sets this trainer's commission percent; blank goes back to the platform default."""
    require(admin, Role.ADMIN)
    trainer = session.get(Trainer, trainer_id) if isinstance(trainer_id, int) else None
    if trainer is None:
        raise ValidationFailed({"trainer": "No such trainer."})
    text = str(raw if raw is not None else "").strip()
    value = app_settings.parse_percent(text) if text else None
    previous = trainer.commission_percent
    if previous == value:
        return trainer
    trainer.commission_percent = value
    trainer.updated_at = utcnow()
    session.add(trainer)
    audit.record(session, "trainer_commission_changed", user_id=trainer.user_id, actor_id=admin.id,
                 ip_address=getattr(admin, "ip_address", ""), trainer_id=trainer.id,
                 **{"from": None if previous is None else str(previous), "to": None if value is None else str(value)})
    session.flush()
    return trainer


# --- the public profile --------------------------------------------------------------------


def public_profile(session: Session, trainer_id: object) -> PublicProfile:
    """What anyone may see of an approved trainer; anyone else is "not found"."""
    trainer = session.get(Trainer, trainer_id) if isinstance(trainer_id, int) else None
    user = session.get(User, trainer.user_id) if trainer is not None and trainer.user_id is not None else None
    if trainer is None or user is None or trainer.status != "approved":
        raise ValidationFailed({"trainer": "No such trainer."})
    listed = (TrainingProgram.owner_id == user.id, TrainingProgram.status == "published",
              col(TrainingProgram.hidden).is_(False))
    programs = session.exec(
        select(TrainingProgram).where(*listed)
        .order_by(col(TrainingProgram.rating_avg).desc(), col(TrainingProgram.published_at).desc(),
                  col(TrainingProgram.id).desc())
        .limit(PROGRAMS_SHOWN)
    ).all()
    weighted, count = session.exec(
        select(func.coalesce(func.sum(TrainingProgram.rating_avg * TrainingProgram.rating_count), 0.0),
               func.coalesce(func.sum(TrainingProgram.rating_count), 0)).where(*listed)
    ).one()
    return PublicProfile(
        trainer_id=trainer.id, name=user.name, avatar=user.avatar or "", headline=trainer.headline, bio=trainer.bio,
        specialties=list(trainer.specialties or []), verified=trainer.certification_verified,
        member_since=user.created_at,
        programs=[ProgramCard(id=p.id, title=p.name, price_kind=p.price_kind, price_cents=p.price_cents,
                              currency=p.currency, rating_avg=p.rating_avg, rating_count=p.rating_count,
                              level=p.level, duration_weeks=p.duration_weeks) for p in programs],
        rating_avg=round(float(weighted) / count, 2) if count else 0.0, rating_count=int(count),
    )
