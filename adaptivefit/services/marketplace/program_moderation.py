"""Moderators' side of programs: hiding one with a reason the trainer sees, and the searchable list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from adaptivefit.models import TrainingProgram, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.catalog.exercises_admin import text
from adaptivefit.services.core import audit
from adaptivefit.services.core.access import STAFF, Actor, ValidationFailed, require
from adaptivefit.services.core.paging import window
from adaptivefit.services.marketplace import pricing
from adaptivefit.services.marketplace.programs import MODERATION_PAGE_SIZE, NOT_FOUND, REASON_MAX, find, touch


def _program(session: Session, program_id: object) -> TrainingProgram:
    program = find(session, program_id)
    if program is None:
        raise ValidationFailed({"program": NOT_FOUND})
    return program


def hide(session: Session, moderator: Actor, program_id: int, reason: str) -> TrainingProgram:
    require(moderator, *STAFF)
    program = _program(session, program_id)
    reason = " ".join(text(reason).split())
    if not reason:
        raise ValidationFailed({"reason": "Give the trainer a reason: they will see it."})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": f"Keep the reason to {REASON_MAX} characters or fewer."})
    program.hidden, program.hidden_reason, program.hidden_at, program.hidden_by = True, reason, utcnow(), moderator.id
    touch(session, program)
    audit.record(session, "program_hidden", actor_id=moderator.id, user_id=program.owner_id,
                 ip_address=getattr(moderator, "ip_address", ""), program_id=program.id, reason=reason)
    session.flush()
    return program


def unhide(session: Session, moderator: Actor, program_id: int) -> TrainingProgram:
    require(moderator, *STAFF)
    program = _program(session, program_id)
    if program.hidden:
        program.hidden, program.hidden_reason, program.hidden_at, program.hidden_by = False, "", None, None
        touch(session, program)
        audit.record(session, "program_unhidden", actor_id=moderator.id, user_id=program.owner_id,
                     ip_address=getattr(moderator, "ip_address", ""), program_id=program.id)
        session.flush()
    return program


@dataclass(frozen=True)
class ModerationRow:
    id: int
    title: str
    trainer_name: str
    status: str
    hidden: bool
    hidden_reason: str
    price: str
    updated_at: datetime


@dataclass(frozen=True)
class ModerationPage:
    rows: list[ModerationRow]
    total: int
    page: int
    pages: int


def moderation_list(session: Session, actor: Actor, query: str = "", page: object = 1) -> ModerationPage:
    """Every program but drafts never published, newest change first, searchable by title or trainer."""
    require(actor, *STAFF)
    conditions = [or_(TrainingProgram.status != "draft", TrainingProgram.hidden.is_(True))]
    query = text(query)[:120]
    if query:
        conditions.append(or_(TrainingProgram.name.icontains(query, autoescape=True),
                              User.name.icontains(query, autoescape=True)))
    total = session.exec(select(func.count()).select_from(TrainingProgram)
                         .join(User, User.id == TrainingProgram.owner_id).where(*conditions)).one()
    shown = window(page, total, MODERATION_PAGE_SIZE)
    rows = session.exec(select(TrainingProgram, User.name).join(User, User.id == TrainingProgram.owner_id)
                        .where(*conditions).order_by(TrainingProgram.updated_at.desc(), TrainingProgram.id.desc())
                        .limit(shown.limit).offset(shown.offset)).all()
    return ModerationPage(
        rows=[ModerationRow(p.id, p.name, name, p.status, p.hidden, p.hidden_reason, pricing.price_text(p), p.updated_at)
              for p, name in rows],
        total=total, page=shown.page, pages=shown.pages)
