"""The adaptive coach's decisions: an event and its context in, a `Tweak` out.

Pure, fast and deterministic: no database, no Reflex, no clock. The numbers come from
`coach.rules` (the safety rules) and `coach.params` (what varies with level and goal), and every
tweak leaves through `rules.enforce`, so the 80% rep floor and the load cap hold on every path.
"""

from __future__ import annotations

from collections.abc import Callable

from adaptivefit.coach import params, rules
from adaptivefit.coach.types import EVENTS, CoachContext, Prescription, SessionRecord, Tweak, UserData
from adaptivefit.services.core.lifting import effort_rpe

_NO_USER = UserData()


class _Situation:
    """The context, normalised once: defaults filled in, odd combinations made sane."""

    __slots__ = (
        "ctx", "history", "readiness", "p", "equipment", "step", "planned", "floor", "sets",
        "total", "set_number", "remaining", "given_load", "load", "rpe", "target", "rest", "reps",
        "prior_bad", "reps_min", "reps_max",
    )

    def __init__(self, ctx: CoachContext, user: UserData) -> None:
        goals = user.goals if isinstance(user.goals, tuple) else tuple(user.goals or ())
        level = user.fitness_level if isinstance(user.fitness_level, str) else ""
        self.p = p = params.for_member(level, tuple(g for g in goals if isinstance(g, str)))
        self.ctx = ctx
        self.history: tuple[SessionRecord, ...] = tuple(user.history or ())
        self.readiness = user.readiness
        self.equipment = rules.equipment_kind(ctx.equipment)
        self.step = rules.increment(self.equipment)
        self.planned = max(1, int(ctx.planned_reps))
        self.floor = rules.rep_floor(self.planned)
        self.sets = max(1, int(ctx.planned_sets))
        self.set_number = max(0, int(ctx.set_number))
        # Sets beyond the plan count too: the total never falls below the sets already done.
        self.total = max(self.sets, self.set_number)
        self.remaining = self.total - self.set_number
        self.given_load = self.load = max(0.0, float(ctx.load_kg))
        rpe = effort_rpe(ctx.rpe, ctx.rir)
        self.rpe = None if rpe is None else min(10.0, max(1.0, float(rpe)))
        target = ctx.target_rpe if ctx.target_rpe is not None else p.target_rpe
        self.target = min(10.0, max(1.0, float(target)))
        self.rest = max(0, int(ctx.rest_s if ctx.rest_s is not None else p.rest_s))
        self.reps = None if ctx.completed_reps is None else max(0, int(ctx.completed_reps))
        self.prior_bad = max(0, ctx.session_struggles) + max(0, ctx.session_skips)
        low = self.planned if ctx.reps_min is None else max(1, int(ctx.reps_min))
        high = self.planned if ctx.reps_max is None else max(1, int(ctx.reps_max))
        self.reps_min, self.reps_max = min(low, high), max(low, high)


def _kg(weight: float) -> str:
    return f"{round(weight, 2):g} kg" if weight > 0 else "bodyweight"


def _tweak(
    s: _Situation,
    action: str,
    reason: str,
    *,
    sets: int | None = None,
    reps: int | None = None,
    weight: float | None = None,
    rest: int | None = None,
    scope: str = "session",
    deload: bool = False,
) -> Tweak:
    base_sets = s.total if scope == "session" else s.sets
    sets = base_sets if sets is None else sets
    reps = s.planned if reps is None else reps
    weight = s.load if weight is None else weight
    rest = s.rest if rest is None else rest
    mods: dict[str, int | float] = {}
    if sets != base_sets:
        mods["sets"] = sets - base_sets
    if rest != s.rest:
        mods["rest_time"] = rest - s.rest
    if reps != s.planned:
        mods["reps"] = reps
    if weight != s.given_load:
        mods["weight_kg"] = weight
    return Tweak(
        action=action,
        reason=reason,
        modifications=mods,
        next=Prescription(sets=sets, reps=reps, weight_kg=weight, rest_s=rest),
        scope=scope,
        deload=deload,
    )


