"""The arithmetic of lifting: effort (RPE and RIR), estimated one-rep max, plates and volume.

Pure functions, one home for each rule: the coach, the records, the dashboard and the goals all
read a set's e1RM through `set_e1rm`, so "best e1RM" is the same number on every page.
"""

from __future__ import annotations

import math

from adaptivefit.services.core.units import check_units, from_display, to_display

# The smallest jump a standard gym allows: a pair of 1.25 kg plates, or a pair of 2.5 lb plates.
PLATE_STEP = {"kg": 2.5, "lb": 5.0}

# The estimate the app shows and stores in records: `e1rm` below. Brzycki is offered beside it
# for comparison only, so every page, record and goal agrees on one number.
E1RM_FORMULA = "Epley"
BRZYCKI_MAX_REPS = 10


def rpe_from_rir(rir: float | None) -> float | None:
    """Reps in reserve as an RPE: RPE = 10 - RIR."""
    return None if rir is None else 10.0 - float(rir)


def rir_from_rpe(rpe: float | None) -> float | None:
    """An RPE as reps in reserve: RIR = 10 - RPE."""
    return None if rpe is None else 10.0 - float(rpe)


def effort_rpe(rpe: float | None, rir: float | None) -> float | None:
    """The RPE of a set; reps in reserve stand in for it when only they were noted."""
    if rpe is not None:
        return float(rpe)
    return rpe_from_rir(rir)


def e1rm(load_kg: float, reps: int, rpe: float | None = None) -> float:
    """Estimated one-rep max in kg (Epley).

    e1RM = load * (1 + reps / 30), with e1RM = load for a single. When an RPE is given, the reps
    left in reserve (10 - RPE) are added first: 100 kg x 5 at RPE 8 counts as 7 reps to failure.
    Epley is fitted on sets taken close to failure and is reasonable up to about 12 reps; above
    that it overestimates, so treat high-rep estimates as rough.
    """
    if reps <= 0 or load_kg <= 0:
        return 0.0
    effective = reps + (max(0.0, 10.0 - rpe) if rpe is not None else 0.0)
    if effective <= 1:
        return float(load_kg)
    return load_kg * (1 + effective / 30)


def set_e1rm(load_kg: float, reps: int, rpe: float | None = None, rir: float | None = None) -> float:
    """The e1RM of a logged set, its effort read from RPE or, failing that, RIR."""
    return e1rm(float(load_kg), int(reps), effort_rpe(rpe, rir))


def brzycki(load_kg: float, reps: int) -> float | None:
    """Estimated one-rep max in kg by Brzycki: load * 36 / (37 - reps), for 1 to 10 reps.

    None outside 1-10 reps: the formula was fitted on low-rep sets, it grows without bound as reps
    approach 37 (and turns negative past it), and from about 10 reps on it drifts away from what
    members actually lift, so no estimate beats a wrong one. A load of zero or less gives 0.0, as
    `e1rm` does: an unloaded set says nothing about a one-rep max.
    """
    if isinstance(reps, bool) or not 1 <= reps <= BRZYCKI_MAX_REPS:
        return None
    if load_kg <= 0:
        return 0.0
    return load_kg * 36 / (37 - reps)


def round_to_plates(kg: float, units: str) -> float:
    """The nearest load a member can load on a bar (2.5 kg or 5 lb steps), in kg; halves round up."""
    step = PLATE_STEP[check_units(units)]
    shown = to_display(kg, units)
    return from_display(math.floor(shown / step + 0.5) * step, units)


def set_volume(load_kg: float, reps: int) -> float:
    """Load times reps: the tonnage of one set, in kg."""
    return float(load_kg) * reps
