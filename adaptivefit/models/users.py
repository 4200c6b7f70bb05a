"""People and their sign-in sessions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from adaptivefit.models.base import UTCDateTime, utcnow


class Role(StrEnum):
    MEMBER = "member"
    TRAINER = "trainer"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    # Stored normalised (trimmed, lower-cased) so uniqueness holds across spellings.
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=100)
    password_hash: str | None = Field(default=None, max_length=100)
    role: str = Field(default=Role.MEMBER, max_length=16, index=True)
    avatar: str | None = Field(default=None, max_length=255)
    is_suspended: bool = Field(default=False, index=True)
    # Profile: units for display, and what energy targets need later.
    units: str = Field(default="kg", max_length=2)  # kg | lb
    timezone: str = Field(default="UTC", max_length=64)
    fitness_level: str = Field(default="beginner", max_length=16)
    date_of_birth: date | None = Field(default=None)
    sex: str | None = Field(default=None, max_length=8)  # male | female
    height_cm: float | None = Field(default=None)
    # Privacy choices.
    profile_visible_to_trainers: bool = Field(default=False)
    allow_coach_training: bool = Field(default=False)
    # The Pro tier granted by an admin (staff, partners). Paying members get it from an active
    # Pro subscription instead: services/billing.py decides, and the coach asks it.
    coach_ai: bool = Field(default=False)
    # The Stripe customer, reused for every checkout and the customer portal. Never sent to the browser.
    stripe_customer_id: str | None = Field(default=None, max_length=64)
    # TOTP two-factor: the secret never leaves the server after enrolment.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled: bool = Field(default=False)
    # The last accepted time step, so a code cannot be used twice.
    totp_last_step: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class AuthSession(SQLModel, table=True):
    """A signed-in browser or device. Only a hash of its token is stored."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_agent: str = Field(default="", max_length=300)
    ip_address: str = Field(default="", max_length=45)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # Password accepted, second factor still owed: such a session opens nothing but that step.
    mfa_pending: bool = Field(default=False)
