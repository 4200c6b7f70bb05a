"""Checks a filled coach message must pass before a member sees it.

`check` is the gate for the language model's output (and a test oracle for the templates): it
returns a short reason when the message must be thrown away, None when it may be shown. It is
deliberately strict and simple; a rejected message costs nothing, because the caller falls back to
a template that says the same thing. `direction_matches` is the softer measure the quality script
uses: the words point the same way as the engine's action.
"""

from __future__ import annotations

import re

from adaptivefit.coach.types import Tweak
from adaptivefit.services.core.units import display_mass

MAX_CHARS = 240
MAX_EXCLAMATIONS = 1

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


# Words that say the load goes up, or down. "go up" alone is kept apart because it also fits reps.
_LOAD_UP_STRICT = (
    r"heavier", r"increase (?:the )?(?:weight|load)", r"increasing (?:the )?(?:weight|load)",
    r"add(?:ing)? (?:some |a little |a bit of |more )?(?:weight|load|plates?|kilos?|pounds)",
    r"more weight", r"more load", r"bump (?:it|the weight|the load) up", r"bump up the (?:weight|load)",
    r"put more on",
)
_LOAD_UP = _LOAD_UP_STRICT + (r"go(?:ing)? up",)
_LOAD_DOWN = (
    r"lighter", r"reduce (?:the )?(?:weight|load)", r"reducing (?:the )?(?:weight|load)",
    r"drop (?:the )?(?:weight|load)", r"dropping (?:the )?(?:weight|load)", r"deload(?:ing)?",
    r"lower (?:the )?(?:weight|load)", r"take (?:some )?weight off", r"strip (?:a plate|weight)",
    r"less weight", r"drop (?:down )?to", r"lighten", r"come down to", r"ease off",
)
_LOAD_SAME = (r"same (?:weight|load)", r"keep the (?:weight|load)", r"hold the (?:weight|load)")
_VOLUME_UP = (r"another set", r"extra set", r"add (?:a|one) set", r"one more set", r"more sets")
_REST_DOWN = (r"less rest", r"shorter rest", r"cut (?:the|your) rest", r"skip (?:the|your) rest", r"rest less")
_REPS_DOWN = (r"fewer reps", r"less reps", r"drop (?:a|some) reps?")

_CONTRADICTS: dict[str, re.Pattern[str]] = {
    "maintain": _words(*_LOAD_UP, *_LOAD_DOWN),
    "reduce_volume": _words(*_LOAD_UP, *_VOLUME_UP),
    "reduce_load": _words(*_LOAD_UP, *_LOAD_SAME),
    "add_rest": _words(*_LOAD_UP, *_REST_DOWN),
    "increase_load": _words(*_LOAD_DOWN, *_LOAD_SAME),
    "increase_reps": _words(*_LOAD_DOWN, *_LOAD_UP_STRICT, *_REPS_DOWN),
    "progress_load": _words(*_LOAD_DOWN, *_LOAD_SAME),
    "deload": _words(*_LOAD_UP, *_VOLUME_UP, *_LOAD_SAME),
    "readiness_adjust": _words(*_LOAD_UP, *_LOAD_SAME),
}

# Words that show the message points the action's way (for `direction_matches`).
_CUES: dict[str, re.Pattern[str]] = {
    "maintain": _words(r"keep", r"same", r"stay", r"hold", r"plan\w*", r"carry on", r"pick it back up",
                       r"on target", r"steady", r"stick", r"again", r"repeat", r"no changes?", r"nothing to change",
                       r"unchanged", r"as is"),
    "reduce_volume": _words(r"drop", r"fewer", r"cut", r"cutting", r"skip\w*", r"stop", r"trim\w*",
                            r"call it", r"finish", r"less", r"enough", r"wrap", r"leave it at"),
    "reduce_load": _words(r"lighter", r"drop", r"reduce", r"lower", r"ease", r"easier", r"back off",
                          r"take it down", r"down to", r"trim", r"reset at"),
    "add_rest": _words(r"rest", r"breather", r"breathe", r"recover\w*", r"break", r"no rush"),
    "increase_load": _words(r"heavier", r"add", r"up", r"increase", r"bump", r"jump", r"harder", r"load"),
    "increase_reps": _words(r"reps?"),
    "progress_load": _words(r"heavier", r"add", r"up", r"increase", r"bump", r"jump", r"progress",
                            r"moves? (?:up )?to", r"load"),
    "deload": _words(r"deload", r"lighter", r"easier", r"back off", r"recover\w*", r"ease"),
    "readiness_adjust": _words(r"lighter", r"ease", r"easier", r"back off", r"take a little off",
                               r"manageable", r"gentle", r"lower", r"drop", r"reduce"),
}

