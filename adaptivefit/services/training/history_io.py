"""A member's training history in and out as CSV: Strong and Hevy exports in, our own CSV both ways.

The file is read by `history_formats` and its exercises found by `history_exercises`; this module
writes what they give. Everything is added and flushed in the caller's transaction, which commits
once, so a crash leaves nothing half-imported. Each set's `client_id` is a hash of the user and the
row, so importing the same file again adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from adaptivefit.models import Exercise, FitnessData, User, Workout, WorkoutSet
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.training import records
from adaptivefit.services.training.history_exercises import HistoryExercises
from adaptivefit.services.training.history_formats import HistoryImport, Row, decode, parse
from adaptivefit.services.training.workout_sets import fitness_data

MAX_BYTES = 20 * 1024 * 1024

EXPORT_COLUMNS = ("date", "workout", "exercise", "set_number", "set_type", "reps", "weight_kg", "rpe", "rir", "note")


# --- writing -------------------------------------------------------------------------------------


def _client_ids(user_id: int, rows: list[Row]) -> list[str]:
    seen: Counter[tuple[str, ...]] = Counter()
    ids = []
    for row in rows:
        seen[row.cells] += 1
        # The occurrence count keeps two identical lines in one file apart, and stable on a re-import.
        text = "\x1f".join((str(user_id), str(seen[row.cells]), *row.cells))
        ids.append("import-" + hashlib.sha256(text.encode()).hexdigest()[:40])
    return ids


def _existing(session: Session, user_id: int, client_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(client_ids), 500):
        chunk = client_ids[i : i + 500]
        found |= set(session.exec(
            select(WorkoutSet.client_id).where(WorkoutSet.user_id == user_id, WorkoutSet.client_id.in_(chunk))
        ).all())
    return found


def _known_workouts(session: Session, user: User, starts: list[datetime]) -> dict[tuple[datetime, str], Workout]:
    """The member's workouts in the file's time span, by (start, name): re-imports land in them."""
    known: dict[tuple[datetime, str], Workout] = {}
    if starts:
        for workout in session.exec(select(Workout).where(
            Workout.user_id == user.id, Workout.started_at >= min(starts), Workout.started_at <= max(starts)
        )):
            known.setdefault((workout.started_at, workout.name), workout)
    return known


def _present(session: Session, workout: Workout | None) -> set[tuple]:
    # Sets already in this workout (say, from our own export of it) are not added twice.
    if workout is None:
        return set()
    return {
        (s.exercise_id, s.set_number, s.set_type, s.reps, round(s.load_kg, 3))
        for s in session.exec(select(WorkoutSet).where(WorkoutSet.workout_id == workout.id))
    }


def _import_workout(
    session: Session, user: User, key: tuple[datetime, str], members: list[tuple[Row, str]], *,
    workout: Workout | None, done: set[str], exercises: HistoryExercises, report: HistoryImport,
) -> None:
    """Write one workout's new sets, creating the workout when it is not there yet."""
    started, name = key
    ends = [row.finished_at for row, _ in members if row.finished_at]
    finished = max(ends) if ends else started
    present = _present(session, workout)
    positions: Counter[str] = Counter()
    new_sets: list[tuple[WorkoutSet, Exercise]] = []
    for i, (row, client_id) in enumerate(members):
        positions[row.exercise.lower()] += 1
        if client_id in done:
            report.already_imported += 1
            continue
        exercise = exercises.get(row.exercise)
        number = row.set_number or positions[row.exercise.lower()]
        if (exercise.id, number, row.set_type, row.reps, round(row.load_kg, 3)) in present:
            report.already_imported += 1
            continue
        if workout is None:
            notes = next((r.workout_notes for r, _ in members if r.workout_notes), "")
            workout = Workout(user_id=user.id, name=name, notes=notes[:4000], started_at=started, finished_at=finished)
            session.add(workout)
            session.flush()
            report.workouts += 1
        spread = (finished - started) * (i + 1) / len(members) if finished > started else timedelta(seconds=i)
        new_sets.append((WorkoutSet(
            workout_id=workout.id, user_id=user.id, exercise_id=exercise.id, client_id=client_id,
            set_number=number, set_type=row.set_type, reps=row.reps, load_kg=row.load_kg, rpe=row.rpe,
            rir=row.rir, note=row.note, rest_s=row.rest_s, logged_at=started + spread,
        ), exercise))
    session.add_all(s for s, _ in new_sets)
    session.flush()
    for workout_set, exercise in new_sets:
        session.add(FitnessData(user_id=user.id, type="workout", recorded_at=workout_set.logged_at,
                                data=fitness_data(workout_set, exercise.name)))
    report.sets += len(new_sets)


def import_history(session: Session, user: User, data: bytes, *, units: str = "kg", tz: str = "UTC") -> HistoryImport:
    """Import a Strong, Hevy or Adaptive Fit CSV into the member's history (see the module's docstring)."""
    units = {"lbs": "lb"}.get(units.lower(), units.lower())
    if units not in ("kg", "lb"):
        raise ValidationFailed({"units": "Choose kg or lb."})
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed({"tz": f"Unknown time zone {tz!r}."}) from None
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"file": f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."})

    report = HistoryImport()
    rows = parse(decode(data), units, zone, report)
    client_ids = _client_ids(user.id, rows)
    done = _existing(session, user.id, client_ids)
    groups: dict[tuple[datetime, str], list[tuple[Row, str]]] = {}
    for row, client_id in zip(rows, client_ids, strict=True):
        groups.setdefault((row.started_at, row.workout), []).append((row, client_id))
    known = _known_workouts(session, user, [start for start, _ in groups])
    exercises = HistoryExercises(session, user.id, report)
    for key, members in sorted(groups.items(), key=lambda item: item[0]):
        _import_workout(session, user, key, members, workout=known.get(key), done=done, exercises=exercises,
                        report=report)
    session.flush()
    if report.sets:
        records.rebuild_records(session, user.id)
    return report


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _safe_text(value: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula; a leading quote keeps it text."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


def export_history(session: Session, user: User) -> bytes:
    """The member's logged sets as CSV (UTF-8, comma), in the format `import_history` reads back."""
    rows = session.exec(
        select(WorkoutSet, Workout, Exercise)
        .join(Workout, Workout.id == WorkoutSet.workout_id)
        .join(Exercise, Exercise.id == WorkoutSet.exercise_id)
        .where(WorkoutSet.user_id == user.id, Workout.user_id == user.id)
        .order_by(Workout.started_at, Workout.id, WorkoutSet.logged_at, WorkoutSet.set_number, WorkoutSet.id)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for workout_set, workout, exercise in rows:
        writer.writerow((
            # Full precision, so re-importing into the same account finds the same workout.
            workout.started_at.astimezone(UTC).isoformat(),
            _safe_text(workout.name), _safe_text(exercise.name), workout_set.set_number, workout_set.set_type,
            workout_set.reps, _number_text(workout_set.load_kg), _number_text(workout_set.rpe),
            "" if workout_set.rir is None else workout_set.rir, _safe_text(workout_set.note),
        ))
    return out.getvalue().encode("utf-8")
