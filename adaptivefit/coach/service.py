"""The coach inside the app: the tweak for a logged or skipped set or a finished workout, and
what happens when the member accepts or dismisses it.

The engine decides the numbers; this module gathers the context (the plan, what was agreed, the
sets done), stores each tweak (`coach.tweaks`) and turns accepted tweaks into targets:

- a session tweak (after a set) sets the targets of the remaining sets of that exercise today;
- a next-session tweak (after a workout) sets the targets the next time the exercise comes up,
  and a load progression also raises the plan's absolute load;
- an accepted deload holds for seven days.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from adaptivefit.coach import rules
from adaptivefit.coach.member_data import STRUGGLE_EVENTS, equipment_kind, user_data
from adaptivefit.coach.tweaks import ShownTweak, store, tweak_from
from adaptivefit.coach.types import CoachContext, Prescription
from adaptivefit.models import CoachTweak, Exercise, PlanExercise, User, Workout, WorkoutSet
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed, owned
from adaptivefit.services.core.inputs import as_id
from adaptivefit.services.core.lifting import effort_rpe

DELOAD_DAYS = 7


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


def accepted_target(session: Session, user: User, workout: Workout, exercise_id: int) -> Prescription | None:
    """What the coach and the member agreed for this exercise now, if anything."""
    today = session.exec(select(CoachTweak).where(
        CoachTweak.user_id == user.id, CoachTweak.workout_id == workout.id, CoachTweak.exercise_id == exercise_id,
        CoachTweak.scope == "session", CoachTweak.status == "accepted")
        .order_by(CoachTweak.created_at.desc(), CoachTweak.id.desc())).first()
    if today is not None:
        return tweak_from(today).next
    carried = session.exec(select(CoachTweak).where(
        CoachTweak.user_id == user.id, CoachTweak.exercise_id == exercise_id, CoachTweak.status == "accepted",
        CoachTweak.scope.in_(("next_session", "week")),
        CoachTweak.workout_id != workout.id)
        .order_by(CoachTweak.created_at.desc(), CoachTweak.id.desc())).first()
    if carried is None:
        return None
    if carried.scope == "week":
        return tweak_from(carried).next if workout.started_at - carried.created_at <= timedelta(days=DELOAD_DAYS) else None
    # A next-session target holds until the exercise has been done once more since it was accepted.
    done_since = session.exec(select(func.count(func.distinct(Workout.id))).join(
        WorkoutSet, WorkoutSet.workout_id == Workout.id).where(
        Workout.user_id == user.id, WorkoutSet.exercise_id == exercise_id, Workout.id != workout.id,
        Workout.finished_at.is_not(None), Workout.started_at > carried.created_at)).one()
    return tweak_from(carried).next if not done_since else None


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
    target_rpe = effort_rpe(entry.target_rpe or None, entry.target_rir) if entry else None
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
    effort = effort_rpe(ctx.rpe, ctx.rir)
    if reps < rules.rep_floor(ctx.planned_reps):
        return "fail_set"
    if reps < ctx.planned_reps or (effort is not None and effort >= 9.5 and (ctx.target_rpe or 8) < 9.5):
        return "struggle_set"
    if effort is not None and effort <= (ctx.target_rpe or 8) - 3:
        return "too_easy"
    return "complete_set"


# --- making and deciding tweaks -----------------------------------------------------------------


def _own_workout(session: Session, user: User, workout_id) -> Workout:
    return owned(session, Workout, workout_id, user, "That workout")


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
                          tweak=tweak_from(stored), message=stored.message, ai_powered=stored.ai_powered,
                          status=stored.status)
    workout = session.get(Workout, row.workout_id)
    done = _working_sets(session, workout.id, row.exercise_id)
    ctx = _set_context(session, user, workout, row.exercise_id, done=done, this_set=row)
    event = classify(ctx)
    entry = _plan_entry(session, workout, row.exercise_id)
    data = user_data(session, user, row.exercise_id, workout_id=workout.id)
    return store(session, user, event=event, ctx=ctx, data=data, workout_id=workout.id,
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
    return store(session, user, event="skip_set", ctx=ctx, data=data, workout_id=workout.id, exercise_id=key,
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
        efforts = [effort_rpe(s.rpe, s.rir) for s in done]
        efforts = [e for e in efforts if e is not None]
        ctx = replace(base, completed_reps=min(s.reps for s in done), load_kg=max(s.load_kg for s in done),
                      rpe=round(sum(efforts) / len(efforts), 1) if efforts else None, rir=None,
                      set_number=len(done), planned_sets=entry.sets if entry else len(done),
                      rest_taken_s=None)
        data = user_data(session, user, exercise_id, workout_id=workout.id)
        shown.append(store(session, user, event="complete_workout", ctx=ctx, data=data, workout_id=workout.id,
                            exercise_id=exercise_id, set_id=None, plan_exercise_id=entry.id if entry else None))
    return shown


def _own_tweak(session: Session, user: User, tweak_id) -> CoachTweak:
    return owned(session, CoachTweak, tweak_id, user, "That suggestion")


def decide(session: Session, user: User, tweak_id, accept: bool, *, now: datetime | None = None) -> CoachTweak:
    """Accept or dismiss a shown tweak. Accepting applies it: to today's remaining sets (rest of the
    set just logged included), or to the plan for next time."""
    row = _own_tweak(session, user, tweak_id)
    if row.status != "shown":
        raise ValidationFailed({"tweak": "This suggestion has already been answered or has expired."})
    row.status, row.decided_at = ("accepted" if accept else "dismissed"), now or utcnow()
    session.add(row)
    if accept:
        tweak = tweak_from(row)
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
