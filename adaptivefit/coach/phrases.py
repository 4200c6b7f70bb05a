"""The coach's curated phrases: the hand-written messages the coach model learns from.

`adaptivefit/data/coach_phrases.json` is a list of objects

    {"event": ..., "action": ..., "goal": <a goal or "any">, "level": <a level or "any">,
     "scope": ..., "text": "..."}

one for each way a good coach might explain a tweak. The text carries the placeholders of
`coach.prompting` (`{reps}`, `{weight_kg}`, `{rest_s}`, `{sets}`, `{exercise}`) and never a
number of its own, so whatever the model learns from it cannot contradict the engine's numbers.
`COMBINATIONS` lists which (event, action, scope) the engine can produce; every one of them is
covered for every goal and level.

`validate` is the file's gate (and the trainer's, for phrase files given on the command line):
it returns one line per problem, an empty list when the phrases are fit to train on.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from adaptivefit.coach import guardrails
from adaptivefit.coach.messages import LOAD_ACTIONS
from adaptivefit.coach.prompting import PLACEHOLDERS, fill, placeholders_in
from adaptivefit.coach.types import ACTIONS, EVENTS, FITNESS_LEVELS, GOALS, SCOPES, Prescription, Tweak

ANY = "any"
MAX_CHARS = 200  # after filling with the longest values the app can put in (see _LONG_FILL)

# (event, action) -> scope: every tweak the engine can make, and when it applies.
COMBINATIONS: dict[tuple[str, str], str] = {
    ("skip_set", "reduce_volume"): "session",
    ("struggle_set", "add_rest"): "session",
    ("struggle_set", "reduce_load"): "session",
    ("struggle_set", "reduce_volume"): "session",
    ("fail_set", "reduce_load"): "session",
    ("fail_set", "reduce_volume"): "session",
    ("complete_set", "maintain"): "session",
    ("complete_set", "reduce_load"): "session",
    ("complete_set", "increase_load"): "session",
    ("too_easy", "increase_load"): "session",
    ("complete_workout", "progress_load"): "next_session",
    ("complete_workout", "increase_reps"): "next_session",
    ("complete_workout", "maintain"): "next_session",
    ("complete_workout", "deload"): "week",
    ("start_workout", "maintain"): "session",
    ("start_workout", "readiness_adjust"): "session",
    ("start_workout", "deload"): "week",
}

# Words that would point the wrong way for an action (on top of `guardrails.check`, which knows
# more of them): a lighter action never says "heavier", a heavier one never says "lighter".
_UP = ("heavier", "add weight", "add some weight", "increase the weight", "increase the load", "more weight")
_DOWN = ("lighter", "drop the weight", "reduce the weight", "reduce the load", "less weight", "lower the weight")
FORBIDDEN_WORDS: dict[str, tuple[str, ...]] = {
    "reduce_load": _UP,
    "reduce_volume": _UP,
    "add_rest": _UP,
    "deload": _UP,
    "readiness_adjust": _UP,
    "increase_load": _DOWN,
    "progress_load": _DOWN,
    "increase_reps": _UP + _DOWN,
    "maintain": _UP + _DOWN,
}

# Numbers written as words are numbers too; "one more rep" is the only count a phrase may say.
_NUMBER_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|ninety|hundred|dozen|half a minute|a minute|minutes?)\b",
    re.IGNORECASE,
)
_UNIT_WORDS = re.compile(r"\b(?:kg|kgs|kilos?|kilograms?|lbs?|pounds?)\b", re.IGNORECASE)
_ENDS = (".", "?", "!")

# The longest values the app fills in, for the length check: a long exercise name, a load with
# a decimal and its unit, three-digit rest.
_LONG_PRESCRIPTION = Prescription(sets=10, reps=20, weight_kg=142.5, rest_s=300)
_LONG_EXERCISE = "Overhead Dumbbell Triceps Extension"
# A second, ordinary prescription for the guardrails check (numbers differ from the first, so a
# number word that happens to match one of them cannot slip through both).
_CHECK_PRESCRIPTIONS = (_LONG_PRESCRIPTION, Prescription(sets=3, reps=8, weight_kg=60.0, rest_s=90))


@dataclass(frozen=True)
class Phrase:
    event: str
    action: str
    goal: str  # a goal of GOALS, or "any"
    level: str  # a level of FITNESS_LEVELS, or "any"
    scope: str
    text: str

    def fits(self, goal: str, level: str) -> bool:
        return self.goal in (ANY, goal) and self.level in (ANY, level)

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def phrases_path() -> Path:
    return Path(str(resources.files("adaptivefit.data").joinpath("coach_phrases.json")))


@lru_cache(maxsize=4)
def _load(path: str, _mtime_ns: int, _size: int) -> tuple[Phrase, ...]:
    """The phrases of `path` (cached while the file's modification time and size stay the same)."""
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a list of phrase objects")
    phrases = []
    for i, record in enumerate(records):
        try:
            phrases.append(Phrase(**{key: str(record[key]) for key in
                                     ("event", "action", "goal", "level", "scope", "text")}))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}: phrase #{i} is missing a field or is not an object ({exc})") from None
    return tuple(phrases)


def load_phrases(path: str | Path | None = None) -> list[Phrase]:
    """The shipped phrases (or those of a phrase file of the same format)."""
    file = Path(path).resolve() if path is not None else phrases_path()
    stat = file.stat()
    return list(_load(str(file), stat.st_mtime_ns, stat.st_size))


