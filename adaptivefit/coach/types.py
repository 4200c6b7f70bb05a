"""What the coach takes in and gives back: plain, frozen data with no Reflex and no database.

The engine (`coach.engine.decide`) turns an event and its context into a `Tweak`. The numbers in
a tweak are the engine's alone; the words (`coach.messages`, `coach.lm`) only explain them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EVENTS = ("skip_set", "struggle_set", "fail_set", "complete_set", "too_easy", "complete_workout", "start_workout")

# What a tweak does. `scope` says when it applies: the rest of this exercise today, the next
# session of this exercise, or the coming week.
ACTIONS = (
    "maintain",  # keep going as planned
    "reduce_volume",  # drop a remaining set (skips, accumulated fatigue)
    "reduce_load",  # lighter for the next sets (struggle, failure, RPE above target)
    "add_rest",  # more rest before the next set, same load
    "increase_load",  # heavier for the next sets (too easy, RPE well below target)
    "increase_reps",  # next session: one more rep per set (double progression inside the range)
    "progress_load",  # next session: top of the range reached at or under target RPE, add load
    "deload",  # repeated struggle across sessions: a lighter week
    "readiness_adjust",  # start of a session with poor sleep or low HRV: a little lighter today
)
SCOPES = ("session", "next_session", "week")

EQUIPMENT_KINDS = ("barbell", "dumbbell", "machine", "cable", "kettlebell", "bodyweight", "other")
FITNESS_LEVELS = ("beginner", "intermediate", "advanced")
GOALS = ("strength", "hypertrophy", "endurance", "fat_loss", "general")


@dataclass(frozen=True)
class SessionRecord:
    """One earlier session of this exercise, most recent first in `UserData.history`."""

    days_ago: int
    top_load_kg: float
    reps: tuple[int, ...]  # reps of each working set
    best_e1rm_kg: float
    struggled: bool = False  # any set struggled, failed or skipped


@dataclass(frozen=True)
class Readiness:
    """A hook for wearable data: last night's sleep and today's HRV against the 7-day baseline."""

    sleep_hours: float | None = None
    hrv_ratio: float | None = None  # today's HRV / baseline; 1.0 is normal


@dataclass(frozen=True)
class CoachContext:
    """The set (or session) the event is about. Loads in kg; every field has a safe default."""

    exercise: str = ""
    equipment: str = "barbell"
    set_number: int = 1  # the set just done, 1-based (0 for start_workout)
    planned_sets: int = 3
    planned_reps: int = 8  # the per-set target today
    reps_min: int | None = None  # the plan's rep range, for double progression (default planned_reps)
    reps_max: int | None = None
    completed_reps: int | None = None
    load_kg: float = 0.0
    rpe: float | None = None
    rir: float | None = None  # used when rpe is missing: rpe = 10 - rir
    target_rpe: float | None = None  # the plan's; otherwise the goal's default
    rest_taken_s: int | None = None
    rest_s: int | None = None  # planned rest after this set; otherwise the goal's default
    # Earlier sets of this session (not counting this one) that were struggled/failed, or skipped.
    session_struggles: int = 0
    session_skips: int = 0


@dataclass(frozen=True)
class UserData:
    fitness_level: str = "intermediate"
    goals: tuple[str, ...] = ()
    history: tuple[SessionRecord, ...] = ()
    readiness: Readiness | None = None


@dataclass(frozen=True)
class Prescription:
    """The complete target for the next set, so a client need not apply deltas.

    `sets` is the total number of working sets of this exercise after the tweak (today for
    session scope, next time for next_session/week scope).
    """

    sets: int
    reps: int
    weight_kg: float
    rest_s: int


@dataclass(frozen=True)
class Evidence:
    pmid: str
    title: str
    year: int | None
    url: str


@dataclass(frozen=True)
class Tweak:
    action: str
    reason: str
    # The original service's meaning: `sets` and `rest_time` are changes (deltas); `reps` and
    # `weight_kg`, when present, are the new targets.
    modifications: dict[str, Any]
    next: Prescription
    scope: str = "session"
    deload: bool = False
    evidence: tuple[Evidence, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies, and this runs once per API request.
        n = self.next
        return {
            "action": self.action,
            "reason": self.reason,
            "modifications": dict(self.modifications),
            "next": {"sets": n.sets, "reps": n.reps, "weight_kg": n.weight_kg, "rest_s": n.rest_s},
            "scope": self.scope,
            "deload": self.deload,
            "evidence": [{"pmid": e.pmid, "title": e.title, "year": e.year, "url": e.url} for e in self.evidence],
        }
