"""What changes with the member: rest, target effort, rep ranges and how fast loads progress.

These are coaching parameters, never safety rules: whatever they say, every progression still
goes through `rules.cap_load` and every tweak through `rules.enforce`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from adaptivefit.coach.types import FITNESS_LEVELS, GOALS


@dataclass(frozen=True)
class GoalParams:
    reps_min: int
    reps_max: int
    target_rpe: float
    rest_s: int
    extra_rest_s: int  # added after a struggled or failed set


@dataclass(frozen=True)
class LevelParams:
    rpe_offset: float  # beginners train a point further from failure while they learn the lifts
    increment_steps: int  # increments added when a session earns a heavier load


GOAL_PARAMS = {
    "strength": GoalParams(reps_min=3, reps_max=6, target_rpe=8.0, rest_s=180, extra_rest_s=60),
    "hypertrophy": GoalParams(reps_min=8, reps_max=12, target_rpe=8.0, rest_s=90, extra_rest_s=30),
    "endurance": GoalParams(reps_min=12, reps_max=20, target_rpe=7.0, rest_s=60, extra_rest_s=30),
    "fat_loss": GoalParams(reps_min=10, reps_max=15, target_rpe=7.0, rest_s=60, extra_rest_s=30),
    "general": GoalParams(reps_min=6, reps_max=10, target_rpe=7.5, rest_s=120, extra_rest_s=30),
}
# Beginners progress twice as fast between sessions (two increments), as novices can; the cap
# still holds, so a 20 kg dumbbell moves to 22 kg, not 24.
LEVEL_PARAMS = {
    "beginner": LevelParams(rpe_offset=-1.0, increment_steps=2),
    "intermediate": LevelParams(rpe_offset=0.0, increment_steps=1),
    "advanced": LevelParams(rpe_offset=0.0, increment_steps=1),
}
assert set(GOAL_PARAMS) == set(GOALS) and set(LEVEL_PARAMS) == set(FITNESS_LEVELS)

DEFAULT_GOAL = "general"
DEFAULT_LEVEL = "intermediate"

# Within a set: how far the reported effort may stray from the target before the load moves.
RPE_ABOVE_TARGET = 1.0  # RPE >= target + 1: lighter
RPE_BELOW_TARGET = 2.0  # RPE <= target - 2: heavier

# How much lighter, as fractions of the current load (the RTS chart decides within the band;
# the fallback is used when the chart cannot, e.g. no reps were recorded).
STRUGGLE_BAND = (0.90, 0.95)
STRUGGLE_FALLBACK = 0.925
FAIL_BAND = (0.80, 0.90)
FAIL_FALLBACK = 0.90
HIGH_RPE_FLOOR = 0.85  # a set above target effort never costs more than 15% of the load

SKIP_EXTRA_REST_S = 30
FATIGUE_BAD_SETS = 2  # earlier struggled/failed/skipped sets today before a set is dropped

# Across sessions (history is most recent first).
DELOAD_WINDOW = 3  # sessions looked at
DELOAD_STRUGGLED_AT_END = 2  # struggled sessions in the window, plus a struggle today
DELOAD_STRUGGLED_AT_START = 3  # struggled sessions in the window, before today starts
DELOAD_E1RM_DROP = 0.02  # e1RM falling session to session, by at least 2% over the window
DELOAD_LOAD_FACTOR = 0.90
DELOAD_SETS_KEPT = (2, 3)  # two thirds of the sets, rounded, at least one
LAYOFF_DAYS = 14  # a last session older than this restarts 10% lighter
LAYOFF_FACTOR = 0.90

# Readiness from a wearable, at the start of a session.
READINESS_MIN_SLEEP_H = 6.0
READINESS_MIN_HRV_RATIO = 0.85
READINESS_LOAD_FACTOR = 0.95
READINESS_EXTRA_REST_S = 30


@dataclass(frozen=True)
class Params:
    level: str
    goal: str
    reps_min: int
    reps_max: int
    target_rpe: float
    rest_s: int
    extra_rest_s: int
    increment_steps: int


def goal_of(goals: tuple[str, ...]) -> str:
    """The first known goal in the member's list; "general" when none is known."""
    return next((goal for goal in goals if goal in GOAL_PARAMS), DEFAULT_GOAL)


@lru_cache(maxsize=256)
def for_member(fitness_level: str, goals: tuple[str, ...]) -> Params:
    """The parameters for a level and goals; an unknown level counts as intermediate."""
    level = fitness_level if fitness_level in LEVEL_PARAMS else DEFAULT_LEVEL
    goal = goal_of(goals)
    g, lv = GOAL_PARAMS[goal], LEVEL_PARAMS[level]
    return Params(
        level=level,
        goal=goal,
        reps_min=g.reps_min,
        reps_max=g.reps_max,
        target_rpe=g.target_rpe + lv.rpe_offset,
        rest_s=g.rest_s,
        extra_rest_s=g.extra_rest_s,
        increment_steps=lv.increment_steps,
    )
