"""The program builder: a trainer's programs, their details, cover, publishing and versions.

A program's weeks, days and exercises are edited as one of the trainer's own plans (the plan
editor, services/plans.py): `draft_plan_id` points at it. Publishing freezes that plan into a
`ProgramVersion`; buyers get a copy of the version they paid for (`install_version`) and keep
it when the trainer publishes a newer one. Moderators hide a program with a reason the trainer
sees. Only the owner (and staff) see a draft, unpublished or hidden program.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PIL import Image, ImageOps
from sqlalchemy import func, or_
from sqlmodel import Session, select

from adaptivefit.models import (
    Equipment,
    Exercise,
    Plan,
    PlanDay,
    PlanExercise,
    ProgramEquipment,
    ProgramVersion,
    Role,
    Trainer,
    TrainingProgram,
    User,
)
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import app_settings, audit
from adaptivefit.services.core.access import STAFF, Actor, PermissionDenied, ValidationFailed, require
from adaptivefit.services.files.avatars import delete_upload
from adaptivefit.services.catalog.exercises_admin import text
from adaptivefit.services.files.uploads import decode_picture, save_image, upright_rgb, without_metadata

log = logging.getLogger("adaptivefit.programs")

TITLE_MAX = 120
DESCRIPTION_MAX = 10_000
CHANGELOG_MAX = 2000
REASON_MAX = 1000
GOALS = ("strength", "hypertrophy", "fat_loss", "endurance", "general_fitness", "powerlifting")
LEVELS = ("beginner", "intermediate", "advanced")
PRICE_KINDS = ("free", "one_time", "subscription")
WEEKS_RANGE = (1, 52)
COVER_MAX_BYTES = 5 * 1024 * 1024
COVER_SIZE = (960, 540)
MODERATION_PAGE_SIZE = 20
NOT_FOUND = "That program was not found."
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}


# --- Reading helpers shared with the marketplace -----------------------------------------------


def money(cents: int, currency: str) -> str:
    """"$29.00", "€9.99": integer cents as the buyer reads them."""
    symbol = SYMBOLS.get(currency, currency.upper() + " ")
    return f"{symbol}{cents // 100:,}.{cents % 100:02d}"


def price_text(program: TrainingProgram) -> str:
    if program.price_kind == "free":
        return "Free"
    amount = money(program.price_cents, program.currency)
    return f"{amount}/month" if program.price_kind == "subscription" else amount


def label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def is_approved_trainer(session: Session, user_id: int | None) -> bool:
    if user_id is None:
        return False
    try:
        from adaptivefit.services.marketplace import trainers
    except ImportError:
        trainers = None
    if trainers is not None and hasattr(trainers, "is_approved_trainer"):
        return trainers.is_approved_trainer(session, user_id)
    row = session.exec(select(Trainer).where(Trainer.user_id == user_id)).first()
    return row is not None and row.status == "approved"


def is_staff(actor: Actor | User | None) -> bool:
    return actor is not None and getattr(actor, "role", None) in STAFF


def is_listed(session: Session, program: TrainingProgram) -> bool:
    """On sale to anyone: published, not hidden, its trainer approved."""
    return program.status == "published" and not program.hidden and is_approved_trainer(session, program.owner_id)


def visible_program(session: Session, viewer: Actor | User | None, program_id) -> TrainingProgram | None:
    """The program when `viewer` may see it: anyone when listed, else its owner and staff."""
    program = session.get(TrainingProgram, program_id) if isinstance(program_id, int) else None
    if program is None:
        return None
    if is_listed(session, program):
        return program
    if viewer is not None and (viewer.id == program.owner_id or is_staff(viewer)):
        return program
    return None


def _owned(session: Session, actor: Actor | User | None, program_id) -> TrainingProgram:
    """The program when `actor` may change it: its owner, or an admin."""
    if actor is None:
        raise PermissionDenied("Sign in to do this.")
    program = session.get(TrainingProgram, program_id) if isinstance(program_id, int) else None
    if program is None or (program.owner_id != actor.id and actor.role != Role.ADMIN):
        raise PermissionDenied(NOT_FOUND)
    return program


def _touch(session: Session, program: TrainingProgram) -> None:
    program.updated_at = utcnow()
    session.add(program)


# --- Creating and editing ----------------------------------------------------------------------


def _title(raw) -> str:
    title = " ".join(text(raw).split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise ValidationFailed({"title": f"Enter a title of 1 to {TITLE_MAX} characters."})
    return title


def create_program(session: Session, actor: Actor | User, title: str) -> TrainingProgram:
    """A new draft program and the plan its weeks and exercises are edited in."""
    require(actor)
    if not is_approved_trainer(session, actor.id):
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


def update_details(session: Session, actor: Actor | User, program_id: int, form: dict) -> TrainingProgram:
    """Title, description, goal, level, weeks, equipment and price; refusals name each field."""
    program = _owned(session, actor, program_id)
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
    weeks = None
    try:
        weeks = int(text(form.get("duration_weeks")))
    except ValueError:
        pass
    if weeks is None or not WEEKS_RANGE[0] <= weeks <= WEEKS_RANGE[1]:
        errors["duration_weeks"] = f"Enter the length in whole weeks from {WEEKS_RANGE[0]} to {WEEKS_RANGE[1]}."
    equipment = _equipment_ids(session, form.get("equipment_ids", []), errors)
    kind = _choice(form.get("price_kind"), PRICE_KINDS, "price_kind",
                   "Choose free, a one-time price or a monthly subscription.", errors)
    cents, currency = 0, program.currency
    if kind in ("one_time", "subscription"):
        try:
            cents = app_settings.parse_price(form.get("price"))
        except ValidationFailed as failed:
            errors.update(failed.errors)
        try:
            currency = app_settings.parse_currency(form.get("currency"))
        except ValidationFailed as failed:
            errors.update(failed.errors)
    if errors:
        raise ValidationFailed(errors)
    program.name, program.description, program.goal, program.level = title, description, goal, level
    program.duration_weeks, program.price_kind, program.price_cents, program.currency = weeks, kind, cents, currency
    current = set(session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all())
    for row in session.exec(select(ProgramEquipment).where(ProgramEquipment.program_id == program.id)).all():
        if row.equipment_id not in equipment:
            session.delete(row)
    for equipment_id in set(equipment) - current:
        session.add(ProgramEquipment(program_id=program.id, equipment_id=equipment_id))
    plan = session.get(Plan, program.draft_plan_id) if program.draft_plan_id else None
    if plan is not None and plan.name != title:
        plan.name = title
        session.add(plan)
    _touch(session, program)
    session.flush()
    return program


def _cover(image: Image.Image) -> Image.Image:
    fitted = ImageOps.fit(upright_rgb(image), COVER_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    return without_metadata(fitted)


def set_cover(session: Session, actor: Actor | User, program_id: int, data: bytes) -> str:
    """Check a cover picture by content, store a clean 16:9 copy under a random name, drop the old one."""
    program = _owned(session, actor, program_id)
    image = decode_picture(data, field="cover", max_bytes=COVER_MAX_BYTES, draft=(COVER_SIZE[0] * 2, COVER_SIZE[1] * 2),
                           finish=_cover, log=log)
    name = save_image(image, suffix=".webp")
    previous = program.cover_image
    program.cover_image = name
    _touch(session, program)
    session.flush()
    if previous and previous != name:
        delete_upload(previous)
    return name


# --- The structure and its versions --------------------------------------------------------------


def draft_plan(session: Session, program: TrainingProgram) -> Plan:
    """The plan the trainer edits; made again (from the newest version) if the trainer deleted it."""
    plan = session.get(Plan, program.draft_plan_id) if program.draft_plan_id else None
    if plan is not None and plan.user_id == program.owner_id:
        return plan
    plan = Plan(user_id=program.owner_id, name=program.name, active=False)
    session.add(plan)
    session.flush()
    if program.current_version:
        _copy_structure(session, plan, version_structure(session, program.id, program.current_version))
    program.draft_plan_id = plan.id
    session.add(program)
    session.flush()
    return plan


def _snapshot(session: Session, plan_id: int) -> dict[str, Any]:
    days = session.exec(select(PlanDay).where(PlanDay.plan_id == plan_id).order_by(PlanDay.week, PlanDay.position)).all()
    rows = session.exec(
        select(PlanExercise, Exercise)
        .join(Exercise, Exercise.id == PlanExercise.exercise_id)
        .where(PlanExercise.day_id.in_([d.id for d in days]))
        .order_by(PlanExercise.position, PlanExercise.id)
    ).all() if days else []
    by_day: dict[int, list[dict]] = {}
    for row, exercise in rows:
        by_day.setdefault(row.day_id, []).append({
            "exercise_id": row.exercise_id, "exercise_name": exercise.name, "private": exercise.owner_id is not None,
            "position": row.position, "sets": row.sets, "reps_min": row.reps_min, "reps_max": row.reps_max,
            "load_kg": row.load_kg, "percent_1rm": row.percent_1rm, "target_rpe": row.target_rpe,
            "target_rir": row.target_rir, "rest_s": row.rest_s, "notes": row.notes,
        })
    return {"days": [{"week": d.week, "position": d.position, "name": d.name, "exercises": by_day.get(d.id, [])}
                     for d in days]}


def _public_structure(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {"days": [{**day, "exercises": [{k: v for k, v in e.items() if k != "private"} for e in day["exercises"]]}
                     for day in snapshot["days"]]}


def structure_summary(structure: dict[str, Any]) -> dict[str, int]:
    days = structure.get("days", [])
    return {"weeks": len({d["week"] for d in days}), "days": len(days),
            "exercises": sum(len(d["exercises"]) for d in days)}


def version_structure(session: Session, program_id: int, version: int) -> dict:
    row = session.exec(
        select(ProgramVersion).where(ProgramVersion.program_id == program_id, ProgramVersion.version == version)
    ).first()
    if row is None:
        raise ValidationFailed({"version": "That version of the program does not exist."})
    return row.structure


def _publish_errors(session: Session, program: TrainingProgram, snapshot: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not program.name.strip():
        errors["title"] = "Give the program a title."
    if not program.description.strip():
        errors["description"] = "Describe the program: who it is for and what they will do."
    if not any(day["exercises"] for day in snapshot["days"]):
        errors["structure"] = "Add at least one day with an exercise (Edit weeks and exercises)."
    private = sorted({e["exercise_name"] for d in snapshot["days"] for e in d["exercises"] if e["private"]})
    if private and "structure" not in errors:
        errors["structure"] = ("Buyers cannot see your custom exercises; swap them for library exercises: "
                               + ", ".join(private) + ".")
    if program.price_kind not in PRICE_KINDS:
        errors["price_kind"] = "Choose free, a one-time price or a monthly subscription."
    elif program.price_kind != "free":
        if not app_settings.MIN_PRICE_CENTS <= program.price_cents <= app_settings.MAX_PRICE_CENTS:
            errors["price"] = f"Set a price of at least {app_settings.MIN_PRICE_CENTS / 100:.2f}."
        if program.currency not in app_settings.CURRENCIES:
            errors["currency"] = "Choose a currency."
    return errors


def publish(session: Session, actor: Actor | User, program_id: int, changelog: str = "") -> TrainingProgram:
    """Put the program on sale; when the plan changed since the last version, freeze it as version n+1."""
    program = _owned(session, actor, program_id)
    if not is_approved_trainer(session, program.owner_id):
        raise PermissionDenied("Only approved trainers can publish programs.")
    changelog = str(changelog or "").strip()
    if len(changelog) > CHANGELOG_MAX:
        raise ValidationFailed({"changelog": f"Keep “What changed” to {CHANGELOG_MAX} characters or fewer."})
    snapshot = _snapshot(session, draft_plan(session, program).id)
    errors = _publish_errors(session, program, snapshot)
    if errors:
        raise ValidationFailed(errors)
    structure = _public_structure(snapshot)
    _require_what_the_exercises_need(session, program, structure)
    if program.current_version == 0 or version_structure(session, program.id, program.current_version) != structure:
        program.current_version += 1
        session.add(ProgramVersion(program_id=program.id, version=program.current_version, structure=structure,
                                   changelog=changelog or ("First version." if program.current_version == 1 else "")))
    if program.status != "published":
        program.status = "published"
        program.published_at = program.published_at or utcnow()
    _touch(session, program)
    session.flush()
    return program


def _require_what_the_exercises_need(session: Session, program: TrainingProgram, structure: dict[str, Any]) -> None:
    """Add to the program's required equipment whatever its exercises need, so "only equipment I
    have" never shows a barbell program to a member without a barbell, even if the trainer forgot
    to tick it. What the trainer ticked beyond that stays."""
    from adaptivefit.services.catalog.equipment_profiles import needed_equipment

    exercise_ids = {e["exercise_id"] for day in structure["days"] for e in day["exercises"]}
    needed = set().union(*needed_equipment(session, exercise_ids).values()) if exercise_ids else set()
    ticked = set(session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all())
    for equipment_id in sorted(needed - ticked):
        session.add(ProgramEquipment(program_id=program.id, equipment_id=equipment_id))


def unpublish(session: Session, actor: Actor | User, program_id: int) -> TrainingProgram:
    """Off the marketplace; those who bought it keep their copy."""
    program = _owned(session, actor, program_id)
    if program.status == "published":
        program.status = "unpublished"
        _touch(session, program)
        session.flush()
    return program


def _copy_structure(session: Session, plan: Plan, structure: dict) -> None:
    known = set(session.exec(select(Exercise.id).where(
        Exercise.id.in_({e["exercise_id"] for d in structure.get("days", []) for e in d["exercises"]}))).all())
    for day_data in structure.get("days", []):
        day = PlanDay(plan_id=plan.id, week=day_data["week"], position=day_data["position"], name=day_data["name"])
        session.add(day)
        session.flush()
        for e in day_data["exercises"]:
            if e["exercise_id"] not in known:  # removed from the library since; the rest of the day still works
                continue
            session.add(PlanExercise(
                day_id=day.id, exercise_id=e["exercise_id"], position=e["position"], sets=e["sets"],
                reps_min=e["reps_min"], reps_max=e["reps_max"], load_kg=e["load_kg"], percent_1rm=e["percent_1rm"],
                target_rpe=e["target_rpe"], target_rir=e["target_rir"], rest_s=e["rest_s"], notes=e["notes"]))
    session.flush()


def install_version(session: Session, user_id: int, program_id: int, version: int) -> Plan:
    """Copy that version into a new plan of `user_id`, linked to the program, and make it their active plan."""
    program = session.get(TrainingProgram, program_id)
    if program is None:
        raise ValidationFailed({"program": NOT_FOUND})
    structure = version_structure(session, program_id, version)
    for other in session.exec(select(Plan).where(Plan.user_id == user_id, Plan.active.is_(True))).all():
        other.active = False
        session.add(other)
    plan = Plan(user_id=user_id, name=program.name[:TITLE_MAX], active=True, program_id=program.id)
    session.add(plan)
    session.flush()
    _copy_structure(session, plan, structure)
    return plan


# --- Buying ------------------------------------------------------------------------------------


@dataclass
class Offer:
    program_id: int
    version: int
    title: str
    price_kind: str
    price_cents: int
    currency: str
    trainer: Trainer
    owner_id: int


def checkout_offer(session: Session, buyer_id: int, program_id: int) -> Offer:
    """What a buyer would get and pay now, read from the database (never from the browser)."""
    program = session.get(TrainingProgram, program_id) if isinstance(program_id, int) else None
    if program is None or program.status != "published" or program.hidden or program.current_version < 1:
        raise ValidationFailed({"program": "This program is not on sale."})
    trainer = session.exec(select(Trainer).where(Trainer.user_id == program.owner_id)).first()
    if trainer is None or trainer.status != "approved":
        raise ValidationFailed({"program": "This program is not on sale."})
    if program.owner_id == buyer_id:
        raise ValidationFailed({"program": "This is your own program; edit it in the studio."})
    return Offer(program_id=program.id, version=program.current_version, title=program.name,
                 price_kind=program.price_kind, price_cents=0 if program.price_kind == "free" else program.price_cents,
                 currency=program.currency, trainer=trainer, owner_id=program.owner_id)


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
                      program.current_version, price_text(program), program.sales_count, program.rating_avg,
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
    program = _owned(session, actor, program_id)
    plan = draft_plan(session, program)
    structure = _public_structure(_snapshot(session, plan.id))
    versions = session.exec(select(ProgramVersion).where(ProgramVersion.program_id == program.id)
                            .order_by(ProgramVersion.version.desc())).all()
    current = next((v.structure for v in versions if v.version == program.current_version), None)
    equipment = session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all()
    return BuilderView(
        id=program.id, title=program.name, description=program.description, goal=program.goal, level=program.level,
        duration_weeks=program.duration_weeks, equipment_ids=sorted(equipment), price_kind=program.price_kind,
        price="" if program.price_kind == "free" else f"{program.price_cents / 100:.2f}", currency=program.currency,
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


# --- Moderation --------------------------------------------------------------------------------


def hide(session: Session, moderator: Actor, program_id: int, reason: str) -> TrainingProgram:
    require(moderator, *STAFF)
    program = session.get(TrainingProgram, program_id) if isinstance(program_id, int) else None
    if program is None:
        raise ValidationFailed({"program": NOT_FOUND})
    reason = " ".join(text(reason).split())
    if not reason:
        raise ValidationFailed({"reason": "Give the trainer a reason: they will see it."})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": f"Keep the reason to {REASON_MAX} characters or fewer."})
    program.hidden, program.hidden_reason, program.hidden_at, program.hidden_by = True, reason, utcnow(), moderator.id
    _touch(session, program)
    audit.record(session, "program_hidden", actor_id=moderator.id, user_id=program.owner_id,
                 ip_address=getattr(moderator, "ip_address", ""), program_id=program.id, reason=reason)
    session.flush()
    return program


def unhide(session: Session, moderator: Actor, program_id: int) -> TrainingProgram:
    require(moderator, *STAFF)
    program = session.get(TrainingProgram, program_id) if isinstance(program_id, int) else None
    if program is None:
        raise ValidationFailed({"program": NOT_FOUND})
    if program.hidden:
        program.hidden, program.hidden_reason, program.hidden_at, program.hidden_by = False, "", None, None
        _touch(session, program)
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


def moderation_list(session: Session, actor: Actor, query: str = "", page: int = 1) -> tuple[list[ModerationRow], int]:
    """Every program but drafts never published, newest change first, searchable by title or trainer."""
    require(actor, *STAFF)
    conditions = [or_(TrainingProgram.status != "draft", TrainingProgram.hidden.is_(True))]
    query = text(query)[:120]
    if query:
        conditions.append(or_(TrainingProgram.name.icontains(query, autoescape=True),
                              User.name.icontains(query, autoescape=True)))
    total = session.exec(select(func.count()).select_from(TrainingProgram)
                         .join(User, User.id == TrainingProgram.owner_id).where(*conditions)).one()
    page = max(1, int(page or 1))
    rows = session.exec(select(TrainingProgram, User.name).join(User, User.id == TrainingProgram.owner_id)
                        .where(*conditions).order_by(TrainingProgram.updated_at.desc(), TrainingProgram.id.desc())
                        .limit(MODERATION_PAGE_SIZE).offset((page - 1) * MODERATION_PAGE_SIZE)).all()
    return [ModerationRow(p.id, p.name, name, p.status, p.hidden, p.hidden_reason, price_text(p), p.updated_at)
            for p, name in rows], total
