import pytest

from adaptivefit.coach import rules
from adaptivefit.coach.types import EQUIPMENT_KINDS, CoachContext, Prescription, Tweak


@pytest.mark.parametrize(
    ("planned", "floor"),
    [(8, 7), (10, 8), (5, 4), (1, 1), (3, 3), (2, 2), (4, 4), (6, 5), (12, 10), (15, 12), (20, 16), (100, 80)],
)
def test_rep_floor_is_80_percent_rounded_up(planned, floor):
    assert rules.rep_floor(planned) == floor


def test_rep_floor_has_no_float_error_on_multiples_of_five():
    # 0.8 * 10 is 8.000000000000002 in floating point; a float ceil would say 9.
    assert [rules.rep_floor(n) for n in (5, 10, 15, 20, 25, 30)] == [4, 8, 12, 16, 20, 24]
    assert rules.rep_floor(0) == 1


@pytest.mark.parametrize(
    ("equipment", "step"),
    [
        ("barbell", 2.5), ("dumbbell", 2.0), ("kettlebell", 4.0), ("machine", 2.5), ("cable", 2.5),
        ("bodyweight", 2.5), ("other", 2.5), ("trap bar", 2.5), ("", 2.5), (" Dumbbell ", 2.0),
    ],
)
def test_increments(equipment, step):
    assert rules.increment(equipment) == step


def test_every_equipment_kind_has_an_increment():
    assert set(rules.INCREMENT_KG) == set(EQUIPMENT_KINDS)
    assert rules.equipment_kind("sandbag") == "other"
    assert rules.equipment_kind("KETTLEBELL") == "kettlebell"


def test_max_step_up_is_ten_percent_or_one_increment():
    assert rules.max_step_up(100, "barbell") == pytest.approx(10.0)
    assert rules.max_step_up(20, "dumbbell") == 2.0  # 10% would be 2.0 too
    assert rules.max_step_up(12, "dumbbell") == 2.0  # one increment beats 1.2 kg
    assert rules.max_step_up(0, "bodyweight") == 2.5
    assert rules.max_step_up(16, "kettlebell") == 4.0


@pytest.mark.parametrize(
    ("current", "proposed", "equipment", "expected"),
    [
        (100, 120, "barbell", 110.0),  # capped at +10%
        (100, 110, "barbell", 110.0),
        (100, 109, "barbell", 107.5),  # raising rounds down to whole increments
        (100, 101, "barbell", 100.0),  # less than an increment: no change
        (20, 30, "dumbbell", 22.0),  # increment 2 beats 10%
        (20, 21.9, "dumbbell", 20.0),
        (16, 40, "kettlebell", 20.0),
        (0, 10, "bodyweight", 2.5),  # added load from bodyweight: one step
        (0, 10, "dumbbell", 2.0),
        (101, 120, "barbell", 111.0),  # from what is on the bar, in whole increments
        (100, 90, "barbell", 90.0),
        (100, 91.3, "barbell", 92.5),  # lowering rounds to the nearest increment
        (100, 91.2, "barbell", 90.0),
        (100, 98.8, "barbell", 100.0),  # less than half an increment: no change
        (3, 0.5, "dumbbell", 1.0),
        (1, 0, "dumbbell", 0.0),  # never below zero
        (1, -5, "dumbbell", 0.0),
        (0, -5, "barbell", 0.0),
    ],
)
def test_cap_load(current, proposed, equipment, expected):
    assert rules.cap_load(current, proposed, equipment) == pytest.approx(expected)


def test_cap_load_never_exceeds_the_cap_on_awkward_loads():
    for tenths in range(0, 5000, 7):
        current = tenths / 10 + 0.0123
        for equipment in EQUIPMENT_KINDS:
            raised = rules.cap_load(current, current * 2 + 50, equipment)
            assert current <= raised <= current + rules.max_step_up(current, equipment)


