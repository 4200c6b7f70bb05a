"""The generic history (`fitness_data`) and goals, as in the original design."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from adaptivefit.models.base import UTCDateTime, utcnow

FITNESS_DATA_TYPES = ("workout", "nutrition", "sleep", "bodyweight", "heart_rate", "hrv", "steps", "spo2")


class FitnessData(SQLModel, table=True):
    """One record of anything measured or logged, so the whole history stays in one place."""

    __tablename__ = "fitness_data"
    __table_args__ = (Index("ix_fitness_data_user_type_time", "user_id", "type", "recorded_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    type: str = Field(max_length=32, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))


class Goal(SQLModel, table=True):
    __tablename__ = "goals"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    goal_type: str = Field(max_length=40, index=True)
    primary_goal_type: str | None = Field(default=None, max_length=40)
    secondary_goal_type: str | None = Field(default=None, max_length=40)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    priority: int = Field(default=1)
    active: bool = Field(default=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
