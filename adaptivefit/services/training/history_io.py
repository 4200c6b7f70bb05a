"""A member's training history in and out as CSV: Strong and Hevy exports in, our own CSV both ways.

The format is told by the header. Rows with impossible values are reported by line number and
left out while the good rows are imported; everything is added and flushed in the caller's
transaction, which commits once, so a crash leaves nothing half-imported. Each set's `client_id`
is a hash of the user and the row, so importing the same file again adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import importlib.util
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_
from sqlmodel import Session, select

from adaptivefit.models import Exercise, FitnessData, User, Workout, WorkoutSet
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.catalog.library import slugify
from adaptivefit.services.training.workouts import MAX_REST_S, NOTE_MAX, SET_TYPES

MAX_BYTES = 20 * 1024 * 1024
LB_TO_KG = 0.45359237
MAX_REPS = 1000
MAX_LOAD_KG = 1000.0

EXPORT_COLUMNS = ("date", "workout", "exercise", "set_number", "set_type", "reps", "weight_kg", "rpe", "rir", "note")

# Our set types are live logging's (warmup, working, drop); a set to failure is a working set with 0 RIR.
STRONG_SET_TYPES = {"w": ("warmup", None), "d": ("drop", None), "f": ("working", 0)}
HEVY_SET_TYPES = {"normal": ("working", None), "warmup": ("warmup", None), "dropset": ("drop", None),
                  "failure": ("working", 0)}

# Strong's and Hevy's names for common lifts (normalised, see `_norm`) -> our library's names.
ALIASES = {
    "squat barbell": "Barbell Back Squat",
    "front squat barbell": "Barbell Front Squat",
    "bench press barbell": "Barbell Bench Press",
    "incline bench press barbell": "Incline Barbell Bench Press",
    "incline bench press dumbbell": "Incline Dumbbell Bench Press",
    "bench press dumbbell": "Dumbbell Bench Press",
    "deadlift barbell": "Conventional Deadlift",
    "romanian deadlift barbell": "Romanian Deadlift",
    "sumo deadlift barbell": "Sumo Deadlift",
    "overhead press barbell": "Barbell Overhead Press",
    "shoulder press dumbbell": "Seated Dumbbell Shoulder Press",
    "bent over row barbell": "Barbell Bent-Over Row",
    "bent over one arm row dumbbell": "One-Arm Dumbbell Row",
    "dumbbell row": "One-Arm Dumbbell Row",
    "pull up": "Pull-Up",
    "chin up": "Chin-Up",
    "push up": "Push-Up",
    "lat pulldown cable": "Lat Pulldown",
    "seated row cable": "Seated Cable Row",
    "seated cable row v grip cable": "Seated Cable Row",
    "bicep curl barbell": "Barbell Curl",
    "bicep curl dumbbell": "Dumbbell Curl",
    "hammer curl dumbbell": "Hammer Curl",
    "triceps pushdown cable straight bar": "Triceps Pushdown",
    "triceps pushdown": "Triceps Pushdown",
    "skullcrusher barbell": "Skull Crusher",
    "lateral raise dumbbell": "Dumbbell Lateral Raise",
    "face pull cable": "Face Pull",
    "leg press machine": "Leg Press",
    "leg extension machine": "Leg Extension",
    "lying leg curl machine": "Lying Leg Curl",
    "seated leg curl machine": "Seated Leg Curl",
    "standing calf raise machine": "Standing Calf Raise",
    "hip thrust barbell": "Barbell Hip Thrust",
    "shrug barbell": "Barbell Shrug",
    "shrug dumbbell": "Dumbbell Shrug",
    "chest fly dumbbell": "Dumbbell Fly",
    "walking lunge dumbbell": "Dumbbell Walking Lunge",
    "goblet squat kettlebell": "Goblet Squat",
    "running treadmill": "Treadmill Run",
    "cycling indoor": "Stationary Cycling",
    "rowing machine": "Rowing Machine Steady State",
}

# A guess for a custom exercise's category and primary muscle from words in its name; first match wins.
GUESSES = (
    (("calf",), "legs", "calves"),
    (("leg curl", "hamstring", "nordic"), "legs", "hamstrings"),
    (("lunge", "squat", "leg press", "leg extension", "step up"), "legs", "quadriceps"),
    (("curl",), "arms", "biceps"),
    (("tricep", "triceps", "pushdown", "skullcrusher", "skull crusher", "dip"), "arms", "triceps"),
    (
        ("run", "running", "bike", "cycling", "rowing", "elliptical", "treadmill", "swim", "walk", "stair"),
        "cardio",
        "cardiovascular",
    ),
    (("bench", "chest", "fly", "push up", "pushup", "pec"), "chest", "chest"),
    (("pulldown", "pull up", "pullup", "chin up", "lat"), "back", "lats"),
    (("row",), "back", "upper back"),
    (("shrug",), "back", "traps"),
    (("deadlift", "good morning", "rdl"), "legs", "hamstrings"),
    (("hip thrust", "glute", "bridge", "kickback"), "glutes", "glutes"),
    (("lateral raise",), "shoulders", "side delts"),
    (("rear delt", "face pull", "reverse fly"), "shoulders", "rear delts"),
    (("shoulder", "overhead", "military", "press"), "shoulders", "front delts"),
    (("oblique", "twist", "woodchop"), "core", "obliques"),
    (("crunch", "plank", "sit up", "situp", "ab", "abs", "leg raise"), "core", "abs"),
)
DEFAULT_GUESS = ("full body", "quadriceps")


@dataclass
class HistoryImport:
    workouts: int = 0
    sets: int = 0
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    unknown_exercises: list[str] = field(default_factory=list)  # names that became private exercises
    already_imported: int = 0
    format: str = ""


class _BadRow(Exception):
    pass


@dataclass
class _Row:
    line: int
    cells: tuple[str, ...]
    started_at: datetime
    finished_at: datetime | None
    workout: str
    workout_notes: str
    exercise: str
    set_type: str
    reps: int
    load_kg: float
    rpe: float | None = None
    rir: int | None = None
    note: str = ""
    set_number: int | None = None
    rest_s: int = 0


# --- reading cells -------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _header_key(cell: str) -> tuple[str, str]:
    """A header cell as (name, unit): "Weight (kg)" -> ("weight", "kg")."""
    text = cell.strip().strip('"').lower()
    match = re.fullmatch(r"(.*?)\s*\(([^)]*)\)", text)
    return (match.group(1).strip(), match.group(2).strip()) if match else (text, "")


def _number(value: str, what: str, *, low: float = 0, high: float | None = None, integer: bool = False):
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise _BadRow(f"{what} {value.strip()!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _BadRow(f"{what} {value.strip()!r} is not a number")
    if integer and number != int(number):
        raise _BadRow(f"{what} {value.strip()!r} is not a whole number")
    if number < low:
        raise _BadRow(f"{what} {value.strip()} is below {low:g}")
    if high is not None and number > high:
        raise _BadRow(f"{what} {value.strip()} is above {high:g}")
    return int(number) if integer else number


def _optional(value: str, what: str, **limits):
    return _number(value, what, **limits) if value.strip() else None


def _rpe(value: str) -> float | None:
    rpe = _optional(value, "RPE", low=1, high=10)
    if rpe is not None and not (rpe * 2).is_integer():
        raise _BadRow(f"RPE {value.strip()} is not in steps of 0.5")
    return rpe


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
    "%d %b %Y, %H:%M",
    "%d %b %Y %H:%M",
    "%d %B %Y, %H:%M",
    "%Y-%m-%d",
)


def _when(value: str, zone: ZoneInfo, now: datetime) -> datetime:
    """A file's date-time as aware UTC; a time without a zone is in the member's zone."""
    text = re.sub(r"\s+", " ", value.replace("\u202f", " ")).strip()
    if not text:
        raise _BadRow("missing date")
    parsed = None
    for pattern in _TIME_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise _BadRow(f"date {text!r} is not a date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    parsed = parsed.astimezone(UTC)
    if parsed.year < 1970 or parsed > now + timedelta(days=1):
        raise _BadRow(f"date {text!r} is out of range")
    return parsed


def _duration_s(value: str, unit: str) -> int | None:
    """Strong's workout duration: "1h 5m", "45m", "1:05:00" or plain seconds; None when unreadable."""
    text = value.strip().lower()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        seconds = float(text) * (60 if unit in ("min", "minutes") else 1)
    elif re.fullmatch(r"\d+:\d{1,2}(:\d{1,2})?", text):
        parts = [int(p) for p in text.split(":")]
        seconds = parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) == 3 else 0)
    else:
        found = {unit: number for number, unit in re.findall(r"(\d+)\s*(h|m|s)\b", text.replace("min", "m"))}
        if not found:
            return None
        seconds = int(found.get("h", 0)) * 3600 + int(found.get("m", 0)) * 60 + int(found.get("s", 0))
    return int(seconds) if 0 <= seconds <= 24 * 3600 else None


