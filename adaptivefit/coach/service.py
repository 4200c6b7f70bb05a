"""The coach inside the app: what it knows of a member, the tweak for a logged or skipped set, and
what happens when the member accepts or dismisses it.

The engine decides the numbers; this module only gathers the context from the database, stores
each tweak with its outcome, and turns accepted tweaks into targets:

- a session tweak (after a set) sets the targets of the remaining sets of that exercise today;
- a next-session tweak (after a workout) sets the targets the next time the exercise comes up,
  and a load progression also raises the plan's absolute load;
- an accepted deload holds for seven days.
A shown tweak that the member neither took nor dismissed expires when the next one for the same
exercise arrives.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.coach import engine, evidence, messages, rules
from adaptivefit.coach.types import CoachContext, Evidence, Prescription, Readiness, SessionRecord, Tweak, UserData
from adaptivefit.models import (
    CoachTweak,
    Equipment,
    Exercise,
    ExerciseEquipment,
    FitnessData,
    Goal,
    PlanExercise,
    User,
    Workout,
    WorkoutSet,
)
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.inputs import as_id
from adaptivefit.services.core.lifting import e1rm

HISTORY_SESSIONS = 5
DELOAD_DAYS = 7
STRUGGLE_EVENTS = ("struggle_set", "fail_set")

# The member's goals (services.goals.GOAL_TYPES) in the engine's words.
_GOALS = {"strength": "strength", "hypertrophy": "hypertrophy", "endurance": "endurance",
          "fat_loss": "fat_loss", "general_fitness": "general"}

# Which load step an exercise moves by, from the equipment it needs.
_EQUIPMENT_KIND = {
    "barbell": "barbell", "ez bar": "barbell", "trap bar": "barbell", "smith machine": "barbell",
    "dumbbell": "dumbbell", "kettlebell": "kettlebell",
    "cable machine": "cable", "lat pulldown machine": "cable", "seated row machine": "cable",
}


@dataclass(frozen=True)
class ShownTweak:
    """A stored tweak with the words that explain it, as the logger shows it."""

    id: int
    exercise_id: int | None
    exercise: str
    event: str
    tweak: Tweak
    message: str
    ai_powered: bool
    status: str


# --- what the coach knows ------------------------------------------------------------------------


def equipment_kind(session: Session, exercise_id: int) -> str:
    rows = session.exec(
        select(Equipment.name, Equipment.type)
        .join(ExerciseEquipment, ExerciseEquipment.equipment_id == Equipment.id)
        .where(ExerciseEquipment.exercise_id == exercise_id)
    ).all()
    if not rows:
        return "bodyweight"
    kinds = [_EQUIPMENT_KIND.get(name.lower()) or ("machine" if kind == "machine" else None) for name, kind in rows]
    for preferred in ("barbell", "dumbbell", "kettlebell", "cable", "machine"):
        if preferred in kinds:
            return preferred
    return "bodyweight" if all(kind == "bodyweight" for _, kind in rows) else "other"


def user_goals(session: Session, user_id: int) -> tuple[str, ...]:
    rows = session.exec(
        select(Goal.goal_type).where(Goal.user_id == user_id, Goal.active.is_(True)).order_by(Goal.priority, Goal.id)
    ).all()
    goals: list[str] = []
    for goal_type in rows:
        mapped = _GOALS.get(goal_type)
        if mapped and mapped not in goals:
            goals.append(mapped)
    return tuple(goals)


def readiness(session: Session, user_id: int, *, now: datetime | None = None) -> Readiness | None:
    """Last night's sleep and today's HRV against the member's own week: a hook for wearables."""
    now = now or utcnow()
    sleep = session.exec(
        select(FitnessData.data).where(FitnessData.user_id == user_id, FitnessData.type == "sleep",
                                       FitnessData.recorded_at >= now - timedelta(hours=20))
        .order_by(FitnessData.recorded_at.desc()).limit(1)
    ).first()
    hrv_rows = session.exec(
        select(FitnessData.data, FitnessData.recorded_at).where(
            FitnessData.user_id == user_id, FitnessData.type == "hrv", FitnessData.recorded_at >= now - timedelta(days=8))
        .order_by(FitnessData.recorded_at.desc())
    ).all()
    sleep_hours = _number((sleep or {}).get("hours"))
    hrv_ratio = None
    values = [(_number(data.get("rmssd_ms") or data.get("ms") or data.get("value")), at) for data, at in hrv_rows]
    values = [(v, at) for v, at in values if v]
    if len(values) >= 4 and values[0][1] >= now - timedelta(hours=20):
        baseline = sum(v for v, _ in values[1:]) / (len(values) - 1)
        hrv_ratio = round(values[0][0] / baseline, 3) if baseline else None
    if sleep_hours is None and hrv_ratio is None:
        return None
    return Readiness(sleep_hours=sleep_hours, hrv_ratio=hrv_ratio)


