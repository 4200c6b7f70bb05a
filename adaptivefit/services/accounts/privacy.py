"""A member's rights over their data (GDPR art. 15, 17, 20): a full export, and erasure.

Each table that holds something about a member is named once below, for the export and for
erasure; `tests/services/test_privacy.py` fails when a table with a user foreign key is in
neither list, so a new table cannot be forgotten quietly.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlmodel import Session, SQLModel

from adaptivefit.models.knowledge import KnowledgeRecord
from adaptivefit.models import (
    AppSetting,
    Checkout,
    ProgramReview,
    TrainerCertificate,
    CoachTweak,
    ExpenditureEstimate,
    Food,
    RecipeIngredient,
    Achievement,
    EquipmentProfile,
    EquipmentProfileItem,
    PersonalRecord,
    Plan,
    PlanDay,
    PlanExercise,
    ApiToken,
    AuditEvent,
    AuthSession,
    Equipment,
    Exercise,
    FitnessData,
    FoodEntry,
    Goal,
    LoginThrottle,
    NutritionGoal,
    PasswordResetToken,
    Payout,
    Purchase,
    RecoveryCode,
    Trainer,
    TrainingProgram,
    User,
    Workout,
    WorkoutSet,
)
from adaptivefit.models.base import utcnow
from adaptivefit.services.core import audit
from adaptivefit.services.files import private_files
from adaptivefit.services.files.avatars import delete_upload, stored_path

# Never leaves the server, not even to the member it belongs to.
SECRET_COLUMNS = {
    "password_hash", "totp_secret", "totp_last_step", "token_hash", "code_hash",
    # Payment-processor references: keys to records at Stripe, not information about the member.
    "stripe_account_id", "stripe_subscription_id", "stripe_payout_id",
}


@dataclass(frozen=True)
class ExportKind:
    """One file of the export: rows of `model` chosen by `where(user_id)`."""

    filename: str
    model: type[SQLModel]
    where: Callable[[int], Any]
    about: str


def _owned(column) -> Callable[[int], Any]:
    return lambda user_id: column == user_id


EXPORTS: tuple[ExportKind, ...] = (
    ExportKind("sessions.json", AuthSession, _owned(AuthSession.user_id), "devices and browsers signed in to your account"),
    ExportKind("fitness_data.json", FitnessData, _owned(FitnessData.user_id), "everything measured or logged: sleep, body weight, heart rate, steps..."),
    ExportKind("goals.json", Goal, _owned(Goal.user_id), "your training goals"),
    ExportKind("workouts.json", Workout, _owned(Workout.user_id), "your workouts"),
    ExportKind("workout_sets.json", WorkoutSet, _owned(WorkoutSet.user_id), "every set you logged (exercise_id refers to exercises)"),
    ExportKind("food_entries.json", FoodEntry, _owned(FoodEntry.user_id), "food you logged"),
    ExportKind("nutrition_goals.json", NutritionGoal, _owned(NutritionGoal.user_id), "your calorie and macro targets"),
    ExportKind("purchases.json", Purchase, _owned(Purchase.user_id), "programs and subscriptions you bought (amounts in cents)"),
    ExportKind("training_programs.json", TrainingProgram, _owned(TrainingProgram.owner_id), "training programs you created"),
    ExportKind("trainer.json", Trainer, _owned(Trainer.user_id), "your trainer profile, if you have one"),
    ExportKind(
        "payouts.json",
        Payout,
        lambda user_id: Payout.trainer_id.in_(select(Trainer.id).where(Trainer.user_id == user_id)),
        "what you were paid as a trainer (amounts in cents)",
    ),
    ExportKind("api_tokens.json", ApiToken, _owned(ApiToken.user_id), "your API tokens (names and prefixes, never the secret)"),
    ExportKind("audit_events.json", AuditEvent, _owned(AuditEvent.user_id), "the security log of your account: sign-ins, changes, exports"),
    ExportKind("exercises.json", Exercise, _owned(Exercise.owner_id), "your private custom exercises"),
    ExportKind("plans.json", Plan, _owned(Plan.user_id), "your training plans"),
    ExportKind("plan_days.json", PlanDay,
               lambda user_id: PlanDay.plan_id.in_(select(Plan.id).where(Plan.user_id == user_id)),
               "the days of your plans (plan_id refers to plans)"),
    ExportKind("plan_exercises.json", PlanExercise,
               lambda user_id: PlanExercise.day_id.in_(
                   select(PlanDay.id).join(Plan, Plan.id == PlanDay.plan_id).where(Plan.user_id == user_id)),
               "the exercises planned on each day, with sets, reps, load, effort and rest"),
    ExportKind("equipment_profiles.json", EquipmentProfile, _owned(EquipmentProfile.user_id),
               "where you train (home, gym)"),
    ExportKind("equipment_profile_items.json", EquipmentProfileItem,
               lambda user_id: EquipmentProfileItem.profile_id.in_(
                   select(EquipmentProfile.id).where(EquipmentProfile.user_id == user_id)),
               "the equipment in each of those places and whether it is out of order"),
    ExportKind("personal_records.json", PersonalRecord, _owned(PersonalRecord.user_id), "your personal records"),
    ExportKind("achievements.json", Achievement, _owned(Achievement.user_id), "the badges you earned"),
    ExportKind("foods.json", Food, _owned(Food.owner_id), "foods and recipes you added"),
    ExportKind("recipe_ingredients.json", RecipeIngredient,
               lambda user_id: RecipeIngredient.recipe_id.in_(select(Food.id).where(Food.owner_id == user_id)),
               "the ingredients of your recipes (grams of each food)"),
    ExportKind("expenditure_estimates.json", ExpenditureEstimate, _owned(ExpenditureEstimate.user_id),
               "the energy expenditure estimated from your intake and weight"),
    ExportKind("coach_tweaks.json", CoachTweak, _owned(CoachTweak.user_id),
               "every change the coach suggested, why, and whether you took it"),
    ExportKind("program_reviews.json", ProgramReview, _owned(ProgramReview.user_id),
               "your reviews of programs you bought"),
    ExportKind("checkouts.json", Checkout, _owned(Checkout.user_id),
               "every time you started paying, with the price and whether it went through (amounts in cents)"),
    ExportKind("trainer_certificates.json", TrainerCertificate,
               lambda user_id: TrainerCertificate.trainer_id.in_(select(Trainer.id).where(Trainer.user_id == user_id)),
               "the certifications you uploaded with your trainer application (file names in our private store)"),
)

# Not exported: rows that exist only to secure the account (a hash and its dates), and the
# shared equipment catalogue, whose entries say nothing about who added them beyond that link.
# ... nor which knowledge records a moderator hid: that is moderation of shared content.
# Nor the staff-side links: who reviewed an application, hid a program or changed a setting.
NOT_EXPORTED = (RecoveryCode.user_id, PasswordResetToken.user_id, Equipment.created_by, KnowledgeRecord.hidden_by,
                Trainer.reviewed_by, TrainingProgram.hidden_by, AppSetting.updated_by)

# Erasure: rows deleted outright, children before parents.
ERASE_DELETE = (
    CoachTweak.user_id,
    PersonalRecord.user_id,
    Achievement.user_id,
    WorkoutSet.user_id,
    Workout.user_id,
    FitnessData.user_id,
    Goal.user_id,
    FoodEntry.user_id,
    NutritionGoal.user_id,
    AuthSession.user_id,
    RecoveryCode.user_id,
    PasswordResetToken.user_id,
    ApiToken.user_id,
    EquipmentProfile.user_id,
    # Plans before private exercises: a planned exercise holds on to its exercise.
    Plan.user_id,
    Exercise.owner_id,
    ExpenditureEstimate.user_id,
    Food.owner_id,
    ProgramReview.user_id,
    TrainingProgram.owner_id,
)
# Rows kept for the books or the shared catalogue, with the link to the person cut.
ERASE_DETACH = (Purchase.user_id, Checkout.user_id, Equipment.created_by, KnowledgeRecord.hidden_by,
                Trainer.reviewed_by, TrainingProgram.hidden_by, AppSetting.updated_by)
# Handled by hand below: trainers (kept for payouts), the audit log (scrubbed).
ERASE_SPECIAL = (Trainer.user_id, AuditEvent.user_id, AuditEvent.actor_id)

README = """\
Adaptive Fit: your data
=======================

