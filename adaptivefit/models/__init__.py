"""Every table, imported in one place so migrations and tests see the whole schema."""

from adaptivefit.models.coach import CoachTweak
from adaptivefit.models.fitness import FitnessData, Goal
from adaptivefit.models.knowledge import JobRun, KnowledgeRecord
from adaptivefit.models.marketplace import Payout, Purchase, Trainer, TrainingProgram
from adaptivefit.models.nutrition import ExpenditureEstimate, Food, FoodEntry, NutritionGoal, RecipeIngredient
from adaptivefit.models.scheduling import SchedulerJob, SchedulerLease
from adaptivefit.models.security import ApiToken, AuditEvent, LoginThrottle, PasswordResetToken, RecoveryCode
from adaptivefit.models.training import (
    Achievement,
    Equipment,
    EquipmentProfile,
    EquipmentProfileItem,
    Exercise,
    ExerciseEquipment,
    PersonalRecord,
    Plan,
    PlanDay,
    PlanExercise,
    Workout,
    WorkoutSet,
)
from adaptivefit.models.users import AuthSession, Role, User

__all__ = [
    "JobRun",
    "KnowledgeRecord",
    "SchedulerJob",
    "SchedulerLease",
    "CoachTweak",
    "ExpenditureEstimate",
    "Food",
    "RecipeIngredient",
    "Achievement",
    "EquipmentProfile",
    "EquipmentProfileItem",
    "PersonalRecord",
    "Plan",
    "PlanDay",
    "PlanExercise",
    "ApiToken",
    "AuditEvent",
    "LoginThrottle",
    "PasswordResetToken",
    "RecoveryCode",
    "AuthSession",
    "Equipment",
    "Exercise",
    "ExerciseEquipment",
    "FitnessData",
    "FoodEntry",
    "Goal",
    "NutritionGoal",
    "Payout",
    "Purchase",
    "Role",
    "Trainer",
    "TrainingProgram",
    "User",
    "Workout",
    "WorkoutSet",
]
