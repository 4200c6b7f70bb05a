"""Staff review trainer applications: the queue, approving, rejecting with a reason, and an admin's
commission override. Nobody reviews their own application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from adaptivefit.models import Role, Trainer, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import app_settings, audit
from adaptivefit.services.core.access import STAFF, PermissionDenied, ValidationFailed, require
from adaptivefit.services.core.paging import window
from adaptivefit.services.marketplace.trainers import CertificateView, certificate_views

STATUSES = ("pending", "approved", "rejected")
PAGE_SIZE = 10
REASON_MAX = 1000


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


def _reviewable(session: Session, moderator, trainer_id: object) -> Trainer:
    require(moderator, *STAFF)
    trainer = session.get(Trainer, trainer_id) if isinstance(trainer_id, int) else None
    if trainer is None or trainer.user_id is None or trainer.applied_at is None:
        raise ValidationFailed({"application": "No such application."})
    if trainer.user_id == moderator.id:
        raise PermissionDenied("You cannot review your own application; another moderator will.")
    return trainer


def review_queue(session: Session, moderator, status: str = "pending", page: object = 1) -> QueuePage:
    """One page of applications with this status, oldest first, with their certificates' signed URLs."""
    require(moderator, *STAFF)
    if status not in STATUSES:
        raise ValidationFailed({"status": "Choose pending, approved or rejected."})
    applied = (col(Trainer.applied_at).is_not(None), col(Trainer.user_id).is_not(None))
    counts = dict(session.exec(select(Trainer.status, func.count()).where(*applied).group_by(Trainer.status)).all())
    total = counts.get(status, 0)
    shown = window(page, total, PAGE_SIZE)
    found = session.exec(
        select(Trainer, User).join(User, User.id == Trainer.user_id).where(*applied, Trainer.status == status)
        .order_by(col(Trainer.applied_at), col(Trainer.id))
        .offset(shown.offset).limit(shown.limit)
    ).all()
    reviewer_ids = {t.reviewed_by for t, _ in found if t.reviewed_by is not None}
    reviewers = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(reviewer_ids))).all()) \
        if reviewer_ids else {}
    rows = [
        QueueRow(trainer_id=t.id, user_id=u.id, name=u.name, email=u.email, status=t.status, headline=t.headline,
                 bio=t.bio, specialties=list(t.specialties or []), applied_at=t.applied_at,
                 reviewed_at=t.reviewed_at, reviewer=reviewers.get(t.reviewed_by, ""),
                 rejection_reason=t.rejection_reason, commission_percent=t.commission_percent,
                 certificates=certificate_views(session, t))
        for t, u in found
    ]
    return QueuePage(rows=rows, total=total, page=shown.page, pages=shown.pages,
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