This archive holds everything Adaptive Fit stores about your account, as of {created}.
Every file is JSON (UTF-8): profile.json is one object, every other file is a list of
records, one per row. Times are ISO 8601 in UTC; money is in minor units (cents) with a
currency code; mass is in kilograms, height in centimetres, energy in kcal.

profile.json            your account and profile (never your password, which is stored
                        only as a one-way hash, nor your two-factor secret)
{files}
uploads/                your profile picture, if you set one
photos/                 the photos you took of your meals and the certificates you uploaded
                        as a trainer (food_entries.json and trainer_certificates.json name them)

Ids (id, user_id, workout_id...) link records across files. Secrets such as token hashes
and payment-processor ids are left out.
"""


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot export a {type(value).__name__}")


def _record(row: SQLModel) -> dict[str, Any]:
    return {
        column.name: getattr(row, column.key)
        for column in row.__table__.columns
        if column.name not in SECRET_COLUMNS
    }


def _dump(payload: Any) -> str:
    return json.dumps(payload, default=_json_value, ensure_ascii=False, indent=2)


def export_user_data(session: Session, user: User, *, ip_address: str = "") -> bytes:
    """A ZIP archive of every record about `user`, in machine-readable JSON."""
    session.flush()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", _dump(_record(user)))
        for kind in EXPORTS:
            statement = select(kind.model).where(kind.where(user.id)).order_by(*kind.model.__table__.primary_key.columns)
            rows = session.execute(statement).scalars().all()
            archive.writestr(kind.filename, _dump([_record(row) for row in rows]))
        avatar = stored_path(user.avatar)
        if avatar is not None and avatar.is_file():
            archive.write(avatar, f"uploads/{avatar.name}")
        for name in private_files.names_owned_by(session, user.id):
            photo = private_files.path_of(name)
            if photo is not None and photo.is_file():
                archive.write(photo, f"photos/{photo.name}")
        files = "\n".join(f"{kind.filename:<30}{kind.about}" for kind in EXPORTS)
        archive.writestr("README.txt", README.format(created=utcnow().isoformat(timespec="seconds"), files=files))
    audit.record(session, "data_exported", user_id=user.id, ip_address=ip_address)
    session.flush()
    return buffer.getvalue()


def throttle_key(email: str) -> str:
    """How the sign-in throttle names an account: a hash of its normalised email."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _erase_trainer(session: Session, user_id: int) -> None:
    trainer = session.execute(select(Trainer).where(Trainer.user_id == user_id)).scalar_one_or_none()
    if trainer is None:
        return
    # The certificates' files are deleted with the member's other private files, after the flush.
    session.execute(delete(TrainerCertificate).where(TrainerCertificate.trainer_id == trainer.id))
    has_payouts = session.execute(select(Payout.id).where(Payout.trainer_id == trainer.id).limit(1)).first()
    if has_payouts is None:
        session.delete(trainer)
        return
    # Payouts are accounting records: the trainer row they point at stays, anonymous.
    trainer.user_id = None
    trainer.bio = ""
    trainer.headline = ""
    trainer.rejection_reason = ""
    trainer.specialties = []
    trainer.stripe_account_id = None
    trainer.updated_at = utcnow()
    session.add(trainer)


