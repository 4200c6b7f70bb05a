"""Nutrition targets and logged food, as in the original design."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from adaptivefit.models.base import UTCDateTime, utcnow


class NutritionGoal(SQLModel, table=True):
    __tablename__ = "nutrition_goals"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, unique=True, ondelete="CASCADE")
    calories: int
    protein_g: int
    carbs_g: int
    fat_g: int
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class FoodEntry(SQLModel, table=True):
    __tablename__ = "food_entries"
    __table_args__ = (Index("ix_food_entries_user_eaten", "user_id", "eaten_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # The food it came from, once the food database exists; the values below are a snapshot.
    food: str = Field(default="", max_length=200)
    name: str = Field(max_length=200)
    calories: float
    protein_g: float
    carbs_g: float
    fat_g: float
    quantity: float
    unit: str = Field(max_length=32)
    meal_type: str = Field(max_length=16, index=True)
    eaten_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
