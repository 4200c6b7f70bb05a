"""The coach's words from templates: what free members read, and the model path's fallback.

Each action has many phrasings. Some suit one event (a failed set reads differently from a grind),
a goal, a level, or a scope (this set, next session, this week); the rest suit any. A phrasing is
picked deterministically from a caller's seed string through sha256 (Python's `hash()` is salted
per process), so the same set always gets the same words and neighbouring sets get different ones.

Texts use only the placeholders of `coach.prompting` and are filled from `Tweak.next`; the
trainer may take them as seed data through `template_texts` / `all_templates`.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from adaptivefit.coach import guardrails
from adaptivefit.coach.prompting import fill
from adaptivefit.coach.types import ACTIONS, FITNESS_LEVELS, GOALS, SCOPES, Tweak

S, N, W = ("session",), ("next_session",), ("week",)
LATER = ("next_session", "week")
# Actions that change the load: with a load, their phrasing must name it; without one (bodyweight
# work), it must not.
LOAD_ACTIONS = ("reduce_load", "increase_load", "progress_load", "deload", "readiness_adjust")


@dataclass(frozen=True)
class Template:
    text: str
    events: tuple[str, ...] = ()  # empty: any
    scopes: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()

    @property
    def needs_weight(self) -> bool:
        return "{weight_kg}" in self.text

    def fits(self, event: str, scope: str, goal: str, level: str) -> bool:
        return all(
            not allowed or value in allowed
            for allowed, value in ((self.events, event), (self.scopes, scope), (self.goals, goal), (self.levels, level))
        )


def _t(text: str, *, events=(), scopes=(), goals=(), levels=()) -> Template:
    return Template(text, tuple(events), tuple(scopes), tuple(goals), tuple(levels))


_STRUGGLE = ("struggle_set",)
_FAIL = ("fail_set",)
_SKIP = ("skip_set",)
_EASY = ("too_easy",)
_DONE = ("complete_set",)
_END = ("complete_workout",)
_START = ("start_workout",)

TEMPLATES: dict[str, tuple[Template, ...]] = {
    "maintain": (
        # any event, any scope
        _t("Keep it steady: {weight_kg} for {reps} reps, {sets} sets in all."),
        _t("Stick with the plan: {reps} reps at {weight_kg}."),
        _t("No changes needed. {reps} reps per set is the target, same load."),
        _t("Stay the course with {exercise}: {sets} sets of {reps}, same load as planned."),
        # this session
        _t("Right on target. Stay at {weight_kg} for {reps} reps next set.", scopes=S),
        _t("That's the effort we want. Same again: {reps} reps at {weight_kg}.", scopes=S),
        _t("Good set. Nothing to change, so hold {weight_kg} for {reps}.", scopes=S),
        _t("Solid work. Rest {rest_s} seconds and repeat {reps} reps at the same load.", scopes=S),
        _t("That's the effort we want. Same load, {reps} reps, {rest_s} seconds of rest.", scopes=S),
        # by event
        _t("No problem, a skipped set happens. Pick it back up with {reps} reps at {weight_kg}.",
           events=_SKIP, scopes=S),
        _t("That's fine. Take your {rest_s} seconds and carry on with {reps} reps, same plan.",
           events=_SKIP, scopes=S),
        _t("That one was a grind, but still on target. Same load, {reps} reps, full {rest_s} seconds of rest.",
           events=_STRUGGLE, scopes=S),
        _t("Tough set, and that's okay. Keep {weight_kg}, rest {rest_s} seconds, and go for {reps}.",
           events=_STRUGGLE, scopes=S),
        _t("A missed rep happens. Take your full {rest_s} seconds and go again with {reps} at {weight_kg}.",
           events=_FAIL, scopes=S),
        _t("Glad it felt easy. Keep {weight_kg} for now and see if {reps} reps stay that smooth.",
           events=_EASY, scopes=S),
        _t("Nice and easy is fine. We'll hold {weight_kg} and keep the reps crisp.", events=_EASY, scopes=S),
        _t("Right where we want it. Same again: {weight_kg} for {reps}.", events=_DONE, scopes=S),
        _t("Good session. Next time, keep {weight_kg} for {sets} sets of {reps} and own every rep.",
           events=_END, scopes=LATER),
        _t("Workout done. We'll hold {weight_kg} next session and make {sets} sets of {reps} feel smoother.",
           events=_END, scopes=LATER),
        _t("Nice work today. Same plan next time: {sets} x {reps} at {weight_kg}.", events=_END, scopes=LATER),
        _t("That's a session in the bank. Next time we stay at {sets} sets of {reps}, same load.",
           events=_END, scopes=LATER),
        _t("You're good to go. Today is as planned: {sets} sets of {reps} at {weight_kg}.",
           events=_START, scopes=S),
        _t("Let's get to work: {sets} sets of {reps} on {exercise}, as planned, starting at {weight_kg}.",
           events=_START, scopes=S),
        _t("Plan stands today: {sets} x {reps}. Warm up well and settle into the first set.",
           events=_START, scopes=S),
        _t("Ready when you are. {exercise} today is {sets} sets of {reps}, same plan, {rest_s} seconds of rest.",
           events=_START, scopes=S),
        # by goal
        _t("Same load again: {reps} reps, and keep every rep fast and tight.", goals=("strength",), scopes=S),
        _t("Same again: {reps} reps, slow on the way down, full range.", goals=("hypertrophy",), scopes=S),
        _t("Keep the rhythm: {reps} reps, same load, steady breathing.", goals=("endurance",), scopes=S),
        _t("Stay on plan: {reps} reps, same load, and keep your form tidy.", levels=("beginner",), scopes=S),
    ),
    "reduce_volume": (
        _t("Let's trim {exercise} to {sets} sets today. Better to finish strong than limp through.",
           scopes=S),
        _t("We'll drop a set: {sets} in total today, same {reps} reps when you go.", scopes=S),
        _t("Cutting back to {sets} sets today. Recovery is part of the plan, not a step back.", scopes=S),
        _t("That's enough for {exercise} after {sets} sets. Quality beats grinding.", scopes=S),
        _t("Let's call it at {sets} sets and keep the quality high."),
        _t("We'll trim the work to {sets} sets so you can recover and come back fresh."),
        _t("Skipping that one is fine. We'll finish at {sets} sets today and make them count.",
           events=_SKIP, scopes=S),
        _t("No stress about the skipped set. Let's call it {sets} sets for {exercise} today.",
           events=_SKIP, scopes=S),
        _t("Got it. We'll leave it at {sets} sets today and keep the rest of the session on track.",
           events=_SKIP, scopes=S),
        _t("Fatigue is stacking up. Let's stop at {sets} sets and keep the ones you do crisp.",
           events=_STRUGGLE + _FAIL + _DONE, scopes=S),
        _t("Good effort. Let's trim to {sets} sets total so you leave with something in the tank.",
           events=_STRUGGLE + _FAIL + _DONE, scopes=S),
        _t("That set took a lot. We'll finish {exercise} at {sets} sets and recover for next time.",
           events=_FAIL, scopes=S),
        _t("Next time we'll cut {exercise} to {sets} sets of {reps} so you can recover.", scopes=N),
        _t("Next session, fewer sets: {sets} of {reps}. Fresh reps beat tired ones.", scopes=N),
        _t("This week we'll cut {exercise} back to {sets} sets so you can recover.", scopes=W),
        _t("Fewer sets this week: {sets} of {reps}, and let the fatigue clear.", scopes=W),
    ),
    "reduce_load": (
        _t("Let's go a touch lighter at {weight_kg}. {reps} reps with good technique is the goal."),
        _t("We'll drop to {weight_kg} for {reps} reps and keep every rep clean."),
        _t("Take it down to {weight_kg} and aim for {reps} solid reps."),
        _t("Ease off a little: {reps} reps next, smooth and controlled, with your full {rest_s} seconds of rest."),
        _t("Let's make it a bit easier and aim for {reps} clean reps."),
        _t("That rep didn't go, and that's useful information. Drop to {weight_kg} and aim for {reps} clean reps.",
           events=_FAIL, scopes=S),
        _t("Missed reps tell us the load is too much today. Let's take it down to {weight_kg} for {reps}.",
           events=_FAIL, scopes=S),
        _t("No problem. Reset at {weight_kg}, rest {rest_s} seconds, and own {reps} solid reps.",
           events=_FAIL, scopes=S),
        _t("Let's lower it to {weight_kg}. Hitting {reps} good reps beats grinding out misses.",
           events=_FAIL, scopes=S),
        _t("That looked like a grind. Let's ease back to {weight_kg} for {reps} reps.",
           events=_STRUGGLE, scopes=S),
        _t("Good fight on that set. Take it down to {weight_kg} so the next {reps} reps stay crisp.",
           events=_STRUGGLE, scopes=S),
        _t("Slightly lighter next: {weight_kg} for {reps} reps, same focus on form.",
           events=_STRUGGLE, scopes=S),
        _t("That was harder than planned. Drop to {weight_kg} for the next set of {reps}.",
           events=_DONE, scopes=S),
        _t("Effort's running high, so we'll back off to {weight_kg} and keep {reps} reps.",
           events=_DONE, scopes=S),
        _t("Strength is built on good reps. Drop to {weight_kg} and move it with speed for {reps}.",
           goals=("strength",), scopes=S),
        _t("Lighter at {weight_kg} lets you keep {reps} controlled reps, and control is what builds muscle.",
           goals=("hypertrophy",), scopes=S),
        _t("Form first: drop to {weight_kg} and make each of the {reps} reps look the same.",
           levels=("beginner",)),
    ),
    "add_rest": (
        _t("Take a longer break this time: {rest_s} seconds, then {reps} reps at {weight_kg}."),
        _t("No rush. Rest the full {rest_s} seconds before the next set."),
        _t("Give yourself {rest_s} seconds to recover, then go again with the same load."),
        _t("Breathe and reset: {rest_s} seconds of rest, then {reps} reps."),
        _t("That set took a lot out of you. Rest {rest_s} seconds and come back to {weight_kg} for {reps}.",
           events=_STRUGGLE, scopes=S),
        _t("Let's recover properly before the next try: {rest_s} seconds, then {reps} reps at {weight_kg}.",
           events=_FAIL, scopes=S),
        _t("Take {rest_s} seconds this time. A fuller rest should get you all {reps} reps.",
           events=_FAIL + _STRUGGLE, scopes=S),
        _t("Big sets need full recovery. Take {rest_s} seconds before the next one.", goals=("strength",)),
        _t("Rest a little longer, {rest_s} seconds, so every rep of the next set counts.",
           goals=("hypertrophy", "general")),
    ),
    "increase_load": (
        _t("Time to go heavier: {weight_kg} for {reps} reps."),
        _t("You earned a jump. Load {weight_kg} and aim for {reps} reps."),
        _t("Let's add weight: {weight_kg} for {reps} next."),
        _t("Make the next set harder: slow the lowering and aim for {reps} reps."),
        _t("Time to make it harder: pause at the bottom of each rep and hit {reps}."),
        _t("That looked easy, so let's go heavier: {weight_kg} for {reps} reps.", events=_EASY, scopes=S),
        _t("Plenty left in the tank. Move up to {weight_kg} for the next set.", events=_EASY, scopes=S),
        _t("Nice and quick. Bump it up to {weight_kg} and keep {reps} reps.", events=_EASY + _DONE, scopes=S),
        _t("That moved well below the target effort. Go heavier with {weight_kg} for {reps}.",
           events=_DONE, scopes=S),
        _t("Too easy means we can load more. Harder next set: {reps} reps, slower and stricter.",
           events=_EASY, scopes=S),
        _t("Next time, start {exercise} heavier at {weight_kg}. You're ready for it.", scopes=LATER),
        _t("Next session we go heavier: {weight_kg} for {sets} sets of {reps}.", scopes=LATER),
        _t("Next time, make {exercise} harder: {sets} sets of {reps}, slower and stricter.", scopes=LATER),
        _t("That's strength showing up. Add weight: {weight_kg} for {reps} fast reps.",
           goals=("strength",), scopes=S),
    ),
    "increase_reps": (
        _t("Next time, aim for {reps} reps per set at the same {weight_kg}."),
        _t("You're building nicely. Next session: same weight, one more rep, so {sets} sets of {reps}."),
        _t("Next time we add a rep: {reps} per set at {weight_kg}. Small steps add up."),
        _t("Same load next session, but go for {reps} reps on each of your {sets} sets."),
        _t("Next time, push for {reps} reps per set. One extra rep is real progress."),
        _t("Good session. Next time, {sets} sets of {reps} reps with the same load.", events=_END),
        _t("More reps at the same load is how muscle grows. Next time: {sets} x {reps} at {weight_kg}.",
           goals=("hypertrophy",)),
        _t("Next session, stretch it to {reps} reps per set. Keep the pace steady.",
           goals=("endurance", "fat_loss")),
        _t("Let's aim for {reps} reps next set, same load.", scopes=S),
    ),
    "progress_load": (
        _t("You hit the top of your range. Next time, {exercise} moves to {weight_kg}."),
        _t("Earned it: next session we move to {weight_kg} for {sets} sets of {reps}."),
        _t("Time to progress. Next time, load {weight_kg} and start at {reps} reps."),
        _t("Strong session. Next time you'll move up to {weight_kg}, {sets} sets of {reps}."),
        _t("You've outgrown this version. Next session, move to a harder variation for {sets} sets of {reps}."),
        _t("Next session, step it up with a harder variation: {sets} sets of {reps}."),
        _t("That's real strength gained. Next session, go up to {weight_kg} for {sets} x {reps}.", goals=("strength",)),
        _t("You've earned more load. Next time, {weight_kg} for {reps} reps, same careful form.",
           levels=("beginner",)),
    ),
    "deload": (
        _t("You've had a few tough sessions in a row, so this week is lighter: {weight_kg} for {sets} sets of {reps}."),
        _t("Time for a deload week. Keep {exercise} at {weight_kg}, {sets} x {reps}, and let your body catch up."),
        _t("We'll back off this week to {weight_kg} so you come back fresher."),
        _t("A lighter week now pays off later. Work at {weight_kg} for {sets} sets of {reps}."),
        _t("This week, take it easier: {sets} sets of {reps} and plenty of rest."),
        _t("Deload week: {sets} sets of {reps}, nothing near your limit. Recover, then we build again."),
        _t("Let's back off for a few days: lighter sets of {reps} and full rest. You'll come back stronger.",
           scopes=S),
    ),
    "readiness_adjust": (
        _t("Your recovery looks a bit low today, so we'll start lighter at {weight_kg}."),
        _t("Recovery looks low today. Let's ease in at {weight_kg} and see how it feels."),
        _t("Not fully recharged today, so {exercise} starts lighter at {weight_kg} for {reps}. Train, don't strain."),
        _t("We'll take a little off today: {weight_kg} for {sets} sets of {reps}. A good session beats a heroic one."),
        _t("Let's keep today manageable: {weight_kg}, {reps} reps, and listen to how each set moves."),
        _t("Recovery looks low today, so take it a bit easier: {sets} sets of {reps}."),
        _t("Lighter today to match your recovery: {weight_kg} for {reps}. We push again when you're fresh.",
           events=_START),
        _t("Let's ease into today: {sets} sets of {reps}, nothing near your limit."),
    ),
}

# Never empty, never a number: the last word if every phrasing above were somehow rejected.
LAST_RESORT = {
    "maintain": "Keep going as planned.",
    "reduce_volume": "Let's call it there for this exercise today.",
    "reduce_load": "Let's go a little lighter for the next set.",
    "add_rest": "Take a longer rest before the next set.",
    "increase_load": "That looked easy, so go a little heavier next.",
    "increase_reps": "Next time, aim for one more rep per set.",
    "progress_load": "You've earned more load next session.",
    "deload": "Take a lighter week to recover.",
    "readiness_adjust": "Go a little lighter today and see how you feel.",
}


def _normal(value: str | None, choices: tuple[str, ...], default: str) -> str:
    return value if value in choices else default


def template_texts(
    action: str, *, event: str, scope: str = "session", goal: str = "general", level: str = "intermediate",
    has_weight: bool = True,
) -> list[str]:
    return list(_template_texts(action, event, scope, goal, level, has_weight))


@functools.lru_cache(maxsize=4096)
def _template_texts(action: str, event: str, scope: str, goal: str, level: str, has_weight: bool) -> tuple[str, ...]:
    # Cached: the answer depends only on these six words, and the API asks thousands of times a second.
    """The phrasings (placeholders unfilled) that fit this event, scope, goal and level.

    `has_weight=False` (bodyweight work, no load) leaves out phrasings that name the load; with a
    load, an action that changes it (LOAD_ACTIONS) keeps only phrasings that name the new load.
    """
    candidates = TEMPLATES.get(action, TEMPLATES["maintain"])

    def weight_fits(t: Template) -> bool:
        if not has_weight:
            return not t.needs_weight
        return t.needs_weight or action not in LOAD_ACTIONS

    fitting = [t for t in candidates if t.fits(event, scope, goal, level) and weight_fits(t)]
    if not fitting:  # an unusual scope for this action: any phrasing without a stated time
        fitting = [t for t in candidates if not t.scopes and weight_fits(t)]
    return tuple(t.text for t in fitting)


def all_templates() -> list[Template]:
    """Every phrasing of every action, for the trainer's seed data and the tests."""
    return [t for action in ACTIONS for t in TEMPLATES[action]]


