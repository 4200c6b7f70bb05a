"""The prompt format (coach.prompting) and the template tier (coach.messages)."""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys

import pytest

from adaptivefit.coach import guardrails, messages
from adaptivefit.coach.messages import TEMPLATES, template_message, template_texts
from adaptivefit.coach.prompting import (
    EOS,
    PLACEHOLDERS,
    control_prefix,
    fill,
    placeholders_in,
    prompt_for,
    training_line,
)
from adaptivefit.coach.types import ACTIONS, EVENTS, FITNESS_LEVELS, GOALS, SCOPES, Prescription, Tweak
from adaptivefit.services.core.units import format_mass


def tweak(action="reduce_load", *, sets=3, reps=8, weight=82.5, rest=150, scope="session") -> Tweak:
    return Tweak(action=action, reason="test", modifications={},
                 next=Prescription(sets=sets, reps=reps, weight_kg=weight, rest_s=rest), scope=scope)


# --- prompting -------------------------------------------------------------------------------------


def test_control_prefix_and_training_line_format():
    prefix = control_prefix("struggle_set", "reduce_load", "strength", "beginner", "session")
    assert prefix == "<event=struggle_set> <action=reduce_load> <goal=strength> <level=beginner> <scope=session>\n"
    line = training_line(prefix, "Drop to {weight_kg}  for {reps}\n reps.")
    assert line == prefix + "Drop to {weight_kg} for {reps} reps." + EOS
    assert EOS == "<|endoftext|>"


def test_prompt_for_normalises_unknown_context():
    t = tweak("deload", scope="week")
    assert prompt_for(t, "complete_workout", None, "elite") == control_prefix(
        "complete_workout", "deload", "general", "intermediate", "week")
    assert prompt_for(t, "fail_set", "hypertrophy", "advanced") == control_prefix(
        "fail_set", "deload", "hypertrophy", "advanced", "week")


def test_fill_substitutes_every_placeholder():
    text = "{exercise}: {sets} sets of {reps} at {weight_kg}, {rest_s} seconds of rest."
    assert fill(text, tweak(weight=82.5), "Back Squat") == "Back Squat: 3 sets of 8 at 82.5 kg, 150 seconds of rest."
    assert fill("{weight_kg}", tweak(weight=80.0), "x") == "80 kg"
    assert fill("{weight_kg}", tweak(weight=82.5), "x", units="lb") == "181.9 lb"  # 181.88 -> 181.9
    assert fill("{weight_kg}", tweak(weight=100), "x", units="lb") == "220.5 lb"  # 220.46 -> 220.5
    assert fill("{sets} sets and {reps} reps", tweak(sets=1, reps=1), "x") == "1 set and 1 rep"
    assert fill("Keep {exercise} steady.", tweak(), "") == "Keep this exercise steady."


def test_a_load_in_lb_reads_as_it_does_everywhere_else_in_the_app():
    t = tweak("increase_load", weight=50.0)
    message = template_message(t, "too_easy", exercise="Bench Press", goal="strength", level="beginner",
                               seed="user-1", units="lb")
    assert format_mass(50.0, "lb") == "110.2 lb"
    assert "110.2 lb" in message and "110 lb" not in message
    assert guardrails.check(message, t, exercise="Bench Press", units="lb") is None


@pytest.mark.parametrize("text", [
    "Go {heavier}.", "Lift {weight_kg.real}.", "{reps:>3} reps", "{reps!r} reps", "Drop to {weight_kg",
    "Drop to weight_kg}", "{{reps}}", "{}", "{0}",
])
def test_fill_refuses_unknown_placeholders_and_bad_braces(text):
    assert fill(text, tweak(), "Squat") is None


def test_fill_rejects_unknown_units():
    with pytest.raises(ValueError):
        fill("{weight_kg}", tweak(), "Squat", units="stone")


# --- the templates ---------------------------------------------------------------------------------


def test_every_action_has_at_least_four_phrasings():
    assert set(TEMPLATES) == set(ACTIONS)
    for action in ACTIONS:
        assert len(TEMPLATES[action]) >= 4, action
        assert len({t.text for t in TEMPLATES[action]}) == len(TEMPLATES[action]), f"duplicate in {action}"


@pytest.mark.parametrize("template", messages.all_templates(), ids=lambda t: t.text[:40])
def test_each_phrasing_is_well_formed_and_passes_guardrails(template):
    names = placeholders_in(template.text)
    assert names is not None and set(names) <= set(PLACEHOLDERS)
    assert template.text.count("!") <= 1
    action = next(a for a, ts in TEMPLATES.items() if template in ts)
    for units, weight, exercise in itertools.product(("kg", "lb"), (82.5, 0.0, 1234.5), ("Squat", "Romanian Deadlift")):
        if weight == 0 and template.needs_weight:
            continue
        t = tweak(action, weight=weight, sets=10, reps=12, rest=300)
        message = fill(template.text, t, exercise, units)
        assert message is not None
        assert len(message) <= 200, message
        assert guardrails.check(message, t, exercise=exercise, units=units) is None, message
        assert guardrails.direction_matches(message, t), message


