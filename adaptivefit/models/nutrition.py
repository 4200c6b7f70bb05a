"""Nutrition targets and logged food, as in the original design."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
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
    # How the targets were set, so they can be recomputed; any target may be overridden by hand.
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class FoodEntry(SQLModel, table=True):
    __tablename__ = "food_entries"
    __table_args__ = (Index("ix_food_entries_user_eaten", "user_id", "eaten_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # The food's name at logging time; the values below are a snapshot, so editing a food
    # never rewrites history.
    food: str = Field(default="", max_length=200)
    food_id: int | None = Field(default=None, foreign_key="foods.id", index=True, ondelete="SET NULL")
    # A private picture of the meal (services/private_files.py); unique, so a file has one owner.
    photo: str | None = Field(default=None, max_length=255, unique=True, index=True)
    name: str = Field(max_length=200)
    calories: float
    protein_g: float
    carbs_g: float
    fat_g: float
    quantity: float
    unit: str = Field(max_length=32)
    meal_type: str = Field(max_length=16, index=True)
    eaten_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Food(SQLModel, table=True):
    """A food with its nutrients per 100 g, from the shipped table, an import, or a member."""

    __tablename__ = "foods"
    __table_args__ = (
        Index("ix_foods_source_external", "source", "external_id"),
        Index("ix_foods_name_lower", "name_lower"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # Lower-cased, accent-free copy of the name, for fast exact and prefix search.
    name_lower: str = Field(max_length=200)
    brand: str = Field(default="", max_length=120)
    barcode: str | None = Field(default=None, max_length=32, index=True)
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float | None = Field(default=None)
    sugar_g: float | None = Field(default=None)
    saturated_fat_g: float | None = Field(default=None)
    sodium_mg: float | None = Field(default=None)
    # Named servings: [{"name": "1 slice", "grams": 30}]; ml-based foods give grams per ml too.
    servings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    grams_per_ml: float | None = Field(default=None)
    source: str = Field(default="adaptivefit", max_length=32)
    external_id: str | None = Field(default=None, max_length=64)
    attribution: str = Field(default="", max_length=300)
    # Set for a member's own food or recipe; null for the shared database.
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="CASCADE")
    is_recipe: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class RecipeIngredient(SQLModel, table=True):
    __tablename__ = "recipe_ingredients"

    id: int | None = Field(default=None, primary_key=True)
    recipe_id: int = Field(foreign_key="foods.id", index=True, ondelete="CASCADE")
    food_id: int = Field(foreign_key="foods.id", index=True, ondelete="RESTRICT")
    grams: float
    # The amount as the member gave it (2 x "1 egg"), so the recipe can be edited as it was written.
    quantity: float | None = Field(default=None)
    unit: str | None = Field(default=None, max_length=60)


class ExpenditureEstimate(SQLModel, table=True):
    """One estimate of a member's energy expenditure from intake and trend weight."""

    __tablename__ = "expenditure_estimates"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kcal_per_day: float
    window_days: int
    computed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    applied: bool = Field(default=False)
