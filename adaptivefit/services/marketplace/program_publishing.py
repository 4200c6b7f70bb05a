"""Publishing a program: the draft plan frozen into numbered versions, and taking it off sale.

A new version is written only when the draft's structure differs from the current one, so
publishing again after a price change does not make buyers' copies look out of date.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from adaptivefit.models import (
    Exercise,
    Plan,
    PlanDay,
    PlanExercise,
    ProgramEquipment,
    ProgramVersion,
    TrainingProgram,
    User,
)
from adaptivefit.models.base import utcnow
from adaptivefit.services.catalog.equipment_profiles import needed_equipment
from adaptivefit.services.core import app_settings
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.services.core.money import amount_text
from adaptivefit.services.marketplace import trainers
from adaptivefit.services.marketplace.programs import (
    CHANGELOG_MAX,
    PRICE_KINDS,
    copy_structure,
    owned_program,
    touch,
    version_structure,
)


def draft_plan(session: Session, program: TrainingProgram) -> Plan:
    """The plan the trainer edits; made again (from the newest version) if the trainer deleted it."""
    plan = session.get(Plan, program.draft_plan_id) if program.draft_plan_id else None
    if plan is not None and plan.user_id == program.owner_id:
        return plan
    plan = Plan(user_id=program.owner_id, name=program.name, active=False)
    session.add(plan)
    session.flush()
    if program.current_version:
        copy_structure(session, plan, version_structure(session, program.id, program.current_version))
    program.draft_plan_id = plan.id
    session.add(program)
    session.flush()
    return plan


def snapshot(session: Session, plan_id: int) -> dict[str, Any]:
    """The plan's days and exercises as a version stores them, marking the trainer's private exercises."""
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


def public_structure(taken: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without the private marks: what a version stores and a buyer sees."""
    return {"days": [{**day, "exercises": [{k: v for k, v in e.items() if k != "private"} for e in day["exercises"]]}
                     for day in taken["days"]]}


def _publish_errors(program: TrainingProgram, taken: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not program.name.strip():
        errors["title"] = "Give the program a title."
    if not program.description.strip():
        errors["description"] = "Describe the program: who it is for and what they will do."
    if not any(day["exercises"] for day in taken["days"]):
        errors["structure"] = "Add at least one day with an exercise (Edit weeks and exercises)."
    private = sorted({e["exercise_name"] for d in taken["days"] for e in d["exercises"] if e["private"]})
    if private and "structure" not in errors:
        errors["structure"] = ("Buyers cannot see your custom exercises; swap them for library exercises: "
                               + ", ".join(private) + ".")
    if program.price_kind not in PRICE_KINDS:
        errors["price_kind"] = "Choose free, a one-time price or a monthly subscription."
    elif program.price_kind != "free":
        if not app_settings.MIN_PRICE_CENTS <= program.price_cents <= app_settings.MAX_PRICE_CENTS:
            errors["price"] = f"Set a price of at least {amount_text(app_settings.MIN_PRICE_CENTS)}."
        if program.currency not in app_settings.CURRENCIES:
            errors["currency"] = "Choose a currency."
    return errors


def publish(session: Session, actor: Actor | User, program_id: int, changelog: str = "") -> TrainingProgram:
    """Put the program on sale; when the plan changed since the last version, freeze it as version n+1."""
    program = owned_program(session, actor, program_id)
    if not trainers.is_approved_trainer(session, program.owner_id):
        raise PermissionDenied("Only approved trainers can publish programs.")
    changelog = str(changelog or "").strip()
    if len(changelog) > CHANGELOG_MAX:
        raise ValidationFailed({"changelog": f"Keep “What changed” to {CHANGELOG_MAX} characters or fewer."})
    taken = snapshot(session, draft_plan(session, program).id)
    errors = _publish_errors(program, taken)
    if errors:
        raise ValidationFailed(errors)
    structure = public_structure(taken)
    _require_what_the_exercises_need(session, program, structure)
    if program.current_version == 0 or version_structure(session, program.id, program.current_version) != structure:
        program.current_version += 1
        session.add(ProgramVersion(program_id=program.id, version=program.current_version, structure=structure,
                                   changelog=changelog or ("First version." if program.current_version == 1 else "")))
    if program.status != "published":
        program.status = "published"
        program.published_at = program.published_at or utcnow()
    touch(session, program)
    session.flush()
    return program


def _require_what_the_exercises_need(session: Session, program: TrainingProgram, structure: dict[str, Any]) -> None:
    """Add to the program's required equipment whatever its exercises need, so "only equipment I
    have" never shows a barbell program to a member without a barbell, even if the trainer forgot
    to tick it. What the trainer ticked beyond that stays."""
    exercise_ids = {e["exercise_id"] for day in structure["days"] for e in day["exercises"]}
    needed = set().union(*needed_equipment(session, exercise_ids).values()) if exercise_ids else set()
    ticked = set(session.exec(select(ProgramEquipment.equipment_id).where(ProgramEquipment.program_id == program.id)).all())
    for equipment_id in sorted(needed - ticked):
        session.add(ProgramEquipment(program_id=program.id, equipment_id=equipment_id))


def unpublish(session: Session, actor: Actor | User, program_id: int) -> TrainingProgram:
    """Off the marketplace; those who bought it keep their copy."""
    program = owned_program(session, actor, program_id)
    if program.status == "published":
        program.status = "unpublished"
        touch(session, program)
        session.flush()
    return program
