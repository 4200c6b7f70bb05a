"""What the marketplace and builder pages derive from the URL and the frozen program structure."""

from adaptivefit.state.marketplace import prescription
from adaptivefit.state.programs import route_id


def test_route_ids_come_only_from_digits_after_the_prefix():
    assert route_id("/programs/12", "/programs") == 12
    assert route_id("/studio/programs/7/", "/studio/programs") == 7
    assert route_id("/programs/abc", "/programs") is None
    assert route_id("/programs/", "/programs") is None
    assert route_id("/programs/1" + "0" * 20, "/programs") is None


def test_a_planned_exercise_reads_like_a_lifters_notebook():
    base = {"sets": 4, "reps_min": 6, "reps_max": 8, "load_kg": None, "percent_1rm": 75.0, "target_rpe": None,
            "target_rir": 2, "rest_s": 150}
    assert prescription(base) == "4 × 6-8 @ 75% 1RM · 2 RIR · rest 150 s"
    assert prescription({**base, "reps_min": 5, "reps_max": 5, "percent_1rm": None, "load_kg": 82.5,
                         "target_rir": None, "target_rpe": 8.5}) == "4 × 5 @ 82.5 kg · RPE 8.5 · rest 150 s"