@pytest.mark.parametrize(
    ("reps", "rpe", "percent"),
    [
        (1, 10, 100.0), (1, 9.5, 97.8), (1, 9, 95.5), (1, 8, 92.2), (1, 6, 86.3),
        (3, 8, 86.3), (5, 10, 86.3), (5, 8, 81.1), (5, 6.5, 77.4), (8, 10, 78.6), (8, 8, 73.9),
        (10, 10, 73.9), (10, 8, 68.0), (11, 10, 70.7), (12, 10, 68.0), (12, 6, 57.2),
    ],
)
def test_rts_chart_spot_values(reps, rpe, percent):
    assert rules.percent_1rm(reps, rpe) == pytest.approx(percent / 100)


def test_chart_is_one_curve_by_reps_to_failure():
    # r reps at RPE x leave as many reps in reserve as r + 1 reps at RPE x + 1.
    for reps in range(1, 12):
        for rpe in (6, 6.5, 7, 7.5, 8, 8.5, 9):
            assert rules.percent_1rm(reps, rpe) == rules.percent_1rm(reps + 1, rpe + 1)
    for row in rules.RTS_CHART:
        assert list(row) == sorted(row, reverse=True)  # lower RPE, lighter load


def test_chart_interpolates_between_points_and_clamps():
    assert rules.percent_1rm(1, 9.75) == pytest.approx((1.0 + 0.978) / 2)
    assert rules.percent_1rm(5, 8.25) == pytest.approx((0.811 + 0.824) / 2)
    assert rules.percent_1rm(2.5, 10) == pytest.approx((0.955 + 0.922) / 2)
    assert rules.percent_1rm(0, 10) == 1.0
    assert rules.percent_1rm(30, 10) == rules.percent_1rm(12, 10)
    assert rules.percent_1rm(5, 3) == rules.percent_1rm(5, 6)
    assert rules.percent_1rm(5, 11) == rules.percent_1rm(5, 10)


def test_e1rm_and_load_round_trip():
    assert rules.e1rm_from(100, 1, 10) == pytest.approx(100)
    assert rules.e1rm_from(86.3, 5, 10) == pytest.approx(100)
    assert rules.load_for(200, 5, 8) == pytest.approx(162.2)
    for reps in range(1, 13):
        for rpe in (6, 7.25, 8, 9.5, 10):
            assert rules.load_for(rules.e1rm_from(123.4, reps, rpe), reps, rpe) == pytest.approx(123.4)


def _tweak(sets=3, reps=8, weight=100.0, rest=120, mods=None):
    return Tweak(action="maintain", reason="x", modifications=dict(mods or {}), next=Prescription(sets, reps, weight, rest))


def test_enforce_reapplies_floor_and_cap():
    ctx = CoachContext(planned_reps=10, load_kg=100, equipment="barbell")
    mods = {"reps": 6, "weight_kg": 150.0, "sets": 0, "rest_time": 30}
    fixed = rules.enforce(ctx, _tweak(sets=0, reps=5, weight=150.0, rest=-3, mods=mods))
    assert fixed.next == Prescription(sets=1, reps=8, weight_kg=110.0, rest_s=0)
    assert fixed.modifications == {"reps": 8, "weight_kg": 110.0, "rest_time": 30}


def test_enforce_keeps_a_zero_load_target_and_clamps_negatives():
    ctx = CoachContext(planned_reps=8, load_kg=20, equipment="dumbbell")
    fixed = rules.enforce(ctx, _tweak(weight=-4.0, mods={"weight_kg": 0.0}))
    assert fixed.next.weight_kg == 0.0
    assert fixed.modifications == {"weight_kg": 0.0}


def test_enforce_returns_a_compliant_tweak_unchanged():
    tweak = _tweak(weight=102.5, mods={"weight_kg": 102.5})
    assert rules.enforce(CoachContext(load_kg=100), tweak) is tweak


def test_enforce_drops_unknown_keys_and_uses_the_reference_load():
    ctx = CoachContext(load_kg=0, equipment="barbell")
    fixed = rules.enforce(ctx, _tweak(weight=80.0, mods={"weight_kg": 80.0, "tempo": "slow"}), reference_load=80.0)
    assert fixed.modifications == {"weight_kg": 80.0}
    assert rules.enforce(ctx, _tweak(weight=80.0)).next.weight_kg == 2.5
