"""The curated coaching phrases the coach model learns from: complete, well-formed, pointing the right way."""

from __future__ import annotations

import re
import string
from dataclasses import replace

import pytest

from adaptivefit.coach import guardrails
from adaptivefit.coach.phrases import (
    ANY,
    COMBINATIONS,
    MAX_CHARS,
    Phrase,
    coverage,
    filled_example,
    load_phrases,
    phrases_for,
    validate,
)
from adaptivefit.coach.prompting import PLACEHOLDERS, fill
from adaptivefit.coach.types import FITNESS_LEVELS, GOALS, Prescription, Tweak

# The tweaks the engine can make, as the issue lists them (written out here on purpose, so the
# module's own table is checked against it).
EXPECTED = {
    ("skip_set", "reduce_volume", "session"),
    ("struggle_set", "add_rest", "session"),
    ("struggle_set", "reduce_load", "session"),
    ("struggle_set", "reduce_volume", "session"),
    ("fail_set", "reduce_load", "session"),
    ("fail_set", "reduce_volume", "session"),
    ("complete_set", "maintain", "session"),
    ("complete_set", "reduce_load", "session"),
    ("complete_set", "increase_load", "session"),
    ("too_easy", "increase_load", "session"),
    ("complete_workout", "progress_load", "next_session"),
    ("complete_workout", "increase_reps", "next_session"),
    ("complete_workout", "maintain", "next_session"),
    ("complete_workout", "deload", "week"),
    ("start_workout", "maintain", "session"),
    ("start_workout", "readiness_adjust", "session"),
    ("start_workout", "deload", "week"),
}
LOAD_UP_WORDS = ("heavier", "add weight", "increase the weight")
LOAD_DOWN_WORDS = ("lighter", "drop the weight", "reduce the weight")
NOT_UP = ("reduce_load", "deload", "readiness_adjust", "reduce_volume", "add_rest")
NOT_DOWN = ("increase_load", "progress_load")


@pytest.fixture(scope="module")
def phrases() -> list[Phrase]:
    return load_phrases()


def test_the_shipped_file_validates(phrases):
    assert validate(phrases) == []


def test_there_are_several_hundred(phrases):
    assert len(phrases) >= 500
    assert len({p.text for p in phrases}) == len(phrases)


def test_the_combination_table_is_the_issues():
    assert {(e, a, s) for (e, a), s in COMBINATIONS.items()} == EXPECTED


def test_only_the_engines_combinations_occur(phrases):
    assert {(p.event, p.action, p.scope) for p in phrases} == EXPECTED


@pytest.mark.parametrize("event, action, scope", sorted(EXPECTED))
def test_every_goal_and_level_has_at_least_four(phrases, event, action, scope):
    for goal in GOALS:
        for level in FITNESS_LEVELS:
            fitting = [p for p in phrases if (p.event, p.action, p.scope) == (event, action, scope)
                       and p.goal in (ANY, goal) and p.level in (ANY, level)]
            assert len(fitting) >= 4, (goal, level)


@pytest.mark.parametrize("event, action, scope", sorted(EXPECTED))
def test_each_goal_and_level_has_its_own_phrasing(phrases, event, action, scope):
    mine = [p for p in phrases if (p.event, p.action) == (event, action)]
    assert {p.goal for p in mine} >= set(GOALS)
    assert {p.level for p in mine} >= set(FITNESS_LEVELS)


def test_coverage_counts_any_for_every_goal_and_level(phrases):
    counts = coverage(phrases)
    assert len(counts) == len(EXPECTED) * len(GOALS) * len(FITNESS_LEVELS)
    assert min(counts.values()) >= 4


def test_no_literal_digits(phrases):
    assert [p.text for p in phrases if re.search(r"\d", p.text)] == []


def test_every_placeholder_is_known(phrases):
    for p in phrases:
        names = [name for _, name, spec, conv in string.Formatter().parse(p.text) if name is not None]
        assert set(names) <= set(PLACEHOLDERS), p.text


def test_numbers_only_through_placeholders_and_units_never_written(phrases):
    for p in phrases:
        assert not re.search(r"\b(kg|lbs?|pounds?|kilos?)\b", p.text, re.IGNORECASE), p.text


@pytest.mark.parametrize("action", NOT_UP)
def test_lighter_actions_never_say_heavier(phrases, action):
    offenders = [p.text for p in phrases if p.action == action
                 and any(w in p.text.lower() for w in LOAD_UP_WORDS)]
    assert offenders == []


