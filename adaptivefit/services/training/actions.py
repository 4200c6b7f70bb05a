"""The workout logger's use cases: each one user action, one transaction, spanning several rules.

A logged set is written, checked for records, checks the badges and gets the coach's answer; a
finished workout is summed up, coached for next time and checked for badges. Each use case runs in
the caller's session (one commit) and returns what the view needs. The coach is told the member's
AI tier by the caller: training does not read billing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from adaptivefit.coach import service as coach
from adaptivefit.models import User, Workout
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.units import parse_mass
from adaptivefit.services.training import badges, history_io, logger_display, workout_sets, workouts
from adaptivefit.services.training.workout_view import add_exercise as add_block
from adaptivefit.services.training.workouts import LoggedSet

# The largest history file the logger's upload takes.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
LOAD_MESSAGE = "Enter the load as a number."


@dataclass(frozen=True)
class SetLogged:
    logged: LoggedSet
    record_news: str  # the personal-record toast, "" when the set set none
    badges: tuple[str, ...]  # titles of badges earned and not announced before
    tweak_id: int | None  # the coach's card for this set, if it answered
    wants_ai: bool  # the member has the AI tier and the coach answered: ask for the model's words


@dataclass(frozen=True)
class WorkoutFinished:
    workout_id: int
    summary: dict[str, str]
    records: tuple[str, ...]
    badges: tuple[str, ...]


def _active(session: Session, user: User, message: str) -> Workout:
    workout = workouts.active_workout(session, user)
    if workout is None:
        raise ValidationFailed({"workout": message})
    return workout


def _load_kg(value: object, units: str) -> float:
    try:
        return parse_mass(value, units) or 0.0
    except ValueError:
        raise ValidationFailed({"load": LOAD_MESSAGE}) from None


def _text(form: dict, key: str, limit: int, default: str = "") -> str:
    return str(form.get(key, default) or default)[:limit]


def _announce_badges(session: Session, user: User) -> tuple[str, ...]:
    """Award what the member newly earned; the titles of those not announced before, now marked shown."""
    badges.evaluate(session, user)
    earned = badges.unannounced(session, user)
    badges.mark_announced(session, user, [b.code for b in earned])
    return tuple(b.title for b in earned)


def log_set(
    session: Session, user: User, form: dict, *, client_id: str, ai_tier: bool, now: datetime | None = None
) -> SetLogged:
    """Log a set from the logger's form (load in the member's units) into the open workout, then
    check badges and ask the coach. `ai_tier`: the member has the ai_powered tier."""
    load_kg = _load_kg(_text(form, "load", 20).strip(), user.units)
    workout = _active(session, user, "Start a workout first.")
    try:
        exercise_id = int(_text(form, "exercise_id", 12) or 0)
    except ValueError:
        raise ValidationFailed({"exercise": "Choose an exercise."}) from None
    logged = workout_sets.log_set(
        session, user, workout.id, client_id=client_id, exercise_id=exercise_id, reps=_text(form, "reps", 10),
        load_kg=load_kg, rpe=_text(form, "rpe", 5) or None, rir=_text(form, "rir", 5) or None,
        set_type=_text(form, "set_type", 10, "working"), note=_text(form, "note", 500), now=now)
    earned = _announce_badges(session, user)
    shown = coach.coach_logged_set(session, user, logged.id)
    return SetLogged(logged=logged, record_news=logger_display.record_news(logged.pr_kinds), badges=earned,
                     tweak_id=shown.id if shown is not None else None, wants_ai=shown is not None and ai_tier)


def edit_set(session: Session, user: User, set_id: object, form: dict) -> LoggedSet:
    """Save the edit form of a logged set (load in the member's units)."""
    load_kg = _load_kg(_text(form, "load", 20).strip(), user.units)
    return workout_sets.update_set(session, user, set_id, reps=_text(form, "reps", 10), load_kg=load_kg,
                                   rpe=_text(form, "rpe", 5) or None, note=_text(form, "note", 500))


def add_exercise(session: Session, user: User, exercise_id: object) -> int:
    """Add an exercise to the open workout; its id, for the caller to keep its empty block on screen."""
    workout = _active(session, user, "That exercise cannot be added.")
    return add_block(session, user, workout.id, exercise_id).exercise_id


def skip_set(session: Session, user: User, exercise_id: object) -> None:
    """The member skips the next set of an exercise; the coach answers with less volume."""
    workout = _active(session, user, "Start a workout first.")
    coach.skip_set(session, user, workout.id, str(exercise_id)[:12])


def answer_tweak(session: Session, user: User, tweak_id: object, accept: bool) -> str:
    """Accept or dismiss a coach suggestion; the confirmation to show ("" when dismissed)."""
    accept = accept is True
    coach.decide(session, user, str(tweak_id)[:12], accept)
    return "Done: your targets are updated." if accept else ""


def finish_workout(session: Session, user: User, *, now: datetime | None = None) -> WorkoutFinished:
    """Finish the open workout: its summary, the coach's suggestions for next time, new badges."""
    workout = _active(session, user, "There is no workout to finish.")
    summary = workouts.finish_workout(session, user, workout.id, now=now)
    coach.coach_finished_workout(session, user, workout.id)
    earned = _announce_badges(session, user)
    return WorkoutFinished(workout_id=summary.id, summary=logger_display.summary_card(summary, user.units),
                           records=summary.prs, badges=earned)


def import_history(session: Session, user: User, data: bytes) -> list[str]:
    """Import an uploaded history file in the member's units and zone; the report's lines."""
    if len(data) > UPLOAD_MAX_BYTES:
        raise ValidationFailed({"file": f"The file is larger than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB."})
    report = history_io.import_history(session, user, data, units=user.units, tz=user.timezone)
    return logger_display.import_report_lines(report)
