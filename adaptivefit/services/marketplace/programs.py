"""A trainer's program: what it is, who may see or change it, and what a buyer gets.

A program's weeks, days and exercises are edited as one of the trainer's own plans (the plan
editor, services/training/plans.py): `draft_plan_id` points at it. Publishing
(program_publishing.py) freezes that plan into a `ProgramVersion`; buyers get a copy of the
version they paid for (`install_version`) and keep it when the trainer publishes a newer one.
Moderators hide a program with a reason the trainer sees (program_moderation.py). Only the owner
(and staff) see a draft, unpublished or hidden program.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from adaptivefit.models import Exercise, Plan, PlanDay, PlanExercise, ProgramVersion, Role, Trainer, TrainingProgram, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import STAFF, Actor, NotYours, ValidationFailed, acting_id, owned
from adaptivefit.services.core.inputs import as_id
from adaptivefit.services.marketplace import pricing, trainers

TITLE_MAX = 120
DESCRIPTION_MAX = 10_000
CHANGELOG_MAX = 2000
REASON_MAX = 1000
GOALS = ("strength", "hypertrophy", "fat_loss", "endurance", "general_fitness", "powerlifting")
LEVELS = ("beginner", "intermediate", "advanced")
PRICE_KINDS = ("free", "one_time", "subscription")
WEEKS_RANGE = (1, 52)
COVER_MAX_BYTES = 5 * 1024 * 1024
# One byte past the limit: enough to refuse an oversized upload without reading all of it.
COVER_READ_BYTES = COVER_MAX_BYTES + 1
COVER_SIZE = (960, 540)
MODERATION_PAGE_SIZE = 20
NOT_FOUND = "That program was not found."


# --- Reading helpers shared with the marketplace -----------------------------------------------


def label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def is_staff(actor: Actor | User | None) -> bool:
    return actor is not None and getattr(actor, "role", None) in STAFF


def is_listed(session: Session, program: TrainingProgram) -> bool:
    """On sale to anyone: published, not hidden, its trainer approved."""
    return (program.status == "published" and not program.hidden
            and trainers.is_approved_trainer(session, program.owner_id))


def find(session: Session, program_id: object) -> TrainingProgram | None:
    """The program with this id (read from input), or None."""
    key = as_id(program_id)
    return session.get(TrainingProgram, key) if key is not None else None


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


def owned_program(session: Session, actor: Actor | User | None, program_id) -> TrainingProgram:
    """The program when `actor` may change it: its owner, or an admin (who may fix any program)."""
    if getattr(actor, "role", None) != Role.ADMIN:
        return owned(session, TrainingProgram, program_id, actor, "That program", owner_field="owner_id")
    acting_id(actor)
    program = find(session, program_id)
    if program is None:
        raise NotYours("That program was not found in your account.")
    return program


def touch(session: Session, program: TrainingProgram) -> None:
    program.updated_at = utcnow()
    session.add(program)


# --- Versions as buyers receive them ---------------------------------------------------------------


def structure_summary(structure: dict) -> dict[str, int]:
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


def copy_structure(session: Session, plan: Plan, structure: dict) -> None:
    """Write a frozen structure's days and exercises into `plan`."""
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
    copy_structure(session, plan, structure)
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
    trainer = trainers.trainer_for_user(session, program.owner_id)
    if trainer is None or trainer.status != "approved":
        raise ValidationFailed({"program": "This program is not on sale."})
    if program.owner_id == buyer_id:
        raise ValidationFailed({"program": "This is your own program; edit it in the studio."})
    return Offer(program_id=program.id, version=program.current_version, title=program.name,
                 price_kind=program.price_kind, price_cents=pricing.price_to_pay(program.price_kind, program.price_cents),
                 currency=program.currency, trainer=trainer, owner_id=program.owner_id)