def _chart_load(s: _Situation, reps_done: int, rpe: float) -> float:
    """The load for today's planned reps at the target effort, from a set just done (RTS chart)."""
    return rules.load_for(rules.e1rm_from(s.load, reps_done, rpe), s.planned, s.target)


def _lower(s: _Situation, proposed: float) -> float:
    """`proposed` rounded to the equipment, and at least one increment below the current load."""
    lighter = rules.cap_load(s.load, proposed, s.equipment)
    return lighter if lighter < s.load else max(0.0, round(s.load - s.step, 2))


def _lighter(s: _Situation, band: tuple[float, float], fallback: float, reps_done: int | None, rpe: float) -> float:
    if not reps_done:
        return _lower(s, s.load * fallback)
    low, high = band
    return _lower(s, min(max(_chart_load(s, reps_done, rpe), low * s.load), high * s.load))


def _can_drop_set(s: _Situation) -> bool:
    return s.total - 1 >= max(1, s.set_number)


# Within a session -------------------------------------------------------------------------


def _complete_set(s: _Situation) -> Tweak:
    reps = s.planned if s.reps is None else s.reps
    if reps < s.floor:
        return _fail_set(s)
    if reps < s.planned:
        return _struggle_set(s)
    keep = f"keep {s.planned} reps at {_kg(s.load)}."
    if s.rpe is None:
        return _tweak(s, "maintain", f"Set done as planned: {keep}")
    if s.rpe >= s.target + params.RPE_ABOVE_TARGET:
        chart = _chart_load(s, reps, s.rpe)
        if chart >= s.load:
            return _tweak(s, "maintain", f"Hard, but you beat the planned reps, so the load is right: {keep}")
        lighter = rules.cap_load(s.load, max(chart, params.HIGH_RPE_FLOOR * s.load), s.equipment)
        if lighter < s.load:
            return _tweak(
                s, "reduce_load",
                f"That set was harder than your target effort, so go lighter: {s.planned} reps at {_kg(lighter)}.",
                weight=lighter,
            )
        rest = s.rest + s.p.extra_rest_s
        return _tweak(
            s, "add_rest",
            f"That set was harder than your target effort; rest {rest} s and keep {s.planned} reps at {_kg(s.load)}.",
            rest=rest,
        )
    if s.rpe <= s.target - params.RPE_BELOW_TARGET and s.load > 0:
        heavier = rules.cap_load(s.load, _chart_load(s, reps, s.rpe), s.equipment)
        if heavier > s.load:
            return _tweak(
                s, "increase_load",
                f"That set was well under your target effort, so go heavier: {s.planned} reps at {_kg(heavier)}.",
                weight=heavier,
            )
    return _tweak(s, "maintain", f"Right on target: {keep}")


def _too_easy(s: _Situation) -> Tweak:
    proposed = s.load + s.step
    if s.rpe is not None and s.load > 0:
        proposed = max(proposed, _chart_load(s, s.reps or s.planned, s.rpe))
    heavier = rules.cap_load(s.load, proposed, s.equipment)
    if s.load == 0:
        reason = f"Too easy: add {_kg(heavier)} (a weight belt or vest) for {s.planned} reps."
    else:
        reason = f"Too easy: go up to {_kg(heavier)} for {s.planned} reps."
    return _tweak(s, "increase_load", reason, weight=heavier)