def _extras_note(note: str, seconds: float | None, distance: float | None, distance_unit: str) -> str:
    """A set's own note plus what has no column of ours (time, distance), so nothing is lost."""
    parts = [note.strip()] if note.strip() else []
    if seconds:
        parts.append(f"{seconds:g} s")
    if distance:
        parts.append(f"{distance:g} {distance_unit}".strip())
    return "; ".join(parts)[:NOTE_MAX]


def _reps(value: str, seconds: float | None, distance: float | None) -> int:
    if not value.strip():
        if seconds or distance:
            return 0
        raise _BadRow("missing reps")
    return _number(value, "reps", high=MAX_REPS, integer=True)


def _load(value: str, unit: str) -> float:
    if not value.strip():
        return 0.0
    weight = _number(value, "weight")
    kg = weight * LB_TO_KG if unit in ("lb", "lbs") else weight
    if kg > MAX_LOAD_KG:
        raise _BadRow(f"weight {value.strip()} {unit} is over {MAX_LOAD_KG:g} kg")
    return round(kg, 4)


# --- the three formats ---------------------------------------------------------------------------


def _strong_row(get, units: dict[str, str], default_unit: str, zone: ZoneInfo, now: datetime) -> _Row | None:
    exercise = get("exercise name")
    order = get("set order").lower()
    if order == "rest timer":
        return None
    if not exercise:
        raise _BadRow("missing exercise name")
    started = _when(get("date"), zone, now)
    duration = _duration_s(get("duration"), units.get("duration", ""))
    seconds = _optional(get("seconds"), "seconds")
    distance = _optional(get("distance"), "distance")
    weight_unit = (get("weight unit") or units.get("weight") or default_unit).lower()
    set_type, rir = STRONG_SET_TYPES.get(order, ("working", None))
    return _Row(
        line=0, cells=(), started_at=started,
        finished_at=started + timedelta(seconds=duration) if duration else None,
        workout=get("workout name"), workout_notes=get("workout notes"), exercise=exercise,
        set_type=set_type, rir=rir,
        reps=_reps(get("reps"), seconds, distance), load_kg=_load(get("weight"), weight_unit), rpe=_rpe(get("rpe")),
        note=_extras_note(get("notes"), seconds, distance, get("distance unit") or units.get("distance", "")),
    )


