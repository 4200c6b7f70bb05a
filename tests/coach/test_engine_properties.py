"""Whatever the context, member and history: the rep floor and the load cap hold on every event.

The floor and the cap are computed here independently of `coach.rules`, so a change to the rules
module that loosened them would fail these tests rather than move the goalposts with it.
"""

import re
from dataclasses import replace

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from adaptivefit.coach.engine import decide
from adaptivefit.coach.types import (
    ACTIONS,
    EQUIPMENT_KINDS,
    EVENTS,
    FITNESS_LEVELS,
    GOALS,
    SCOPES,
    CoachContext,
    Readiness,
    SessionRecord,
    UserData,
)

STEP_KG = {"barbell": 2.5, "dumbbell": 2.0, "kettlebell": 4.0, "machine": 2.5, "cable": 2.5, "bodyweight": 2.5}
KEYS = {"sets", "rest_time", "reps", "weight_kg"}
RAISING = {"increase_load", "progress_load"}

EQUIPMENT = EQUIPMENT_KINDS + ("trap bar", "", " Dumbbell")
LEVELS = FITNESS_LEVELS + ("elite", "")
GOAL_NAMES = GOALS + ("yoga",)
SET_REPS = ((), (8, 8, 8), (5, 5, 3), (12, 10, 0))


class Digits:
    """Reads a case's fields off one large integer, digit by digit in mixed radix.

    Hypothesis spends longer on each value it draws than the engine spends on a whole decision,
    so a case is read from one drawn value rather than some thirty: 70,000 examples then take
    about a minute on a shared two-core machine. Shrinking still works: a smaller number moves
    every field toward its first, simplest value (0, None, barbell, no history).
    """

    def __init__(self, number: int) -> None:
        self.number = number

    def int(self, low: int, high: int) -> int:
        self.number, offset = divmod(self.number, high - low + 1)
        return low + offset

    def pick(self, options):
        return options[self.int(0, len(options) - 1)]

    def load(self) -> float:
        kind = self.int(0, 2)
        if kind == 0:
            return 0.0
        if kind == 1:
            return self.int(0, 400) * 2.5  # on the plate grid, up to 1000 kg
        return self.int(0, 1_000_000) / 1000  # awkward loads, e.g. converted from pounds

    def effort(self) -> float | None:
        kind = self.int(0, 2)
        if kind == 0:
            return None
        return self.int(2, 20) / 2 if kind == 1 else self.int(100, 1000) / 100

    def optional(self, make):
        return None if self.int(0, 3) == 0 else make()


def context_from(d: Digits) -> CoachContext:
    planned_sets = d.int(1, 20)
    return CoachContext(
        exercise=d.pick(("squat", "")),
        equipment=d.pick(EQUIPMENT),
        set_number=d.int(0, d.pick((planned_sets, planned_sets + 1, 50))),
        planned_sets=planned_sets,
        planned_reps=d.int(1, d.pick((20, 100))),
        reps_min=d.optional(lambda: d.int(1, d.pick((20, 100)))),
        reps_max=d.optional(lambda: d.int(1, d.pick((20, 100)))),
        completed_reps=d.optional(lambda: d.int(0, d.pick((25, 200)))),
        load_kg=d.load(),
        rpe=d.effort(),
        rir=d.optional(lambda: d.int(0, 1000) / 100),
        target_rpe=d.effort(),
        rest_taken_s=d.optional(lambda: d.int(0, 3600)),
        rest_s=d.optional(lambda: d.int(0, 3600)),
        session_struggles=d.int(0, d.pick((3, 50))),
        session_skips=d.int(0, d.pick((3, 50))),
    )


def user_from(d: Digits) -> UserData:
    goals = tuple(d.pick(GOAL_NAMES) for _ in range(d.int(0, 3)))
    history = tuple(
        SessionRecord(
            days_ago=d.int(0, 365),
            top_load_kg=d.load(),
            reps=d.pick(SET_REPS),
            best_e1rm_kg=d.pick((0.0, 100.0, 120.0, 130.0)) if d.int(0, 1) else d.int(0, 150_000) / 100,
            struggled=bool(d.int(0, 1)),
        )
        for _ in range(d.int(0, 4))
    )
    readiness = d.optional(
        lambda: Readiness(
            sleep_hours=d.optional(lambda: d.int(0, 140) / 10),
            hrv_ratio=d.optional(lambda: d.int(30, 200) / 100),
        )
    )
    return UserData(fitness_level=d.pick(LEVELS), goals=goals, history=history, readiness=readiness)


