"""Trainers: who is one, their certificates as the applicant and staff see them, and the public profile.

A member applies (trainer_applications.py) and uploads certification documents
(trainer_certificates.py); a moderator or admin approves or rejects (trainer_review.py). The
documents are private: kept in the private folder under random names and shown to the applicant
and to staff by signed URLs (services/files/private_files.py). An approved trainer has a public
profile anyone may read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from adaptivefit.models import Trainer, TrainerCertificate, TrainingProgram, User
from adaptivefit.services.core.access import STAFF, PermissionDenied, ValidationFailed, require
from adaptivefit.services.files import private_files
from adaptivefit.services.marketplace import pricing

PROGRAMS_SHOWN = 60
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


def trainer_for_user(session: Session, user_id: int) -> Trainer | None:
    """The user's trainer row (any status), or None."""
    if not isinstance(user_id, int):
        return None
    return session.exec(select(Trainer).where(Trainer.user_id == user_id)).first()


def is_approved_trainer(session: Session, user_id: int) -> bool:
    trainer = trainer_for_user(session, user_id)
    return trainer is not None and trainer.status == "approved"


def require_applicant(user) -> None:
    """Anyone signed in may apply, except staff: they review applications instead."""
    require(user)
    if user.role in STAFF:
        raise PermissionDenied(STAFF_CANNOT_APPLY)


def certificate_views(session: Session, trainer: Trainer) -> list[CertificateView]:
    """The trainer's certificates, oldest first, each with a signed link to its document."""
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


# --- the public profile --------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramCard:
    id: int
    title: str
    price_kind: str
    price_cents: int
    currency: str
    price: str
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
                              currency=p.currency, price=pricing.price_text(p), rating_avg=p.rating_avg,
                              rating_count=p.rating_count, level=p.level, duration_weeks=p.duration_weeks)
                 for p in programs],
        rating_avg=round(float(weighted) / count, 2) if count else 0.0, rating_count=int(count),
    )
