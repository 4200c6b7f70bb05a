"""The language model's words for a stored tweak, and events posted to the REST API with a token.

Only members with the ai_powered tier get the model's words. Whether a member has it is decided
by billing, which the coach does not import: the caller (the REST route, the logger's state) asks
billing and passes the answer in as `ai_tier`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from sqlmodel import Session, select

from adaptivefit.coach.member_data import equipment_kind, user_data
from adaptivefit.coach.tweaks import seed_for, set_message, store, tweak_from
from adaptivefit.coach.types import CoachContext, Tweak, UserData
from adaptivefit.db import session_scope
from adaptivefit.models import CoachTweak, User, Workout
from adaptivefit.services.catalog import library


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


def api_event(session: Session, user: User, event: str, ctx: CoachContext, posted: UserData,
              exercise_id: int | None, *, ai_tier: bool) -> ApiOutcome:
    """An event posted with a token: the member's own goals, level, history and readiness, recorded.

    What the member's records hold wins over the body; the body fills what the records lack.
    `ai_tier`: the member has the ai_powered tier, so the model's words are wanted.
    """
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
    shown = store(session, user, event=event, ctx=ctx, data=data, workout_id=active,
                  exercise_id=exercise_id, set_id=None, plan_exercise_id=None, source="api")
    goal = data.goals[0] if data.goals else "general"
    return ApiOutcome(tweak_id=shown.id, tweak=shown.tweak, message=shown.message, wants_ai=ai_tier,
                      event=event, exercise=ctx.exercise, goal=goal, level=data.fitness_level, units=user.units,
                      seed=seed_for(user.id, event, ctx.set_number))


async def ai_message(outcome: ApiOutcome) -> tuple[str, bool]:
    """The language model's words for a Pro member, or the template's when the model cannot."""
    from adaptivefit.coach import lm

    return await lm.write_message(outcome.tweak, outcome.event, exercise=outcome.exercise, goal=outcome.goal,
                                  level=outcome.level, units=outcome.units, seed=outcome.seed)


def save_message(user_id: int, tweak_id: int, message: str) -> None:
    with session_scope() as session:
        set_message(session, user_id, tweak_id, message, ai_powered=True)


def _ai_request(user_id: int, tweak_id: int, ai_tier: bool) -> ApiOutcome | None:
    with session_scope() as session:
        row = session.get(CoachTweak, tweak_id)
        user = session.get(User, user_id)
        if row is None or user is None or row.user_id != user.id or not ai_tier or row.status != "shown":
            return None
        ctx = (row.context or {}).get("context") or {}
        goals = (row.context or {}).get("goals") or []
        return ApiOutcome(tweak_id=row.id, tweak=tweak_from(row), message=row.message, wants_ai=True,
                          event=row.event, exercise=str(ctx.get("exercise", "")), goal=goals[0] if goals else "general",
                          level=user.fitness_level or "beginner", units=user.units,
                          seed=seed_for(user.id, row.event, int(ctx.get("set_number", 0) or 0)))


async def write_ai_message(user_id: int, tweak_id: int, ai_tier: bool) -> str | None:
    """For a Pro member's tweak in the app: the model's words, stored; None when the template stays
    (or when `ai_tier` is False: the member does not have the ai_powered tier)."""
    request = await asyncio.to_thread(_ai_request, user_id, tweak_id, ai_tier)
    if request is None:
        return None
    message, ai_powered = await ai_message(request)
    if not ai_powered:
        return None
    await asyncio.to_thread(save_message, user_id, tweak_id, message)
    return message