def case_from(data: bytes) -> tuple[CoachContext, UserData]:
    context, member = divmod(int.from_bytes(data, "big"), 2**320)  # ~150 bits of context, ~240 of member
    return context_from(Digits(context)), user_from(Digits(member))


# Bytes rather than one large integer: Hypothesis draws large integers mostly small, which would
# leave most fields at their first value; its bytes are spread over the whole range.
cases = st.binary(min_size=72, max_size=72).map(case_from)


def floor_of(planned_reps: int) -> int:
    return max(1, -(-8 * planned_reps // 10))


def reference_load(event: str, ctx: CoachContext, user: UserData) -> float:
    """The load the cap is measured from: today's, or at the start of a session with no planned
    load, the top load of the last session (which the engine may never exceed)."""
    if event == "start_workout" and ctx.load_kg == 0 and user.history and user.history[0].top_load_kg > 0:
        return user.history[0].top_load_kg
    return ctx.load_kg


def cap_of(load: float, equipment: str) -> float:
    return load + max(0.10 * load, STEP_KG.get(equipment.strip().lower(), 2.5))


def check_safety(event: str, ctx: CoachContext, user: UserData) -> None:
    tweak = decide(event, ctx, user)
    nxt, mods = tweak.next, tweak.modifications
    floor = floor_of(ctx.planned_reps)
    base = reference_load(event, ctx, user)
    cap = cap_of(base, ctx.equipment)

    # The floor.
    assert nxt.reps >= floor
    assert "reps" not in mods or mods["reps"] >= floor
    # The cap, and never a negative load.
    assert 0 <= nxt.weight_kg <= cap
    assert "weight_kg" not in mods or 0 <= mods["weight_kg"] <= cap
    if base != ctx.load_kg:
        assert nxt.weight_kg <= base  # picking up from last time never adds to it
    if tweak.action not in RAISING:
        assert nxt.weight_kg <= base
    if ctx.load_kg == 0 and base == 0 and event != "too_easy":
        assert nxt.weight_kg == 0  # bodyweight gains load only when the member says too easy

    # The shape of the answer.
    assert tweak.action in ACTIONS
    assert tweak.scope in SCOPES
    assert set(mods) <= KEYS
    assert isinstance(tweak.reason, str) and tweak.reason.strip()
    assert nxt.sets >= 1 and nxt.rest_s >= 0
    if tweak.scope == "session":
        assert nxt.sets >= ctx.set_number  # never fewer sets than already done
    assert all(mods[key] != 0 for key in ("sets", "rest_time") if key in mods)
    assert mods.get("reps", nxt.reps) == nxt.reps
    assert mods.get("weight_kg", nxt.weight_kg) == nxt.weight_kg
    assert tweak.deload == (tweak.action == "deload")

    # Deterministic.
    assert decide(event, ctx, user) == tweak


@pytest.mark.parametrize("event", EVENTS)
@settings(max_examples=10_000, deadline=None, database=None)
@given(case=cases)
def test_floor_and_cap_hold_for_every_event(event, case):
    note(case)  # shown on failure, in place of the integer the case was read from
    check_safety(event, *case)


@pytest.mark.parametrize("event", EVENTS)
@settings(max_examples=300, deadline=None, database=None)
@given(case=cases)
def test_decisions_are_deterministic_on_equal_inputs(event, case):
    note(case)
    ctx, user = case
    assert decide(event, replace(ctx), replace(user)) == decide(event, ctx, user)


NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.mark.parametrize("event", EVENTS)
@settings(max_examples=500, deadline=None, database=None)
@given(case=cases)
def test_numbers_in_the_reason_are_the_prescription(event, case):
    note(case)
    ctx, user = case
    tweak = decide(event, ctx, user)
    note(tweak)
    nxt = tweak.next
    allowed = {float(nxt.sets), float(nxt.reps), round(nxt.weight_kg, 2), float(nxt.rest_s)}
    assert {float(number) for number in NUMBER.findall(tweak.reason)} <= allowed
