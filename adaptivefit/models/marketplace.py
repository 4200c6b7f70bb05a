"""Trainers, their programs, what members bought and what trainers are paid.

Money is integer minor units (cents) with an ISO currency code, never floats.

Who writes what:
- `trainers`, `trainer_certificates`: services/trainers.py (applications, review, Connect status).
- `training_programs`, `program_versions`, `program_equipment`, `program_reviews`:
  services/programs.py (the builder) and services/marketplace.py (browsing, reviews).
- `checkouts`, `purchases`, `stripe_events`, `ledger_entries`, `test_payment_objects`:
  services/billing.py and services/stripe_events.py (Checkout, webhooks, refunds, the test provider).
- `payouts`: jobs/payouts.py. `app_settings`: services/app_settings.py.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from adaptivefit.models.base import UTCDateTime, utcnow


class Trainer(SQLModel, table=True):
    __tablename__ = "trainers"

    id: int | None = Field(default=None, primary_key=True)
    # Null once the trainer's account is erased: the row stays for the payouts that point at it.
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, unique=True, ondelete="SET NULL")
    certification_verified: bool = Field(default=False, index=True)
    bio: str = Field(default="", max_length=4000)
    specialties: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    stripe_account_id: str | None = Field(default=None, max_length=64)
    # From Stripe's account.updated: destination charges only once charges are enabled.
    stripe_charges_enabled: bool = Field(default=False)
    stripe_payouts_enabled: bool = Field(default=False)
    # The application: pending until a moderator approves or rejects it (with a reason the applicant sees).
    status: str = Field(default="pending", max_length=16, index=True)  # pending | approved | rejected
    headline: str = Field(default="", max_length=120)
    rejection_reason: str = Field(default="", max_length=1000)
    applied_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    reviewed_by: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    # Null: the platform's default commission applies.
    commission_percent: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class TrainerCertificate(SQLModel, table=True):
    """A certification document (PDF or image) kept in the private folder, seen by the trainer and staff."""

    __tablename__ = "trainer_certificates"

    id: int | None = Field(default=None, primary_key=True)
    trainer_id: int = Field(foreign_key="trainers.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    # A random name inside the private folder (services/private_files), never a path the browser chose.
    file_name: str = Field(max_length=255)
    content_type: str = Field(max_length=40)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class TrainingProgram(SQLModel, table=True):
    __tablename__ = "training_programs"
    __table_args__ = (
        Index("ix_training_programs_listing", "status", "hidden", "rating_avg"),
        Index("ix_training_programs_listing_price", "status", "hidden", "price_cents"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120, index=True)
    description: str = Field(default="", max_length=10000)
    # Weeks -> days -> exercises with sets, reps and load, as structured JSON.
    exercises: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    price_cents: int = Field(default=0, ge=0)
    currency: str = Field(default="usd", max_length=3)
    price_kind: str = Field(default="free", max_length=16, index=True)  # free | one_time | subscription
    status: str = Field(default="draft", max_length=16, index=True)  # draft | published | unpublished
    goal: str = Field(default="general", max_length=24, index=True)
    level: str = Field(default="beginner", max_length=16, index=True)
    duration_weeks: int = Field(default=4, index=True)
    cover_image: str | None = Field(default=None, max_length=255)
    # The trainer edits the structure as one of their plans; publishing snapshots it as a version.
    # use_alter: plans.program_id points back here, so one of the pair is added after both tables.
    draft_plan_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("plans.id", ondelete="SET NULL", use_alter=True), index=True, nullable=True))
    current_version: int = Field(default=0)  # 0: never published
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # A moderator's hide, with the reason the trainer sees.
    hidden: bool = Field(default=False, index=True)
    hidden_reason: str = Field(default="", max_length=1000)
    hidden_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    hidden_by: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    # Kept in step with program_reviews and purchases so the marketplace sorts on an index.
    rating_avg: float = Field(default=0.0)
    rating_count: int = Field(default=0)
    sales_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class ProgramVersion(SQLModel, table=True):
    """What a buyer gets: a frozen copy of the program's weeks, days and exercises."""

    __tablename__ = "program_versions"
    __table_args__ = (UniqueConstraint("program_id", "version", name="uq_program_versions_program_version"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="training_programs.id", index=True, ondelete="CASCADE")
    version: int
    changelog: str = Field(default="", max_length=2000)
    # {"days": [{"week", "position", "name", "exercises": [{"exercise_id", "exercise_name", "sets", ...}]}]}
    structure: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class ProgramEquipment(SQLModel, table=True):
    """Equipment a program needs, so "equipment I have" filters on an index."""

    __tablename__ = "program_equipment"

    program_id: int = Field(foreign_key="training_programs.id", primary_key=True, ondelete="CASCADE")
    equipment_id: int = Field(foreign_key="equipment.id", primary_key=True, index=True, ondelete="CASCADE")


class ProgramReview(SQLModel, table=True):
    """One review per buyer per program, editable."""

    __tablename__ = "program_reviews"
    __table_args__ = (UniqueConstraint("program_id", "user_id", name="uq_program_reviews_program_user"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="training_programs.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    rating: int
    body: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Checkout(SQLModel, table=True):
    """One attempt to pay: the price as the server read it, and the key that makes retries safe."""

    __tablename__ = "checkouts"

    id: int | None = Field(default=None, primary_key=True)
    # Random, put in Stripe metadata and the test provider's URLs; the row id is never sent out.
    public_id: str = Field(max_length=40, unique=True, index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    product: str = Field(default="program", max_length=16)  # program | pro
    program_id: int | None = Field(default=None, foreign_key="training_programs.id", index=True, ondelete="SET NULL")
    program_version: int | None = Field(default=None)
    mode: str = Field(max_length=16)  # payment | subscription
    amount_cents: int = Field(ge=0)
    currency: str = Field(default="usd", max_length=3)
    trainer_id: int | None = Field(default=None, foreign_key="trainers.id", index=True, ondelete="SET NULL")
    commission_percent: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2), nullable=True))
    application_fee_cents: int | None = Field(default=None)
    destination_account: str | None = Field(default=None, max_length=64)
    provider: str = Field(default="test", max_length=8)  # stripe | test
    idempotency_key: str = Field(max_length=80, unique=True)
    stripe_session_id: str | None = Field(default=None, max_length=255, unique=True, index=True)
    status: str = Field(default="open", max_length=16, index=True)  # open | completed | failed | expired
    failure_message: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class Purchase(SQLModel, table=True):
    __tablename__ = "purchases"

    id: int | None = Field(default=None, primary_key=True)
    # Kept for accounting when an account is erased, so the user may become null.
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    program_id: int | None = Field(default=None, foreign_key="training_programs.id", index=True, ondelete="SET NULL")
    kind: str = Field(max_length=16)  # free | one_time | subscription
    # active | past_due (renewal failed, Stripe retrying) | canceled | expired | refunded
    status: str = Field(default="active", max_length=16, index=True)
    product: str = Field(default="program", max_length=16, index=True)  # program | pro
    amount_cents: int = Field(default=0, ge=0)
    currency: str = Field(default="usd", max_length=3)
    refunded_cents: int = Field(default=0, ge=0)
    # The version bought and the plan it became; the buyer may move to a newer version.
    program_version: int | None = Field(default=None)
    plan_id: int | None = Field(default=None, foreign_key="plans.id", index=True, ondelete="SET NULL")
    trainer_id: int | None = Field(default=None, foreign_key="trainers.id", index=True, ondelete="SET NULL")
    checkout_id: int | None = Field(default=None, foreign_key="checkouts.id", index=True, ondelete="SET NULL")
    start_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # Subscriptions: the end of the paid period (the renewal date, or when access ends once canceled).
    end_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    cancel_at_period_end: bool = Field(default=False)
    stripe_subscription_id: str | None = Field(default=None, max_length=64, index=True)
    stripe_customer_id: str | None = Field(default=None, max_length=64)
    stripe_payment_intent_id: str | None = Field(default=None, max_length=64, index=True)
    # Stripe's `created` of the newest subscription event applied, so an older one cannot undo it.
    stripe_synced_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class StripeEvent(SQLModel, table=True):
    """A webhook event handled, stored in the same transaction as its effect: exactly once."""

    __tablename__ = "stripe_events"

    id: str = Field(sa_column=Column(String(255), primary_key=True))
    type: str = Field(max_length=80)
    created: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    processed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class LedgerEntry(SQLModel, table=True):
    """Money per sale or refund, in cents: gross == fee + platform + trainer, refunds negative."""

    __tablename__ = "ledger_entries"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)  # sale | refund
    # What makes the entry unique at Stripe (invoice, payment intent, or charge + refunded total).
    source_id: str = Field(max_length=255, unique=True)
    purchase_id: int | None = Field(default=None, foreign_key="purchases.id", index=True, ondelete="SET NULL")
    # Null for platform sales (the Pro plan).
    trainer_id: int | None = Field(default=None, foreign_key="trainers.id", index=True, ondelete="SET NULL")
    stripe_charge_id: str | None = Field(default=None, max_length=64, index=True)
    stripe_payment_intent_id: str | None = Field(default=None, max_length=64, index=True)
    gross_cents: int
    fee_cents: int
    platform_cents: int
    trainer_cents: int
    currency: str = Field(default="usd", max_length=3)
    commission_percent: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2), nullable=True))
    # True when Stripe moved the trainer's share with a destination charge.
    destination: bool = Field(default=False)
    payout_id: int | None = Field(default=None, foreign_key="payouts.id", index=True, ondelete="SET NULL")
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))


