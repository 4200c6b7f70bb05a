"""The program builder: a trainer starts a program, edits its details and cover, and sees their programs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageOps
from sqlmodel import Session, select

from adaptivefit.models import Equipment, Plan, ProgramEquipment, ProgramVersion, TrainingProgram, User
from adaptivefit.services.catalog.exercises_admin import text
from adaptivefit.services.core import app_settings
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed, require
from adaptivefit.services.core.money import amount_text
from adaptivefit.services.files.avatars import delete_upload
from adaptivefit.services.files.uploads import decode_picture, save_image, upright_rgb, without_metadata
from adaptivefit.services.marketplace import pricing, trainers
from adaptivefit.services.marketplace.program_publishing import draft_plan, public_structure, snapshot
from adaptivefit.services.marketplace.programs import (
    COVER_MAX_BYTES,
    COVER_SIZE,
    DESCRIPTION_MAX,
    GOALS,
    LEVELS,
    PRICE_KINDS,
    TITLE_MAX,
    WEEKS_RANGE,
    owned_program,
    structure_summary,
    touch,
)

log = logging.getLogger("adaptivefit.programs")


# --- Creating and editing ----------------------------------------------------------------------


def _title(raw) -> str:
    title = " ".join(text(raw).split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise ValidationFailed({"title": f"Enter a title of 1 to {TITLE_MAX} characters."})
    return title


def create_program(session: Session, actor: Actor | User, title: str) -> TrainingProgram:
    """A new draft program and the plan its weeks and exercises are edited in."""
    require(actor)
    if not trainers.is_approved_trainer(session, actor.id):
        raise PermissionDenied("Only approved trainers can create programs. Apply from Become a trainer.")
    name = _title(title)
    plan = Plan(user_id=actor.id, name=name, active=False)
    session.add(plan)
    session.flush()
    program = TrainingProgram(owner_id=actor.id, name=name, goal="general_fitness", draft_plan_id=plan.id)
    session.add(program)
    session.flush()
    return program


def _choice(raw, allowed: tuple[str, ...], field: str, message: str, errors: dict) -> str | None:
    value = text(raw)
    if value not in allowed:
        errors[field] = message
        return None
    return value


def _equipment_ids(session: Session, raw, errors: dict) -> list[int] | None:
    values = raw if isinstance(raw, list | tuple | set) else ([] if raw in (None, "") else str(raw).split(","))
    ids: set[int] = set()
    for value in values:
        try:
            ids.add(int(str(value).strip()))
        except ValueError:
            errors["equipment"] = "Choose equipment from the list."
            return None
    if ids:
        known = set(session.exec(select(Equipment.id).where(Equipment.id.in_(ids))).all())
        if known != ids:
            errors["equipment"] = "Choose equipment from the list."
            return None
    return sorted(ids)


def _weeks(raw, errors: dict) -> int | None:
    try:
        weeks = int(text(raw))
    except ValueError:
        weeks = None
    if weeks is None or not WEEKS_RANGE[0] <= weeks <= WEEKS_RANGE[1]:
        errors["duration_weeks"] = f"Enter the length in whole weeks from {WEEKS_RANGE[0]} to {WEEKS_RANGE[1]}."
    return weeks


def _price(form: dict, kind: str | None, currency: str, errors: dict) -> tuple[int, str]:
    """(cents, currency) of a one-time or monthly price; a free program keeps 0 and its currency."""
    cents = 0
    if kind in ("one_time", "subscription"):
        try:
            cents = app_settings.parse_price(form.get("price"))
        except ValidationFailed as failed:
            errors.update(failed.errors)
        try:
            currency = app_settings.parse_currency(form.get("currency"))
        except ValidationFailed as failed:
            errors.update(failed.errors)
    return cents, currency


def _replace_equipment(session: Session, program: TrainingProgram, equipment: list[int]) -> None:
    current = set(session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all())
    for row in session.exec(select(ProgramEquipment).where(ProgramEquipment.program_id == program.id)).all():
        if row.equipment_id not in equipment:
            session.delete(row)
    for equipment_id in set(equipment) - current:
        session.add(ProgramEquipment(program_id=program.id, equipment_id=equipment_id))


def update_details(session: Session, actor: Actor | User, program_id: int, form: dict) -> TrainingProgram:
    """Title, description, goal, level, weeks, equipment and price; refusals name each field."""
    program = owned_program(session, actor, program_id)
    if not isinstance(form, dict):
        raise ValidationFailed({"title": "Fill in the program's details."})
    errors: dict[str, str] = {}
    try:
        title = _title(form.get("title"))
    except ValidationFailed as failed:
        errors.update(failed.errors)
        title = None
    description = str(form.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description to {DESCRIPTION_MAX:,} characters or fewer."
    goal = _choice(form.get("goal"), GOALS, "goal", "Choose a goal from the list.", errors)
    level = _choice(form.get("level"), LEVELS, "level", "Choose beginner, intermediate or advanced.", errors)
    weeks = _weeks(form.get("duration_weeks"), errors)
    equipment = _equipment_ids(session, form.get("equipment_ids", []), errors)
    kind = _choice(form.get("price_kind"), PRICE_KINDS, "price_kind",
                   "Choose free, a one-time price or a monthly subscription.", errors)
    cents, currency = _price(form, kind, program.currency, errors)
    if errors:
        raise ValidationFailed(errors)
    program.name, program.description, program.goal, program.level = title, description, goal, level
    program.duration_weeks, program.price_kind, program.price_cents, program.currency = weeks, kind, cents, currency
    _replace_equipment(session, program, equipment)
    plan = session.get(Plan, program.draft_plan_id) if program.draft_plan_id else None
    if plan is not None and plan.name != title:
        plan.name = title
        session.add(plan)
    touch(session, program)
    session.flush()
    return program


def _cover(image: Image.Image) -> Image.Image:
    fitted = ImageOps.fit(upright_rgb(image), COVER_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    return without_metadata(fitted)


def set_cover(session: Session, actor: Actor | User, program_id: int, data: bytes) -> str:
    """Check a cover picture by content, store a clean 16:9 copy under a random name, drop the old one."""
    program = owned_program(session, actor, program_id)
    image = decode_picture(data, field="cover", max_bytes=COVER_MAX_BYTES, draft=(COVER_SIZE[0] * 2, COVER_SIZE[1] * 2),
                           finish=_cover, log=log)
    name = save_image(image, suffix=".webp")
    previous = program.cover_image
    program.cover_image = name
    touch(session, program)
    session.flush()
    if previous and previous != name:
        delete_upload(previous)
    return name


# --- The trainer's views -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramRow:
    id: int
    title: str
    status: str
    hidden: bool
    hidden_reason: str
    version: int
    price: str
    sales_count: int
    rating_avg: float
    rating_count: int
    updated_at: datetime


def _row(program: TrainingProgram) -> ProgramRow:
    return ProgramRow(program.id, program.name, program.status, program.hidden, program.hidden_reason,
                      program.current_version, pricing.price_text(program), program.sales_count, program.rating_avg,
                      program.rating_count, program.updated_at)


def list_mine(session: Session, actor: Actor | User) -> list[ProgramRow]:
    require(actor)
    programs = session.exec(select(TrainingProgram).where(TrainingProgram.owner_id == actor.id)
                            .order_by(TrainingProgram.updated_at.desc(), TrainingProgram.id.desc())).all()
    return [_row(p) for p in programs]


@dataclass(frozen=True)
class VersionRow:
    version: int
    changelog: str
    created_at: datetime


@dataclass(frozen=True)
class BuilderView:
    id: int
    title: str
    description: str
    goal: str
    level: str
    duration_weeks: int
    equipment_ids: list[int]
    price_kind: str
    price: str
    currency: str
    cover_image: str | None
    status: str
    hidden: bool
    hidden_reason: str
    current_version: int
    versions: list[VersionRow]
    sales_count: int
    draft_plan_id: int
    summary: dict[str, int]
    unpublished_changes: bool


def builder_view(session: Session, actor: Actor | User, program_id: int) -> BuilderView:
    program = owned_program(session, actor, program_id)
    plan = draft_plan(session, program)
    structure = public_structure(snapshot(session, plan.id))
    versions = session.exec(select(ProgramVersion).where(ProgramVersion.program_id == program.id)
                            .order_by(ProgramVersion.version.desc())).all()
    current = next((v.structure for v in versions if v.version == program.current_version), None)
    equipment = session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all()
    return BuilderView(
        id=program.id, title=program.name, description=program.description, goal=program.goal, level=program.level,
        duration_weeks=program.duration_weeks, equipment_ids=sorted(equipment), price_kind=program.price_kind,
        price="" if program.price_kind == "free" else amount_text(program.price_cents), currency=program.currency,
        cover_image=program.cover_image, status=program.status, hidden=program.hidden,
        hidden_reason=program.hidden_reason, current_version=program.current_version,
        versions=[VersionRow(v.version, v.changelog, v.created_at) for v in versions],
        sales_count=program.sales_count, draft_plan_id=plan.id, summary=structure_summary(structure),
        unpublished_changes=(current != structure) if current is not None else bool(structure["days"]),
    )


def program_for_plan(session: Session, user: Actor | User, plan_id: int) -> TrainingProgram | None:
    """The program whose draft this plan of the user is (the plan editor links back to the builder)."""
    return session.exec(select(TrainingProgram).where(TrainingProgram.draft_plan_id == plan_id,
                                                      TrainingProgram.owner_id == user.id)).first()
