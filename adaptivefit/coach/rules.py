"""The coach's safety rules, each in one place: the rep floor, the load cap and the RPE chart.

Whatever the level, goal or event, every tweak the engine returns passes through `enforce`, which
re-applies the floor and the cap, so no path through the engine can slip past them. Parameters
that vary with the member (rest, target effort, how fast to progress) live in `coach.params`.
"""

from __future__ import annotations

import math
from dataclasses import replace

from adaptivefit.coach.types import EQUIPMENT_KINDS, CoachContext, Prescription, Tweak

# The smallest load step each kind of equipment allows, in kg. Machines vary (2.5, 5 or 7 kg
# stack plates); 2.5 kg matches the common add-on weight and never exceeds what the cap allows.
# Bodyweight exercises have no step of their own: the step is for added load (a belt or a vest).
INCREMENT_KG = {
    "barbell": 2.5,
    "dumbbell": 2.0,
    "kettlebell": 4.0,
    "machine": 2.5,
    "cable": 2.5,
    "bodyweight": 2.5,
    "other": 2.5,
}
assert set(INCREMENT_KG) == set(EQUIPMENT_KINDS)

MAX_STEP_FRACTION = 0.10  # one step never adds more than 10% of the load (or one increment)

# %1RM for reps x RPE. Tuchscherer M. The Reactive Training Manual, 2008; the common RTS RPE
# chart. Rows are reps 1..12; columns RPE 10, 9.5, 9, 8.5, 8, 7.5, 7, 6.5, 6. The chart is one
# curve read by reps to failure (reps + 10 - RPE): 5 @ 8 sits where 7 @ 10 does.
RPE_COLUMNS = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0)
RTS_CHART = (
    (100.0, 97.8, 95.5, 93.9, 92.2, 90.7, 89.2, 87.8, 86.3),  # 1 rep
    (95.5, 93.9, 92.2, 90.7, 89.2, 87.8, 86.3, 85.0, 83.7),
    (92.2, 90.7, 89.2, 87.8, 86.3, 85.0, 83.7, 82.4, 81.1),
    (89.2, 87.8, 86.3, 85.0, 83.7, 82.4, 81.1, 79.9, 78.6),
    (86.3, 85.0, 83.7, 82.4, 81.1, 79.9, 78.6, 77.4, 76.2),  # 5 reps
    (83.7, 82.4, 81.1, 79.9, 78.6, 77.4, 76.2, 75.1, 73.9),
    (81.1, 79.9, 78.6, 77.4, 76.2, 75.1, 73.9, 72.3, 70.7),
    (78.6, 77.4, 76.2, 75.1, 73.9, 72.3, 70.7, 69.4, 68.0),
    (76.2, 75.1, 73.9, 72.3, 70.7, 69.4, 68.0, 66.7, 65.3),
    (73.9, 72.3, 70.7, 69.4, 68.0, 66.7, 65.3, 64.0, 62.6),  # 10 reps
    (70.7, 69.4, 68.0, 66.7, 65.3, 64.0, 62.6, 61.3, 59.9),
    (68.0, 66.7, 65.3, 64.0, 62.6, 61.3, 59.9, 58.6, 57.2),  # 12 reps
)
_CHART = tuple(tuple(value / 100 for value in row) for row in RTS_CHART)


