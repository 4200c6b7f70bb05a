"""A member's application to become a trainer, and an approved trainer's profile edits.

After a rejection the member may apply again; correcting a pending application keeps its place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from adaptivefit.models import Trainer
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed, require
from adaptivefit.services.marketplace.trainers import (
    CertificateView,
    certificate_views,
    is_approved_trainer,
    require_applicant,
    trainer_for_user,
)

HEADLINE_MAX = 120
BIO_MIN, BIO_MAX = 50, 4000
SPECIALTIES_MAX, SPECIALTY_MAX = 8, 40


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


def apply(session: Session, user, form: dict, *, ip_address: str = "") -> Trainer:
    """Send (or correct) an application; after a rejection, apply again. Approved trainers use update_profile."""
    require_applicant(user)
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


def save(session: Session, user, form: dict, *, ip_address: str = "") -> bool:
    """Apply, or edit the profile when already approved (the database decides, not the page the
    browser last saw); True when it was a profile edit."""
    if is_approved_trainer(session, user.id):
        update_profile(session, user, form)
        return True
    apply(session, user, form, ip_address=ip_address)
    return False


def my_application(session: Session, user) -> Application | None:
    require(user)
    trainer = trainer_for_user(session, user.id)
    if trainer is None:
        return None
    return Application(trainer_id=trainer.id, status=trainer.status, headline=trainer.headline, bio=trainer.bio,
                       specialties=list(trainer.specialties or []), rejection_reason=trainer.rejection_reason,
                       applied_at=trainer.applied_at, reviewed_at=trainer.reviewed_at,
                       certificates=certificate_views(session, trainer))