def phrases_for(
    event: str, action: str, goal: str, level: str, phrases: list[Phrase] | None = None,
) -> list[Phrase]:
    """The phrases for this event and action that suit the goal and level, the most specific first.

    A phrase written for any goal (or level) suits every goal (level); `goal="any"` asks only for
    phrases written for any goal.
    """
    pool = load_phrases() if phrases is None else phrases
    found = [p for p in pool if p.event == event and p.action == action and p.fits(goal, level)]
    return sorted(found, key=lambda p: (p.goal == ANY) + (p.level == ANY))


def _tweak(phrase: Phrase, nxt: Prescription) -> Tweak:
    return Tweak(action=phrase.action, reason="", modifications={}, next=nxt, scope=phrase.scope,
                 deload=phrase.action == "deload")


def filled_example(text: str, action: str = "maintain", scope: str = "session") -> str | None:
    """`text` filled with the longest values the app can put in (None when its braces are bad)."""
    tweak = Tweak(action=action, reason="", modifications={}, next=_LONG_PRESCRIPTION, scope=scope)
    return fill(text, tweak, _LONG_EXERCISE)


def problems(phrase: Phrase) -> list[str]:
    """What is wrong with one phrase (empty when nothing is)."""
    errors = []
    if phrase.event not in EVENTS:
        errors.append(f"unknown event '{phrase.event}'")
    if phrase.action not in ACTIONS:
        errors.append(f"unknown action '{phrase.action}'")
    if phrase.scope not in SCOPES:
        errors.append(f"unknown scope '{phrase.scope}'")
    if phrase.goal != ANY and phrase.goal not in GOALS:
        errors.append(f"unknown goal '{phrase.goal}'")
    if phrase.level != ANY and phrase.level not in FITNESS_LEVELS:
        errors.append(f"unknown level '{phrase.level}'")
    if not errors and COMBINATIONS.get((phrase.event, phrase.action)) != phrase.scope:
        errors.append(f"the engine never makes {phrase.event} -> {phrase.action} ({phrase.scope})")

    text = phrase.text
    if not text.strip() or text != " ".join(text.split()):
        errors.append("empty, or with line breaks or doubled/outer spaces")
    names = placeholders_in(text)
    if names is None:
        errors.append("malformed braces")
    else:
        unknown = sorted({n for n in names if n not in PLACEHOLDERS})
        if unknown:
            errors.append(f"unknown placeholder(s) {unknown}")
    if re.search(r"\d", text):
        errors.append("a literal digit (numbers must be placeholders)")
    if (found := _NUMBER_WORDS.search(text)) is not None:
        errors.append(f"a number in words ('{found.group()}')")
    if (found := _UNIT_WORDS.search(text)) is not None:
        errors.append(f"a unit ('{found.group()}'); {{weight_kg}} brings its own")
    if not text.endswith(_ENDS):
        errors.append("does not end like a sentence")
    if re.search(r"(?:^|[.?!]\s+)\{exercise\}", text):
        errors.append("{exercise} starts a sentence (it may be filled in lower case, e.g. 'this exercise')")
    if text.count("!") > 1:
        errors.append("more than one exclamation mark")
    lowered = text.lower()
    for words in FORBIDDEN_WORDS.get(phrase.action, ()):
        if words in lowered:
            errors.append(f"'{words}' contradicts {phrase.action}")
    if phrase.action in LOAD_ACTIONS and "{weight_kg}" not in text:
        errors.append(f"{phrase.action} changes the load, so the text must name {{weight_kg}}")
    if errors:
        return errors

    longest = filled_example(text, phrase.action, phrase.scope)
    if longest is None:
        errors.append("the app could not fill it")
    elif len(longest) > MAX_CHARS:
        errors.append(f"{len(longest)} characters when filled (at most {MAX_CHARS})")
    for nxt in _CHECK_PRESCRIPTIONS:
        tweak = _tweak(phrase, nxt)
        filled = fill(text, tweak, _LONG_EXERCISE)
        reason = guardrails.check(filled, tweak, exercise=_LONG_EXERCISE) if filled else "unfillable"
        if reason is not None:
            errors.append(f"guardrails: {reason}")
            break
    return errors


def validate(phrases: list[Phrase]) -> list[str]:
    """Every problem in `phrases`, one line each: '#<index> "<start of text>": <problem>'."""
    errors = []
    seen: set[tuple[str, str, str, str, str]] = set()
    for i, phrase in enumerate(phrases):
        label = f"#{i} {phrase.text[:48]!r}"
        errors.extend(f"{label}: {problem}" for problem in problems(phrase))
        key = (phrase.event, phrase.action, phrase.goal, phrase.level, phrase.text)
        if key in seen:
            errors.append(f"{label}: duplicate")
        seen.add(key)
    return errors


def coverage(phrases: list[Phrase]) -> dict[tuple[str, str, str, str], int]:
    """How many phrases suit each (event, action, goal, level) the engine can produce."""
    return {
        (event, action, goal, level): sum(
            1 for p in phrases if p.event == event and p.action == action and p.fits(goal, level)
        )
        for (event, action) in COMBINATIONS
        for goal in GOALS
        for level in FITNESS_LEVELS
    }