def _struggle_set(s: _Situation) -> Tweak:
    if s.reps is not None and s.reps < s.floor:
        return _fail_set(s)
    struggled_before = s.ctx.session_struggles > 0
    if (s.prior_bad >= params.FATIGUE_BAD_SETS or struggled_before) and s.load > 0:
        lighter = _lighter(s, params.STRUGGLE_BAND, params.STRUGGLE_FALLBACK, s.reps, s.rpe or 10.0)
        if s.prior_bad >= params.FATIGUE_BAD_SETS and _can_drop_set(s):
            sets = s.total - 1
            return _tweak(
                s, "reduce_volume",
                f"Fatigue is building: drop a set ({sets} in all) and do {s.planned} reps at {_kg(lighter)}.",
                sets=sets, weight=lighter,
            )
        return _tweak(
            s, "reduce_load",
            f"Another tough set: keep {s.planned} reps but go lighter, to {_kg(lighter)}.",
            weight=lighter,
        )
    if s.prior_bad >= params.FATIGUE_BAD_SETS and _can_drop_set(s):
        sets = s.total - 1
        return _tweak(
            s, "reduce_volume",
            f"Fatigue is building: drop a set ({sets} in all) and keep {s.planned} reps at {_kg(s.load)}.",
            sets=sets,
        )
    rest = s.rest + s.p.extra_rest_s
    return _tweak(
        s, "add_rest",
        f"A tough set: rest longer, {rest} s, then go again with {s.planned} reps at {_kg(s.load)}.",
        rest=rest,
    )


def _fail_set(s: _Situation) -> Tweak:
    rest = s.rest + s.p.extra_rest_s
    fatigued = s.prior_bad >= params.FATIGUE_BAD_SETS and _can_drop_set(s)
    lighter = _lighter(s, params.FAIL_BAND, params.FAIL_FALLBACK, s.reps, 10.0) if s.load > 0 else 0.0
    if fatigued:
        sets = s.total - 1
        return _tweak(
            s, "reduce_volume",
            f"Missed reps again today: drop a set ({sets} in all), rest {rest} s and do {s.planned} reps "
            f"at {_kg(lighter)}.",
            sets=sets, weight=lighter, rest=rest,
        )
    if s.load > 0:
        return _tweak(
            s, "reduce_load",
            f"Missed reps: rest {rest} s and go lighter, {s.planned} reps at {_kg(lighter)}.",
            weight=lighter, rest=rest,
        )
    return _tweak(
        s, "add_rest",
        f"Missed reps: rest longer, {rest} s, and aim for {s.planned} reps again.",
        rest=rest,
    )


def _skip_set(s: _Situation) -> Tweak:
    if not _can_drop_set(s):
        return _tweak(s, "maintain", f"That was the last set: {s.total} sets in all for this exercise today.")
    sets = s.total - 1
    rest = s.rest + params.SKIP_EXTRA_REST_S
    return _tweak(
        s, "reduce_volume",
        f"Set skipped: {sets} sets in all today, with {rest} s of rest before the next one.",
        sets=sets, rest=rest,
    )


# Across sessions --------------------------------------------------------------------------


def _deload_reason(s: _Situation, today_struggled: bool, at_start: bool) -> str | None:
    """Why a lighter week is due, or None: repeated struggle, or an e1RM falling session to session."""
    window = s.history[: params.DELOAD_WINDOW]
    struggled = sum(1 for record in window if record.struggled)
    if at_start and struggled >= params.DELOAD_STRUGGLED_AT_START:
        return "Your last sessions of this exercise were all a struggle."
    if not at_start and today_struggled and struggled >= params.DELOAD_STRUGGLED_AT_END:
        return "Today and most of your recent sessions of this exercise were a struggle."
    if len(window) == params.DELOAD_WINDOW:
        newest, middle, oldest = (record.best_e1rm_kg for record in window)
        if 0 < newest < middle < oldest and newest <= oldest * (1 - params.DELOAD_E1RM_DROP):
            return "Your estimated max has fallen session after session."
    return None