def _hevy_row(get, units: dict[str, str], default_unit: str, zone: ZoneInfo, now: datetime) -> _Row:
    exercise = get("exercise_title")
    if not exercise:
        raise _BadRow("missing exercise name")
    started = _when(get("start_time"), zone, now)
    finished = _when(get("end_time"), zone, now) if get("end_time") else None
    seconds = _optional(get("duration_seconds"), "duration")
    distance_unit = "mi" if get("distance_miles") else "km"
    distance = _optional(get("distance_km") or get("distance_miles"), "distance")
    weight_unit = "lb" if get("weight_lbs") and not get("weight_kg") else "kg"
    set_type, rir = HEVY_SET_TYPES.get(get("set_type").lower(), ("working", None))
    return _Row(
        line=0, cells=(), started_at=started, finished_at=finished if finished and finished > started else None,
        workout=get("title"), workout_notes=get("description"), exercise=exercise,
        set_type=set_type, rir=rir, reps=_reps(get("reps"), seconds, distance),
        load_kg=_load(get("weight_kg") or get("weight_lbs"), weight_unit), rpe=_rpe(get("rpe")),
        note=_extras_note(get("exercise_notes"), seconds, distance, distance_unit),
    )


def _own_text(value: str) -> str:
    """Undo the export's guard against spreadsheet formulas."""
    return value[1:] if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r" else value