def test_every_combination_gets_a_message_that_passes_guardrails():
    """Whatever (event, action) the engine produces, in any scope, goal, level, units or load."""
    for event, action, goal, level, scope in itertools.product(EVENTS, ACTIONS, GOALS, FITNESS_LEVELS, SCOPES):
        for units, weight in (("kg", 62.5), ("lb", 100.0), ("kg", 0.0)):
            t = tweak(action, weight=weight, scope=scope)
            seed = f"user-7|{event}|{action}|{goal}|{level}"
            message = template_message(t, event, exercise="Bench Press", goal=goal, level=level, seed=seed, units=units)
            assert message.strip(), (event, action)
            assert guardrails.check(message, t, exercise="Bench Press", units=units) is None, message
            assert action not in messages.LAST_RESORT or message != messages.LAST_RESORT[action], (event, action, scope)


def test_pools_are_never_thin():
    for event, action, goal, level, scope in itertools.product(EVENTS, ACTIONS, GOALS, FITNESS_LEVELS, SCOPES):
        assert len(template_texts(action, event=event, scope=scope, goal=goal, level=level)) >= 2
        assert template_texts(action, event=event, scope=scope, goal=goal, level=level, has_weight=False)


def test_load_changes_name_the_new_load_and_bodyweight_never_shows_zero():
    for action in messages.LOAD_ACTIONS:
        for text in template_texts(action, event="complete_set", scope="session"):
            assert "{weight_kg}" in text
    for action in ACTIONS:
        for seed in range(20):
            t = tweak(action, weight=0.0)
            message = template_message(t, "complete_set", exercise="Push-up", goal="general", level="beginner",
                                       seed=str(seed))
            assert " 0 kg" not in message


def test_unknown_goal_level_and_scope_fall_back_sensibly():
    t = tweak("increase_reps", scope="fortnight")
    message = template_message(t, "complete_workout", exercise="Row", goal=None, level="elite", seed="s")
    assert guardrails.check(message, t, exercise="Row") is None


def test_choice_is_deterministic_in_the_seed_and_varies_across_seeds():
    t = tweak("reduce_load")
    kwargs = dict(exercise="Squat", goal="strength", level="intermediate")
    first = template_message(t, "struggle_set", seed="user-1|struggle_set|2", **kwargs)
    assert all(template_message(t, "struggle_set", seed="user-1|struggle_set|2", **kwargs) == first for _ in range(5))
    seen = {template_message(t, "struggle_set", seed=messages.make_seed("user-1", "struggle_set", n), **kwargs)
            for n in range(40)}
    assert len(seen) >= 4


def test_choice_uses_sha256_not_the_salted_hash():
    t = tweak("add_rest")
    seed = "user-42|fail_set|3"
    texts = template_texts("add_rest", event="fail_set", scope="session", goal="general", level="intermediate")
    expected = fill(texts[int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % len(texts)], t, "Squat")
    here = template_message(t, "fail_set", exercise="Squat", goal="general", level="intermediate", seed=seed)
    assert here == expected
    code = (
        "from adaptivefit.coach.messages import template_message\n"
        "from adaptivefit.coach.types import Tweak, Prescription\n"
        "t = Tweak(action='add_rest', reason='test', modifications={}, next=Prescription(3, 8, 82.5, 150))\n"
        "print(template_message(t, 'fail_set', exercise='Squat', goal='general', level='intermediate',\n"
        f"                       seed={seed!r}))\n"
    )
    for hash_seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={"PYTHONHASHSEED": hash_seed, "PATH": ""})
        assert out.stdout.strip() == here


def test_event_shapes_the_words():
    fail = set(template_texts("reduce_load", event="fail_set", scope="session"))
    struggle = set(template_texts("reduce_load", event="struggle_set", scope="session"))
    assert fail - struggle and struggle - fail
    end = template_texts("maintain", event="complete_workout", scope="next_session")
    assert any(text.startswith(("Good session", "Workout done", "Nice work")) for text in end)


def test_messages_stay_short_and_calm():
    for template in messages.all_templates():
        message = fill(template.text, tweak(), "Barbell Back Squat")
        assert len(message) <= 200
        assert "!!" not in message
        assert message[0].isupper()


def test_unchecked_templates_pass_the_guardrails_for_the_engines_real_tweaks():
    """The API skips the guardrail check on our own phrasings; this is why that is safe."""
    import random

    from adaptivefit.coach import engine
    from adaptivefit.coach.types import CoachContext, UserData

    rng = random.Random(7)
    for _ in range(3000):
        event = rng.choice(EVENTS)
        ctx = CoachContext(
            equipment=rng.choice(("barbell", "dumbbell", "kettlebell", "machine", "bodyweight")),
            set_number=rng.randint(0, 8), planned_sets=rng.randint(1, 8), planned_reps=rng.randint(1, 20),
            completed_reps=rng.randint(0, 20), load_kg=rng.choice((0.0, rng.uniform(1, 300))),
            rpe=rng.choice((None, rng.randint(12, 20) / 2)), session_struggles=rng.randint(0, 3),
            session_skips=rng.randint(0, 2))
        user = UserData(fitness_level=rng.choice(FITNESS_LEVELS), goals=(rng.choice(GOALS),))
        t = engine.decide(event, ctx, user)
        units = rng.choice(("kg", "lb"))
        message = template_message(t, event, exercise="Back Squat", goal=user.goals[0], level=user.fitness_level,
                                   seed=str(rng.random()), units=units)
        assert guardrails.check(message, t, exercise="Back Squat", units=units) is None, (event, t, message)
