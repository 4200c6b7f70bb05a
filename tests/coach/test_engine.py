"""The engine's behaviour per event, with hand-computed numbers (RTS chart values in comments)."""

import pytest

from adaptivefit.coach import params, rules
from adaptivefit.coach.engine import decide
from adaptivefit.coach.types import EVENTS, CoachContext, Prescription, Readiness, SessionRecord, UserData

BARBELL_100 = {"equipment": "barbell", "load_kg": 100.0, "planned_reps": 8, "target_rpe": 8.0, "rest_s": 120}


def ctx(**fields):
    return CoachContext(**{**BARBELL_100, **fields})


def session(days_ago=3, top=100.0, e1rm=130.0, struggled=False):
    return SessionRecord(days_ago=days_ago, top_load_kg=top, reps=(8, 8, 8), best_e1rm_kg=e1rm, struggled=struggled)


def test_unknown_event_names_the_allowed_ones():
    with pytest.raises(ValueError) as error:
        decide("warm_up", CoachContext())
    for event in EVENTS:
        assert event in str(error.value)


# skip_set ----------------------------------------------------------------------------------


def test_documented_skip_set_example():
    tweak = decide("skip_set", CoachContext(set_number=2))
    assert tweak.action == "reduce_volume"
    assert tweak.modifications == {"sets": -1, "rest_time": 30}
    assert tweak.next.sets == 2
    assert tweak.next.rest_s == params.GOAL_PARAMS["general"].rest_s + 30
    assert tweak.scope == "session"
    assert tweak.to_dict()["modifications"] == {"sets": -1, "rest_time": 30}


def test_skipping_the_last_set_drops_nothing_more():
    tweak = decide("skip_set", ctx(set_number=3, planned_sets=3))
    assert tweak.action == "maintain"
    assert tweak.modifications == {}
    assert tweak.next.sets == 3


def test_sets_never_fall_below_the_sets_already_done():
    assert decide("skip_set", ctx(set_number=5, planned_sets=3)).next.sets == 5
    assert decide("skip_set", ctx(set_number=1, planned_sets=1)).next.sets == 1


# complete_set ------------------------------------------------------------------------------


def test_complete_set_on_target_maintains():
    tweak = decide("complete_set", ctx(completed_reps=8, rpe=8.5))
    assert tweak.action == "maintain"
    assert tweak.modifications == {}
    assert tweak.next == Prescription(sets=3, reps=8, weight_kg=100.0, rest_s=120)


def test_complete_set_without_rpe_maintains():
    assert decide("complete_set", ctx(completed_reps=8)).action == "maintain"
    assert decide("complete_set", ctx(completed_reps=None)).action == "maintain"


@pytest.mark.parametrize(
    ("rpe", "expected"),
    [
        (9.5, 95.0),  # e1RM 100 / .774 = 129.2; 8 @ 8 = .739 * 129.2 = 95.5 -> two increments off
        (9.0, 97.5),  # 100 / .762 * .739 = 97.0 -> one increment off
        (10.0, 95.0),  # 100 / .786 * .739 = 94.0 -> 6.0 kg off rounds to two increments
    ],
)
def test_complete_set_above_target_autoregulates_down(rpe, expected):
    tweak = decide("complete_set", ctx(completed_reps=8, rpe=rpe))
    assert tweak.action == "reduce_load"
    assert tweak.next.weight_kg == expected
    assert tweak.modifications == {"weight_kg": expected}
    assert tweak.next.reps == 8


def test_rir_stands_in_for_rpe():
    assert decide("complete_set", ctx(completed_reps=8, rir=1)).next.weight_kg == 97.5  # RPE 9
    assert decide("complete_set", ctx(completed_reps=8, rir=1, rpe=8)).action == "maintain"  # RPE wins


def test_hard_set_with_extra_reps_keeps_the_load():
    # 10 reps @ 9: e1RM 100 / .707 = 141.4; 8 @ 8 wants 104.5 kg, so nothing to take off.
    assert decide("complete_set", ctx(completed_reps=10, rpe=9)).action == "maintain"