def _own_row(get, units: dict[str, str], default_unit: str, zone: ZoneInfo, now: datetime) -> _Row:
    exercise = _own_text(get("exercise"))
    if not exercise:
        raise _BadRow("missing exercise name")
    set_type = get("set_type").lower() or "working"
    if set_type not in SET_TYPES:
        raise _BadRow(f"set type {get('set_type')!r} is not one of {', '.join(SET_TYPES)}")
    reps = get("reps")
    if not reps:
        raise _BadRow("missing reps")
    return _Row(
        line=0, cells=(), started_at=_when(get("date"), zone, now), finished_at=None,
        workout=_own_text(get("workout")), workout_notes="", exercise=exercise, set_type=set_type,
        reps=_number(reps, "reps", high=MAX_REPS, integer=True), load_kg=_load(get("weight_kg"), "kg"),
        rpe=_rpe(get("rpe")), rir=_optional(get("rir"), "RIR", high=10, integer=True),
        note=_own_text(get("note"))[:NOTE_MAX],
        set_number=_optional(get("set_number"), "set number", low=1, high=10_000, integer=True),
    )


FORMATS = (
    ("adaptivefit", {"date", "workout", "exercise", "set_number", "weight_kg"}, _own_row),
    ("strong", {"date", "workout name", "exercise name", "set order"}, _strong_row),
    ("hevy", {"title", "start_time", "exercise_title"}, _hevy_row),
)


def _parse(text: str, units: str, zone: ZoneInfo, report: HistoryImport) -> list[_Row]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise ValidationFailed({"file": "The file is empty."})
    keys = [_header_key(cell) for cell in header]
    names = [name for name, _ in keys]
    found = next(((fmt, parse) for fmt, needed, parse in FORMATS if needed <= set(names)), None)
    if found is None:
        raise ValidationFailed({"file": "This is not a Strong, Hevy or Adaptive Fit history export (unknown columns)."})
    report.format, parse_row = found
    column_units = {name: unit for name, unit in keys if unit}
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    now = datetime.now(UTC)
    rows: list[_Row] = []
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue

        def get(name: str, cells=cells) -> str:
            position = index.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        try:
            row = parse_row(get, column_units, units, zone, now)
        except _BadRow as exc:
            report.bad_rows.append((start, str(exc)))
            continue
        if row is None:
            # Newer Strong versions write the rest after a set as a row of its own.
            if rows and re.fullmatch(r"\d{1,5}(\.\d+)?", get("seconds")):
                rows[-1].rest_s = min(int(float(get("seconds"))), MAX_REST_S)
            continue
        row.line, row.cells = start, tuple(cell.strip() for cell in cells)
        row.workout = (row.workout or "Workout")[:120]
        row.exercise = re.sub(r"\s+", " ", row.exercise)[:120]
        rows.append(row)
    return rows


# --- matching exercises --------------------------------------------------------------------------


def _norm(name: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text).split())


def _candidates(name: str) -> list[str]:
    """Normalised spellings to look for: as written, without a "(Barbell)" suffix, and with it in front."""
    found = [_norm(name)]
    match = re.fullmatch(r"(.*?)\s*\(([^)]*)\)\s*", name)
    if match:
        base, kind = match.group(1), match.group(2)
        found += [_norm(f"{kind} {base}"), _norm(base)]
    return found


