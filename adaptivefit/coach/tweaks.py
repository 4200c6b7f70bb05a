"""The coach's tweaks as stored: each with the words that explain it and its outcome.

A shown tweak that the member neither took nor dismissed expires when the next one for the same
exercise arrives.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from sqlmodel import Session, select

from adaptivefit.coach import engine, evidence, messages
from adaptivefit.coach.types import CoachContext, Evidence, Prescription, Tweak, UserData
from adaptivefit.models import CoachTweak, Exercise, User
from adaptivefit.models.base import utcnow


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


def tweak_from(row: CoachTweak) -> Tweak:
    """The tweak a stored row holds."""
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


def seed_for(user_id: int | str, event: str, set_number: int, extra: str = "") -> str:
    return hashlib.sha256(f"{user_id}|{event}|{set_number}|{extra}".encode()).hexdigest()


def _expire_open(session: Session, user_id: int, workout_id: int | None, exercise_id: int | None) -> None:
    for row in session.exec(select(CoachTweak).where(
            CoachTweak.user_id == user_id, CoachTweak.workout_id == workout_id, CoachTweak.exercise_id == exercise_id,
            CoachTweak.status == "shown")):
        row.status, row.decided_at = "expired", utcnow()
        session.add(row)


def store(session: Session, user: User, *, event: str, ctx: CoachContext, data: UserData, workout_id: int | None,
           exercise_id: int | None, set_id: int | None, plan_exercise_id: int | None, source: str = "app",
           extra_seed: str = "") -> ShownTweak:
    """The engine's tweak for `event`, stored with its template message; the open one it replaces expires."""
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
                       tweak=tweak_from(row), message=row.message, ai_powered=row.ai_powered, status=row.status)
            for row, name in rows]