def test_hard_set_on_light_dumbbells_adds_rest_instead_of_a_big_drop():
    # 10 kg: the chart says 9.7 kg, less than half a 2 kg step; relief comes as rest.
    tweak = decide("complete_set", ctx(equipment="dumbbell", load_kg=10, completed_reps=8, rpe=9, rest_s=90))
    assert tweak.action == "add_rest"
    assert tweak.modifications == {"rest_time": 30}
    assert tweak.next.weight_kg == 10


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"rpe": 6}, 107.5),  # 100 / .680 = 147.1; 8 @ 8 = 108.7 -> three increments up
        ({"rpe": 5}, 107.5),  # the chart stops at RPE 6
        ({"rpe": 3, "target_rpe": 9}, 110.0),  # 8 @ 9 = 112.1, capped at +10%
        ({"planned_reps": 5, "completed_reps": 5, "rpe": 6}, 105.0),  # 100 / .762 * .811 = 106.4
    ],
)
def test_complete_set_well_below_target_goes_heavier_within_the_cap(fields, expected):
    tweak = decide("complete_set", ctx(**{"completed_reps": 8, **fields}))
    assert tweak.action == "increase_load"
    assert tweak.next.weight_kg == expected


def test_complete_set_a_little_below_target_maintains():
    assert decide("complete_set", ctx(completed_reps=8, rpe=6.5)).action == "maintain"


def test_complete_set_short_of_the_plan_is_treated_as_a_struggle_or_failure():
    assert decide("complete_set", ctx(completed_reps=7, rpe=9)).action == "add_rest"
    assert decide("complete_set", ctx(completed_reps=5)).action == "reduce_load"


# too_easy ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("equipment", "load", "expected"),
    [("barbell", 100, 102.5), ("dumbbell", 20, 22.0), ("kettlebell", 16, 20.0), ("machine", 45, 47.5)],
)
def test_too_easy_without_rpe_adds_one_increment(equipment, load, expected):
    tweak = decide("too_easy", ctx(equipment=equipment, load_kg=load))
    assert tweak.action == "increase_load"
    assert tweak.next.weight_kg == expected
    assert tweak.modifications == {"weight_kg": expected}


def test_too_easy_with_rpe_uses_the_chart_and_the_cap():
    assert decide("too_easy", ctx(completed_reps=8, rpe=5)).next.weight_kg == 107.5
    assert decide("too_easy", ctx(completed_reps=8, rpe=1, target_rpe=10)).next.weight_kg == 110.0
    # A hard RPE with "too easy" still gets the smallest step, never a cut.
    assert decide("too_easy", ctx(completed_reps=8, rpe=10)).next.weight_kg == 102.5


def test_too_easy_on_bodyweight_adds_one_step_of_load():
    tweak = decide("too_easy", ctx(equipment="bodyweight", load_kg=0))
    assert tweak.action == "increase_load"
    assert tweak.next.weight_kg == 2.5
    assert "2.5 kg" in tweak.reason


# struggle_set ------------------------------------------------------------------------------


def test_first_struggle_adds_rest_and_keeps_the_load():
    tweak = decide("struggle_set", ctx(completed_reps=7))
    assert tweak.action == "add_rest"
    assert tweak.modifications == {"rest_time": 30}
    assert tweak.next == Prescription(sets=3, reps=8, weight_kg=100.0, rest_s=150)
    assert "150 s" in tweak.reason


def test_strength_goal_rests_longer_after_a_struggle():
    tweak = decide("struggle_set", ctx(rest_s=None, completed_reps=7), UserData(goals=("strength",)))
    assert tweak.modifications == {"rest_time": 60}
    assert tweak.next.rest_s == 240


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"completed_reps": 7}, 90.0),  # 100 / .811 * .739 = 91.1 -> 8.9 kg off rounds to 10
        ({"completed_reps": 7, "rpe": 9}, 95.0),  # 100 / .786 * .739 = 94.0 -> 6.0 kg off -> 5
        ({"completed_reps": 8, "rpe": 10}, 95.0),  # 94.0 kg -> 5 off; band keeps it within 5-10%
        ({"completed_reps": None}, 92.5),  # no reps recorded: 7.5% off
    ],
)
def test_second_struggle_goes_lighter(fields, expected):
    tweak = decide("struggle_set", ctx(session_struggles=1, **fields))
    assert tweak.action == "reduce_load"
    assert tweak.next.weight_kg == expected
    assert tweak.next.reps == 8
    assert tweak.modifications == {"weight_kg": expected}