def rep_floor(planned_reps: int) -> int:
    """The fewest reps any recommended set may ask for: 80% of the plan, rounded up (at least 1).

    Integer arithmetic, because 0.8 * 10 is 8.000000000000002 in floating point and would
    round up to 9.
    """
    return max(1, -(-8 * int(planned_reps) // 10))


def equipment_kind(equipment: str) -> str:
    """The equipment as one of EQUIPMENT_KINDS; anything unknown counts as "other"."""
    kind = equipment.strip().lower() if isinstance(equipment, str) else "other"
    return kind if kind in INCREMENT_KG else "other"


def increment(equipment: str) -> float:
    """The smallest load step for this equipment, in kg."""
    return INCREMENT_KG.get(equipment) or INCREMENT_KG[equipment_kind(equipment)]


def max_step_up(load_kg: float, equipment: str) -> float:
    """The most one step may add to a load: 10% of it, or one increment when that is more."""
    return max(MAX_STEP_FRACTION * load_kg, increment(equipment))


def load_ceiling(load_kg: float, equipment: str) -> float:
    """The heaviest load one step may reach from `load_kg`."""
    return load_kg + max_step_up(load_kg, equipment)


def _round_kg(value: float) -> float:
    return round(value, 2)


def cap_load(current: float, proposed: float, equipment: str) -> float:
    """`proposed`, made a loadable change from `current` that respects the cap and is never negative.

    Changes go in whole increments from the current load, so the member can get there from what
    is already on the bar. Raising rounds down (never past the cap); lowering rounds to the
    nearest increment, but never below zero. A change of less than half an increment keeps the
    current load.
    """
    current = max(0.0, float(current))
    step = increment(equipment)
    if proposed > current:
        ceiling = load_ceiling(current, equipment)
        steps = math.floor((min(proposed, ceiling) - current) / step)
        if steps <= 0:
            return current
        result = _round_kg(current + steps * step)
        return result if result <= ceiling else _round_kg(current + (steps - 1) * step)
    steps = math.floor((current - max(0.0, proposed)) / step + 0.5)
    if steps <= 0:
        return current
    return max(0.0, _round_kg(current - steps * step))


def percent_1rm(reps: float, rpe: float) -> float:
    """The fraction of a one-rep max that `reps` at `rpe` takes, from the RTS chart (1.0 = 100%).

    Reps are clamped to 1..12 and RPE to 6..10, the chart's range; values between its points are
    interpolated linearly.
    """
    row = min(max(float(reps), 1.0), 12.0) - 1.0
    col = (10.0 - min(max(float(rpe), 6.0), 10.0)) * 2.0
    r0, c0 = int(row), int(col)
    r1, c1 = min(r0 + 1, 11), min(c0 + 1, 8)
    fr, fc = row - r0, col - c0
    top = _CHART[r0][c0] + (_CHART[r0][c1] - _CHART[r0][c0]) * fc
    if not fr:
        return top
    bottom = _CHART[r1][c0] + (_CHART[r1][c1] - _CHART[r1][c0]) * fc
    return top + (bottom - top) * fr


def e1rm_from(load_kg: float, reps: float, rpe: float) -> float:
    """Estimated one-rep max from a set, by the RTS chart (the coach's own estimate)."""
    return load_kg / percent_1rm(reps, rpe)


def load_for(e1rm_kg: float, reps: float, rpe: float) -> float:
    """The load that should take `reps` at `rpe` for someone with this one-rep max."""
    return e1rm_kg * percent_1rm(reps, rpe)


def enforce(ctx: CoachContext, tweak: Tweak, reference_load: float | None = None) -> Tweak:
    """The one choke point every tweak leaves the engine through: the floor, the cap, no negatives.

    The floor is `rep_floor(ctx.planned_reps)`; the cap is one step above `reference_load`, which
    is `ctx.load_kg` unless the engine took today's load from the member's last session.
    Returns the tweak itself when it already complies.
    """
    floor = rep_floor(ctx.planned_reps)
    base = ctx.load_kg if reference_load is None else reference_load
    ceiling = load_ceiling(max(0.0, base), equipment_kind(ctx.equipment))
    nxt = tweak.next

    def safe_weight(weight: float) -> float:
        return weight if 0.0 <= weight <= ceiling else min(max(0.0, weight), ceiling)

    weight = safe_weight(nxt.weight_kg)
    reps = max(floor, nxt.reps)
    sets = max(1, nxt.sets)
    rest = max(0, nxt.rest_s)
    mods = tweak.modifications
    # `sets` and `rest_time` are deltas: a zero delta is no change and is left out.
    clean = {key: mods[key] for key in ("sets", "rest_time") if mods.get(key)}
    if "reps" in mods:
        clean["reps"] = max(floor, mods["reps"])
    if "weight_kg" in mods:
        clean["weight_kg"] = safe_weight(mods["weight_kg"])
    if (weight, reps, sets, rest) == (nxt.weight_kg, nxt.reps, nxt.sets, nxt.rest_s) and clean == mods:
        return tweak
    return replace(tweak, modifications=clean, next=Prescription(sets=sets, reps=reps, weight_kg=weight, rest_s=rest))