@pytest.mark.parametrize("action", NOT_DOWN)
def test_heavier_actions_never_say_lighter(phrases, action):
    offenders = [p.text for p in phrases if p.action == action
                 and any(w in p.text.lower() for w in LOAD_DOWN_WORDS)]
    assert offenders == []


def test_every_phrase_passes_the_guardrails_and_points_the_actions_way(phrases):
    nxt = Prescription(sets=4, reps=10, weight_kg=72.5, rest_s=150)
    for p in phrases:
        tweak = Tweak(action=p.action, reason="", modifications={}, next=nxt, scope=p.scope)
        text = fill(p.text, tweak, "Barbell Bench Press")
        assert text is not None, p.text
        assert guardrails.check(text, tweak, exercise="Barbell Bench Press") is None, p.text
        assert guardrails.direction_matches(text, tweak), p.text


def test_short_when_filled_with_long_values(phrases):
    for p in phrases:
        filled = filled_example(p.text, p.action, p.scope)
        assert filled is not None and len(filled) <= MAX_CHARS, p.text


def test_load_actions_name_the_load(phrases):
    for p in phrases:
        if p.action in ("reduce_load", "increase_load", "progress_load", "deload", "readiness_adjust"):
            assert "{weight_kg}" in p.text, p.text


def test_goal_and_level_phrases_speak_to_them(phrases):
    """Spot checks that the specific phrasings carry the goal's or level's concerns."""
    def texts(**kw):
        return " ".join(p.text.lower() for p in phrases if all(getattr(p, k) == v for k, v in kw.items()))

    assert "bar speed" in texts(goal="strength")
    assert "failure" in texts(goal="hypertrophy") and "controlled" in texts(goal="hypertrophy")
    assert "pace" in texts(goal="endurance")
    assert "technique" in texts(level="beginner") or "form" in texts(level="beginner")


def test_phrases_for_takes_any_and_puts_specific_first(phrases):
    found = phrases_for("fail_set", "reduce_load", "strength", "beginner")
    assert found and all(p.event == "fail_set" and p.action == "reduce_load" for p in found)
    assert all(p.goal in ("strength", ANY) and p.level in ("beginner", ANY) for p in found)
    assert {p.goal for p in found} == {"strength", ANY} and {p.level for p in found} == {"beginner", ANY}
    specificity = [(p.goal == ANY) + (p.level == ANY) for p in found]
    assert specificity == sorted(specificity)
    generic = phrases_for("fail_set", "reduce_load", ANY, ANY)
    assert generic and all(p.goal == ANY and p.level == ANY for p in generic)
    assert phrases_for("fail_set", "increase_load", "strength", "beginner") == []


GOOD = Phrase("fail_set", "reduce_load", ANY, ANY, "session", "Let's drop to {weight_kg} for {reps} clean reps.")


@pytest.mark.parametrize("change, expected", [
    ({"event": "nap"}, "unknown event"),
    ({"action": "sprint"}, "unknown action"),
    ({"goal": "bulk"}, "unknown goal"),
    ({"level": "expert"}, "unknown level"),
    ({"scope": "month"}, "unknown scope"),
    ({"action": "increase_load", "text": "Go up to {weight_kg} now."}, "never makes"),
    ({"text": "Drop to {weight_kg} for {reps} reps and rest {rest_minutes}."}, "unknown placeholder"),
    ({"text": "Drop to {weight_kg} for 5 reps."}, "literal digit"),
    ({"text": "Drop to {weight_kg} for five reps."}, "number in words"),
    ({"text": "Drop to {weight_kg} kg for {reps} reps."}, "unit"),
    ({"text": "Drop to {weight_kg for {reps} reps."}, "malformed braces"),
    ({"text": "Go heavier with {weight_kg} for {reps} reps."}, "contradicts"),
    ({"text": "Take it easy and go for {reps} reps."}, "must name {weight_kg}"),
    ({"text": " ".join(["Let's drop to {weight_kg}."] + ["Keep every rep smooth, controlled and steady."] * 4)},
     "characters"),
    ({"text": "Let's drop to {weight_kg} for {reps}"}, "end like a sentence"),
    ({"text": "Drop to {weight_kg}!! Go go go!!"}, "exclamation"),
    ({"text": "Good. {exercise} drops to {weight_kg}."}, "starts a sentence"),
])
def test_validate_names_each_problem(change, expected):
    assert validate([GOOD]) == []
    errors = validate([replace(GOOD, **change)])
    assert errors and any(expected in e for e in errors), errors


def test_validate_finds_duplicates():
    assert any("duplicate" in e for e in validate([GOOD, GOOD]))