def test_repeated_struggle_and_skips_drop_a_set_and_go_lighter():
    tweak = decide("struggle_set", ctx(set_number=2, planned_sets=4, completed_reps=7, session_struggles=1,
                                       session_skips=1))
    assert tweak.action == "reduce_volume"
    assert tweak.modifications == {"sets": -1, "weight_kg": 90.0}
    assert tweak.next.sets == 3


def test_two_skips_then_a_struggle_drop_a_set_at_the_same_load():
    tweak = decide("struggle_set", ctx(set_number=3, planned_sets=5, completed_reps=7, session_skips=2))
    assert tweak.action == "reduce_volume"
    assert tweak.next.sets == 4
    assert tweak.next.weight_kg <= 100


def test_a_struggle_below_the_floor_is_a_failure():
    assert decide("struggle_set", ctx(completed_reps=4)) == decide("fail_set", ctx(completed_reps=4))


# fail_set ----------------------------------------------------------------------------------


def test_fail_set_goes_lighter_and_rests_longer():
    # 5 of 8: e1RM 100 / .863 = 115.9; 8 @ 8 = 85.6 kg -> 14.4 off rounds to 15.
    tweak = decide("fail_set", ctx(completed_reps=5))
    assert tweak.action == "reduce_load"
    assert tweak.modifications == {"rest_time": 30, "weight_kg": 85.0}
    assert tweak.next == Prescription(sets=3, reps=8, weight_kg=85.0, rest_s=150)


@pytest.mark.parametrize(("completed", "expected"), [(0, 90.0), (None, 90.0), (1, 80.0), (6, 87.5)])
def test_fail_set_cut_stays_between_10_and_20_percent(completed, expected):
    assert decide("fail_set", ctx(completed_reps=completed)).next.weight_kg == expected


def test_fail_set_never_lowers_the_rep_target():
    for planned in range(1, 30):
        tweak = decide("fail_set", ctx(planned_reps=planned, completed_reps=0))
        assert tweak.next.reps == planned >= rules.rep_floor(planned)
        assert "reps" not in tweak.modifications


def test_fail_set_after_repeated_trouble_also_drops_a_set():
    tweak = decide("fail_set", ctx(set_number=2, completed_reps=5, session_struggles=1, session_skips=1))
    assert tweak.action == "reduce_volume"
    assert tweak.modifications == {"sets": -1, "rest_time": 30, "weight_kg": 85.0}


def test_fail_set_on_bodyweight_rests_longer():
    tweak = decide("fail_set", ctx(equipment="bodyweight", load_kg=0, completed_reps=3))
    assert tweak.action == "add_rest"
    assert tweak.next.weight_kg == 0


# complete_workout: double progression and deloads -----------------------------------------


def workout(**fields):
    return ctx(**{"reps_min": 8, "reps_max": 12, "set_number": 3, **fields})


def test_meeting_the_target_adds_a_rep_next_time():
    tweak = decide("complete_workout", workout(planned_reps=10, completed_reps=10, rpe=8))
    assert tweak.action == "increase_reps"
    assert tweak.scope == "next_session"
    assert tweak.modifications == {"reps": 11}
    assert tweak.next == Prescription(sets=3, reps=11, weight_kg=100.0, rest_s=120)


def test_top_of_the_range_adds_load_and_resets_reps_no_lower_than_the_floor():
    tweak = decide("complete_workout", workout(planned_reps=12, completed_reps=12, rpe=7.5))
    assert tweak.action == "progress_load"
    assert tweak.scope == "next_session"
    # Back toward the bottom of the range (8), but never under 80% of today's 12.
    assert tweak.next == Prescription(sets=3, reps=10, weight_kg=102.5, rest_s=120)
    assert tweak.modifications == {"reps": 10, "weight_kg": 102.5}


def test_straight_sets_progress_load_when_all_reps_are_made():
    tweak = decide("complete_workout", ctx(completed_reps=8, rpe=7))
    assert tweak.action == "progress_load"
    assert tweak.modifications == {"weight_kg": 102.5}


def test_beginners_progress_two_increments_but_never_past_the_cap():
    beginner = UserData(fitness_level="beginner")
    assert decide("complete_workout", ctx(completed_reps=8, rpe=7), beginner).next.weight_kg == 105.0
    dumbbells = ctx(equipment="dumbbell", load_kg=20, completed_reps=8, rpe=7)
    assert decide("complete_workout", dumbbells, beginner).next.weight_kg == 22.0