class _Exercises:
    """Finds the library (or the member's own) exercise for a name in a file, creating one if none fits."""

    def __init__(self, session: Session, user_id: int, report: HistoryImport):
        self.session, self.user_id, self.report = session, user_id, report
        self.exact: dict[str, Exercise] = {}
        self.normal: dict[str, Exercise] = {}
        visible = session.exec(
            select(Exercise)
            .where(or_(Exercise.owner_id.is_(None), Exercise.owner_id == user_id))
            .order_by(Exercise.owner_id.is_not(None), Exercise.id)
        ).all()
        for exercise in visible:
            self.exact.setdefault(exercise.name.strip().lower(), exercise)
            self.normal.setdefault(_norm(exercise.name), exercise)

    def get(self, name: str) -> Exercise:
        key = name.strip().lower()
        exercise = self.exact.get(key)
        if exercise is None and _norm(name) in ALIASES:
            exercise = self.exact.get(ALIASES[_norm(name)].lower())
        if exercise is None:
            exercise = next((self.normal[c] for c in _candidates(name) if c in self.normal), None)
        if exercise is None:
            exercise = self._create(name)
        self.exact[key] = exercise
        return exercise

    def _create(self, name: str) -> Exercise:
        padded = f" {_norm(name)} "
        category, muscle = next(
            ((c, m) for words, c, m in GUESSES if any(f" {w} " in padded for w in words)), DEFAULT_GUESS
        )
        base = f"{slugify(name)[:110] or 'exercise'}-u{self.user_id}"
        slug, number = base, 2
        while self.session.exec(select(Exercise.id).where(Exercise.slug == slug)).first() is not None:
            slug, number = f"{base}-{number}", number + 1
        exercise = Exercise(name=name, slug=slug, category=category, primary_muscle=muscle, owner_id=self.user_id,
                            source="import", instructions="Added from an imported training history.")
        self.session.add(exercise)
        self.session.flush()
        self.report.unknown_exercises.append(name)
        return exercise


# --- writing -------------------------------------------------------------------------------------


def _client_ids(user_id: int, rows: list[_Row]) -> list[str]:
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


def _rebuild_records(session: Session, user_id: int) -> None:
    # Personal records are derived data; a build without that service simply has none to redo.
    # A records module that exists but fails to import is a bug, so it is not swallowed here.
    if importlib.util.find_spec("adaptivefit.services.training.records") is None:
        return
    records = importlib.import_module("adaptivefit.services.training.records")
    rebuild = getattr(records, "rebuild_records", None)
    if rebuild is not None:
        rebuild(session, user_id)


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
    rows = _parse(_decode(data), units, zone, report)
    client_ids = _client_ids(user.id, rows)
    done = _existing(session, user.id, client_ids)

    groups: dict[tuple[datetime, str], list[tuple[_Row, str]]] = {}
    for row, client_id in zip(rows, client_ids, strict=True):
        groups.setdefault((row.started_at, row.workout), []).append((row, client_id))
    known: dict[tuple[datetime, str], Workout] = {}
    if groups:
        starts = [start for start, _ in groups]
        for workout in session.exec(select(Workout).where(
            Workout.user_id == user.id, Workout.started_at >= min(starts), Workout.started_at <= max(starts)
        )):
            known.setdefault((workout.started_at, workout.name), workout)

    exercises = _Exercises(session, user.id, report)
    for (started, name), members in sorted(groups.items(), key=lambda item: item[0]):
        ends = [row.finished_at for row, _ in members if row.finished_at]
        finished = max(ends) if ends else started
        workout = known.get((started, name))
        present: set[tuple] = set()
        if workout is not None:
            # Sets already in this workout (say, from our own export of it) are not added twice.
            present = {
                (s.exercise_id, s.set_number, s.set_type, s.reps, round(s.load_kg, 3))
                for s in session.exec(select(WorkoutSet).where(WorkoutSet.workout_id == workout.id))
            }
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
                workout = Workout(user_id=user.id, name=name, notes=notes[:4000],
                                  started_at=started, finished_at=finished)
                session.add(workout)
                session.flush()
                known[(started, name)] = workout
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
            session.add(FitnessData(user_id=user.id, type="workout", recorded_at=workout_set.logged_at, data={
                "set_id": workout_set.id, "workout_id": workout_set.workout_id, "exercise_id": exercise.id,
                "exercise": exercise.name, "reps": workout_set.reps, "load_kg": workout_set.load_kg,
                "rpe": workout_set.rpe, "rir": workout_set.rir, "set_type": workout_set.set_type,
            }))
        report.sets += len(new_sets)
    session.flush()
    if report.sets:
        _rebuild_records(session, user.id)
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
