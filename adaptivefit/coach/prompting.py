"""The coach model's prompt format: the one place it is defined.

The trainer (`coach.train`) writes its training lines with `training_line(control_prefix(...),
message)`, and the runner (`coach.lm`) prompts with `control_prefix(...)` alone, so the two can
never drift apart. A line looks like this (one line, then the tokenizer's end-of-text):

    <event=struggle_set> <action=reduce_load> <goal=strength> <level=beginner> <scope=session>
    Drop to {weight_kg} for {reps} clean reps and keep the bar speed honest.<|endoftext|>

(the prefix ends with a newline; the message never contains one). Messages carry placeholders,
never numbers: the model learns the words, the engine's `Tweak.next` supplies the numbers, and
`fill` puts them in. The placeholders are exactly:

    {reps}       target reps of the next set
    {weight_kg}  the next load with its unit, e.g. "82.5 kg" or "182 lb" (the user's units)
    {rest_s}     rest before the next set, in seconds (a bare number)
    {sets}       total working sets of this exercise after the tweak (a bare number)
    {exercise}   the exercise's name
"""

from __future__ import annotations

import re

from adaptivefit.coach.types import FITNESS_LEVELS, GOALS, SCOPES, Tweak

EOS = "<|endoftext|>"
PLACEHOLDERS = ("reps", "weight_kg", "rest_s", "sets", "exercise")
UNITS = ("kg", "lb")
KG_TO_LB = 2.20462

_FIELD = re.compile(r"\{([^{}]*)\}")


def control_prefix(event: str, action: str, goal: str, level: str, scope: str) -> str:
    """The model's prompt: the control codes on one line, ending with a newline."""
    return f"<event={event}> <action={action}> <goal={goal}> <level={level}> <scope={scope}>\n"


def prompt_for(tweak: Tweak, event: str, goal: str | None, level: str | None) -> str:
    """The prompt for a tweak: unknown or missing goal/level/scope read as general/intermediate/session.
    The trainer should build its prefixes the same way (or through this function)."""
    return control_prefix(
        event,
        tweak.action,
        goal if goal in GOALS else "general",
        level if level in FITNESS_LEVELS else "intermediate",
        tweak.scope if tweak.scope in SCOPES else "session",
    )


def training_line(prefix: str, message_with_placeholders: str) -> str:
    """One training example: the prompt, the message (placeholders kept) and end-of-text."""
    message = " ".join(message_with_placeholders.split())  # one line, single spaces
    return f"{prefix}{message}{EOS}"


def format_number(value: float) -> str:
    """82.5 -> "82.5", 80.0 -> "80": at most one decimal, no trailing ".0"."""
    rounded = round(float(value), 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}"


def display_weight(weight_kg: float, units: str = "kg") -> float:
    """The load as the user sees it: kg as given (to 0.1), lb converted and rounded to 0.5 lb."""
    if units == "lb":
        return round(weight_kg * KG_TO_LB * 2) / 2
    return round(float(weight_kg), 1)


def placeholders_in(text: str) -> list[str] | None:
    """The names inside {braces} in `text`, or None when a brace is unpaired or nested."""
    rest = _FIELD.sub("", text)
    if "{" in rest or "}" in rest:
        return None
    return _FIELD.findall(text)


def fill(text: str, tweak: Tweak, exercise: str, units: str = "kg") -> str | None:
    """Put the tweak's numbers into `text`; None when it has an unknown placeholder or bad braces.

    Only the five plain placeholders are accepted (no format specs, conversions or attributes,
    no "{{" escapes). "1 sets" / "1 reps" become "1 set" / "1 rep".
    """
    if units not in UNITS:
        raise ValueError(f"units must be one of {UNITS}, not {units!r}")
    names = placeholders_in(text)
    if names is None or any(name not in PLACEHOLDERS for name in names):
        return None
    nxt = tweak.next
    values = {
        "reps": str(int(nxt.reps)),
        "weight_kg": f"{format_number(display_weight(nxt.weight_kg, units))} {units}",
        "rest_s": str(int(nxt.rest_s)),
        "sets": str(int(nxt.sets)),
        "exercise": exercise.strip() or "this exercise",
    }
    filled = _FIELD.sub(lambda m: values[m.group(1)], text)
    return re.sub(r"\b1 (set|rep)s\b", r"1 \1", filled)