@pytest.mark.parametrize(
    "fields",
    [
        {"planned_reps": 10, "completed_reps": 9, "rpe": 8},  # short of today's target
        {"planned_reps": 12, "completed_reps": 12, "rpe": 9},  # made it, but above target effort
    ],
)
def test_otherwise_the_next_session_stays_the_same(fields):
    tweak = decide("complete_workout", workout(**fields))
    assert tweak.action == "maintain"
    assert tweak.scope == "next_session"
    assert tweak.modifications == {}


def test_bodyweight_top_of_range_does_not_add_load():
    tweak = decide("complete_workout", ctx(equipment="bodyweight", load_kg=0, completed_reps=8, rpe=7))
    assert tweak.action == "maintain"
    assert tweak.next.weight_kg == 0


def test_repeated_struggle_across_sessions_earns_a_deload():
    history = (session(struggled=True), session(), session(struggled=True))
    tweak = decide("complete_workout", workout(planned_reps=10, completed_reps=8, session_struggles=1),
                   UserData(history=history))
    assert tweak.action == "deload"
    assert tweak.deload is True
    assert tweak.scope == "week"
    assert tweak.next == Prescription(sets=2, reps=10, weight_kg=90.0, rest_s=120)
    assert tweak.modifications == {"sets": -1, "weight_kg": 90.0}


def test_no_deload_without_a_struggle_today():
    history = (session(struggled=True), session(), session(struggled=True))
    tweak = decide("complete_workout", workout(planned_reps=10, completed_reps=10, rpe=8), UserData(history=history))
    assert tweak.action == "increase_reps"


def test_a_falling_e1rm_earns_a_deload():
    falling = (session(e1rm=120), session(e1rm=125), session(e1rm=130))
    assert decide("complete_workout", workout(completed_reps=8), UserData(history=falling)).action == "deload"
    flat = (session(e1rm=129), session(e1rm=130), session(e1rm=131))  # under 2%: noise
    assert decide("complete_workout", workout(completed_reps=8), UserData(history=flat)).action != "deload"


@pytest.mark.parametrize(("planned_sets", "deload_sets"), [(1, 1), (2, 1), (3, 2), (4, 3), (5, 3), (6, 4)])
def test_deload_keeps_two_thirds_of_the_sets(planned_sets, deload_sets):
    falling = UserData(history=(session(e1rm=120), session(e1rm=125), session(e1rm=130)))
    assert decide("complete_workout", ctx(planned_sets=planned_sets), falling).next.sets == deload_sets


# start_workout -----------------------------------------------------------------------------


def test_start_as_planned():
    tweak = decide("start_workout", ctx(set_number=0), UserData(readiness=Readiness(sleep_hours=8, hrv_ratio=1.0)))
    assert tweak.action == "maintain"
    assert tweak.modifications == {}
    assert tweak.next == Prescription(sets=3, reps=8, weight_kg=100.0, rest_s=120)


@pytest.mark.parametrize("readiness", [Readiness(sleep_hours=5.5), Readiness(hrv_ratio=0.8),
                                       Readiness(sleep_hours=4, hrv_ratio=0.5)])
def test_poor_readiness_goes_a_little_lighter(readiness):
    tweak = decide("start_workout", ctx(set_number=0), UserData(readiness=readiness))
    assert tweak.action == "readiness_adjust"
    assert tweak.modifications == {"rest_time": 30, "weight_kg": 95.0}
    assert tweak.next.reps == 8


def test_readiness_on_dumbbells_drops_at_least_one_increment():
    tweak = decide("start_workout", ctx(equipment="dumbbell", load_kg=20, set_number=0),
                   UserData(readiness=Readiness(sleep_hours=5)))
    assert tweak.next.weight_kg == 18.0


def test_start_with_no_planned_load_picks_up_the_last_top_load():
    tweak = decide("start_workout", ctx(load_kg=0, set_number=0), UserData(history=(session(top=80),)))
    assert tweak.action == "maintain"
    assert tweak.next.weight_kg == 80.0
    assert tweak.modifications == {"weight_kg": 80.0}