def make_seed(*parts: object) -> str:
    """A seed string from its parts, e.g. make_seed(user_id, event, set_number)."""
    return "|".join(str(p) for p in parts)


def _index(seed: str, size: int) -> int:
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % size


def template_message(
    tweak: Tweak, event: str, *, exercise: str, goal: str | None, level: str | None, seed: str, units: str = "kg",
    checked: bool = False,
) -> str:
    """The template tier's message for this tweak: deterministic in `seed`, always passes guardrails."""
    goal = _normal(goal, GOALS, "general")
    level = _normal(level, FITNESS_LEVELS, "intermediate")
    scope = _normal(tweak.scope, SCOPES, "session")
    texts = _template_texts(tweak.action, event, scope, goal, level, tweak.next.weight_kg > 0)
    if texts:
        start = _index(seed, len(texts))
        for offset in range(len(texts)):
            message = fill(texts[(start + offset) % len(texts)], tweak, exercise, units)
            # The guardrails are for generated text. Our own phrasings pass them for every tweak the
            # engine makes (tests/coach/test_messages.py checks each one against random tweaks), so the
            # API's hot path does not pay for the check; `checked=True` still runs it.
            if message and (not checked or guardrails.check(message, tweak, exercise=exercise, units=units) is None):
                return message
    return LAST_RESORT.get(tweak.action, LAST_RESORT["maintain"])
