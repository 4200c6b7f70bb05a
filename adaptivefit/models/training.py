"""Exercises, equipment, workouts and logged sets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from adaptivefit.models.base import UTCDateTime, utcnow


class Equipment(SQLModel, table=True):
    __tablename__ = "equipment"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    type: str = Field(max_length=32, index=True)
    description: str = Field(default="", max_length=2000)
    # A file name inside the upload folder, never a path the browser chose.
    image: str | None = Field(default=None, max_length=255)
    created_by: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Exercise(SQLModel, table=True):
    __tablename__ = "exercises"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    slug: str = Field(max_length=140, unique=True, index=True)
    category: str = Field(max_length=32, index=True)
    primary_muscle: str = Field(max_length=32, index=True)
    secondary_muscles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    mechanics: str = Field(default="compound", max_length=16)
    instructions: str = Field(default="", max_length=4000)
    # Null for the shared library; set for a member's private custom exercise.
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="CASCADE")
    source: str = Field(default="adaptivefit", max_length=32)
    license: str | None = Field(default=None, max_length=80)
    license_author: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class ExerciseEquipment(SQLModel, table=True):
    """Which equipment an exercise needs (all of them)."""

    __tablename__ = "exercise_equipment"

    exercise_id: int = Field(foreign_key="exercises.id", primary_key=True, ondelete="CASCADE")
    equipment_id: int = Field(foreign_key="equipment.id", primary_key=True, index=True, ondelete="CASCADE")


class Workout(SQLModel, table=True):
    __tablename__ = "workouts"
    __table_args__ = (Index("ix_workouts_user_started", "user_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    notes: str = Field(default="", max_length=4000)
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class WorkoutSet(SQLModel, table=True):
    __tablename__ = "workout_sets"
    # The browser sends a random id with each set so a retried or doubled write lands once.
    __table_args__ = (UniqueConstraint("user_id", "client_id", name="uq_workout_sets_user_client"),)

    id: int | None = Field(default=None, primary_key=True)
    workout_id: int = Field(foreign_key="workouts.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    exercise_id: int = Field(foreign_key="exercises.id", index=True, ondelete="RESTRICT")
    client_id: str = Field(max_length=64)
    set_number: int
    set_type: str = Field(default="working", max_length=16)
    reps: int
    load_kg: float = Field(default=0.0)
    rpe: float | None = Field(default=None)
    rir: int | None = Field(default=None)
    note: str = Field(default="", max_length=500)
    logged_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