def test_start_after_a_layoff_restarts_lighter():
    tweak = decide("start_workout", ctx(load_kg=0, set_number=0), UserData(history=(session(days_ago=30, top=80),)))
    assert tweak.action == "reduce_load"
    assert tweak.next.weight_kg == 72.5  # 80 less 10%, in whole increments
    assert "72.5 kg" in tweak.reason


def test_start_deload_wins_over_readiness():
    struggles = tuple(session(struggled=True) for _ in range(3))
    tweak = decide("start_workout", ctx(set_number=0), UserData(history=struggles, readiness=Readiness(sleep_hours=4)))
    assert tweak.action == "deload"
    assert tweak.next.weight_kg == 90.0
    two_of_three = (session(struggled=True), session(), session(struggled=True))
    assert decide("start_workout", ctx(set_number=0), UserData(history=two_of_three)).action == "maintain"


# members, equipment and odd inputs ---------------------------------------------------------


def test_unknown_equipment_counts_as_other():
    assert decide("too_easy", ctx(equipment="trap bar")).next.weight_kg == 102.5
    assert decide("too_easy", ctx(equipment="")).next.weight_kg == 102.5


def test_level_and_goal_change_rest_and_targets_not_safety():
    hyper = UserData(goals=("yoga", "hypertrophy", "strength"))  # first known goal wins
    assert decide("complete_set", ctx(rest_s=None, completed_reps=8), hyper).next.rest_s == 90
    assert decide("complete_set", ctx(rest_s=None, completed_reps=8), UserData(goals=("strength",))).next.rest_s == 180
    assert decide("complete_set", ctx(rest_s=None, completed_reps=8)).next.rest_s == 120  # general
    assert decide("complete_set", ctx(rest_s=None, completed_reps=8), UserData(goals=("yoga",))).next.rest_s == 120
    # Beginners aim a point lower (general 7.5 -> 6.5), so RPE 7.5 is already too hard for them.
    beginner, elite = UserData(fitness_level="beginner"), UserData(fitness_level="elite")
    assert decide("complete_set", ctx(target_rpe=None, completed_reps=8, rpe=7.5), beginner).action == "reduce_load"
    assert decide("complete_set", ctx(target_rpe=None, completed_reps=8, rpe=7.5), elite).action == "maintain"
    # ...while the floor and the cap are the same for everyone.
    for user in (beginner, elite, UserData(fitness_level="advanced", goals=("strength",))):
        assert decide("too_easy", ctx(equipment="dumbbell", load_kg=20, rpe=1), user).next.weight_kg == 22.0
        assert decide("fail_set", ctx(planned_reps=10, completed_reps=0), user).next.reps == 10


def test_params_for_members():
    assert params.for_member("beginner", ("endurance",)).target_rpe == 6.0
    assert params.for_member("advanced", ()).goal == "general"
    assert params.for_member("elite", ("fat_loss",)).level == "intermediate"
    assert (params.GOAL_PARAMS["strength"].reps_min, params.GOAL_PARAMS["strength"].reps_max) == (3, 6)


def test_odd_combinations_do_not_crash():
    odd = [
        ctx(reps_min=12, reps_max=8, completed_reps=12, rpe=7),
        ctx(set_number=9, planned_sets=3, completed_reps=None),
        ctx(load_kg=0, completed_reps=0, rpe=None, rir=0),
        ctx(planned_reps=1, completed_reps=200, rpe=1, rest_s=0),
        ctx(load_kg=1000, equipment="BARBELL", rest_s=3600, session_struggles=50, session_skips=50),
    ]
    for context in odd:
        for event in EVENTS:
            tweak = decide(event, context, UserData(fitness_level="?", goals=("?",)))
            assert tweak.next.reps >= rules.rep_floor(context.planned_reps)
            assert tweak.next.weight_kg <= context.load_kg + rules.max_step_up(context.load_kg, "barbell")


def test_swapped_rep_range_is_read_as_a_range():
    tweak = decide("complete_workout", ctx(reps_min=12, reps_max=8, planned_reps=10, completed_reps=10, rpe=8))
    assert tweak.action == "increase_reps"
    assert tweak.next.reps == 11


def test_reasons_quote_the_prescription():
    tweak = decide("fail_set", ctx(completed_reps=5))
    assert tweak.reason == "Missed reps: rest 150 s and go lighter, 8 reps at 85 kg."
