"""What the logger shows: masses in the member's units with one rounding, the one e1RM of a set."""

from datetime import timedelta

from adaptivefit.services.training import logger_display, workouts
from tests.services.training.workout_fixtures import T0, ctx  # noqa: F401  (fixture)


def test_a_set_reads_in_pounds_and_its_e1rm_counts_reps_in_reserve(ctx):
    c = ctx
    c.ada.units = "lb"
    workout = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, workout, c.squat, 5, 100, rir=2)
    view = logger_display.logger_view(c.session, c.ada, [])
    row = view["blocks"][0]["sets"][0]
    # 100 kg is 220.46 lb; 5 reps with 2 in reserve count as 7: 100 x (1 + 7/30) = 123.3 kg = 271.9 lb.
    assert (row["load"], row["rir"], row["rpe"], row["e1rm"]) == ("220.5", "2", "", "271.9 lb")
    assert view["blocks"][0]["default_load"] == "220.5"


def test_an_added_exercise_shows_an_empty_block_until_its_first_set(ctx):
    c = ctx
    workouts.start_workout(c.session, c.ada, now=T0)
    block = logger_display.logger_view(c.session, c.ada, [c.bench.id])["blocks"][0]
    assert (block["name"], block["sets"], block["previous"]) == ("Barbell Bench Press", [], "No earlier sets")
    assert (block["default_load"], block["default_reps"]) == ("", "")


def test_last_times_sets_read_in_the_members_units(ctx):
    c = ctx
    c.ada.units = "lb"
    past = workouts.start_workout(c.session, c.ada, now=T0 - timedelta(days=2))
    c.log(c.ada, past, c.bench, 8, 60, rpe=8)
    workouts.finish_workout(c.session, c.ada, past.id, now=T0 - timedelta(days=2, hours=-1))
    today = workouts.start_workout(c.session, c.ada, now=T0)
    c.log(c.ada, today, c.bench, 8, 60)
    block = logger_display.logger_view(c.session, c.ada, [])["blocks"][0]
    assert block["previous"] == "132.3 lb × 8 @8"


def test_without_a_workout_the_next_plan_day_is_offered(ctx):
    view = logger_display.logger_view(ctx.session, ctx.ada, [])
    assert (view["active"], view["blocks"], view["next_day"]) == (False, [], "")


def test_record_news_names_each_kind():
    assert logger_display.record_news(()) == ""
    assert logger_display.record_news(("load", "reps")) == "New personal record! heaviest load, reps"


def test_exercise_choices_need_two_letters(ctx):
    assert logger_display.exercise_choices(ctx.session, ctx.ada, "s") == []
    found = logger_display.exercise_choices(ctx.session, ctx.ada, "back squat")
    assert {"id": str(ctx.squat.id), "name": "Barbell Back Squat", "equipment": found[0]["equipment"]} in found
