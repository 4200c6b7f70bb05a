"""Exercises, equipment, workouts and logged sets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
    # The record's id in its source (wger's exercise UUID), so a re-import updates instead of duplicating.
    external_id: str | None = Field(default=None, max_length=64, index=True)
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
    plan_day_id: int | None = Field(default=None, foreign_key="plan_days.id", index=True, ondelete="SET NULL")
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class WorkoutSet(SQLModel, table=True):
    __tablename__ = "workout_sets"
    # The browser sends a random id with each set so a retried or doubled write lands once.
    __table_args__ = (
        UniqueConstraint("user_id", "client_id", name="uq_workout_sets_user_client"),
        # Dashboards read a member's recent sets by time.
        Index("ix_workout_sets_user_logged", "user_id", "logged_at"),
        # An exercise's history and records for one member.
        Index("ix_workout_sets_user_exercise_logged", "user_id", "exercise_id", "logged_at"),
    )

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
    # Seconds of rest planned after this set; the timer runs from logged_at, so a reload keeps it.
    rest_s: int = Field(default=0)
    logged_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class EquipmentProfile(SQLModel, table=True):
    """A place a member trains ("home", "gym") and the equipment it has."""

    __tablename__ = "equipment_profiles"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_equipment_profiles_user_name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=60)
    is_default: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class EquipmentProfileItem(SQLModel, table=True):
    __tablename__ = "equipment_profile_items"

    profile_id: int = Field(foreign_key="equipment_profiles.id", primary_key=True, ondelete="CASCADE")
    equipment_id: int = Field(foreign_key="equipment.id", primary_key=True, index=True, ondelete="CASCADE")
    # A gym's item can be there but out of order for now.
    temporarily_unavailable: bool = Field(default=False)
    note: str = Field(default="", max_length=200)


class Plan(SQLModel, table=True):
    """A member's training plan: weeks of days of planned exercises."""

    __tablename__ = "plans"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    active: bool = Field(default=True, index=True)
    # Set when the plan came from a bought program (marketplace).
    program_id: int | None = Field(default=None, foreign_key="training_programs.id", index=True, ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class PlanDay(SQLModel, table=True):
    __tablename__ = "plan_days"
    __table_args__ = (UniqueConstraint("plan_id", "week", "position", name="uq_plan_days_plan_week_position"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plans.id", index=True, ondelete="CASCADE")
    week: int = Field(default=1)
    position: int = Field(default=1)
    name: str = Field(max_length=80)


class PlanExercise(SQLModel, table=True):
    __tablename__ = "plan_exercises"

    id: int | None = Field(default=None, primary_key=True)
    day_id: int = Field(foreign_key="plan_days.id", index=True, ondelete="CASCADE")
    exercise_id: int = Field(foreign_key="exercises.id", index=True, ondelete="RESTRICT")
    position: int = Field(default=1)
    sets: int = Field(default=3)
    reps_min: int = Field(default=8)
    reps_max: int = Field(default=8)
    # Either an absolute load or a share of the estimated one-rep max (or neither: by feel).
    load_kg: float | None = Field(default=None)
    percent_1rm: float | None = Field(default=None)
    target_rpe: float | None = Field(default=None)
    target_rir: int | None = Field(default=None)
    rest_s: int = Field(default=120)
    notes: str = Field(default="", max_length=500)


class PersonalRecord(SQLModel, table=True):
    """The best a member has done on an exercise, by kind (e1RM, heaviest load, most reps at a load)."""

    __tablename__ = "personal_records"
    __table_args__ = (Index("ix_personal_records_user_exercise_kind", "user_id", "exercise_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    exercise_id: int = Field(foreign_key="exercises.id", index=True, ondelete="CASCADE")
    set_id: int | None = Field(default=None, foreign_key="workout_sets.id", index=True, ondelete="SET NULL")
    kind: str = Field(max_length=16)  # e1rm | load | volume
    value: float
    achieved_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Achievement(SQLModel, table=True):
    """A badge, awarded once per member."""

    __tablename__ = "achievements"
    __table_args__ = (UniqueConstraint("user_id", "code", name="uq_achievements_user_code"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=40)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    awarded_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    announced: bool = Field(default=False)
