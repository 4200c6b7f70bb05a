"""Every page module, imported so its routes register with the app."""

from adaptivefit.pages import (
    admin,
    equipment,
    exercises,
    jobs,
    knowledge,
    landing,
    not_found,
    nutrition,
    profile,
    recipes,
    security,
    sign_in,
    training,
    workouts,
)

__all__ = [
    "admin",
    "equipment",
    "exercises",
    "jobs",
    "knowledge",
    "landing",
    "not_found",
    "nutrition",
    "profile",
    "recipes",
    "security",
    "sign_in",
    "training",
    "workouts",
]
