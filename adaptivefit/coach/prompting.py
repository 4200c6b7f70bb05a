"""The coach model's prompt format: the one place it is defined.

The trainer (`coach.dataset`) writes its training lines with `training_line(control_prefix(...),
message)`, and the runner (`coach.lm`) prompts with `control_prefix(...)` alone, so the two can
never drift apart. A line looks like this (one line, then the tokenizer's end-of-text):

    <event=struggle_set> <action=reduce_load> <goal=strength> <level=beginner> <scope=session>
    Drop to {weight_kg} for {reps} clean reps and keep the bar speed honest.<|endoftext|>

(the prefix ends with a newline; the message never contains one). Messages carry placeholders,
never numbers: the model learns the words, the engine's `Tweak.next` supplies the numbers, and
`fill` puts them in. The placeholders are exactly:

    {reps}       target reps of the next set
    {weight_kg}  the next load with its unit, e.g. "82.5 kg" or "181.9 lb" (the user's units,
                 written by `core.units.format_mass` as on every other page)
    {rest_s}     rest before the next set, in seconds (a bare number)
    {sets}       total working sets of this exercise after the tweak (a bare number)
    {exercise}   the exercise's name
"""

from __future__ import annotations

import re

from adaptivefit.coach.types import FITNESS_LEVELS, GOALS, SCOPES, Tweak
from adaptivefit.services.core.units import check_units, format_mass

EOS = "<|endoftext|>"
PLACEHOLDERS = ("reps", "weight_kg", "rest_s", "sets", "exercise")

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
    check_units(units)
    names = placeholders_in(text)
    if names is None or any(name not in PLACEHOLDERS for name in names):
        return None
    nxt = tweak.next
    values = {
        "reps": str(int(nxt.reps)),
        "weight_kg": format_mass(nxt.weight_kg, units),
        "rest_s": str(int(nxt.rest_s)),
        "sets": str(int(nxt.sets)),
        "exercise": exercise.strip() or "this exercise",
    }
    filled = _FIELD.sub(lambda m: values[m.group(1)], text)
    return re.sub(r"\b1 (set|rep)s\b", r"1 \1", filled)