def _scrub_audit_log(session: Session, user_id: int) -> None:
    about = or_(AuditEvent.user_id == user_id, AuditEvent.actor_id == user_id)
    session.execute(update(AuditEvent).where(about).values(ip_address="", details={}))
    session.execute(update(AuditEvent).where(AuditEvent.user_id == user_id).values(user_id=None))
    session.execute(update(AuditEvent).where(AuditEvent.actor_id == user_id).values(actor_id=None))


def erase_account(session: Session, user: User, *, ip_address: str = "") -> None:
    """Delete `user` and everything personal about them, keeping anonymous accounting records.

    `ip_address` is accepted for the caller's convenience but not stored: the record that an
    account was erased must not say whose it was.
    """
    user_id = user.id
    avatar = user.avatar
    session.flush()
    photos = private_files.names_owned_by(session, user_id)
    # A recipe's ingredient rows hold on to the member's own foods (ON DELETE RESTRICT), which go in
    # the same statement as the recipes: take the rows first.
    session.execute(delete(RecipeIngredient).where(
        RecipeIngredient.recipe_id.in_(select(Food.id).where(Food.owner_id == user_id))))
    for column in ERASE_DELETE:
        session.execute(delete(column.class_).where(column == user_id))
    for column in ERASE_DETACH:
        session.execute(update(column.class_).where(column == user_id).values({column.key: None}))
    _erase_trainer(session, user_id)
    _scrub_audit_log(session, user_id)
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.scope == "account", LoginThrottle.key == throttle_key(user.email))
    )
    session.delete(user)
    session.flush()
    if avatar:
        delete_upload(avatar)
    for name in photos:
        private_files.delete(name)
    audit.record(session, "account_deleted")
    session.flush()
