"""What the coach suggested and what the member did with it, so the coach can learn later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from adaptivefit.models.base import UTCDateTime, utcnow

TWEAK_STATUSES = ("shown", "accepted", "dismissed", "expired")


class CoachTweak(SQLModel, table=True):
    """One tweak the coach made: its event, context, numbers, words and outcome.

    Calls through the API without a token are stateless and never stored; everything else is.
    """

    __tablename__ = "coach_tweaks"
    __table_args__ = (
        Index("ix_coach_tweaks_user_created", "user_id", "created_at"),
        Index("ix_coach_tweaks_workout_exercise", "workout_id", "exercise_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    workout_id: int | None = Field(default=None, foreign_key="workouts.id", ondelete="SET NULL")
    exercise_id: int | None = Field(default=None, foreign_key="exercises.id", index=True, ondelete="SET NULL")
    set_id: int | None = Field(default=None, foreign_key="workout_sets.id", index=True, ondelete="SET NULL")
    plan_exercise_id: int | None = Field(default=None, foreign_key="plan_exercises.id", index=True,
                                         ondelete="SET NULL")
    source: str = Field(default="app", max_length=8)  # app | api
    event: str = Field(max_length=24)
    action: str = Field(max_length=24)
    scope: str = Field(default="session", max_length=16)
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    tweak: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    message: str = Field(default="", max_length=500)
    ai_powered: bool = Field(default=False)
    status: str = Field(default="shown", max_length=12, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