class TestPaymentObject(SQLModel, table=True):
    """The built-in test payment provider's own records (sessions, subscriptions, charges, accounts).

    Used only without Stripe keys; shaped like the Stripe objects it stands in for.
    """

    __tablename__ = "test_payment_objects"
    __test__ = False  # not a pytest class

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    type: str = Field(max_length=32, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class AppSetting(SQLModel, table=True):
    """Settings admins change at run time (the commission, the Pro price)."""

    __tablename__ = "app_settings"

    key: str = Field(sa_column=Column(String(64), primary_key=True))
    value: str = Field(max_length=255)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_by: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")


class Payout(SQLModel, table=True):
    """A trainer's earnings for one period, made by the monthly job from the ledger."""

    __tablename__ = "payouts"
    __table_args__ = (UniqueConstraint("trainer_id", "period_start", "currency", name="uq_payouts_trainer_period_currency"),)

    id: int | None = Field(default=None, primary_key=True)
    trainer_id: int = Field(foreign_key="trainers.id", index=True, ondelete="RESTRICT")
    amount_cents: int
    currency: str = Field(default="usd", max_length=3)
    period_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    period_end: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # transferred: Stripe already moved it (destination charges) | pending: owed, trainer not connected
    # | paid: sent by a transfer | carried: a negative balance taken into the next period
    status: str = Field(default="pending", max_length=16, index=True)
    entries_count: int = Field(default=0)
    # The Stripe transfer that paid it, when the platform paid it after the fact.
    stripe_payout_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
