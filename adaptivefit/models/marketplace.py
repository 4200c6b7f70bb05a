"""Trainers, their programs, what members bought and what trainers are paid.

Money is integer minor units (cents) with an ISO currency code, never floats.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric
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
    # Null: the platform's default commission applies.
    commission_percent: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class TrainingProgram(SQLModel, table=True):
    __tablename__ = "training_programs"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120, index=True)
    description: str = Field(default="", max_length=10000)
    # Weeks -> days -> exercises with sets, reps and load, as structured JSON.
    exercises: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    price_cents: int = Field(default=0, ge=0)
    currency: str = Field(default="usd", max_length=3)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Purchase(SQLModel, table=True):
    __tablename__ = "purchases"

    id: int | None = Field(default=None, primary_key=True)
    # Kept for accounting when an account is erased, so the user may become null.
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    program_id: int | None = Field(default=None, foreign_key="training_programs.id", index=True, ondelete="SET NULL")
    kind: str = Field(max_length=16)  # one_time | subscription
    status: str = Field(default="active", max_length=16, index=True)  # active | expired | canceled
    amount_cents: int = Field(default=0, ge=0)
    currency: str = Field(default="usd", max_length=3)
    start_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    end_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    stripe_subscription_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Payout(SQLModel, table=True):
    __tablename__ = "payouts"

    id: int | None = Field(default=None, primary_key=True)
    trainer_id: int = Field(foreign_key="trainers.id", index=True, ondelete="RESTRICT")
    amount_cents: int
    currency: str = Field(default="usd", max_length=3)
    period_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    period_end: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    stripe_payout_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