def _deload(s: _Situation, why: str) -> Tweak:
    weight = _lower(s, s.load * params.DELOAD_LOAD_FACTOR) if s.load > 0 else 0.0
    kept, of = params.DELOAD_SETS_KEPT
    sets = max(1, (kept * s.sets + of // 2) // of)
    return _tweak(
        s, "deload",
        f"{why} Take a lighter week to recover: {sets} sets of {s.planned} reps at {_kg(weight)}.",
        sets=sets, weight=weight, scope="week", deload=True,
    )


def _complete_workout(s: _Situation) -> Tweak:
    why = _deload_reason(s, s.prior_bad > 0, at_start=False)
    if why:
        return _deload(s, why)
    reps = s.planned if s.reps is None else s.reps
    on_target = s.rpe is None or s.rpe <= s.target
    if on_target and reps >= s.reps_max:
        if s.load > 0:
            heavier = rules.cap_load(s.load, s.load + s.step * s.p.increment_steps, s.equipment)
            reps_next = max(s.floor, s.reps_min)
            return _tweak(
                s, "progress_load",
                f"Top of the rep range at or under your target effort: next time {reps_next} reps at {_kg(heavier)}.",
                reps=reps_next, weight=heavier, scope="next_session",
            )
        return _tweak(
            s, "maintain",
            f"Top of the rep range with bodyweight: next time keep {s.planned} reps and try a harder variation.",
            scope="next_session",
        )
    if on_target and reps >= s.planned and s.planned < s.reps_max:
        reps_next = s.planned + 1
        return _tweak(
            s, "increase_reps",
            f"You hit your reps at or under your target effort: next time {reps_next} reps at {_kg(s.load)}.",
            reps=reps_next, scope="next_session",
        )
    return _tweak(
        s, "maintain",
        f"Next time stay with {s.planned} reps at {_kg(s.load)} until every set feels on target.",
        scope="next_session",
    )


def _start_workout(s: _Situation) -> Tweak:
    layoff = False
    if s.load == 0 and s.history and s.history[0].top_load_kg > 0:
        # No load in the plan: start from what the member last lifted (lighter after a layoff).
        last = s.history[0]
        top = float(last.top_load_kg)
        s.load = rules.cap_load(top, top * params.LAYOFF_FACTOR, s.equipment) if last.days_ago > params.LAYOFF_DAYS else top
        layoff = s.load < top
    why = _deload_reason(s, False, at_start=True)
    if why:
        return _deload(s, why)
    ready = s.readiness
    if ready is not None and (
        (ready.sleep_hours is not None and ready.sleep_hours < params.READINESS_MIN_SLEEP_H)
        or (ready.hrv_ratio is not None and ready.hrv_ratio < params.READINESS_MIN_HRV_RATIO)
    ):
        weight = _lower(s, s.load * params.READINESS_LOAD_FACTOR) if s.load > 0 else 0.0
        rest = s.rest + params.READINESS_EXTRA_REST_S
        return _tweak(
            s, "readiness_adjust",
            f"Short sleep or low HRV: a little lighter today, {s.planned} reps at {_kg(weight)} with {rest} s of rest.",
            weight=weight, rest=rest,
        )
    if layoff:
        return _tweak(
            s, "reduce_load",
            f"It has been a while, so restart a little lighter: {s.total} sets of {s.planned} reps at {_kg(s.load)}.",
        )
    if s.load != s.given_load:
        reason = f"Picking up from your last session: {s.total} sets of {s.planned} reps at {_kg(s.load)}."
    else:
        reason = f"Ready to go as planned: {s.total} sets of {s.planned} reps at {_kg(s.load)}."
    return _tweak(s, "maintain", reason)


_HANDLERS: dict[str, Callable[[_Situation], Tweak]] = {
    "skip_set": _skip_set,
    "struggle_set": _struggle_set,
    "fail_set": _fail_set,
    "complete_set": _complete_set,
    "too_easy": _too_easy,
    "complete_workout": _complete_workout,
    "start_workout": _start_workout,
}
assert tuple(_HANDLERS) == EVENTS


def decide(event: str, ctx: CoachContext, user: UserData = _NO_USER) -> Tweak:
    """The coach's tweak for `event`, given the set (or session) in `ctx` and what is known of `user`."""
    handler = _HANDLERS.get(event) if isinstance(event, str) else None
    if handler is None:
        raise ValueError(f"unknown event {event!r}; expected one of: {', '.join(EVENTS)}")
    s = _Situation(ctx, user)
    tweak = handler(s)
    return rules.enforce(ctx, tweak, None if s.load == s.given_load else s.load)