def _number(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def exercise_history(session: Session, user_id: int, exercise_id: int, *, before_workout: int | None = None,
                     now: datetime | None = None) -> tuple[SessionRecord, ...]:
    """The member's last few finished sessions of an exercise, most recent first."""
    now = now or utcnow()
    query = (
        select(Workout.id, Workout.started_at)
        .join(WorkoutSet, WorkoutSet.workout_id == Workout.id)
        .where(Workout.user_id == user_id, Workout.finished_at.is_not(None), WorkoutSet.exercise_id == exercise_id,
               WorkoutSet.set_type == "working")
        .group_by(Workout.id, Workout.started_at)
        .order_by(Workout.started_at.desc())
        .limit(HISTORY_SESSIONS)
    )
    if before_workout is not None:
        query = query.where(Workout.id != before_workout)
    workouts = session.exec(query).all()
    if not workouts:
        return ()
    ids = [w for w, _ in workouts]
    sets: dict[int, list[WorkoutSet]] = {}
    for row in session.exec(select(WorkoutSet).where(
            WorkoutSet.workout_id.in_(ids), WorkoutSet.exercise_id == exercise_id, WorkoutSet.set_type == "working")
            .order_by(WorkoutSet.set_number)):
        sets.setdefault(row.workout_id, []).append(row)
    struggled = set(session.exec(select(CoachTweak.workout_id).where(
        CoachTweak.workout_id.in_(ids), CoachTweak.exercise_id == exercise_id,
        CoachTweak.event.in_((*STRUGGLE_EVENTS, "skip_set")))).all())
    history = []
    for workout_id, started_at in workouts:
        rows = sets.get(workout_id, [])
        if not rows:
            continue
        history.append(SessionRecord(
            days_ago=max(0, (now - started_at).days),
            top_load_kg=max(r.load_kg for r in rows),
            reps=tuple(r.reps for r in rows),
            best_e1rm_kg=round(max(e1rm(r.load_kg, r.reps, r.rpe) for r in rows), 2),
            struggled=workout_id in struggled,
        ))
    return tuple(history)


def user_data(session: Session, user: User, exercise_id: int | None, *, workout_id: int | None = None,
              now: datetime | None = None) -> UserData:
    return UserData(
        fitness_level=user.fitness_level or "beginner",
        goals=user_goals(session, user.id),
        history=exercise_history(session, user.id, exercise_id, before_workout=workout_id, now=now)
        if exercise_id is not None else (),
        readiness=readiness(session, user.id, now=now),
    )


# --- targets: the plan, then whatever the member accepted -------------------------------------


def _plan_entry(session: Session, workout: Workout, exercise_id: int) -> PlanExercise | None:
    if workout.plan_day_id is None:
        return None
    return session.exec(select(PlanExercise).where(
        PlanExercise.day_id == workout.plan_day_id, PlanExercise.exercise_id == exercise_id)
        .order_by(PlanExercise.position)).first()


def _working_sets(session: Session, workout_id: int, exercise_id: int) -> list[WorkoutSet]:
    return list(session.exec(select(WorkoutSet).where(
        WorkoutSet.workout_id == workout_id, WorkoutSet.exercise_id == exercise_id, WorkoutSet.set_type == "working")
        .order_by(WorkoutSet.set_number, WorkoutSet.id)).all())


def _tweak_from(row: CoachTweak) -> Tweak:
    data = row.tweak or {}
    nxt = data.get("next") or {}
    return Tweak(
        action=row.action, reason=str(data.get("reason", "")), modifications=dict(data.get("modifications") or {}),
        next=Prescription(sets=int(nxt.get("sets", 1)), reps=int(nxt.get("reps", 1)),
                          weight_kg=float(nxt.get("weight_kg", 0.0)), rest_s=int(nxt.get("rest_s", 0))),
        scope=row.scope, deload=bool(data.get("deload", False)),
        evidence=tuple(Evidence(pmid=str(e.get("pmid", "")), title=str(e.get("title", "")), year=e.get("year"),
                                url=str(e.get("url", ""))) for e in data.get("evidence") or ()),
    )


def accepted_target(session: Session, user: User, workout: Workout, exercise_id: int) -> Prescription | None:
    """What the coach and the member agreed for this exercise now, if anything."""
    today = session.exec(select(CoachTweak).where(
        CoachTweak.user_id == user.id, CoachTweak.workout_id == workout.id, CoachTweak.exercise_id == exercise_id,
        CoachTweak.scope == "session", CoachTweak.status == "accepted")
        .order_by(CoachTweak.created_at.desc(), CoachTweak.id.desc())).first()
    if today is not None:
        return _tweak_from(today).next
    carried = session.exec(select(CoachTweak).where(
        CoachTweak.user_id == user.id, CoachTweak.exercise_id == exercise_id, CoachTweak.status == "accepted",
        CoachTweak.scope.in_(("next_session", "week")),
        CoachTweak.workout_id != workout.id)
        .order_by(CoachTweak.created_at.desc(), CoachTweak.id.desc())).first()
    if carried is None:
        return None
    if carried.scope == "week":
        return _tweak_from(carried).next if workout.started_at - carried.created_at <= timedelta(days=DELOAD_DAYS) else None
    # A next-session target holds until the exercise has been done once more since it was accepted.
    done_since = session.exec(select(func.count(func.distinct(Workout.id))).join(
        WorkoutSet, WorkoutSet.workout_id == Workout.id).where(
        Workout.user_id == user.id, WorkoutSet.exercise_id == exercise_id, Workout.id != workout.id,
        Workout.finished_at.is_not(None), Workout.started_at > carried.created_at)).one()
    return _tweak_from(carried).next if not done_since else None


def targets(session: Session, user: User, workout: Workout, exercise_ids: list[int]) -> dict[int, Prescription]:
    found = {}
    for exercise_id in exercise_ids:
        target = accepted_target(session, user, workout, exercise_id)
        if target is not None:
            found[exercise_id] = target
    return found


def _set_context(session: Session, user: User, workout: Workout, exercise_id: int, *,
                 done: list[WorkoutSet], this_set: WorkoutSet | None) -> CoachContext:
    entry = _plan_entry(session, workout, exercise_id)
    agreed = accepted_target(session, user, workout, exercise_id)
    first = done[0] if done else None
    planned_sets = agreed.sets if agreed else (entry.sets if entry else max(3, len(done)))
    if agreed:
        planned_reps = agreed.reps
    elif entry:
        planned_reps = entry.reps_min
    else:
        planned_reps = first.reps if first else (this_set.reps if this_set else 8)
    planned_load = agreed.weight_kg if agreed else (this_set.load_kg if this_set else (first.load_kg if first else 0.0))
    rest = agreed.rest_s if agreed else (entry.rest_s if entry else (this_set.rest_s if this_set else None))
    earlier = session.exec(select(CoachTweak.event).where(
        CoachTweak.workout_id == workout.id, CoachTweak.exercise_id == exercise_id,
        CoachTweak.set_id != (this_set.id if this_set else -1))).all()
    exercise = session.get(Exercise, exercise_id)
    target_rpe = entry.target_rpe if entry and entry.target_rpe else (
        10 - entry.target_rir if entry and entry.target_rir is not None else None)
    return CoachContext(
        exercise=exercise.name if exercise else "",
        equipment=equipment_kind(session, exercise_id),
        set_number=len(done),
        planned_sets=max(1, min(planned_sets, 20)),
        planned_reps=max(1, min(planned_reps, 100)),
        reps_min=entry.reps_min if entry else None,
        reps_max=entry.reps_max if entry else None,
        completed_reps=this_set.reps if this_set else None,
        load_kg=this_set.load_kg if this_set else planned_load,
        rpe=this_set.rpe if this_set else None,
        rir=this_set.rir if this_set else None,
        target_rpe=target_rpe,
        rest_s=rest if rest else None,
        session_struggles=sum(1 for e in earlier if e in STRUGGLE_EVENTS),
        session_skips=sum(1 for e in earlier if e == "skip_set"),
    )


def classify(ctx: CoachContext) -> str:
    """Which event a logged set is: failed under the floor, struggled, too easy, or as planned."""
    reps = ctx.completed_reps or 0
    effort = ctx.rpe if ctx.rpe is not None else (10 - ctx.rir if ctx.rir is not None else None)
    if reps < rules.rep_floor(ctx.planned_reps):
        return "fail_set"
    if reps < ctx.planned_reps or (effort is not None and effort >= 9.5 and (ctx.target_rpe or 8) < 9.5):
        return "struggle_set"
    if effort is not None and effort <= (ctx.target_rpe or 8) - 3:
        return "too_easy"
    return "complete_set"


# --- making and deciding tweaks -----------------------------------------------------------------


def seed_for(user_id: int | str, event: str, set_number: int, extra: str = "") -> str:
    return hashlib.sha256(f"{user_id}|{event}|{set_number}|{extra}".encode()).hexdigest()


def _expire_open(session: Session, user_id: int, workout_id: int | None, exercise_id: int | None) -> None:
    for row in session.exec(select(CoachTweak).where(
            CoachTweak.user_id == user_id, CoachTweak.workout_id == workout_id, CoachTweak.exercise_id == exercise_id,
            CoachTweak.status == "shown")):
        row.status, row.decided_at = "expired", utcnow()
        session.add(row)


def _store(session: Session, user: User, *, event: str, ctx: CoachContext, data: UserData, workout_id: int | None,
           exercise_id: int | None, set_id: int | None, plan_exercise_id: int | None, source: str = "app",
           extra_seed: str = "") -> ShownTweak:
    tweak = evidence.attach(engine.decide(event, ctx, data), data.goals)
    goal = data.goals[0] if data.goals else "general"
    message = messages.template_message(
        tweak, event, exercise=ctx.exercise, goal=goal, level=data.fitness_level,
        seed=seed_for(user.id, event, ctx.set_number, extra_seed), units=user.units)
    _expire_open(session, user.id, workout_id, exercise_id)
    row = CoachTweak(
        user_id=user.id, workout_id=workout_id, exercise_id=exercise_id, set_id=set_id,
        plan_exercise_id=plan_exercise_id, source=source, event=event, action=tweak.action, scope=tweak.scope,
        context=_context_record(ctx, data), tweak=tweak.to_dict(), message=message[:500],
    )
    session.add(row)
    session.flush()
    return ShownTweak(id=row.id, exercise_id=exercise_id, exercise=ctx.exercise, event=event, tweak=tweak,
                      message=message, ai_powered=False, status=row.status)


def _context_record(ctx: CoachContext, data: UserData) -> dict:
    return {"context": asdict(ctx), "fitness_level": data.fitness_level, "goals": list(data.goals),
            "history_sessions": len(data.history),
            "readiness": asdict(data.readiness) if data.readiness else None}


def _own_workout(session: Session, user: User, workout_id) -> Workout:
    key = as_id(workout_id)
    workout = session.get(Workout, key) if key is not None else None
    if workout is None or workout.user_id != user.id:
        raise ValidationFailed({"workout": "No such workout."})
    return workout


def coach_logged_set(session: Session, user: User, set_id: int) -> ShownTweak | None:
    """The coach's answer to a set the member just logged (working sets only)."""
    row = session.get(WorkoutSet, set_id)
    if row is None or row.user_id != user.id or row.set_type != "working":
        return None
    earlier = session.exec(select(CoachTweak, Exercise.name).join(Exercise, Exercise.id == CoachTweak.exercise_id)
                           .where(CoachTweak.set_id == row.id, CoachTweak.user_id == user.id)).first()
    if earlier is not None:
        # The same set sent twice (a retry, a double tap): the coach answered it already.
        stored, name = earlier
        return ShownTweak(id=stored.id, exercise_id=stored.exercise_id, exercise=name, event=stored.event,
                          tweak=_tweak_from(stored), message=stored.message, ai_powered=stored.ai_powered,
                          status=stored.status)
    workout = session.get(Workout, row.workout_id)
    done = _working_sets(session, workout.id, row.exercise_id)
    ctx = _set_context(session, user, workout, row.exercise_id, done=done, this_set=row)
    event = classify(ctx)
    entry = _plan_entry(session, workout, row.exercise_id)
    data = user_data(session, user, row.exercise_id, workout_id=workout.id)
    return _store(session, user, event=event, ctx=ctx, data=data, workout_id=workout.id,
                  exercise_id=row.exercise_id, set_id=row.id, plan_exercise_id=entry.id if entry else None)


def skip_set(session: Session, user: User, workout_id: int, exercise_id) -> ShownTweak:
    """The member skips the next set of an exercise: the coach trims the volume."""
    workout = _own_workout(session, user, workout_id)
    if workout.finished_at is not None:
        raise ValidationFailed({"workout": "This workout is finished."})
    key = as_id(exercise_id)
    if key is None or session.get(Exercise, key) is None:
        raise ValidationFailed({"exercise": "No such exercise."})
    done = _working_sets(session, workout.id, key)
    ctx = _set_context(session, user, workout, key, done=done, this_set=None)
    ctx = replace(ctx, set_number=min(len(done) + 1, 50), completed_reps=0)
    entry = _plan_entry(session, workout, key)
    data = user_data(session, user, key, workout_id=workout.id)
    return _store(session, user, event="skip_set", ctx=ctx, data=data, workout_id=workout.id, exercise_id=key,
                  set_id=None, plan_exercise_id=entry.id if entry else None, extra_seed=str(len(done)))


def coach_finished_workout(session: Session, user: User, workout_id: int) -> list[ShownTweak]:
    """After a workout: one next-session tweak per exercise trained (progress, more reps, hold, or deload)."""
    workout = _own_workout(session, user, workout_id)
    exercise_ids = list(dict.fromkeys(session.exec(select(WorkoutSet.exercise_id).where(
        WorkoutSet.workout_id == workout.id, WorkoutSet.set_type == "working").order_by(WorkoutSet.logged_at)).all()))
    shown = []
    for exercise_id in exercise_ids:
        done = _working_sets(session, workout.id, exercise_id)
        entry = _plan_entry(session, workout, exercise_id)
        base = _set_context(session, user, workout, exercise_id, done=done, this_set=done[-1])
        efforts = [s.rpe if s.rpe is not None else (10 - s.rir if s.rir is not None else None) for s in done]
        efforts = [e for e in efforts if e is not None]
        ctx = replace(base, completed_reps=min(s.reps for s in done), load_kg=max(s.load_kg for s in done),
                      rpe=round(sum(efforts) / len(efforts), 1) if efforts else None, rir=None,
                      set_number=len(done), planned_sets=entry.sets if entry else len(done),
                      rest_taken_s=None)
        data = user_data(session, user, exercise_id, workout_id=workout.id)
        shown.append(_store(session, user, event="complete_workout", ctx=ctx, data=data, workout_id=workout.id,
                            exercise_id=exercise_id, set_id=None, plan_exercise_id=entry.id if entry else None))
    return shown


def _own_tweak(session: Session, user: User, tweak_id) -> CoachTweak:
    key = as_id(tweak_id)
    row = session.get(CoachTweak, key) if key is not None else None
    if row is None or row.user_id != user.id:
        raise ValidationFailed({"tweak": "No such suggestion."})
    return row


def decide(session: Session, user: User, tweak_id, accept: bool, *, now: datetime | None = None) -> CoachTweak:
    """Accept or dismiss a shown tweak. Accepting applies it: to today's remaining sets (rest of the
    set just logged included), or to the plan for next time."""
    row = _own_tweak(session, user, tweak_id)
    if row.status != "shown":
        raise ValidationFailed({"tweak": "This suggestion has already been answered or has expired."})
    row.status, row.decided_at = ("accepted" if accept else "dismissed"), now or utcnow()
    session.add(row)
    if accept:
        tweak = _tweak_from(row)
        if row.scope == "session" and row.set_id is not None:
            logged = session.get(WorkoutSet, row.set_id)
            if logged is not None and logged.user_id == user.id:
                # The rest timer runs from the set's logged time and rest; more rest shows at once.
                logged.rest_s = tweak.next.rest_s
                session.add(logged)
        if row.scope == "next_session" and row.action == "progress_load" and row.plan_exercise_id is not None:
            entry = session.get(PlanExercise, row.plan_exercise_id)
            if entry is not None and entry.load_kg is not None:
                entry.load_kg = tweak.next.weight_kg
                session.add(entry)
    session.flush()
    return row


def set_message(session: Session, user_id: int, tweak_id: int, message: str, *, ai_powered: bool) -> None:
    """Replace a tweak's words (the language model's message arrives after the template's)."""
    row = session.get(CoachTweak, tweak_id)
    if row is not None and row.user_id == user_id:
        row.message, row.ai_powered = message[:500], ai_powered
        session.add(row)
        session.flush()


def open_tweaks(session: Session, user: User, workout_id: int) -> list[ShownTweak]:
    """Tweaks of this workout still waiting for an answer, newest first."""
    rows = session.exec(select(CoachTweak, Exercise.name).join(
        Exercise, Exercise.id == CoachTweak.exercise_id, isouter=True).where(
        CoachTweak.user_id == user.id, CoachTweak.workout_id == workout_id, CoachTweak.status == "shown")
        .order_by(CoachTweak.created_at.desc(), CoachTweak.id.desc())).all()
    return [ShownTweak(id=row.id, exercise_id=row.exercise_id, exercise=name or "", event=row.event,
                       tweak=_tweak_from(row), message=row.message, ai_powered=row.ai_powered, status=row.status)
            for row, name in rows]


# --- the API with a personal token ---------------------------------------------------------------


class BadReference(ValueError):
    """The body names something the caller may not use (an exercise that is not theirs)."""


@dataclass(frozen=True)
class ApiOutcome:
    tweak_id: int
    tweak: Tweak
    message: str
    wants_ai: bool
    event: str
    exercise: str
    goal: str
    level: str
    units: str
    seed: str


def api_event(user_id: int, event: str, ctx: CoachContext, posted: UserData, exercise_id: int | None) -> ApiOutcome:
    """An event posted with a token: the member's own goals, level, history and readiness, recorded.

    What the member's records hold wins over the body; the body fills what the records lack.
    """
    from adaptivefit.db import session_scope
    from adaptivefit.services.catalog import library

    with session_scope() as session:
        user = session.get(User, user_id)
        if exercise_id is not None:
            name = library.exercise_name(session, user.id, exercise_id)
            if name is None:
                raise BadReference("context.exercise_id: no such exercise in your library.")
            ctx = replace(ctx, exercise=ctx.exercise or name,
                          equipment=ctx.equipment if ctx.equipment != "barbell" else equipment_kind(session, exercise_id))
        stored = user_data(session, user, exercise_id)
        data = UserData(
            fitness_level=user.fitness_level or posted.fitness_level,
            goals=stored.goals or posted.goals,
            history=stored.history or posted.history,
            readiness=stored.readiness or posted.readiness,
        )
        active = session.exec(select(Workout.id).where(Workout.user_id == user.id, Workout.finished_at.is_(None))
                              .order_by(Workout.started_at.desc())).first()
        shown = _store(session, user, event=event, ctx=ctx, data=data, workout_id=active,
                       exercise_id=exercise_id, set_id=None, plan_exercise_id=None, source="api")
        goal = data.goals[0] if data.goals else "general"
        return ApiOutcome(tweak_id=shown.id, tweak=shown.tweak, message=shown.message, wants_ai=ai_tier(session, user),
                          event=event, exercise=ctx.exercise, goal=goal, level=data.fitness_level, units=user.units,
                          seed=seed_for(user.id, event, ctx.set_number))


def ai_tier(session, user: User) -> bool:
    """The ai_powered tier: an admin's grant or a Pro subscription, as the billing service decides."""
    from adaptivefit.services.payments import billing

    return billing.is_pro(session, user)


async def ai_message(outcome: ApiOutcome) -> tuple[str, bool]:
    """The language model's words for a Pro member, or the template's when the model cannot."""
    from adaptivefit.coach import lm

    return await lm.write_message(outcome.tweak, outcome.event, exercise=outcome.exercise, goal=outcome.goal,
                                  level=outcome.level, units=outcome.units, seed=outcome.seed)


def save_message(user_id: int, tweak_id: int, message: str) -> None:
    from adaptivefit.db import session_scope

    with session_scope() as session:
        set_message(session, user_id, tweak_id, message, ai_powered=True)


def _ai_request(user_id: int, tweak_id: int) -> ApiOutcome | None:
    from adaptivefit.db import session_scope

    with session_scope() as session:
        row = session.get(CoachTweak, tweak_id)
        user = session.get(User, user_id)
        if row is None or user is None or row.user_id != user.id or not ai_tier(session, user) or row.status != "shown":
            return None
        ctx = (row.context or {}).get("context") or {}
        goals = (row.context or {}).get("goals") or []
        return ApiOutcome(tweak_id=row.id, tweak=_tweak_from(row), message=row.message, wants_ai=True,
                          event=row.event, exercise=str(ctx.get("exercise", "")), goal=goals[0] if goals else "general",
                          level=user.fitness_level or "beginner", units=user.units,
                          seed=seed_for(user.id, row.event, int(ctx.get("set_number", 0) or 0)))


async def write_ai_message(user_id: int, tweak_id: int) -> str | None:
    """For a Pro member's tweak in the app: the model's words, stored; None when the template stays."""
    import asyncio

    request = await asyncio.to_thread(_ai_request, user_id, tweak_id)
    if request is None:
        return None
    message, ai_powered = await ai_message(request)
    if not ai_powered:
        return None
    await asyncio.to_thread(save_message, user_id, tweak_id, message)
    return message
