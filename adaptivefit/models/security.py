"""Second factors, throttling, password resets, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from adaptivefit.models.base import UTCDateTime, utcnow


class RecoveryCode(SQLModel, table=True):
    """A single-use 2FA recovery code; only its SHA-256 is kept."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64, index=True)
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class LoginThrottle(SQLModel, table=True):
    """Failed sign-in attempts for one account or one client address."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_login_throttles_scope_key"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=16)  # account | address
    # An account is keyed by a hash of its normalised email, an address by the address.
    key: str = Field(max_length=64)
    failures: int = Field(default=0)
    last_failure_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class PasswordResetToken(SQLModel, table=True):
    __tablename__ = "password_reset_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class ApiToken(SQLModel, table=True):
    """A personal token for the REST API, shown once; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    # The first characters, so a person can tell tokens apart without the secret.
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class AuditEvent(SQLModel, table=True):
    """A security event. Kept after an account is erased, with nothing personal left in it."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_event_time", "event", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    event: str = Field(max_length=40, index=True)
    # Whose account the event is about, and who did it (they differ for admin actions).
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    actor_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    ip_address: str = Field(default="", max_length=45)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))
