"""What a generated coach message must pass before a member reads it (coach.guardrails)."""

from __future__ import annotations

import pytest

from adaptivefit.coach.guardrails import MAX_CHARS, allowed_numbers, check, direction_matches
from adaptivefit.coach.types import Prescription, Tweak


def tweak(action="reduce_load", *, sets=3, reps=8, weight=82.5, rest=150) -> Tweak:
    return Tweak(action=action, reason="test", modifications={},
                 next=Prescription(sets=sets, reps=reps, weight_kg=weight, rest_s=rest))


def reason(text, action="reduce_load", units="kg", exercise="Back Squat", **kw):
    return check(text, tweak(action, **kw), exercise=exercise, units=units)


def test_a_good_message_passes():
    assert reason("Let's drop to 82.5 kg for 8 clean reps and rest 150 seconds.") is None
    assert reason("Three sets are plenty today: 3 sets of 8 at 82.5 kg.", "maintain") is None
    assert reason("Take 120 seconds, a full two minutes.", "add_rest", rest=120) is None  # rest in minutes


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty(text):
    assert reason(text) == "empty"


def test_too_long():
    assert reason(("Keep going steady. " * 20).strip()[: MAX_CHARS + 1] + ".") == "too long"


@pytest.mark.parametrize("text, why", [
    ("Drop to 80 kg for 8 reps.", "number 80"),
    ("Drop to 82.5 kg for 10 reps.", "number 10"),
    ("Rest 90 seconds, then 8 reps.", "number 90"),
    ("Do five more reps at 82.5 kg.", "'five'"),
])
def test_numbers_must_come_from_the_prescription(text, why):
    assert why in reason(text)


def test_numbers_in_the_users_units_and_the_exercise_name():
    assert reason("Drop to 181.9 lb for 8 reps.", units="lb") is None
    assert "number 182" in reason("Drop to 182 lb for 8 reps.", units="lb")  # rounded as everywhere: 181.9
    assert "number 82.5" in reason("Drop to 82.5 for 8 reps.", units="lb")
    assert reason("Drop to 181.9 kg for 8 reps.", units="lb") == "wrong unit"
    assert reason("Drop to 82.5 pounds for 8 reps.") == "wrong unit"
    assert reason("Take the 21s curl down to 82.5 kg for 8 reps.", exercise="21s curl") is None
    assert allowed_numbers(tweak(weight=100), "lb") == {8.0, 220.5, 150.0, 3.0}


@pytest.mark.parametrize("action, text", [
    ("reduce_load", "Go heavier: 82.5 kg for 8."),
    ("reduce_load", "Let's increase the weight to 82.5 kg."),
    ("deload", "Add weight this week: 82.5 kg."),
    ("readiness_adjust", "You're fresh today, so more weight: 82.5 kg."),
    ("reduce_volume", "Let's go up to 82.5 kg for the last sets."),
    ("reduce_volume", "Add one set today."),
    ("add_rest", "Add some weight and keep the rest short: 82.5 kg."),
    ("add_rest", "Shorter rest this time, then 8 reps."),
    ("increase_load", "Go lighter: 82.5 kg for 8 reps."),
    ("increase_load", "Let's reduce the weight to 82.5 kg."),
    ("progress_load", "Time to deload: 82.5 kg."),
    ("progress_load", "Drop the weight to 82.5 kg next time."),
    ("increase_reps", "Next time, add weight: 82.5 kg for 8."),
    ("increase_reps", "Fewer reps next time, 8 per set."),
    ("progress_load", "Next time, the same weight: 82.5 kg for 3 sets of 8."),
    ("reduce_load", "Keep the weight at 82.5 kg for 8 reps."),
    ("maintain", "Go heavier next set: 82.5 kg."),
    ("maintain", "A bit lighter next: 82.5 kg."),
])
def test_direction_contradicting_the_action_is_rejected(action, text):
    assert "contradicts" in reason(text, action)
    assert not direction_matches(text, tweak(action))


@pytest.mark.parametrize("action, text", [
    ("reduce_load", "Take it down to 82.5 kg for 8 clean reps."),
    ("increase_load", "Time to go heavier: 82.5 kg for 8 reps."),
    ("progress_load", "Next session we move to 82.5 kg."),
    ("increase_reps", "Next time, aim for 8 reps per set."),
    ("add_rest", "Rest 150 seconds before the next set."),
    ("reduce_volume", "Let's call it at 3 sets today."),
    ("deload", "A lighter week: 82.5 kg for 3 sets of 8."),
    ("readiness_adjust", "Recovery looks low, so ease in at 82.5 kg."),
    ("maintain", "Same again: 8 reps at 82.5 kg."),
    ("increase_reps", "Go up to 8 reps next time."),  # "go up" fits reps; only load words contradict
])
def test_direction_matches(action, text):
    assert reason(text, action) is None
    assert direction_matches(text, tweak(action))


def test_direction_needs_a_cue():
    assert not direction_matches("Nice set, 8 reps at 82.5 kg.", tweak("reduce_load"))
    assert not direction_matches("", tweak("maintain"))


@pytest.mark.parametrize("text", [
    "I can't diagnose that, but drop to 82.5 kg.",
    "This is injury treatment: rest 150 seconds.",
    "I'd prescribe a lighter load of 82.5 kg.",
    "Check your medication, then 8 reps.",
    "Your doctor says 82.5 kg is fine.",
])
def test_medical_language_is_rejected(text):
    assert reason(text) == "medical language"


@pytest.mark.parametrize("text, why", [
    ("Drop to {weight_kg} for 8 reps.", "leftover placeholder or markup"),
    ("Drop to 82.5 kg for 8 reps }", "leftover placeholder or markup"),
    ("<action=reduce_load> drop to 82.5 kg.", "leftover placeholder or markup"),
    ("Drop to 82.5 kg.<|endoftext|>", "leftover placeholder or markup"),
    ("Drop to 82.5\x07 kg for 8 reps.", "non-printable characters"),
    ("Drop to 82.5 kg\nfor 8 reps.", "non-printable characters"),
    ("Drop to 82.5 kg \ufffd for 8 reps.", "non-printable characters"),
    ("Drop drop drop drop to 82.5 kg.", "repeats itself"),
    ("Ease off ease off ease off a little.", "repeats itself"),
    ("See https://example.com for 8 reps.", "contains a URL"),
    ("See www.lift.org and drop to 82.5 kg.", "contains a URL"),
    ("Read coach.io about drop sets.", "contains a URL"),
    ("Drop to 82.5 kg! Now! Go!", "too many exclamation marks"),
    ("Drop to 82.5 kg for 8 reps and", "unfinished sentence"),
    ("Rest 150 seconds.8 reps at 82.5 kg.", "malformed punctuation"),
    ("Drop to 82.5 kg , then 8 reps.", "malformed punctuation"),
    (", drop to 82.5 kg.", "does not start like a sentence"),
])
def test_garbage_is_rejected(text, why):
    assert reason(text) == why