_MEDICAL = _words(
    r"diagnos\w*", r"injur(?:y|ies) treatment", r"treat(?:s|ing|ment)?", r"prescri\w*", r"medication\w*",
    r"medicine", r"doctors?", r"physician", r"therap\w*", r"cure[sd]?", r"disease", r"symptoms?",
)
_URL = re.compile(r"https?:|www\.|\b[\w-]+\.(?:com|org|net|io|ai|co|app|dev)\b", re.IGNORECASE)
_REPEATED_WORD = re.compile(r"\b(\w+)(?:\W+\1\b){3,}", re.IGNORECASE)
_REPEATED_PHRASE = re.compile(r"\b(\w+\W+\w+(?:\W+\w+)?)(?:\W+\1\b){2,}", re.IGNORECASE)
_UNIT_WORDS = {
    "kg": _words(r"lbs?", r"pounds?"),
    "lb": _words(r"kgs?", r"kilos?", r"kilograms?"),
}
_GLUED = re.compile(r"[A-Za-z][.!?;][A-Za-z0-9]|[A-Za-z],[A-Za-z]|\s[.,!?;:]")  # "rest.10", "set ,"
_ENDS = (".", "!", "?", ")", '"', "'", "\u2019", "\u201d", "\u2026")


def allowed_numbers(tweak: Tweak, units: str = "kg") -> set[float]:
    """The numbers a message may state: the next set's reps, load (in `units`), rest and sets."""
    nxt = tweak.next
    return {float(nxt.reps), display_mass(nxt.weight_kg, units), float(nxt.rest_s), float(nxt.sets)}


def _without_exercise(text: str, exercise: str) -> str:
    name = exercise.strip()
    if not name:
        return text
    return re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)


def check(text: str, tweak: Tweak, *, exercise: str, units: str = "kg") -> str | None:
    """A reason to discard the filled message `text`, or None when it may be shown."""
    if text is None or not text.strip():
        return "empty"
    text = text.strip()
    if len(text) > MAX_CHARS:
        return "too long"
    if any(not ch.isprintable() for ch in text) or "\ufffd" in text:
        return "non-printable characters"
    if any(ch in text for ch in "{}<>|\\") or "endoftext" in text.lower():
        return "leftover placeholder or markup"
    if _URL.search(text):
        return "contains a URL"
    if _MEDICAL.search(text):
        return "medical language"
    if text.count("!") > MAX_EXCLAMATIONS:
        return "too many exclamation marks"
    if _GLUED.search(text):
        return "malformed punctuation"
    if _REPEATED_WORD.search(text) or _REPEATED_PHRASE.search(text):
        return "repeats itself"
    if not text.endswith(_ENDS):
        return "unfinished sentence"
    if not (text[0].isalnum() or text[0] in "\"'\u201c\u2018("):
        return "does not start like a sentence"
    body = _without_exercise(text, exercise)
    allowed = allowed_numbers(tweak, units)
    for match in _NUMBER.finditer(body):
        if float(match.group().replace(",", ".")) not in allowed:
            return f"number {match.group()} is not in the prescription"
    rest_minutes = tweak.next.rest_s / 60
    for match in _NUMBER_WORD.finditer(body):
        value = _NUMBER_WORDS[match.group(1).lower()]
        if float(value) not in allowed and value != rest_minutes:
            return f"number '{match.group(1)}' is not in the prescription"
    if _UNIT_WORDS.get(units, _UNIT_WORDS["kg"]).search(body):
        return "wrong unit"
    contradiction = _CONTRADICTS.get(tweak.action)
    if contradiction is not None and (found := contradiction.search(body)):
        return f"'{found.group()}' contradicts {tweak.action}"
    return None


def direction_matches(text: str, tweak: Tweak) -> bool:
    """True when the words point the way of the tweak's action: a cue for it and no contradiction."""
    if not text:
        return False
    contradiction = _CONTRADICTS.get(tweak.action)
    if contradiction is not None and contradiction.search(text):
        return False
    cue = _CUES.get(tweak.action)
    return cue is None or cue.search(text) is not None
